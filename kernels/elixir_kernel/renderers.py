"""Renderer plug-ins: turn a MIME type the BEAM sends into richer MIME types.

An Elixir cell can display structured data under its own MIME type (say
``application/vnd.course.latency+json``); a Python package registers a
renderer for that type, which returns extra entries for the bundle (for
example an ``image/png`` drawn with matplotlib). Renderers come from the
``elixir_kernel.renderers`` entry-point group (each names a callable
``render(data) -> dict``; the MIME type it handles is the callable's
``mime_type`` attribute, or else the entry point's name) or from
:func:`register` at run time.
"""

from __future__ import annotations

import logging
from importlib.metadata import entry_points
from typing import Callable

log = logging.getLogger(__name__)

Renderer = Callable[[object], dict]

_registry: dict[str, Renderer] = {}
_loaded = False

# Types every Jupyter front end renders itself: a bundle of only these needs no
# plug-in, so plain outputs never pay for loading them (some import matplotlib).
FRONT_END_TYPES = frozenset({
    "text/plain", "text/html", "text/markdown", "text/latex", "image/png", "image/jpeg",
    "image/gif", "image/svg+xml", "application/json", "application/javascript",
})


def register(mime_type: str, renderer: Renderer) -> None:
    """Registers ``renderer`` for ``mime_type`` (replacing any earlier one)."""
    _registry[mime_type] = renderer


def _load_entry_points() -> None:
    global _loaded
    if _loaded:
        return
    _loaded = True
    for entry in entry_points(group="elixir_kernel.renderers"):
        try:
            renderer = entry.load()
            register(getattr(renderer, "mime_type", entry.name), renderer)
        except Exception:
            log.exception("renderer plug-in %s failed to load", entry.name)


def render(data: dict) -> dict:
    """Returns ``data`` plus whatever the registered renderers add for its MIME types.

    A renderer that fails adds a text/plain note instead of breaking the output.
    """
    if FRONT_END_TYPES.issuperset(data) and not _registry.keys() & data.keys():
        return dict(data)
    _load_entry_points()
    result = dict(data)
    for mime_type, value in data.items():
        renderer = _registry.get(mime_type)
        if renderer is None:
            continue
        try:
            for new_type, new_value in renderer(value).items():
                result.setdefault(new_type, new_value)
        except Exception as exc:
            log.exception("renderer for %s failed", mime_type)
            result["text/plain"] = f"[could not render {mime_type}: {exc}]"
    return result
