"""Writes of triage: a case's priority, its category (routing re-checked) and its team (a
transfer, announced to the receiving team's supervisors). Flush and record; the caller commits."""

import logging

from flask import current_app
from flask_babel import lazy_gettext as _l

from portal.accounts.models import Team, User
from portal.cases.escalation import escalation_recipients
from portal.cases.history import record_event
from portal.cases.models import Case
from portal.cases.notifications import _queue
from portal.cases.routing import route_team_id
from portal.cases.workflow import OPEN, CaseError, check_version
from portal.db import db
from portal.reference.models import Category

logger = logging.getLogger(__name__)

PRIORITIES = {0: _l("Normal"), 1: _l("High"), 2: _l("Urgent")}


def set_priority(
    *, case: Case, priority: int, actor: User, expected_version: int | None = None
) -> None:
    """Set the case's priority (normal, high, urgent); the change is in the history."""
    check_version(case, expected_version)
    if priority not in PRIORITIES:
        raise CaseError(_l("Choose a priority from the list."))
    before = case.priority or 0
    if before == priority:
        return
    case.priority = priority
    db.session.flush()
    record_event(case, "priority_changed", actor=actor, data={"before": before, "after": priority})


def recategorise_case(
    *, case: Case, category: Category, actor: User, expected_version: int | None = None
) -> Team | None:
    """Move the case to another category and re-check routing: when the rules now send it to
    another team, it is transferred there. Returns the team it went to, if it moved."""
    check_version(case, expected_version)
    if category.id == case.category_id:
        raise CaseError(_l("The case is already in this category."))
    before = case.category
    case.category = category
    routed_id = route_team_id(category=category, region_id=case.region_id)
    db.session.flush()
    record_event(
        case,
        "recategorised",
        actor=actor,
        data={"before": before.code, "after": category.code, "routed_team_id": routed_id},
    )
    if routed_id is None or routed_id == case.team_id:
        return None
    team = db.session.get_one(Team, routed_id)
    transfer_case(case=case, team=team, actor=actor, reason=_l("New category: routing rules"))
    return team


def transfer_case(*, case: Case, team: Team, actor: User, reason: object = "") -> None:
    """Hand the case to another team or agency: unassigned there, recorded on the case (with
    both teams and whether routing rules agree), the receiving supervisors emailed."""
    if case.status not in OPEN:
        raise CaseError(_l("Only an open case can be transferred."))
    if team.id == case.team_id:
        raise CaseError(_l("The case is already with this team."))
    if not team.is_active:
        raise CaseError(_l("That team is no longer active."))
    sender = case.team
    category = db.session.get_one(Category, case.category_id)
    routed = route_team_id(category=category, region_id=case.region_id)
    before_assignee = case.assignee.email if case.assignee else None
    case.team_id, case.assignee_id = team.id, None
    db.session.flush()
    record_event(
        case,
        "transferred",
        actor=actor,
        data={
            "from_team": sender.name if sender else None,
            "from_team_id": sender.id if sender else None,
            "to_team": team.name,
            "to_team_id": team.id,
            "reason": str(reason)[:500],
            "assignee_before": before_assignee,
            "matches_routing": routed == team.id,
        },
    )
    _notify_receivers(case, team, sender, str(reason))
    logger.info("Case %s transferred to team %s by user %s", case.id, team.id, actor.id)


def _notify_receivers(case: Case, team: Team, sender: Team | None, reason: str) -> None:
    for user in escalation_recipients(team.id):
        _queue(
            to=user.email,
            subject=_l(
                "Case %(reference)s was transferred to %(team)s",
                reference=case.reference,
                team=team.name,
            ),
            template="cases/transferred",
            language=current_app.config["BABEL_DEFAULT_LOCALE"],
            context={
                "case_id": case.id,
                "reference": case.reference,
                "name": user.name,
                "team": team.name,
                "sender": sender.name if sender else "",
                "reason": reason,
                "due_at": case.due_at,
            },
            kind="case_transferred",
        )
