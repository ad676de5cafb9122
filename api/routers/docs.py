"""``/api/docs``: Swagger UI served by the service itself (npm's swagger-ui-dist under
``/static/vendor/swagger-ui``), started by an external script so the page passes the
Content-Security-Policy without inline code."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

router = APIRouter(include_in_schema=False)

DOCS_PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Yaku API</title>
<link rel="stylesheet" href="/static/vendor/swagger-ui/swagger-ui.css">
</head>
<body>
<div id="swagger-ui" data-openapi-url="/api/openapi.json"></div>
<script src="/static/vendor/swagger-ui/swagger-ui-bundle.js"></script>
<script src="/static/api-docs.js"></script>
</body>
</html>
"""


@router.get("/api/docs", response_class=HTMLResponse)
def api_docs() -> HTMLResponse:
    return HTMLResponse(DOCS_PAGE, headers={"Cache-Control": "public, max-age=3600"})
