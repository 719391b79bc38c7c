"""Compatibility shim: the print renderer now lives in :mod:`maps.print`.

``from maps.static import static_figure, write_static, render_bytes, ...`` keeps working.
"""

from maps.print import *  # noqa: F403
from maps.print import __all__  # noqa: F401
