"""Compact geometry for the page: delta-encoded coordinates and shared polygon arcs.

Geometry is sent as integers in units of 10**-decimals degrees, each vertex as the
change from the one before (running on from line to line within a layer),
zig-zagged and written as base-64 varints (5 data bits a character): a few
characters per vertex instead of ~20 for decimal GeoJSON. Polygons are made of
shared arcs, so a border between two polygons is sent once. ``FG.layer``
(``runtime.js``) decodes it.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np
import shapely

from maps.web.errors import WebBuildError

ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"


def encode_coordinates(coords: np.ndarray, decimals: int) -> str:
    """Delta-encode lon/lat coordinates rounded to `decimals` places as a compact string.

    Parameters
    ----------
    coords : numpy.ndarray
        ``(n, 2)`` array of x, y.
    decimals : int
        Decimal places kept; values become integers in units of ``10**-decimals``.

    Returns
    -------
    str
        Characters from the base-64 alphabet: for each vertex the change in x
        then y from the previous vertex (from 0 for the first), zig-zag encoded
        (0, -1, 1, -2... → 0, 1, 2, 3...) and written 5 bits a character, the
        sixth bit set on every character but a number's last.
    """
    return Encoder(decimals).line(_ints(coords, decimals))


def _ints(coords: np.ndarray, decimals: int) -> np.ndarray:
    return np.rint(np.asarray(coords, dtype=float)[:, :2] * 10.0**decimals).astype(np.int64)


class Encoder:
    """Delta encoder whose position runs on from one line to the next."""

    def __init__(self, decimals: int) -> None:
        self.decimals = decimals
        self.last = np.zeros(2, dtype=np.int64)

    def line(self, ints: np.ndarray) -> str:
        """One line of integer vertices, from where the previous line ended."""
        if len(ints) == 0:
            return ""
        deltas = np.diff(ints, axis=0, prepend=self.last[None, :]).ravel()
        self.last = ints[-1].copy()
        zigzag = (deltas << 1) ^ (deltas >> 63)
        out = []
        for value in zigzag.tolist():
            while value >= 32:
                out.append(ALPHABET[32 | (value & 31)])
                value >>= 5
            out.append(ALPHABET[value])
        return "".join(out)

    def coords(self, g: shapely.Geometry) -> str:
        """All vertices of a geometry as one line."""
        return self.line(_ints(shapely.get_coordinates(g), self.decimals))

    def geometry(self, g: shapely.Geometry) -> dict[str, Any]:
        """``{"type", "e"}`` with encoded strings; points as plain ``coordinates``."""
        kind = g.geom_type

        def polygon(p: shapely.Polygon) -> list[str]:
            rings = (p.exterior, *p.interiors)
            return [self.line(_ints(np.asarray(r.coords)[:-1], self.decimals)) for r in rings]

        if kind == "Point":
            x, y = round(g.x, self.decimals), round(g.y, self.decimals)
            return {"type": kind, "coordinates": [x, y]}
        if kind in ("LineString", "MultiPoint"):
            return {"type": kind, "e": self.coords(g)}
        if kind == "MultiLineString":
            return {"type": kind, "e": [self.coords(p) for p in g.geoms]}
        if kind == "Polygon":
            return {"type": kind, "e": polygon(g)}
        if kind == "MultiPolygon":
            return {"type": kind, "e": [polygon(p) for p in g.geoms]}
        raise WebBuildError(f"cannot draw a {kind} on the web map")


class Arcs:
    """The polygons of a map as rings of shared arcs (as in TopoJSON).

    Rings are cut at junctions: vertices whose neighbours differ between the
    rings through them. A run of vertices two rings share (an exact coverage's
    border, after simplification and rounding) becomes one arc that both refer
    to, one of them backwards (reference ``~i``).
    """

    def __init__(self, geometries: Sequence[shapely.Geometry], decimals: int) -> None:
        self.decimals = decimals
        self.arcs: list[np.ndarray] = []
        self._index: dict[bytes, int] = {}
        polygons = [
            [
                [_ints(np.asarray(r.coords)[:-1], decimals) for r in (p.exterior, *p.interiors)]
                for p in shapely.get_parts(g)
            ]
            for g in geometries
        ]
        self._junctions = _junctions(ring for g in polygons for p in g for ring in p)
        self.refs = [[[self._ring(ring) for ring in p] for p in g] for g in polygons]
        self._types = [g.geom_type for g in geometries]

    def geometry(self, k: int) -> dict[str, Any]:
        """The k-th geometry as ``{"type", "a"}``: arc references per ring."""
        refs: Any = self.refs[k] if self._types[k] == "MultiPolygon" else self.refs[k][0]
        return {"type": self._types[k], "a": refs}

    def encoded(self) -> list[str]:
        """The arcs, delta-encoded one after the other."""
        encoder = Encoder(self.decimals)
        return [encoder.line(arc) for arc in self.arcs]

    def _ring(self, ring: np.ndarray) -> list[int]:
        points = [tuple(p) for p in ring.tolist()]
        cuts = [i for i, p in enumerate(points) if p in self._junctions]
        if not cuts:
            return [self._loop(ring)]
        rotated = np.roll(ring, -cuts[0], axis=0)
        closed = np.vstack([rotated, rotated[:1]])
        bounds = [c - cuts[0] for c in cuts] + [len(ring)]
        return [self._arc(closed[a : b + 1]) for a, b in itertools.pairwise(bounds)]

    def _loop(self, ring: np.ndarray) -> int:
        """A ring without junctions: one closed arc in a canonical start and direction."""
        first = int(np.lexsort((ring[:, 1], ring[:, 0]))[0])
        forward = np.roll(ring, -first, axis=0)
        backward = np.roll(ring[::-1], first + 1 - len(ring), axis=0)
        flip = backward[1:].tolist() < forward[1:].tolist()
        canonical = backward if flip else forward
        ref = self._arc(np.vstack([canonical, canonical[:1]]))
        return ~ref if flip else ref

    def _arc(self, coords: np.ndarray) -> int:
        coords = np.ascontiguousarray(coords)
        key = coords.tobytes()
        if key in self._index:
            return self._index[key]
        back = np.ascontiguousarray(coords[::-1]).tobytes()
        if back in self._index:
            return ~self._index[back]
        self._index[key] = len(self.arcs)
        self.arcs.append(coords)
        return self._index[key]


def _junctions(rings: Iterator[np.ndarray]) -> set[tuple[int, int]]:
    """Vertices met with different neighbours in different rings (or places in a ring)."""
    neighbours: dict[tuple[int, int], tuple[Any, Any]] = {}
    junctions: set[tuple[int, int]] = set()
    for ring in rings:
        points = [tuple(p) for p in ring.tolist()]
        n = len(points)
        for i, point in enumerate(points):
            before, after = points[i - 1], points[(i + 1) % n]
            pair = (before, after) if before <= after else (after, before)
            if neighbours.setdefault(point, pair) != pair:
                junctions.add(point)
    return junctions
