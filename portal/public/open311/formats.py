"""Open311 responses in JSON or XML, and the spec's error format.

XML is written with xml.etree (escaped text, characters XML cannot carry removed); nothing a
client sends is ever parsed as XML.
"""

import json
import re
from typing import Any
from xml.etree import ElementTree as ET  # noqa: S405  (writing only, never parsing)

from flask import Response

FORMATS = {"json": "application/json; charset=utf-8", "xml": "text/xml; charset=utf-8"}
# List element name -> the name of each item inside it.
ITEM_TAGS = {
    "values": "value",
    "attributes": "attribute",
    "endpoints": "endpoint",
    "formats": "format",
}
XML_DECLARATION = b'<?xml version="1.0" encoding="UTF-8"?>\n'
_BAD_XML_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return _BAD_XML_CHARS.sub("", str(value))


def _fill(parent: ET.Element, tag: str, value: Any) -> None:
    node = ET.SubElement(parent, tag)
    if isinstance(value, dict):
        for key, item in value.items():
            _fill(node, key, item)
    elif isinstance(value, list):
        for item in value:
            _fill(node, ITEM_TAGS.get(tag, "item"), item)
    else:
        node.text = _text(value)


def to_xml(root: str, item_tag: str | None, payload: Any) -> bytes:
    """A document <root><item_tag>...</item_tag>...</root> (or <root>fields</root>)."""
    top = ET.Element(root)
    if item_tag is None:
        for key, item in payload.items():
            _fill(top, key, item)
    else:
        for item in payload:
            _fill(top, item_tag, item)
    return XML_DECLARATION + ET.tostring(top, encoding="unicode").encode()


def respond(fmt: str, payload: Any, root: str, item_tag: str | None, status: int = 200) -> Response:
    """The payload as JSON (a list or object as given) or as the spec's XML."""
    if fmt == "json":
        body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
    else:
        body = to_xml(root, item_tag, payload)
    return Response(body, status=status, content_type=FORMATS.get(fmt, FORMATS["xml"]))


def error(fmt: str, code: int, description: str) -> Response:
    """The spec's error list: [{code, description}] or <errors><error>...</error></errors>."""
    fmt = fmt if fmt in FORMATS else "xml"
    return respond(fmt, [{"code": code, "description": description}], "errors", "error", code)
