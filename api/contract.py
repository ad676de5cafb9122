"""The OpenAPI document's promises about errors, made true for every operation in one place.

FastAPI documents what a route declares; what every route can also answer comes from the
layers around it, so it is added here when the document is built (``install``):

* 400 (``Error``): a bad query or path parameter, or control characters in the address (the
  request guard, ``api/guards.py``). FastAPI's own 422 schema is replaced by ``Error``, the one
  shape ``api/errors.py`` renders, and 422 is kept for bodies only;
* 404 where the path has parameters (an unknown code, collection, file...);
* 401 and 403 where the operation needs a signed-in caller (its ``security``, declared by
  ``api/auth.current_principal``);
* 403, 413, 415 and 422 on every write (cross-site browsers, body too large, wrong body type,
  invalid body);
* 503 with ``Retry-After`` everywhere: the database may be unreachable for a moment.

Families whose answers are not JSON documents say so here too: Open311 answers JSON or XML
(``.{fmt}``) with its own error list, the OGC API also HTML and GeoJSON, downloads their files.
A new router only declares its own successes and business errors; the rest follows.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

ERROR = "#/components/schemas/Error"
OPEN311_ERRORS = "#/components/schemas/Open311Errors"
UNSAFE = ("post", "put", "patch", "delete")
RETRY_AFTER = {
    "Retry-After": {
        "description": "Seconds to wait before trying again.",
        "schema": {"type": "string", "pattern": "^[0-9]+$"},
    }
}
SCHEMAS: dict[str, Any] = {
    "Error": {
        "type": "object",
        "required": ["error"],
        "properties": {
            "error": {
                "type": "object",
                "required": ["code", "message"],
                "properties": {
                    "code": {"type": "string", "description": "Stable, for programs."},
                    "message": {"type": "string", "description": "Translated, for people."},
                    "details": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "properties": {
                                "field": {"type": "string"},
                                "message": {"type": "string"},
                            },
                        },
                    },
                },
            }
        },
    },
    "Open311Errors": {
        "type": "array",
        "description": "GeoReport v2 errors.",
        "items": {
            "type": "object",
            "required": ["code", "description"],
            "properties": {"code": {"type": "integer"}, "description": {"type": "string"}},
        },
    },
}
# Models referenced by hand-written parts of the document (request bodies in openapi_extra).
EXTRA_SCHEMAS: dict[str, Any] = {}


def register_model(model: Any) -> dict[str, str]:
    """Put ``model`` (and the models it uses) in the document's components; returns its $ref."""
    schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
    EXTRA_SCHEMAS.update(schema.pop("$defs", {}))
    EXTRA_SCHEMAS[model.__name__] = schema
    return {"$ref": f"#/components/schemas/{model.__name__}"}


GENERIC = {
    400: "A query or path parameter is invalid, or the address holds control characters.",
    401: "Not signed in, or the token, API key or session is not valid any more.",
    403: "A write sent by a browser from another website, or without its CSRF token.",
    404: "Nothing has this code or name.",
    413: "The body is larger than this route accepts.",
    415: "The body is not of a type this route accepts.",
    422: "The body is malformed or a field is invalid.",
    503: "The database cannot be reached right now; retry after Retry-After seconds.",
}


def _error(description: str, open311: bool = False, headers: dict[str, Any] | None = None) -> Any:
    json_schema: dict[str, Any] = {"$ref": ERROR}
    content: dict[str, Any] = {"application/json": {"schema": json_schema}}
    if open311:  # the guard's refusals are Error; the routes' own are GeoReport lists
        json_schema = {"oneOf": [{"$ref": ERROR}, {"$ref": OPEN311_ERRORS}]}
        content = {
            "application/json": {"schema": json_schema},
            "application/xml": {"schema": {"type": "string"}},
        }
    return {
        "description": description,
        "content": content,
        **({"headers": headers} if headers else {}),
    }


