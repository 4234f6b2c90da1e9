"""A case's page version: a number bumped in the same transaction as every write that changes
what the case page or a reporter's status page shows, so that a copy kept under (case, version)
is never stale.

After each flush, every new, changed or deleted row is mapped to the case(s) it belongs to by
the resolver registered for its model (`RESOLVERS`): the case itself, rows with a case_id, rows
of a report, of a screenshot, of a formal laporan, of an identity request, and captures (shared
by every case with a link to the same address). One Core UPDATE then adds one to
`case.page_version` (Core, so Case's own optimistic `version` and `updated_at` stay as they
are). After the commit, the listeners given to `on_case_change` learn which cases it bumped
(kept pages renew their tokens: portal/pagecache.py). Models whose rows every case page may
show (names of staff, teams, categories) are listed in `EVERY_CASE`: their commit tells the
listeners given to `on_every_case_change`. Models that no case page shows are listed in
`UNSHOWN` with the reason; a test refuses a model in none of the three, so a new one cannot be
forgotten.

Bulk UPDATE/DELETE statements are not seen by the flush; each one that touches a case's rows
today comes with a case event in the same unit (claim, merge, split, erasure), which bumps it.
"""

from collections.abc import Callable, Iterable, Iterator
from typing import Any, cast

import sqlalchemy as sa
from flask import current_app, has_app_context
from flask.sansio.app import App
from sqlalchemy.orm import Session

from portal.accounts.models import AccountEvent, Team, User
from portal.accounts.twofactor.models import RecoveryCode, RolePolicy, TotpCredential
from portal.capture.models import (
    Capture,
    CaptureSession,
    Job,
    JobKind,
    LivenessCheck,
    OfficialAccount,
    OfficialMatch,
)
from portal.cases.duplicates.models import DuplicateDecision, PhashBand
from portal.cases.identity.models import (
    CaseRisk,
    IdentityCustodian,
    IdentityDecision,
    IdentityRequest,
)
from portal.cases.models import (
    CannedReply,
    Case,
    CaseEvent,
    CaseSearch,
    Message,
    ReportLabel,
    RoutingRule,
)
from portal.cases.publishing.models import Publication
from portal.cases.referrals.models import Referral, ReportedCivilServant
from portal.cases.registration.models import RegistrationFormat, RegistrationSequence
from portal.evidence.models import Evidence, Link, Redaction, UnredactedApproval
from portal.intake.findings.models import Finding
from portal.intake.formal.models import (
    CompletionRequest,
    FormalIdentity,
    FormalLaporan,
    FormalWitness,
)
from portal.intake.models import HeldUpload, Report
from portal.legal.models import DayOff, Regime
from portal.notify.models import OutboxMessage
from portal.privacy.models import LegalHold, PendingFileRemoval, RetentionRun
from portal.proof.models import SignedDocument, SigningKey, StampKind, TimestampToken
from portal.public.models import (
    ApiKey,
    HeadHash,
    Open311Ticket,
    StatCell,
    StatCellDelta,
    StatDuration,
    StatDurationDelta,
    StatReferral,
    StatReferralDelta,
    StatRun,
)
from portal.reference.models import Category, Region
from portal.worker.models import WorkerHeartbeat

# A reference to what a row belongs to: ("case", id), ("merged", id: the case and the one it
# was merged into), ("report", id), ("evidence", id), ("laporan", id), ("request", id),
# ("capture", id) or ("url", canonical address).
Ref = tuple[str, Any]
Resolver = Callable[[Any], Iterable[Ref]]


def values(obj: Any, name: str) -> set[Any]:
    """A column's value now and before this flush (a report moved to another case belongs
    to both), without loading anything."""
    state = sa.inspect(obj)
    found = {state.dict.get(name), *(state.attrs[name].history.deleted or ())}
    found.discard(None)
    return found


def by(kind: str, *names: str) -> Resolver:
    """The rows these columns point to, as refs of `kind`."""
    return lambda obj: [(kind, value) for name in names for value in values(obj, name)]


