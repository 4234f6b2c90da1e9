"""Open data: published cases as CSV and JSON (streamed), and an Atom feed."""

import csv
import io
import json
from collections.abc import Iterator
from datetime import datetime
from typing import Any
from xml.etree import ElementTree as ET  # noqa: S405  (writing only)

from portal.cases.models import Case, Status
from portal.db import db
from portal.public.open311.formats import XML_DECLARATION, _text
from portal.public.projections import EXPORT_COLUMNS, export_row
from portal.public.queries import iter_public_cases, public_select, to_public_case

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
ATOM = "http://www.w3.org/2005/Atom"


def safe_cell(value: Any) -> str:
    """A CSV cell that spreadsheets will not run as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def csv_lines() -> Iterator[str]:
    """The CSV export, a header and then one line per published case."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(EXPORT_COLUMNS)
    for n, case in enumerate(iter_public_cases(), start=1):
        row = export_row(case)
        writer.writerow([safe_cell(row[c]) for c in EXPORT_COLUMNS])
        if n % 200 == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def json_chunks() -> Iterator[str]:
    """The JSON export: {"columns": [...], "cases": [{...}, ...]}, streamed."""
    yield '{"columns":' + json.dumps(list(EXPORT_COLUMNS)) + ',"cases":['
    first = True
    for case in iter_public_cases():
        yield ("" if first else ",") + json.dumps(export_row(case), ensure_ascii=False)
        first = False
    yield "]}"


def feed_entries(limit: int = 50) -> list[tuple[str, datetime, Any]]:
    """The newest publications and decisions of published cases: (kind, when, case)."""
    base = public_select()
    published = db.session.execute(base.order_by(Case.published_at.desc()).limit(limit)).all()
    resolved = db.session.execute(
        base.where(Case.status.in_([Status.RESOLVED, Status.CLOSED]), Case.resolved_at.is_not(None))
        .order_by(Case.resolved_at.desc())
        .limit(limit)
    ).all()
    entries = [("published", r.published_at, r) for r in published if r.published_at]
    entries += [("resolved", r.resolved_at, r) for r in resolved]
    entries.sort(key=lambda e: e[1], reverse=True)
    return entries[:limit]


def atom_feed(*, site: str, base_url: str, titles: dict[str, str], case_url: Any) -> bytes:
    """An Atom 1.0 document of feed_entries()."""
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed")
    entries = feed_entries()
    updated = max((e[1] for e in entries), default=datetime(2026, 1, 1).astimezone())
    for tag, text in (("title", site), ("id", base_url), ("updated", updated.isoformat())):
        ET.SubElement(feed, f"{{{ATOM}}}{tag}").text = _text(text)
    ET.SubElement(feed, f"{{{ATOM}}}link", href=base_url, rel="self")
    for kind, when, row in entries:
        case = to_public_case(row)
        entry = ET.SubElement(feed, f"{{{ATOM}}}entry")
        url = case_url(case.reference)
        ET.SubElement(entry, f"{{{ATOM}}}title").text = _text(
            f"{titles[kind]}: {case.reference} ({case.category_name_id})"
        )
        ET.SubElement(entry, f"{{{ATOM}}}id").text = _text(f"{url}#{kind}")
        ET.SubElement(entry, f"{{{ATOM}}}updated").text = when.isoformat()
        ET.SubElement(entry, f"{{{ATOM}}}link", href=url)
        ET.SubElement(entry, f"{{{ATOM}}}summary").text = _text(case.summary)
    return XML_DECLARATION + ET.tostring(feed, encoding="unicode").encode()
