"""The project's own exceptions.

Every error a user can cause (a bad ticker, a weekend date, a window that does not fit the data, a corrupt cache
file, a failed fetch) is raised as a subclass of :class:`AnalysisError`. Its message names the problem, and its
``hint`` names the fix. The command line prints both on one line and exits non-zero; it never shows a traceback
from inside pandas.
"""

from __future__ import annotations


class AnalysisError(Exception):
    """Base class: a problem the user can act on.

    Parameters
    ----------
    message : str
        What is wrong, in one sentence.
    hint : str, optional
        What to do about it (often a command to run).
    """

    exit_code = 2

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        if self.hint:
            return f"{self.message} Fix: {self.hint}"
        return self.message


class InvalidTickerError(AnalysisError, ValueError):
    """A ticker that is not a plausible symbol (for example ``../x`` or ``a/b``)."""


class UnknownTickerError(AnalysisError, KeyError):
    """A well-formed ticker that the cache does not hold."""

    def __str__(self) -> str:  # KeyError would otherwise quote the message
        return AnalysisError.__str__(self)


class CacheMissError(AnalysisError):
    """The cache holds the ticker, but not the dates or interval asked for."""


class CacheCorruptError(AnalysisError):
    """A cache file cannot be read, or does not have the expected schema."""


class ChecksumMismatchError(CacheCorruptError):
    """A cache file's sha256 differs from the manifest's."""


class FetchError(AnalysisError):
    """A download from Yahoo Finance failed; the cache was left as it was."""


class RateLimitError(FetchError):
    """Yahoo Finance refused the request because too many were made."""


class NetworkError(FetchError):
    """Yahoo Finance could not be reached (no network, DNS failure, time-out)."""


class EmptyFetchError(FetchError):
    """A fetch came back with no rows."""


class ShortFetchError(FetchError):
    """A fetch came back with fewer rows than the cache already holds for the range."""


class EventDateError(AnalysisError, ValueError):
    """An event date that cannot be mapped to a session inside the data."""


class WindowError(AnalysisError, ValueError):
    """An estimation or event window that does not fit the data, or is too short."""


class DataGapError(AnalysisError, ValueError):
    """Missing values inside a window, or a benchmark missing on some dates."""


class ConstantSeriesError(AnalysisError, ValueError):
    """A price series that does not move, so no model can be fitted to it."""


class ClaimsRegistryError(AnalysisError, ValueError):
    """The claims registry is malformed or disagrees with the seed articles."""


class EventFileError(AnalysisError, ValueError):
    """An event file that is missing, malformed, or holds an unknown key or a bad value (named with its line)."""
