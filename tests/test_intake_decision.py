"""The reporter sees what was decided on their status page: the outcome and the summary, or
why the case was not taken up."""

from portal.accounts.models import User
from portal.db import db
from tests.test_intake_track import file_one, report_of


def _walk(app, code: str, officer, moves) -> None:
    from portal.cases.workflow import change_status

    with app.app_context():
        case = report_of(app, code).case
        actor = db.session.get(User, officer.id)
        for to, extra in moves:
            if to == "assigned":
                case.assignee_id = actor.id
            change_status(case=case, to=to, actor=actor, **extra)
        db.session.commit()


def _status_page(app, code: str) -> str:
    visitor = app.test_client()
    visitor.post("/lacak", data={"code": code})
    return visitor.get("/lacak/status").text


def test_resolved_case_shows_outcome_and_summary(app, client, report_form, make_user):
    code = file_one(client, report_form)
    assert 'id="case-decision"' not in _status_page(app, code)
    _walk(
        app,
        code,
        make_user(),
        [
            ("triaged", {}),
            ("assigned", {}),
            ("investigating", {}),
            (
                "resolved",
                {
                    "outcome": "substantiated",
                    "summary": "Akun resmi terbukti memuat materi kampanye; "
                    "direkomendasikan ke BKN.",
                },
            ),
        ],
    )
    html = _status_page(app, code)
    assert 'id="case-decision"' in html
    assert "Terbukti" in html
    assert "direkomendasikan ke BKN" in html


def test_rejected_case_says_why_in_english_too(app, client, report_form, make_user):
    code = file_one(client, report_form)
    _walk(
        app,
        code,
        make_user(),
        [
            (
                "rejected",
                {
                    "reason": "out_of_scope",
                    "reason_text": "Bukan wewenang Bawaslu; silakan lapor ke Ombudsman.",
                },
            ),
        ],
    )
    visitor = app.test_client()
    visitor.post("/bahasa", data={"lang": "en"})
    visitor.post("/lacak", data={"code": code})
    html = visitor.get("/lacak/status").text
    assert "Why the case was not taken up" in html
    assert "Out of scope" in html
    assert "silakan lapor ke Ombudsman" in html
