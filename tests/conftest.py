"""Shared test helpers: fixtures are folders in the real export layouts, zipped at test time."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

# The trained model is cached between scans; tests keep theirs away from the user's cache folder.
os.environ["BACKSCROLL_CACHE"] = tempfile.mkdtemp(prefix="backscroll-test-cache-")
atexit.register(shutil.rmtree, os.environ["BACKSCROLL_CACHE"], ignore_errors=True)

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
SHARED = Path(__file__).resolve().parents[2] / "shared"


def zip_folder(folder: Path, dest: Path, *, wrap: str = "") -> Path:
    """Zip `folder` into `dest`, optionally inside one wrapping folder as real exports often are."""
    with zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                zf.write(path, wrap + path.relative_to(folder).as_posix())
    return dest


@pytest.fixture
def fixtures() -> Path:
    return FIXTURES


@pytest.fixture
def make_zip(tmp_path: Path) -> Callable[..., Path]:
    """`make_zip("x/2022")` zips fixtures/x/2022 into a temporary file and returns its path."""

    def make(relative: str, *, wrap: str = "", name: str | None = None) -> Path:
        folder = FIXTURES / relative
        assert folder.is_dir(), folder
        return zip_folder(folder, tmp_path / (name or relative.replace("/", "_") + ".zip"), wrap=wrap)

    return make


@pytest.fixture
def shared_samples() -> Path:
    samples = SHARED / "samples"
    if not samples.is_dir():
        pytest.skip("../shared/samples is not present on this machine")
    return samples