def _case(obj: Case) -> Iterator[Ref]:
    yield ("case", obj.id)
    yield from (("case", i) for i in values(obj, "merged_into_id"))  # its page lists merges


def _stamp(obj: TimestampToken) -> Iterator[Ref]:
    if obj.kind == StampKind.EVIDENCE:
        yield ("evidence", obj.target_id)
    elif obj.kind != StampKind.HEADS:
        yield ("capture", obj.target_id)


def _job(obj: Job) -> Iterator[Ref]:
    if obj.kind == JobKind.CAPTURE:
        yield ("url", obj.target)
    elif obj.target.isdigit():
        yield ("capture", int(obj.target))


RESOLVERS: dict[type, Resolver] = {
    Case: _case,
    CaseEvent: by("case", "case_id"),
    Message: by("case", "case_id"),
    ReportLabel: by("case", "case_id"),
    Report: by("case", "case_id"),
    OfficialMatch: by("case", "case_id"),
    LegalHold: by("case", "case_id"),
    Open311Ticket: by("case", "case_id"),
    IdentityRequest: by("case", "case_id"),
    CaseRisk: by("merged", "case_id"),  # the case a merged one went into shows its risk too
    Publication: by("case", "case_id"),
    Referral: by("case", "case_id"),
    ReportedCivilServant: by("case", "case_id"),
    DuplicateDecision: by("case", "case_a_id", "case_b_id"),
    Evidence: by("report", "report_id"),
    Link: by("report", "report_id"),
    Finding: by("report", "report_id"),
    FormalLaporan: by("report", "report_id"),
    UnredactedApproval: by("evidence", "evidence_id"),
    Redaction: by("evidence", "evidence_id"),
    FormalIdentity: by("laporan", "laporan_id"),
    FormalWitness: by("laporan", "laporan_id"),
    CompletionRequest: by("laporan", "laporan_id"),
    IdentityDecision: by("request", "request_id"),
    Capture: by("url", "url_canonical"),
    LivenessCheck: by("capture", "capture_id"),
    TimestampToken: _stamp,
    Job: _job,
}

# Rows any case page may show (a name, a list of choices, a rule): a change reaches every case.
EVERY_CASE: dict[type, str] = {
    User: "assignees', actors' and custodians' names; the assign form's choices",
    Team: "the case's team and the transfer form",
    Category: "the case's category, its questions, the re-categorise form",
    Region: "the case's region",
    Regime: "the legal window's wording",
    DayOff: "working-day deadlines",
    CannedReply: "the message form's canned replies",
    RoutingRule: "the transfer and re-categorise forms",
    IdentityCustodian: "who may decide identity requests",
    OfficialAccount: "the official accounts a case names",
    RegistrationFormat: "the registration section's number pattern",
}

# Of these, only the named columns show (a login's own bookkeeping changes no page).
EVERY_CASE_FIELDS: dict[type, tuple[str, ...]] = {
    User: ("name", "email", "role", "team_id", "is_active"),
}

# Rows no case page and no status page shows.
UNSHOWN: dict[type, str] = {
    AccountEvent: "account history (admin pages)",
    TotpCredential: "two-step sign-in",
    RecoveryCode: "two-step sign-in",
    RolePolicy: "two-step sign-in policy",
    OutboxMessage: "mail waiting to be sent",
    ApiKey: "Open311 keys",
    StatCell: "public statistics",
    StatCellDelta: "public statistics",
    StatDuration: "public statistics",
    StatDurationDelta: "public statistics",
    StatReferral: "public statistics",
    StatReferralDelta: "public statistics",
    StatRun: "public statistics",
    HeadHash: "the public daily chain heads",
    SigningKey: "the install's keys",
    SignedDocument: "signed public documents (chain heads)",
    WorkerHeartbeat: "the worker page",
    RetentionRun: "the retention page",
    PendingFileRemoval: "files queued for removal (the erasure itself records an event)",
    HeldUpload: "a report form's uploads before filing",
    PhashBand: "the duplicate lookup's index (the suggestion count is read fresh)",
    CaseSearch: "the staff search index",
    CaptureSession: "sealed platform sessions (a capture records which platform it used)",
    RegistrationSequence: "the next number (a registration changes its laporan)",
}

