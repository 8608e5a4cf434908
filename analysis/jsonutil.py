"""JSON has no NaN: the one helper that turns a number into a JSON-safe float or None."""

from __future__ import annotations

import math

__all__ = ["json_float"]


def json_float(x) -> float | None:
    """A python float, or None for NaN, infinity or None (JSON has no NaN).

    Parameters
    ----------
    x : float, numpy scalar or None

    Returns
    -------
    float or None
    """
    if x is None:
        return None
    x = float(x)
    return x if math.isfinite(x) else None
