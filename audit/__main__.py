"""`python -m audit` is the same program as `backscroll`."""

from audit.cli import main

main()
