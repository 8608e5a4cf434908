"""One rule for JSON output: NaN and infinity become null, numpy scalars become Python numbers."""

from __future__ import annotations

import math

import numpy as np

__all__ = ["json_value", "json_float"]


def json_float(x) -> float | None:
    """A Python float, or None for None, NaN or infinity (JSON has no NaN)."""
    if x is None:
        return None
    x = float(x)
    return x if math.isfinite(x) else None


def json_value(value):
    """Any scalar made JSON-ready: floats through :func:`json_float`, numpy integers and booleans as Python ones;
    other values as they are."""
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return json_float(value)
    return value
