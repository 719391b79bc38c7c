"""Counter ids for folium/branca elements, so the same map always gives the same bytes."""

from __future__ import annotations

import contextlib
import itertools
import threading
from collections.abc import Iterator

from branca.element import Element

_ID_LOCK = threading.RLock()


@contextlib.contextmanager
def deterministic_ids(prefix: str = "") -> Iterator[None]:
    """Give folium/branca elements counter ids instead of random ones, inside the block.

    branca 0.8.2 draws every element id from ``Element._generate_id``; inside the
    block it returns ``prefix`` + a hexadecimal counter, so building the same
    map twice gives the same ids. Builds in other threads wait for the block.

    Parameters
    ----------
    prefix : str
        Put before every id (e.g. to tell render-time elements apart).

    Yields
    ------
    None
        The counter is active until the block ends.
    """
    counter = itertools.count(1)

    def generate(cls: type) -> str:
        return f"{prefix}{next(counter):04x}"

    with _ID_LOCK:
        saved = Element.__dict__["_generate_id"]
        Element._generate_id = classmethod(generate)
        try:
            yield
        finally:
            Element._generate_id = saved
