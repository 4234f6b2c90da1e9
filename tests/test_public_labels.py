"""Labels of the transparency page: months in the reader's language."""

from datetime import date

from flask_babel import force_locale


def test_months_are_named_in_the_readers_language(app):
    from portal.public.views import month_label

    with app.test_request_context():
        with force_locale("id"):
            assert month_label(date(2026, 6, 1)) == "Juni 2026"
        with force_locale("en"):
            assert month_label("2026-06-01") == "June 2026"


def test_public_case_page_names_the_referral_body_and_sanction(app, make_case, make_user):
    from portal.accounts.models import User
    from portal.cases.models import Case
    from portal.cases.publishing.operations import publish_case
    from portal.cases.referrals.operations import record_referral_outcome, refer_case
    from portal.db import db

    officer = make_user()
    made = make_case()
    with app.app_context():
        case, actor = db.session.get(Case, made.id), db.session.get(User, officer.id)
        referral = refer_case(
            case=case,
            actor=actor,
            body="bkn",
            body_name="",
            reference_number="BKN/2026/0147",
            referred_on=date(2026, 11, 2),
            due_on=None,
        )
        record_referral_outcome(
            referral=referral,
            actor=actor,
            outcome="Sanksi disiplin sedang",
            sanction_applied="yes",
            sanction="",
            answered_on=date(2026, 11, 20),
        )
        publish_case(
            case=case,
            actor=actor,
            summary="Ringkasan publik.",
            reported_party_public="Diskominfo",
            publishable_evidence_ids=[],
        )
        db.session.commit()
        reference = case.reference
    html = app.test_client().get(f"/kasus/{reference}").text
    assert "Dirujuk ke BKN" in html
    assert "BKN menjawab; sanksi dijatuhkan: Ya" in html
    assert "BKN/2026/0147" not in html and "Sanksi disiplin sedang" not in html
