"""The demo history: about 200 past cases over six months, worked through the real operations.

Everything is planned first from a fixed seed (the same demo every time, relative to today),
then filed, worked and published through the intake and case operations so each case's
hash chain is valid. Operations stamp the present time; the plan's past times are then set
on the Case and Report rows only (the events keep their own, hash-chained, times)."""

import logging
import math
import random
from datetime import datetime, timedelta

import sqlalchemy as sa

from portal.accounts.models import Team, User
from portal.accounts.passwords import hash_password
from portal.cases.deadlines import add_days
from portal.cases.models import Case
from portal.db import db, utcnow
from portal.demo.shared import PASSWORD, Plan
from portal.demo.texts import CATEGORIES, REGIONS, SANCTIONS
from portal.demo.work import file_case, work_case
from portal.intake.models import Report
from portal.intake.queries import get_report_by_idempotency_key

logger = logging.getLogger(__name__)

SEED = 20261125
CASES = 200
DAYS = 182
PUBLISHED = 22
MARKER = "demo-h-0-0"  # idempotency key of the first history report: present means loaded
# Officers of the two provincial teams that receive the cases outside the demo team's routing.
STAFF = [
    ("analis.sumsel@demo.test", "Rahmat Analis", "bawaslu-sumsel"),
    ("auditor.inspektorat@demo.test", "Lina Auditor", "inspektorat-sumsel"),
]


