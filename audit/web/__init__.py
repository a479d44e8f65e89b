"""The local web app behind `backscroll serve`: upload, scan, review, decide, download, all on this computer."""

from audit.web.app import create_app
from audit.web.security import Settings

__all__ = ["Settings", "create_app"]
