"""Public pages: published cases and the transparency page."""

import time
from datetime import date
from typing import Any

import sqlalchemy as sa
from babel.dates import get_timezone_name
from flask import Blueprint, abort, current_app, render_template, request
from flask_babel import format_date, format_time, get_locale, get_timezone
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from portal.access import public
from portal.accounts.models import Team
from portal.cases.workflow import OUTCOME_LABELS, STATUS_LABELS
from portal.db import db
from portal.errors import render_error
from portal.i18n import current_language
from portal.pagecache import cached_page
from portal.public.charts import chart, duration, share, shown
from portal.public.params import (
    BadParam,
    check_known,
    has_control,
    parse_category,
    parse_int,
    parse_month,
    parse_region,
)
from portal.public.queries import (
    MAX_PAGE,
    get_public_case,
    list_public_cases,
)
from portal.public.stats import get_transparency
from portal.reference.models import Category, Region
from portal.reference.queries import list_categories, list_regions
from portal.security import unlimited

bp = Blueprint("public", __name__)


@bp.errorhandler(BadParam)
def _bad_param(error: BadParam) -> Any:
    return render_error(400, str(error))


@bp.get("/kasus")
@public
def case_list() -> str:
    """Published cases, newest first, filterable by category and region."""
    check_known(request.args, {"halaman", "kategori", "wilayah"})
    category, region = parse_category(request.args), parse_region(request.args)
    page = parse_int(request.args, "halaman", 1, 1, MAX_PAGE)
    result = list_public_cases(
        page=page, category_id=getattr(category, "id", None), region_id=getattr(region, "id", None)
    )
    return render_template(
        "public/case_list.html",
        result=result,
        category=category,
        region=region,
        categories=list_categories(),
        regions=list_regions(include_inactive=True),
        status_labels=STATUS_LABELS,
        outcome_labels=OUTCOME_LABELS,
        referral_bodies=REFERRAL_BODIES,
        sanctions=SANCTIONS,
        lang=current_language(),
    )


@bp.get("/kasus/<reference>")
@public
def case_page(reference: str) -> str:
    """One published case: summary, public timeline, publishable thumbnails."""
    case = None if has_control(reference) else get_public_case(reference[:32])
    if case is None:
        abort(404)
    return render_template(
        "public/case.html",
        case=case,
        status_labels=STATUS_LABELS,
        outcome_labels=OUTCOME_LABELS,
        referral_bodies=REFERRAL_BODIES,
        sanctions=SANCTIONS,
        lang=current_language(),
    )


def _filters() -> tuple[dict[str, Any], dict[str, Any]]:
    args = request.args
    check_known(args, {"dari", "sampai", "wilayah", "kategori"})
    category, region = parse_category(args), parse_region(args)
    month_from, month_to = parse_month(args, "dari"), parse_month(args, "sampai")
    if month_from and month_to and month_from > month_to:
        raise BadParam(_("The period starts after it ends."))
    filters = {
        "month_from": month_from,
        "month_to": month_to,
        "category_id": getattr(category, "id", None),
        "region_id": getattr(region, "id", None),
    }
    form = {
        "dari": args.get("dari", ""),
        "sampai": args.get("sampai", ""),
        "wilayah": getattr(region, "code", ""),
        "kategori": getattr(category, "code", ""),
    }
    return filters, form


def _names() -> dict[str, dict]:
    lang = current_language()
    cats = {c.id: c.name(lang) for c in db.session.scalars(sa.select(Category))}
    regions = {r.id: r.name for r in db.session.scalars(sa.select(Region))}
    teams = {t.id: t.name for t in db.session.scalars(sa.select(Team))}
    return {"category": cats, "region": regions, "team": teams}


def month_label(month: Any) -> str:
    """ "Juni 2026" / "June 2026" for a month stored as a date (or an ISO string)."""
    if not hasattr(month, "strftime"):
        month = date.fromisoformat(str(month)[:10])
    return format_date(month, "LLLL yyyy")


