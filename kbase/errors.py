"""Errors kbase raises; each message is written for the person who has to act on it."""

from __future__ import annotations


class KbaseError(Exception):
    """Base class of every error kbase raises on purpose."""

    #: exit status the CLI uses for this error (1: done with failures, 2: not understood)
    exit_code: int = 1


class QuerySyntaxError(KbaseError):
    """The search query could not be understood."""

    exit_code = 2


class UnknownIdError(KbaseError, KeyError):
    """No passage or document has the given id."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


class IndexBusyError(KbaseError):
    """Another process holds the index's write lock."""


class IndexUnreadableError(KbaseError):
    """The index folder exists but cannot be opened as a kbase index."""


class ExtractionError(KbaseError):
    """One file could not be turned into text; the message says why."""


class UnsupportedFormatError(ExtractionError):
    """The file is of a format kbase does not read."""


def wrapped(exc: BaseException) -> list[BaseException]:
    """The error and every error it wraps: in its arguments (pdfplumber wraps pdfminer's
    errors so), its cause and its context; each once."""
    found: list[BaseException] = []
    todo = [exc]
    while todo:
        e = todo.pop()
        if any(e is f for f in found):
            continue
        found.append(e)
        todo += [a for a in e.args if isinstance(a, BaseException)]
        todo += [c for c in (e.__cause__, e.__context__) if c is not None]
    return found
