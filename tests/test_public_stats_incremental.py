"""`flask public refresh-stats` folds the changes writers recorded: after creates, status
changes, merges, publishing, referrals and re-categorising, the aggregates it leaves are the
ones a full recompute gives."""

from collections import Counter
from datetime import date

import sqlalchemy as sa

from portal.db import db, unit_of_work


def snapshot() -> dict[str, Counter]:
    """Every aggregate row as its values without the id (a multiset per table)."""
    from portal.public.models import StatCell, StatDuration, StatReferral

    tables = {}
    for model in (StatCell, StatDuration, StatReferral):
        columns = [c for c in model.__table__.c if c.name != "id"]
        rows = db.session.execute(sa.select(*columns)).all()
        tables[model.__tablename__] = Counter(tuple(row) for row in rows)
    return tables


def update(app, *, full: bool = False) -> dict[str, Counter]:
    from portal.public.tally import update_stats

    with app.app_context():
        with unit_of_work():
            update_stats(full=full)
        return snapshot()


def team_slug(app, team_id: int) -> str:
    from portal.accounts.models import Team

    with app.app_context():
        return db.session.get_one(Team, team_id).slug


def run_cli(app, *args: str) -> str:
    result = app.test_cli_runner().invoke(args=["public", "refresh-stats", *args])
    assert result.exit_code == 0, result.output
    return result.output


def test_folded_changes_equal_a_full_recompute(app, make_case, make_user):
    from portal.accounts.models import User
    from portal.cases.duplicates.operations import merge_cases
    from portal.cases.models import Case
    from portal.cases.operations import assign_case
    from portal.cases.publishing.operations import publish_case
    from portal.cases.referrals.operations import record_referral_outcome, refer_case
    from portal.cases.triage.operations import recategorise_case
    from portal.cases.workflow import change_status
    from portal.reference.models import Category

    first = [make_case(), make_case(), make_case(category="politik-uang", region=None)]
    officer = make_user(role="supervisor", team=team_slug(app, first[0].team_id))
    assert "over 3 cases" in run_cli(app)  # nothing computed yet: a full recompute
    before = update(app)

    later = make_case(region="16.71")  # created after the first run
    make_case(category="politik-uang", region=None)  # beside the case without a region
    with app.app_context():
        actor = db.session.get(User, officer.id)
        one, two, three = (db.session.get(Case, c.id) for c in first)
        with unit_of_work():
            change_status(case=one, to="triaged", actor=actor)
            assign_case(case=one, assignee=actor, actor=actor)
            change_status(case=one, to="investigating", actor=actor)
            change_status(
                case=one, to="resolved", actor=actor, outcome="substantiated", summary="Terbukti."
            )
        with unit_of_work():
            merge_cases(source=db.session.get(Case, later.id), target=two, actor=actor)
        with unit_of_work():
            publish_case(case=one, actor=actor, summary="Akun resmi memuat kampanye.")
        with unit_of_work():
            referral = refer_case(
                case=three, body="bkn", referred_on=date(2026, 11, 2), actor=actor
            )
        with unit_of_work():
            record_referral_outcome(
                referral=referral,
                outcome="Sanksi disiplin.",
                sanction_applied="yes",
                answered_on=date(2026, 11, 20),
                actor=actor,
            )
        with unit_of_work():
            other = db.session.scalar(sa.select(Category).where(Category.code == "politik-uang"))
            recategorise_case(case=two, category=other, actor=actor)

    assert "over 4 cases" in run_cli(app)  # five made, one merged away
    folded = update(app)
    assert folded != before
    assert folded["stat_referral"]  # the referral is counted
    assert update(app, full=True) == folded
    with app.app_context():
        from portal.public.models import StatCellDelta

        assert db.session.scalar(sa.select(sa.func.count()).select_from(StatCellDelta)) == 0


def test_a_unit_that_fails_leaves_no_change_to_fold(app, make_case, make_user):
    from portal.accounts.models import User
    from portal.cases.models import Case
    from portal.cases.workflow import change_status

    officer = make_user(role="admin")
    made = make_case()
    before = update(app)
    with app.app_context():
        actor = db.session.get(User, officer.id)
        try:
            with unit_of_work():
                change_status(case=db.session.get(Case, made.id), to="triaged", actor=actor)
                raise RuntimeError("the request failed after the change")
        except RuntimeError:
            pass
    assert update(app) == before == update(app, full=True)
