"""What every case view shares: the case from the URL, running an action, and the template
contexts of the queue and the case page (reads only; the views stay thin). The sub-areas and
capture add their sections with register_case_section, so this module never imports them."""

import math
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, get_args

import sqlalchemy as sa
from flask import abort, current_app, flash, redirect, url_for
from flask.sansio.app import App
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.wrappers import Response

from portal.access import staff_user
from portal.accounts.models import Role, Team, User
from portal.cases import kept, queries
from portal.cases.canned import fill_placeholders
from portal.cases.deadlines import is_overdue
from portal.cases.forms import (
    AssignForm,
    ClaimForm,
    MessageForm,
    NoteForm,
    QueueForm,
    StatusForm,
    TakeOverForm,
    choices,
)
from portal.cases.labels import label_text
from portal.cases.models import Case, Status
from portal.cases.search import search_cases
from portal.cases.workflow import OUTCOME_LABELS, REASON_LABELS, CaseError, allowed_moves
from portal.cases.workspace import report_cards, timeline
from portal.clock import install_zone, local_today
from portal.db import db, unit_of_work, utcnow
from portal.evidence.models import Evidence
from portal.i18n import current_language
from portal.intake.models import Report
from portal.legal.windows import window_closing_at
from portal.proof.queries import list_stamps, timestamps_enabled
from portal.reference.models import Category, Region


def case_or_404(case_id: int) -> Case:
    """The case in the URL when the user's team may see it (404 otherwise, also on POST);
    form bodies never choose the case."""
    case = queries.get_case_for(staff_user(), case_id)
    if case is None:
        abort(404)
    return case


def run_and_redirect(action: Callable[[], object], success: str, target: str) -> Response:
    """Run an operation as one unit of work; a refusal is flashed instead. Redirects to target."""
    try:
        with unit_of_work():
            action()
        flash(success, "success")
    except (CaseError, StaleDataError) as err:
        flash(
            str(err)
            if isinstance(err, CaseError)
            else _("Someone else changed this case meanwhile; please try again."),
            "error",
        )
    return redirect(target, code=303)


SHOWS_CONTACT = {"confidential", "named"}


def shown_contacts() -> set[str]:
    """Whose contact details the case page prints: a confidential reporter's only when no
    custodian holds identities on this install (cases/identity)."""
    return {"named"} if current_app.config["IDENTITY_CUSTODIAN"] else SHOWS_CONTACT


TAB_LABELS = {
    "new": _l("New"),
    "mine": _l("Mine"),
    "open": _l("Team open"),
    "overdue": _l("Overdue"),
    "waiting": _l("Waiting for reporter"),
    "closed": _l("Closed"),
    "all": _l("All"),
}
EVENT_LABELS = {
    "created": _l("Case opened"),
    "report_attached": _l("Report received"),
    "status_changed": _l("Status changed"),
    "assigned": _l("Assigned"),
    "note": _l("Note"),
    "message_sent": _l("Message to reporter"),
    "escalated": _l("Escalated: deadline passed"),
    "original_downloaded": _l("Sealed original downloaded"),
    "legal_hold_placed": _l("Legal hold placed"),
    "legal_hold_lifted": _l("Legal hold lifted"),
    "erased": _l("Reporter's personal data erased"),
    "contact_corrected": _l("Reporter corrected contact details"),
    "reporter_replied": _l("Reply from the reporter"),
    "merged_into": _l("Merged into another case"),
    "merged_from": _l("Another case merged in"),
    "merge_undone": _l("Merge undone"),
    "report_split": _l("Report split out"),
    "split_from": _l("Split from another case"),
    "duplicate_rejected": _l("Suggested duplicate rejected"),
    "referred": _l("Referred to another body"),
    "referral_answered": _l("Referral answered"),
    "referral_details": _l("Referral details changed"),
    "civil_servant_details": _l("Civil servant's data for BKN changed"),
    "publication_requested": _l("Publication requested"),
    "publication_rejected": _l("Publication rejected"),
    "published": _l("Published"),
    "unpublished": _l("Unpublished"),
    "evidence_redacted": _l("Image redacted for publishing"),
    "evidence_approved_unredacted": _l("Image approved for publishing without redaction"),
    "bundle_exported": _l("Evidence bundle exported"),
    "official_account": _l("Names an official government account"),
    "capture_retried": _l("Link capture tried again"),
    "colleague_case_confirmed": _l("Acted on a colleague's case (confirmed)"),
    "taken_over": _l("Taken over by a supervisor"),
    "priority_changed": _l("Priority changed"),
    "recategorised": _l("Category changed"),
    "transferred": _l("Transferred to another team"),
    "finding_recorded": _l("Recorded by staff (finding or report brought in)"),
    "taken_up_as_finding": _l("Report taken up as a finding"),
    "at_risk_set": _l("Reporter marked at risk of retaliation"),
    "at_risk_cleared": _l("At-risk mark removed"),
    "identity_requested": _l("Identity requested"),
    "identity_approval": _l("Identity request approved by a custodian"),
    "identity_granted": _l("Identity access granted"),
    "identity_refused": _l("Identity request refused"),
    "identity_viewed": _l("Identity viewed"),
    "formal_laporan": _l("Asked to be a formal laporan"),
    "completion_requested": _l("Resident asked to complete the laporan"),
    "laporan_completed": _l("Laporan completed by the resident"),
    "laporan_registered": _l("Laporan registered"),
    "laporan_not_registrable": _l("Laporan closed: cannot be registered"),
    "id_card_viewed": _l("Reporter's ID card viewed"),
}