def _complete_operation(path: str, method: str, operation: dict[str, Any]) -> None:
    responses: dict[str, Any] = operation.setdefault("responses", {})
    open311 = path.startswith("/open311/")
    wanted = [400, 503]
    if "{" in path:
        wanted.append(404)
    if method in UNSAFE:
        wanted += [403, 413, 415, 422]
    if operation.get("security"):
        wanted += [401, 403]  # not signed in; the role does not allow it (api/auth.py)
    for status in wanted:
        key = str(status)
        existing = responses.get(key, {})
        headers = RETRY_AFTER if status in (429, 503) else None
        documented = _error(existing.get("description") or GENERIC[status], open311, headers)
        if key == "422" or "content" not in existing:
            responses[key] = documented
    if method not in UNSAFE and "422" in responses and not open311:
        # parameters are refused with 400 (api/errors.py); only bodies get 422
        del responses["422"]
    for key, response in responses.items():
        if key.startswith(("4", "5")) and "content" not in response:
            headers = RETRY_AFTER if key in ("429", "503") else None
            responses[key] = _error(response.get("description", ""), open311, headers)
        elif key in ("429", "503"):
            response.setdefault("headers", RETRY_AFTER)


NO_CONTROL = "^[^\\x00-\\x1f\\x7f]*$"  # the request guard refuses control characters


def _not_null(schema: dict[str, Any]) -> dict[str, Any]:
    """A parameter or form field is sent or not; it cannot be JSON null. ``anyOf: [X, null]``
    (how FastAPI writes an optional value) becomes X."""
    options = schema.get("anyOf")
    if isinstance(options, list) and {"type": "null"} in options:
        rest = [o for o in options if o != {"type": "null"}]
        del schema["anyOf"]
        if len(rest) == 1:
            schema = {**rest[0], **schema}
        else:
            schema["anyOf"] = rest
    return schema


def _parameters(operation: dict[str, Any]) -> None:
    for parameter in operation.get("parameters", []):
        schema = _not_null(parameter.get("schema", {}))
        free_text = schema.get("type") == "string" and not ({"pattern", "enum"} & set(schema))
        if parameter.get("in") in ("path", "query") and free_text:
            schema["pattern"] = NO_CONTROL
        parameter["schema"] = schema


def _forms(operation: dict[str, Any], schemas: dict[str, Any]) -> None:
    """Form fields are text: none is null, and FastAPI reads an empty one as missing, so a
    required text field must not be empty."""
    content = operation.get("requestBody", {}).get("content", {})
    form = content.get("application/x-www-form-urlencoded", {}).get("schema", {})
    target = schemas.get(form.get("$ref", "").rsplit("/", 1)[-1], form)
    properties = target.get("properties", {})
    for name, prop in list(properties.items()):
        properties[name] = _not_null(prop)
    for name in target.get("required", []):
        prop = properties.get(name, {})
        if prop.get("type") == "string":
            prop.setdefault("minLength", 1)


def _json_bodies(operation: dict[str, Any]) -> None:
    """FastAPI writes ``{"type": "string"}`` for the JSON body of a Response subclass (and
    keeps it beside a declared ``$ref``): the body is JSON, of the declared schema or any."""
    for key, response in operation.get("responses", {}).items():
        for media_type, content in response.get("content", {}).items():
            schema = content.get("schema", {})
            if "json" in media_type and schema.get("type") == "string":
                del schema["type"]
                if key.startswith("2") and not schema:
                    content["schema"] = {"type": ["object", "array"]}


def complete(document: dict[str, Any]) -> dict[str, Any]:
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    schemas.update(EXTRA_SCHEMAS)
    schemas.update(SCHEMAS)
    schemas.pop("HTTPValidationError", None)
    schemas.pop("ValidationError", None)
    for path, operations in document.get("paths", {}).items():
        for method, operation in operations.items():
            if method in ("get", "put", "post", "patch", "delete", "head"):
                _complete_operation(path, method, operation)
                _parameters(operation)
                _forms(operation, schemas)
                _json_bodies(operation)
    return document


def install(app: FastAPI) -> None:
    """Build the document once, completed (``app.openapi`` is what ``/api/openapi.json``
    serves and what the contract test checks the answers against)."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = get_openapi(
                title=app.title,
                version=app.version,
                description=app.description,
                routes=app.routes,
            )
            app.openapi_schema = complete(document)
        return app.openapi_schema

    setter: Callable[[], dict[str, Any]] = openapi
    app.openapi = setter  # type: ignore[method-assign]


def media(description: str, *media_types: str, schema: dict[str, Any] | None = None) -> Any:
    """A documented answer in each of ``media_types`` (for a route's ``responses=``)."""
    body = schema if schema is not None else {}
    return {
        "description": description,
        "content": {
            t: {"schema": body if "json" in t else {"type": "string"}} for t in media_types
        },
    }


JSON_OR_HTML = ("application/json", "text/html")
JSON_OR_XML = ("application/json", "application/xml")
