"""The web renderer's error."""

from __future__ import annotations


class WebBuildError(RuntimeError):
    """A web map that would not be self-contained or could not be built."""