def _clock(case: Case, now: datetime) -> dict[str, Any]:
    closes_at = case.window_closes_at
    return {
        "is_overdue": is_overdue(case.status, case.due_at, now),
        "window": closes_at
        and window_closing_at(
            closes_at,
            today=local_today(now),
            zone=install_zone(),
            warn_days=current_app.config["LEGAL_WINDOW_WARN_DAYS"],
        ),
    }


def _filters(form: QueueForm) -> queries.QueueFilters:
    tab = form.tab.data if form.tab.data in queries.TABS else "open"
    sort = form.sort.data if form.sort.data in queries.SORTS else "newest"
    min_reports = form.min_reports.data if not form.min_reports.errors else None
    return queries.QueueFilters(
        tab=tab,
        status=form.status.data or None,
        category_id=form.category.data,
        region_id=form.region.data,
        team_id=form.team.data,
        assignee_id=form.assignee.data,
        is_overdue=bool(form.overdue.data),
        min_reports=min_reports,
        q=(form.q.data or "")[:200],
        sort=sort,
        after=None,
    )


def _choices(form: QueueForm, user: User, locale: str) -> list[Any]:
    """Fill the filter form's choices; returns the rows loaded, which the caller keeps while
    it renders (the session holds rows only while someone does: the queue's rows then find
    their category, region and team there without a query)."""
    any_ = [("", _l("Any"))]  # an empty value, which the queue drops from its URLs
    categories = db.session.scalars(sa.select(Category).order_by(Category.sort_order)).all()
    form.category.choices = choices(any_ + [(c.id, c.name(locale)) for c in categories])
    regions = db.session.scalars(sa.select(Region).order_by(Region.code)).all()
    form.region.choices = choices(any_ + [(r.id, r.name) for r in regions])
    teams = db.session.scalars(sa.select(Team).order_by(Team.name)).all()
    form.team.choices = choices(any_ + [(t.id, t.name) for t in teams])
    members = (
        db.session.scalars(sa.select(User).order_by(User.name)).all()
        if user.role == Role.ADMIN
        else queries.list_team_members(user.team_id)
    )
    form.assignee.choices = choices(
        any_ + [(0, _l("Unassigned"))] + [(u.id, u.name) for u in members]
    )
    return [categories, regions, teams, members]


def clean_queue_args(args: Mapping[str, str]) -> dict[str, str] | None:
    """The queue's arguments without empty filters, or None when there were none to drop."""
    kept = {k: v for k, v in args.items() if v.strip() and v != "None"}
    return kept if len(kept) < len(args) else None


def queue_key(user: User, args: Mapping[str, str]) -> tuple[Hashable, ...] | None:
    """What the queue page shows, found without the database (cases/kept.py): the viewer's
    parts and their queue's generation, renewed after every commit that bumps a case of their
    team (any case, for an admin); None for a search, which is not kept. The page is kept
    until the next deadline (`queue_keep_for`)."""
    if args.get("q", "").strip():
        return None
    return (*kept.viewer_parts(user, kept.queue_generation(user)), "queue")


def queue_keep_for(user: User, since: datetime) -> int:
    """How long a queue page rendered after `since` may still be kept, in whole seconds: until
    the next deadline after `since` of an open case in the viewer's scope passes (a row turns
    overdue, the overdue tab's count moves)."""
    due = queries.next_due(user, after=since)
    if due is None:
        return kept.seconds()
    return math.floor((due - utcnow()).total_seconds())


