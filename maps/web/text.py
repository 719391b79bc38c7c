"""Text that reaches the page: HTML escaping, short numbers, script-safe JSON, cell values."""

from __future__ import annotations

import html
import json
from typing import Any

import numpy as np
import pandas as pd


def esc(text: str) -> str:
    """`text` escaped for HTML text and attribute values (quotes included)."""
    return html.escape(str(text), quote=True)


def num(value: float) -> str:
    """A number with at most two decimals and no trailing zeros (SVG attributes)."""
    return f"{float(value):.2f}".rstrip("0").rstrip(".")


def format_number(value: float) -> str:
    """A number for a reader: thousands separated, no decimals for whole numbers."""
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,g}"


def js_json(obj: Any) -> str:
    """JSON that is safe inside a ``<script>`` element."""
    text = json.dumps(obj, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return (
        text.replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


def cell(value: Any) -> Any:
    """A frame value as a plain Python value; missing values (NaN, NA, NaT) as None."""
    if isinstance(value, list | tuple | dict | np.ndarray):
        return value
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        return value
    return value.item() if isinstance(value, np.generic) else value


def as_float(value: Any) -> float:
    """A frame value as a float; NaN where it is missing or not a number."""
    value = cell(value)
    try:
        return float("nan") if value is None else float(value)
    except (TypeError, ValueError):
        return float("nan")


def iso_day(value: Any) -> str | None:
    """A date (or date-like text) as ``YYYY-MM-DD``; None where missing."""
    value = cell(value)
    if value is None:
        return None
    if hasattr(value, "date") and callable(value.date):
        return value.date().isoformat()
    text = str(value).strip()
    return text[:10] if text else None
