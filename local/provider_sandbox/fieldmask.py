"""Google's partial-response field masks (`fields=`), parsed into a tree and applied to a JSON body.

Syntax: comma-separated paths, `.` or `/` between levels, parentheses for sub-selections, `*` for
everything: `spreadsheetId,properties.title`, `sheets(properties(sheetId,title))`,
`nextPageToken,files(id,name)`. A path through a list applies to every element.

Names are checked against the API's discovery schemas when google-api-python-client (a dev dependency)
is importable, so a typo answers 400 like Google instead of silently selecting nothing.
"""

import json
from dataclasses import dataclass
from functools import cache
from typing import Any

from pydantic import JsonValue

# name -> sub-selection, None = the whole value.
Mask = dict[str, "Mask | None"]


class FieldMaskError(ValueError):
    """A mask that does not parse, or names a field the response type lacks."""


@dataclass
class _Parser:
    text: str
    pos: int = 0

    def parse(self) -> Mask:
        mask = self._list()
        if self.pos != len(self.text):
            raise FieldMaskError(f"Invalid field selection {self.text[self.pos :]}")
        return mask

    def _list(self) -> Mask:
        mask: Mask = {}
        while True:
            _merge(mask, self._item())
            if self._peek() == ",":
                self.pos += 1
                continue
            return mask

    def _item(self) -> Mask:
        path = [self._name()]
        while self._peek() in {".", "/"}:
            self.pos += 1
            path.append(self._name())
        leaf: Mask | None = None
        if self._peek() == "(":
            self.pos += 1
            leaf = self._list()
            if self._peek() != ")":
                raise FieldMaskError(f"Invalid field selection {self.text}")
            self.pos += 1
        node: Mask | None = leaf
        for name in reversed(path):
            node = {name: node}
        assert node is not None
        return node

    def _name(self) -> str:
        start = self.pos
        while self.pos < len(self.text) and (self.text[self.pos].isalnum() or self.text[self.pos] in "_*@"):
            self.pos += 1
        if start == self.pos:
            raise FieldMaskError(f"Invalid field selection {self.text}")
        return self.text[start : self.pos]

    def _peek(self) -> str:
        # Whitespace between items is tolerated, as Google does.
        while self.pos < len(self.text) and self.text[self.pos] == " ":
            self.pos += 1
        return self.text[self.pos] if self.pos < len(self.text) else ""


def _merge(into: Mask, other: Mask) -> None:
    for name, sub in other.items():
        if name not in into:
            into[name] = sub
            continue
        current = into[name]
        if current is None or sub is None:
            into[name] = None
        else:
            _merge(current, sub)


def parse_mask(text: str) -> Mask:
    return _Parser(text.strip()).parse()


def apply_mask(value: JsonValue, mask: Mask | None) -> JsonValue:
    """The parts of `value` the mask selects (lists map element-wise)."""
    if mask is None or "*" in mask:
        return value
    if isinstance(value, list):
        return [apply_mask(item, mask) for item in value]
    if not isinstance(value, dict):
        return value
    selected: dict[str, JsonValue] = {}
    for name, sub in mask.items():
        if name in value:
            picked = apply_mask(value[name], sub)
            # Google drops objects the mask leaves empty.
            if picked != {} or sub is None:
                selected[name] = picked
    return selected


def selects(mask: Mask | None, *path: str) -> bool:
    """Whether the mask includes the field at `path` (wholly or in part)."""
    node = mask
    for name in path:
        if node is None or "*" in node:
            return True
        if name not in node:
            return False
        node = node[name]
    return True


# Validation against discovery schemas ------------------------------------------------------------


@cache
def discovery_schemas(api: str, version: str) -> dict[str, Any] | None:
    try:
        from googleapiclient.discovery_cache import get_static_doc
    except ImportError:  # pragma: no cover - the sandbox then accepts any field name
        return None
    document = get_static_doc(api, version)
    if document is None:  # pragma: no cover
        return None
    schemas: dict[str, Any] = json.loads(document)["schemas"]
    return schemas


def _properties(schema: dict[str, Any], schemas: dict[str, Any]) -> dict[str, Any] | None:
    while True:
        if "$ref" in schema:
            schema = schemas[schema["$ref"]]
        elif schema.get("type") == "array":
            schema = schema.get("items", {})
        elif "additionalProperties" in schema and "properties" not in schema:
            return None  # a map: any key goes
        else:
            props: dict[str, Any] | None = schema.get("properties")
            return props


def check_mask(mask: Mask, api: str, version: str, schema_name: str) -> None:
    """Raise FieldMaskError when the mask names a field `schema_name` does not have."""
    schemas = discovery_schemas(api, version)
    if schemas is None:  # pragma: no cover
        return
    _check(mask, {"$ref": schema_name}, schemas)


def _check(mask: Mask, schema: dict[str, Any], schemas: dict[str, Any]) -> None:
    props = _properties(schema, schemas)
    if props is None:
        return
    for name, sub in mask.items():
        if name == "*":
            continue
        if name not in props:
            raise FieldMaskError(f"Invalid field selection {name}")
        if sub is not None:
            _check(sub, props[name], schemas)