def local_moment(moment: Any) -> str:
    """A UTC moment in words, in the install's time zone and the reader's language."""
    local = moment.astimezone(get_timezone())  # a moment names its zone's season: WIB
    zone = get_timezone_name(local, "long", locale=get_locale())
    return f"{format_date(moment, 'long')}, {format_time(moment, 'short')} {zone}"


REFERRAL_BODIES = {
    "bawaslu": "Bawaslu",
    "bkn": "BKN",
    "inspektorat": "Inspektorat",
    "police": _l("Police"),
    "ombudsman": "Ombudsman",
    "other": _l("Other"),
}
REFERRAL_STATUS = {"open": _l("Waiting for an answer"), "answered": _l("Answered")}
SANCTIONS = {"yes": _l("Yes"), "no": _l("No"), "unknown": _l("Not known")}


@bp.get("/transparansi")
@public
@unlimited
def transparency() -> str:
    """Totals, breakdowns, medians and referral outcomes, with small cells suppressed."""
    return cached_page(_transparency_page, current_app.config["STATS_CACHE_SECONDS"])


def _transparency_page() -> str:
    filters, form = _filters()
    # The figures' HTML is cached per filter and language; only the page frame is per visitor.
    cache = current_app.extensions.setdefault("public_page_cache", {})
    key = (tuple(sorted(form.items())), current_language())
    hit = cache.get(key)
    if hit is None or hit[0] < time.monotonic():
        if len(cache) > 512:
            cache.clear()
        # Safe: the fragment is our own template's output, autoescaped when rendered.
        body = Markup(_transparency_body(filters, form))  # noqa: S704
        hit = cache[key] = (time.monotonic() + current_app.config["STATS_CACHE_SECONDS"], body)
    return render_template("public/transparency.html", body=hit[1])


def _transparency_body(filters: dict[str, Any], form: dict[str, Any]) -> str:
    raw = get_transparency(filters)
    k = current_app.config["TRANSPARENCY_K"]
    names = _names()
    unknown = _("Unknown")

    def labelled(rows: list, table: dict, by_name: bool = False) -> list[tuple[str, int]]:
        # Lifecycle order for statuses and outcomes, alphabetical for places and teams; never
        # by count, which would rank cells that are shown as "<k".
        order = {key: i for i, key in enumerate(table)}
        rows = sorted(rows, key=lambda r: order.get(r[0], len(order)))
        named = [
            (str(table.get(key, unknown)) if key is not None else unknown, n) for key, n in rows
        ]
        return sorted(named) if by_name else named

    months = [(month_label(m), n) for m, n in raw["by_month"]]
    charts = [
        chart(_("By status"), labelled(raw["by_status"], STATUS_LABELS), k),
        chart(_("By category"), labelled(raw["by_category"], names["category"], True), k),
        chart(_("By region"), labelled(raw["by_region"], names["region"], True), k),
        chart(_("By team"), labelled(raw["by_team"], names["team"], True), k),
        chart(_("By month"), months, k),
        chart(
            _("Outcome of decided cases"),
            labelled([r for r in raw["by_outcome"] if r[0]], OUTCOME_LABELS),
            k,
        ),
    ]
    return render_template(
        "public/_transparency_body.html",
        k=k,
        charts=charts,
        form=form,
        total=shown(raw["total"], k),
        resolved=shown(raw["resolved"], k),
        in_time_share=share(raw["in_time"], raw["resolved"], k),
        median_response=duration(raw["median_response"], k),
        median_resolution=duration(raw["median_resolution"], k),
        referrals=[
            (body, status, sanction, shown(n, k)) for body, status, sanction, n in raw["referrals"]
        ],
        body_labels=REFERRAL_BODIES,
        referral_status_labels=REFERRAL_STATUS,
        sanction_labels=SANCTIONS,
        computed_at=raw["computed_at"] and local_moment(raw["computed_at"]),
        removed_posts=shown(raw["removed_posts"], k),
        categories=list_categories(),
        regions=list_regions(include_inactive=True),
        lang=current_language(),
    )
