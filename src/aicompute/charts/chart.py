"""A chart: its Vega-Lite specification, export to SVG / PNG / HTML, and Jupyter display."""

from __future__ import annotations

import functools
import html
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from aicompute._files import atomic_write
from aicompute.charts.spec import EXPORT_WIDTH
from aicompute.errors import InputError

__all__ = ["FORMATS", "Chart", "safe_json", "vega_bundle"]

FORMATS = ("svg", "png", "html", "json")


def safe_json(data: Any) -> str:
    """JSON that is safe inside an HTML ``<script>`` element (no ``</script>``, no ``<!--``)."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return (
        text.replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


@functools.lru_cache(maxsize=1)
def vega_bundle() -> str:
    """Vega, Vega-Lite and vega-embed as one classic script (from vl-convert, offline);
    it defines ``window.vegaEmbed``."""
    import vl_convert as vlc

    return vlc.javascript_bundle("window.vegaEmbed = vegaEmbed; window.vega = vega;")


class Chart:
    """A Vega-Lite chart. ``info`` keeps what was drawn (rows, fits) for tests and reports."""

    def __init__(self, name: str, spec: dict[str, Any], info: dict[str, Any] | None = None):
        self.name = name
        self.spec = spec
        self.info = info or {}
        self._svg: dict[int, str] = {}

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.spec, indent=indent, allow_nan=False)

    def static_spec(self, width: int = EXPORT_WIDTH) -> dict[str, Any]:
        """The spec for a file with no container to fill: ``width`` pixels in all."""
        if self.spec.get("width") != "container":
            return self.spec
        return {**self.spec, "width": width}

    def to_svg(self, width: int = EXPORT_WIDTH) -> str:
        """The chart drawn by Vega as SVG, ``width`` pixels wide (drawn once per width: the
        spec does not change after the chart is made)."""
        import vl_convert as vlc

        if width not in self._svg:
            self._svg[width] = vlc.vegalite_to_svg(self.static_spec(width))
        return self._svg[width]

    def to_png(self, scale: float = 2.0, width: int = EXPORT_WIDTH) -> bytes:
        """The SVG rasterized (the same pixels as vl-convert's own PNG export, which draws
        the chart again first: half the report's export time)."""
        import vl_convert as vlc

        return bytes(vlc.svg_to_png(self.to_svg(width), scale=scale))

    def to_html(self, bundle_src: str | None = None) -> str:
        """A standalone page. With ``bundle_src`` the page loads that script file (relative
        path); otherwise the JavaScript is inlined, so the page works offline either way."""
        script = (
            f'<script src="{html.escape(bundle_src)}"></script>'
            if bundle_src
            else f"<script>{vega_bundle()}</script>"
        )
        title = html.escape(str(self.spec.get("title", {}).get("text", self.name)))
        return (
            '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
            f"<title>{title}</title>{script}</head><body>"
            f"<div id=\"chart\"></div><script>vegaEmbed('#chart', {safe_json(self.spec)}, "
            "{actions: false, renderer: 'svg'}).catch(e => { console.error(e); });</script>"
            "</body></html>\n"
        )

    def save(self, path: str | os.PathLike[str], fmt: str | None = None) -> Path:
        """Write the chart as SVG, PNG, HTML or JSON (from ``fmt`` or the file's suffix),
        atomically."""
        path = Path(path)
        fmt = (fmt or path.suffix.lstrip(".")).lower()
        if fmt not in FORMATS:
            raise InputError("format", f"unknown chart format {fmt!r}; use svg, png, html or json")
        if fmt == "png":
            data = self.to_png()
        else:
            writers: dict[str, Callable[[], str]] = {
                "svg": self.to_svg,
                "html": self.to_html,
                "json": self.to_json,
            }
            text = writers[fmt]()
            data = text.encode("utf-8")
        atomic_write(path, lambda f: f.write(data), binary=True)
        return path

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        """Jupyter: rendered by JupyterLab's Vega-Lite renderer, with an HTML fallback."""
        return {"application/vnd.vegalite.v5+json": self.spec, "text/html": self.to_html()}

    def __repr__(self) -> str:
        return f"Chart({self.name!r})"