_LOOKUPS: dict[str, Callable[[list[Any]], sa.Select[Any]]] = {
    "report": lambda ids: sa.select(Report.case_id).where(Report.id.in_(ids)),
    "evidence": lambda ids: (
        sa.select(Report.case_id)
        .join(Evidence, Evidence.report_id == Report.id)
        .where(Evidence.id.in_(ids))
    ),
    "laporan": lambda ids: (
        sa.select(Report.case_id)
        .join(FormalLaporan, FormalLaporan.report_id == Report.id)
        .where(FormalLaporan.id.in_(ids))
    ),
    "request": lambda ids: sa.select(IdentityRequest.case_id).where(IdentityRequest.id.in_(ids)),
    "url": lambda urls: (
        sa.select(Report.case_id)
        .join(Link, Link.report_id == Report.id)
        .where(Link.url_canonical.in_(urls))
        .distinct()
    ),
}
EVERY_CASE_KEY = "portal.every_case_changed"
PENDING_KEY = "portal.page_bump"  # cases of rows this flush deletes
BUMPED_KEY = "portal.page_bumped"  # once per transaction: no reader sees its middle
LISTENERS_KEY = "portal.every_case_listeners"
CASE_LISTENERS_KEY = "portal.case_listeners"
# Every case bumped since the last commit, and their teams (a transferred case's both). Kept
# across a savepoint's rollback: a token renewed for a change that was undone only costs a
# kept page.
TOUCHED_KEY = "portal.cases_touched"
TEAMS_KEY = "portal.teams_touched"


def on_every_case_change(app: App, listener: Callable[[], object]) -> None:
    """Call `listener` after a commit of this app that changed rows every case page may show
    (kept per app, like the case-page sections: a test makes many apps)."""
    listeners = app.extensions.setdefault(LISTENERS_KEY, [])
    if listener not in listeners:
        listeners.append(listener)


def on_case_change(app: App, listener: Callable[[set[int], set[int]], object]) -> None:
    """Call `listener` with the ids of the cases a commit of this app bumped, and of the
    teams those cases were with before or after it, after the commit."""
    listeners = app.extensions.setdefault(CASE_LISTENERS_KEY, [])
    if listener not in listeners:
        listeners.append(listener)


def changed_rows(session: Session) -> Iterator[Any]:
    """The rows this flush inserts or changes (not those only touched)."""
    yield from session.new
    for obj in session.dirty:
        if session.is_modified(obj, include_collections=False):
            yield obj


def resolve(connection: sa.Connection, refs: Iterable[Ref]) -> set[int]:
    """The ids of the cases these refs belong to, in one query per kind."""
    wanted: dict[str, set[Any]] = {}
    for kind, value in refs:
        wanted.setdefault(kind, set()).add(value)
    if captures := wanted.pop("capture", None):
        urls = connection.scalars(
            sa.select(Capture.url_canonical).where(Capture.id.in_(sorted(captures)))
        )
        wanted.setdefault("url", set()).update(urls)
    if merged := wanted.pop("merged", None):
        targets = connection.scalars(
            sa.select(Case.merged_into_id).where(
                Case.id.in_(sorted(merged)), Case.merged_into_id.is_not(None)
            )
        )
        wanted.setdefault("case", set()).update([*merged, *targets])
    found = {int(i) for i in wanted.pop("case", ())}
    for kind, keys in wanted.items():
        found.update(connection.scalars(_LOOKUPS[kind](sorted(keys))))
    return found