def queue_context(user: User, args: Mapping[str, str]) -> dict[str, Any]:
    """Filters, one keyset page, and tab counts; InvalidCursor for a bad `after`."""
    form = QueueForm(formdata=args)
    references = _choices(form, user, current_language())
    form.validate()
    filters = _filters(form)
    filters.after = args.get("after") or None
    cfg, now = current_app.config, utcnow()
    kept: dict[str, Any] = {k: v for k, v in args.items() if k not in ("after", "tab") and v}
    hits = None
    if filters.q.strip():  # a search looks in every tab, ranked; the tab is shown per case
        hits = search_cases(filters.q, queries.scope(user), user_id=user.id, now=now)
        page = queries.QueuePage([hit.case for hit in hits], None)
    else:
        page = queries.list_queue(
            user, filters, now=now, limit=cfg["CASES_PAGE_SIZE"], references_loaded=True
        )
    return {
        "hit_tabs": {hit.case.id: hit.tab for hit in hits} if hits is not None else None,
        "form": form,
        "filters": filters,
        "page": page,
        "clocks": {c.id: _clock(c, now) for c in page.cases},
        "finding_channels": queries.list_finding_channels([c.id for c in page.cases]),
        "counts": queries.count_tabs(user, now=now, cap=cfg["CASES_COUNT_CAP"]),
        "tabs": TAB_LABELS,
        "many": cfg["CASES_MANY_REPORTS"],
        "tab_url": lambda tab: url_for("cases.queue", **{**kept, "tab": tab}),
        "next_url": page.next_cursor
        and url_for("cases.queue", **{**kept, "tab": filters.tab, "after": page.next_cursor}),
        "first_url": url_for("cases.queue", **{**kept, "tab": filters.tab}),
        "is_admin": user.role == Role.ADMIN,
        "at_risk": queries.list_at_risk(c.id for c in page.cases),
        "references": references,
    }


# Where another area's section sits on the case page: the side column (what to do: status,
# assignment, deadlines, referrals, publishing) or the main column (what happened, after the
# report cards). The older names say what a section followed and map onto the two columns.
Place = Literal["before_reports", "side", "before_history", "after_reports", "main"]
COLUMNS: dict[str, str] = {
    "before_reports": "side",
    "side": "side",
    "before_history": "side",
    "after_reports": "main",
    "main": "main",
}


@dataclass(frozen=True)
class Section:
    """A section another area adds to the case page: its template, its data, where it goes.
    With `link_template`, it also shows `links[canonical URL]` under each link of a report card
    (the template gets `item` and `section`)."""

    template: str
    data: Mapping[str, Any]
    place: Place = "before_history"
    link_template: str | None = None
    links: Mapping[str, Any] | None = None


SectionProvider = Callable[[Case, User], Section | None]
SECTIONS_KEY = "portal.case_sections"


def register_case_section(app: App, provider: SectionProvider) -> None:
    """Show the provider's section on this app's case pages (called as an area registers)."""
    # Kept per app, not in a module list: each app (a test makes many) registers once.
    app.extensions.setdefault(SECTIONS_KEY, []).append(provider)


def build_sections(case: Case, user: User) -> dict[str, list[Section]]:
    """Every registered section of the case page by column ("side", "main"), ordered by place
    (before_reports, side, before_history) and then by registration."""
    found: dict[str, list[Section]] = {place: [] for place in get_args(Place)}
    for provider in current_app.extensions.get(SECTIONS_KEY, ()):
        section = provider(case, user)
        if section is not None:
            found[section.place].append(section)
    columns: dict[str, list[Section]] = {"side": [], "main": []}
    for place, sections in found.items():
        columns[COLUMNS[place]].extend(sections)
    return columns


@dataclass(frozen=True)
class CannedText:
    """A canned reply offered on the case page, its placeholders filled for this case."""

    id: int
    title: str
    body_id: str
    body_en: str


def _message_form(case: Case, reports: list, locale: str) -> tuple[MessageForm, list]:
    form = MessageForm(formdata=None)
    form.report.choices = choices([(r.id, label_text(r)) for r in reports])
    canned = queries.list_canned_replies(
        category_id=case.category_id, status=case.status, only_matching=True
    )
    form.canned.choices = choices([(None, _l("None"))] + [(c.id, c.title) for c in canned])
    filled = [
        CannedText(
            reply.id,
            reply.title,
            fill_placeholders(reply.body_id, case=case, language="id"),
            fill_placeholders(reply.body_en, case=case, language="en"),
        )
        for reply in canned
    ]
    return form, filled


