"""Down-convert FastAPI's OpenAPI 3.1 document to 3.0.3, which the bundled Swagger UI 4.x renders."""

from __future__ import annotations

import copy
from typing import Any

OPENAPI_VERSION = "3.0.3"


def _nullable(schema: dict[str, Any], key: str) -> None:
    """anyOf/oneOf [X, {type: null}] → X + nullable: true."""
    options = schema.get(key)
    if not isinstance(options, list):
        return
    rest = [o for o in options if not (isinstance(o, dict) and o.get("type") == "null")]
    if len(rest) == len(options):
        return
    schema["nullable"] = True
    if len(rest) == 1:
        schema.pop(key)
        only = rest[0]
        if "$ref" in only:
            schema["allOf"] = [only]
        else:
            for k, v in only.items():
                schema.setdefault(k, v)
    else:
        schema[key] = rest


def _schema(node: Any) -> Any:
    """Rewrite one JSON-Schema 2020-12 node (recursively) into the OpenAPI 3.0 subset."""
    if isinstance(node, list):
        return [_schema(n) for n in node]
    if not isinstance(node, dict):
        return node
    out = {k: _schema(v) for k, v in node.items()}
    _nullable(out, "anyOf")
    _nullable(out, "oneOf")
    if isinstance(out.get("type"), list):
        types = [t for t in out["type"] if t != "null"]
        if len(types) < len(out["type"]):
            out["nullable"] = True
        out["type"] = types[0] if len(types) == 1 else types[0] if types else "string"
    if "const" in out:
        out["enum"] = [out.pop("const")]
    if "examples" in out and isinstance(out["examples"], list):
        examples = out.pop("examples")
        if examples:
            out.setdefault("example", examples[0])
    for bound, flag in (("exclusiveMinimum", "minimum"), ("exclusiveMaximum", "maximum")):
        if isinstance(out.get(bound), int | float) and not isinstance(out.get(bound), bool):
            out[flag] = out.pop(bound)
            out[bound] = True
    if out.get("contentMediaType") == "application/octet-stream" or out.get("contentEncoding") == "base64":
        out.pop("contentMediaType", None)
        out.pop("contentEncoding", None)
        out["format"] = "binary"
    out.pop("contentMediaType", None)
    return out


def to_openapi30(spec: dict[str, Any]) -> dict[str, Any]:
    """A 3.0.3 copy of `spec`: nullable instead of type null, example(s), binary uploads, no webhooks."""
    doc = copy.deepcopy(spec)
    doc["openapi"] = OPENAPI_VERSION
    doc.pop("webhooks", None)
    doc.pop("jsonSchemaDialect", None)
    components = doc.get("components", {})
    if "schemas" in components:
        components["schemas"] = {k: _schema(v) for k, v in components["schemas"].items()}
    for path_item in doc.get("paths", {}).values():
        for op in path_item.values():
            if not isinstance(op, dict):
                continue
            for param in op.get("parameters", []):
                if "schema" in param:
                    param["schema"] = _schema(param["schema"])
            for holder in [op.get("requestBody", {})] + list(op.get("responses", {}).values()):
                for media in (holder or {}).get("content", {}).values():
                    if "schema" in media:
                        media["schema"] = _schema(media["schema"])
    return doc