def bump(connection: sa.Connection, case_ids: Iterable[int]) -> set[int]:
    """Add one to these cases' page versions (updated_at kept: Core would refresh it); the
    teams they are with."""
    ids = sorted(set(case_ids))
    if not ids:
        return set()
    table = cast(sa.Table, Case.__table__)
    teams = connection.scalars(
        sa.update(table)
        .where(table.c.id.in_(ids))
        .values(page_version=table.c.page_version + 1, updated_at=table.c.updated_at)
        .returning(table.c.team_id)
    )
    return {team for team in teams if team is not None}


def _note_teams(session: Session, rows: Iterable[Any]) -> None:
    """The teams of the cases among these rows, before and after this flush."""
    teams = session.info.setdefault(TEAMS_KEY, set())
    for obj in rows:
        if isinstance(obj, Case):
            teams.update(values(obj, "team_id"))


@sa.event.listens_for(Session, "before_flush")
def _before_flush(session: Session, _context: object, _instances: object) -> None:
    # Deleted rows are resolved while the rows they point through still exist.
    refs = [ref for obj in session.deleted for ref in _refs(session, obj)]
    _note_teams(session, session.deleted)
    if refs:
        pending = session.info.setdefault(PENDING_KEY, set())
        pending.update(resolve(session.connection(), refs))


@sa.event.listens_for(Session, "after_flush")
def _after_flush(session: Session, _context: object) -> None:
    changed = list(changed_rows(session))
    refs = [ref for obj in changed for ref in _refs(session, obj)]
    _note_teams(session, changed)
    pending = session.info.pop(PENDING_KEY, set())
    if not refs and not pending:
        return
    connection = session.connection()
    done = session.info.setdefault(BUMPED_KEY, set())
    due = (pending | resolve(connection, refs)) - done
    session.info.setdefault(TEAMS_KEY, set()).update(bump(connection, due))
    done.update(due)
    session.info.setdefault(TOUCHED_KEY, set()).update(due)


def _refs(session: Session, obj: Any) -> list[Ref]:
    resolver = RESOLVERS.get(type(obj))
    if resolver is None:
        if type(obj) in EVERY_CASE and _shows_everywhere(session, obj):
            session.info[EVERY_CASE_KEY] = True
        return []
    return list(resolver(obj))


def _shows_everywhere(session: Session, obj: Any) -> bool:
    fields = EVERY_CASE_FIELDS.get(type(obj))
    if fields is None or obj in session.new or obj in session.deleted:
        return True
    state = sa.inspect(obj)
    return any(state.attrs[name].history.has_changes() for name in fields)


@sa.event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    session.info.pop(BUMPED_KEY, None)
    touched = session.info.pop(TOUCHED_KEY, None)
    teams = session.info.pop(TEAMS_KEY, set())
    everywhere = session.info.pop(EVERY_CASE_KEY, False)
    if not has_app_context():
        return
    extensions = current_app.extensions
    if touched:
        for listener in list(extensions.get(CASE_LISTENERS_KEY, ())):
            _tell(listener, touched, teams)
    if everywhere:
        for listener in list(extensions.get(LISTENERS_KEY, ())):
            _tell(listener)


def _tell(listener: Callable[..., object], *args: object) -> None:
    """Run an after-commit listener. The commit stands whatever it does: a failure (the
    cache's server down) is logged, and the pages it would have renewed run out with their
    cache time."""
    try:
        listener(*args)
    except Exception:
        current_app.logger.exception("renewing kept pages after a commit failed")


@sa.event.listens_for(Session, "after_rollback")
@sa.event.listens_for(Session, "after_soft_rollback")
def _after_rollback(session: Session, *_previous: object) -> None:
    # Also a savepoint's: bump again. What to renew after the commit stays (TOUCHED_KEY,
    # EVERY_CASE_KEY): the changes before a savepoint still commit, and renewing too much
    # only costs kept pages.
    for key in (PENDING_KEY, BUMPED_KEY):
        session.info.pop(key, None)
