"""HTML rendering (``f=html``) of the OGC API resources and the downloads index.

Plain pages from Jinja templates (``api/ogc/templates``), autoescaped, no JavaScript.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

_env = Environment(
    loader=FileSystemLoader(Path(__file__).resolve().parent / "templates"),
    autoescape=select_autoescape(default=True, default_for_string=True),
)


def render(
    template: str,
    root: str,
    title: str,
    links: list[dict[str, Any]],
    description: str | None = None,
    **context: Any,
) -> str:
    return _env.get_template(template).render(
        root=root, title=title, links=links, description=description, **context
    )


def html_link(document: dict[str, Any]) -> str:
    """The document's own HTML page (its first ``text/html`` link)."""
    return next(link["href"] for link in document["links"] if link["type"] == "text/html")