def _pick(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _report_count(rng: random.Random) -> int:
    r = rng.random()
    if r < 0.62:
        return 1
    if r < 0.88:
        return rng.randint(2, 4)
    return rng.randint(5, 12) if r < 0.96 else rng.randint(15, 36)


def _status(rng: random.Random, age_days: float) -> str:
    r = rng.random()
    if age_days < 4:
        return rng.choice(["new", "new", "triaged", "assigned", "investigating"])
    if r < 0.09:
        return "rejected"
    if age_days < 14 and r < 0.5 or r < 0.14:  # recent work, and a few overdue old cases
        return rng.choice(["assigned", "investigating", "investigating", "waiting_for_reporter"])
    return "closed" if age_days > 30 and rng.random() < 0.55 else "resolved"


def _referral(rng: random.Random, plan: Plan, now: datetime) -> dict | None:
    service = plan.code in ("layanan-publik", "pungli")
    if plan.outcome == "not_substantiated" or (
        plan.outcome == "substantiated" and rng.random() < 0.3
    ):
        return None
    if service:
        body = rng.choice(["inspektorat", "inspektorat", "ombudsman"])
    elif plan.code == "politik-uang":
        body = rng.choice(["police", "bawaslu"])
    else:
        body = "bkn" if plan.outcome == "substantiated" else rng.choice(["bawaslu", "inspektorat"])
    referred = plan.created + timedelta(hours=plan.resolution_h or 0)
    answer = referred + timedelta(days=rng.randint(10, 50))
    answered = answer < now - timedelta(days=1)
    sanction = rng.choices(["yes", "no", "unknown"], weights=[55, 30, 15])[0]
    return {
        "body": body,
        "on": referred.date(),
        "answered": answer.date() if answered else None,
        "sanction": sanction,
        "text": rng.choice(SANCTIONS),
    }


def _plan_one(rng: random.Random, n: int, now: datetime) -> Plan:
    code = _pick(rng, {c: spec[0] for c, spec in CATEGORIES.items()})
    # More cases as the campaign nears: ages skewed towards the recent months.
    age = DAYS * (1 - math.sqrt(rng.random())) + 0.3
    created = (now - timedelta(days=age)).replace(microsecond=0)
    plan = Plan(
        n=n,
        code=code,
        region=_pick(rng, REGIONS),
        party=rng.choice(CATEGORIES[code][2]),
        created=created,
        reports=_report_count(rng),
        status=_status(rng, age),
    )
    age_h = age * 24
    service = code in ("layanan-publik", "pungli")
    response_h = 0.0
    if plan.status != "new":
        response_h = plan.response_h = min(rng.lognormvariate(math.log(20), 0.9), age_h * 0.4)
    if plan.status == "rejected":
        plan.reports, plan.reason = 1, rng.choice(["spam", "out_of_scope", "out_of_scope"])
        plan.resolution_h = plan.response_h
    elif plan.status in ("resolved", "closed"):
        median = 10 * 24 if service else 5 * 24
        plan.resolution_h = max(
            min(rng.lognormvariate(math.log(median), 0.5), age_h * 0.9), response_h + 2
        )
        plan.outcome = rng.choices(
            ["substantiated", "not_substantiated", "referred_elsewhere"], weights=[45, 35, 20]
        )[0]
        plan.referral = _referral(rng, plan, now)
    # A few reporters left an email (receipt and news go to the outbox); the rest are anonymous.
    plan.emails = [0] if rng.random() < 0.03 else []
    return plan


def make_plans(now: datetime) -> list[Plan]:
    """The whole history, oldest case first, with the cases to publish chosen."""
    rng = random.Random(SEED)  # noqa: S311  (a repeatable demo, not a secret)
    plans = sorted((_plan_one(rng, n, now) for n in range(CASES)), key=lambda p: p.created)
    for index, plan in enumerate(plans):
        plan.n = index
    decided = [p for p in plans if p.outcome]
    busiest = sorted(decided, key=lambda p: (-p.reports, p.n))[:8]
    rest = [p for p in decided if p not in busiest]
    for plan in busiest + rng.sample(rest, PUBLISHED - 10):
        plan.publish = True
    ongoing = [p for p in plans if p.status == "investigating"]
    for plan in sorted(ongoing, key=lambda p: (-p.reports, p.n))[:2]:
        plan.publish = True
    return plans


def _staff(users: dict[str, User]) -> dict[int | None, tuple[User, list[User]]]:
    """Team id -> (triaging actor, officers) for every team that receives history cases."""
    staff: dict[int | None, tuple[User, list[User]]] = {
        users["petugas"].team_id: (users["supervisor"], [users["petugas"], users["petugas2"]])
    }
    for email, name, slug in STAFF:
        team = db.session.execute(sa.select(Team).where(Team.slug == slug)).scalar_one()
        user = db.session.scalar(sa.select(User).where(User.email == email))
        if user is None:
            user = User(
                email=email,
                name=name,
                role="officer",
                team_id=team.id,
                password_hash=hash_password(PASSWORD),
            )
            db.session.add(user)
            db.session.flush()
        staff[team.id] = (user, [user])
    return staff


def load_history(users: dict[str, User]) -> int:
    """File and work the demo history unless it is already there; returns the new cases."""
    staff = _staff(users)
    if get_report_by_idempotency_key(MARKER) is not None:
        return 0
    now = utcnow()
    for plan in make_plans(now):
        case, reports = file_case(plan)
        actor, officers = staff[case.team_id]
        work_case(
            case,
            plan,
            actor=actor,
            officer=officers[plan.n % len(officers)],
            approver=users["supervisor"],
            reports=reports,
        )
        backdate(case, reports, plan)
    logger.info("Demo history: %d cases", CASES)
    return CASES


def backdate(case: Case, reports: list[Report], plan: Plan) -> None:
    """Put the case's own times in the past, where the plan says they were."""
    category = case.category
    case.created_at = case.first_reported_at = plan.created
    case.due_at = add_days(plan.created, category.deadline_days, category.deadline_working_days)
    hours = [h for h in (plan.response_h, plan.resolution_h) if h is not None]
    if plan.response_h is not None:
        case.first_response_at = plan.created + timedelta(hours=plan.response_h)
    if plan.resolution_h is not None:
        case.resolved_at = plan.created + timedelta(hours=plan.resolution_h)
    spread = max(hours or [6.0])
    for j, report in enumerate(reports):
        report.created_at = plan.created + timedelta(hours=spread * j / (len(reports) + 1))