def _shown_evidence(reports: list[Report]) -> list[Evidence]:
    """Every screenshot the case page lists: the reports' and the messages'."""
    return [
        item
        for report in reports
        for item in [*report.evidence, *(e for m in report.messages for e in m.evidence)]
    ]


ROLE_LABELS = {
    Role.OFFICER: _l("officer"),
    Role.SUPERVISOR: _l("supervisor"),
    Role.ADMIN: _l("admin"),
}


def assignee_choices(case: Case) -> list[tuple[Any, str]]:
    """The team's staff with email, role, team and open-case count, for the assign form."""
    rows: list[tuple[Any, str]] = [("", "—")]
    return rows + [
        (
            u.id,
            _(
                "%(name)s — %(email)s · %(role)s · %(team)s · %(num)d open",
                name=u.name,
                email=u.email,
                role=ROLE_LABELS.get(Role(u.role), u.role),
                team=u.team.name if u.team else "",
                num=count,
            ),
        )
        for u, count in queries.list_assignable(case.team_id)
    ]


def detail_key(case: Case | sa.Row[Any], user: User) -> tuple[Hashable, ...]:
    """What the case page shows beyond the case's own rows (cases/kept.py): the viewer, the
    duplicates' generation, the deadline's state now, and a supervisor's assign form's counts
    of open cases (other cases move them)."""
    parts: tuple[Hashable, ...] = (
        *kept.viewer_parts(user, kept.DUPLICATES),
        "case",
        case.id,
        case.page_version,
        is_overdue(case.status, case.due_at, utcnow()),
    )
    if user.role in (Role.SUPERVISOR, Role.ADMIN):
        parts += (tuple((u.id, n) for u, n in queries.list_assignable(case.team_id)),)
    return parts


def keeps_detail(case: Case) -> bool:
    """Whether a rendering of the case page may be kept: not when it printed a confidential
    reporter's contact (no custodian holds identities on this install)."""
    if "confidential" not in shown_contacts():
        return True
    return all(report.visibility != "confidential" for report in case.reports)


def detail_context(case: Case, user: User, message_to: int | None = None) -> dict[str, Any]:
    """Everything the case page shows, with forms for the moves this user may make;
    `message_to` (a report of the case) opens the message form with that reporter chosen."""
    reports = queries.load_case_page(case)
    events = queries.list_events(case)
    locale = current_language()
    sections = build_sections(case, user)
    is_supervisor = user.role in (Role.SUPERVISOR, Role.ADMIN)
    assign_form = None
    if is_supervisor:
        assign_form = AssignForm(formdata=None, version=case.version, assignee=case.assignee_id)
        assign_form.assignee.choices = choices(assignee_choices(case))
    message_form, canned = _message_form(case, reports, current_language())
    can_claim = case.assignee_id is None and user.team_id == case.team_id
    acting_for = case.assignee if case.assignee_id not in (None, user.id) else None
    can_take_over = is_supervisor and acting_for is not None and user.team_id == case.team_id
    return {
        "case": case,
        "reports": reports,
        "events": events,
        "cards": report_cards(reports, locale),
        "timeline": timeline(events, reports),
        "message_to": message_to if message_to in {r.id for r in reports} else None,
        "clock": _clock(case, utcnow()),
        "moves": [m for m in allowed_moves(case) if m != Status.ASSIGNED],
        "status_form": StatusForm(formdata=None),
        "assign_form": assign_form,
        "claim_form": ClaimForm(formdata=None) if can_claim else None,
        "take_over_form": (
            TakeOverForm(formdata=None, version=case.version) if can_take_over else None
        ),
        "acting_for": acting_for,
        "note_form": NoteForm(formdata=None),
        "message_form": message_form,
        "canned": canned,
        "reporter_labels": queries.list_report_labels(case),
        "label_texts": {r.id: label_text(r) for r in reports},
        "shows_contact": shown_contacts(),
        "sections": sections,
        "link_sections": [s for column in sections.values() for s in column if s.link_template],
        "evidence_stamps": {
            item.id: list_stamps("evidence", item.id) for item in _shown_evidence(reports)
        },
        "timestamps_on": timestamps_enabled(),
        "event_labels": EVENT_LABELS,
        "outcome_labels": OUTCOME_LABELS,
        "reason_labels": REASON_LABELS,
        "locale": current_language(),
        "question_labels": {
            q.get("code"): q.get("label_en" if current_language() == "en" else "label_id")
            for q in case.category.questions or []
        },
    }
