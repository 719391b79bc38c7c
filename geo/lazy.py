"""Packages that import their exported names on first use (PEP 562).

``import geo``, ``import layers`` and ``import maps`` must stay cheap: a no-op
``fergana build`` decides from hashes alone, while geopandas, matplotlib or folium
take most of a second to import. Each package's ``__init__`` lists its exports
as a table module → names and calls :func:`make_lazy`; a name's module is then
imported the first time the name is read.
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Iterable, Mapping
from importlib import import_module
from types import ModuleType
from typing import Any


class LazyPackage(ModuleType):
    """A package whose exported names (``_EXPORTS``: name → module) load on first access.

    A submodule that is not exported under its own name (``geo.crs``) also loads
    on first access, as it did when the package imported everything at once.
    """

    def __getattr__(self, name: str) -> Any:
        exports: Mapping[str, str] = self.__dict__.get("_EXPORTS", {})
        if name in exports:
            value = getattr(import_module(exports[name]), name)
        elif not name.startswith("__") and _is_submodule(self.__name__, name):
            value = import_module(f"{self.__name__}.{name}")
        else:
            raise AttributeError(f"module {self.__name__!r} has no attribute {name!r}")
        self.__dict__[name] = value
        return value

    def __setattr__(self, name: str, value: Any) -> None:
        # The import system binds each submodule on its package when it first loads it.
        # Where an exported name is also a submodule's name (geo.load, geo.catalog,
        # maps.compose, layers.style), the name must keep meaning the exported function.
        exports: Mapping[str, str] = self.__dict__.get("_EXPORTS", {})
        submodule = isinstance(value, ModuleType) and value.__name__ == f"{self.__name__}.{name}"
        if submodule and name in exports:
            return
        super().__setattr__(name, value)

    def __dir__(self) -> Iterable[str]:
        return sorted(set(super().__dir__()) | set(self.__dict__.get("_EXPORTS", {})))


def _is_submodule(package: str, name: str) -> bool:
    return importlib.util.find_spec(f"{package}.{name}") is not None


def make_lazy(package: str, exports: Mapping[str, Iterable[str]]) -> None:
    """Make `package` import its exports on first use; call as ``make_lazy(__name__, ...)``.

    Parameters
    ----------
    package : str
        The package whose ``__init__`` is running.
    exports : mapping of str to iterable of str
        Module → the names it defines that the package exports; the names must be
        exactly the package's ``__all__``.
    """
    module = sys.modules[package]
    table = {name: source for source, names in exports.items() for name in names}
    differ = set(module.__dict__.get("__all__", ())) ^ set(table)
    if differ:
        raise ImportError(f"{package}: __all__ and the export table differ on {sorted(differ)}")
    module.__dict__["_EXPORTS"] = table
    module.__class__ = LazyPackage
