"""Errors that end a run with exit status 2 and one plain line naming the file."""

from __future__ import annotations


class ExportError(Exception):
    """The input cannot be used at all: not a zip, encrypted, unknown platform, unsafe."""

    def __init__(self, path: str, problem: str) -> None:
        super().__init__(f"{path}: {problem}")
        self.path = path
        self.problem = problem
