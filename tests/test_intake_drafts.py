"""One submission path: every door builds a ReportDraft, validate_draft() checks it, and
submit_report() files it, canonicalising each link once."""

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from portal.db import db
from portal.evidence import links as evidence_links
from portal.intake import filing
from portal.intake.drafts import DraftRules, ReportDraft, validate_draft
from portal.intake.models import Report
from portal.intake.operations import submit_report
from portal.public.open311 import operations as open311
from portal.reference.models import Category, Region
from tests.fixtures.images import png
from tests.fixtures.intake import IG_LINK, SOCIAL, post_report

RULES = DraftRules(max_files=2, max_file_bytes=1000, max_links=2)
O311 = {
    "service_code": SOCIAL,
    "description": "Akun resmi Diskominfo mengunggah materi kampanye calon kepala daerah.",
    "attribute[reported_party]": "Diskominfo Kota Lubuk Linggau",
    "attribute[platform]": "instagram",
    "attribute[account_handle]": "@diskominfo.lubuklinggau",
    "media_url": IG_LINK,
    "address_string": "Kota Lubuk Linggau",
    "email": "warga@example.com",
}


def social_draft(**changes) -> ReportDraft:
    values = {
        "category": db.session.scalar(sa.select(Category).where(Category.code == SOCIAL)),
        "region": db.session.scalar(sa.select(Region).where(Region.code == "16.74")),
        "reported_party": "Diskominfo",
        "description": "Akun resmi dinas mengunggah poster kampanye.",
        "language": "en",
        "answers": {"platform": "instagram", "account_handle": " @dinas "},
    }
    return ReportDraft(**{**values, **changes})


def problems(draft: ReportDraft, rules: DraftRules = RULES) -> dict[str, tuple[str, str]]:
    checked = validate_draft(draft, rules)
    return {name: (p.code, str(p.message)) for name, p in checked.problems.items()}


def test_a_good_draft_comes_back_cleaned_with_canonical_links(app_ctx):
    checked = validate_draft(social_draft(links=("", f"  {IG_LINK} ")), RULES)
    assert checked.is_valid, checked.problems
    assert checked.draft.answers == {"platform": "instagram", "account_handle": "@dinas"}
    assert [link.url_canonical for link in checked.draft.canonical_links] == [
        "https://www.instagram.com/p/C9xYz12AbCd/"
    ]


def test_each_field_gets_its_own_problem(app_ctx):
    with app_ctx.test_request_context():  # messages in the default language, Indonesian
        found = problems(
            social_draft(
                category=None, region=None, reported_party=" ", description="", language="id"
            )
        )
    assert found == {
        "category": ("required", "Pilih jenis pengaduan."),
        "region": ("required", "Pilih kota atau kabupaten."),
        "reported_party": (
            "required",
            "Sebutkan instansi, kantor, atau pejabat yang melakukannya.",
        ),
        "description": ("required", "Uraikan apa yang terjadi."),
    }


def test_dates_answers_contact_files_and_links(app_ctx):
    now = datetime.now(UTC)
    draft = social_draft(
        description="short",
        learned_on=(now - timedelta(days=10)).date(),
        incident_at=now - timedelta(days=5),
        answers={"platform": "myspace"},
        visibility="public",
        contact_email="not-an-email",
        contact_phone="12345",
        screenshots=(("a.png", b"x" * 1001),),
        links=("https://x.com/a/status/1", "javascript:alert(1)"),
    )
    with app_ctx.test_request_context():
        found = problems(draft)
        in_two_days = now + timedelta(days=2)
        assert problems(social_draft(incident_at=in_two_days))["incident_at"][0] == "future"
        assert problems(social_draft(screenshots=(("a", b""),) * 3))["screenshots"][0] == "too_many"
        assert problems(social_draft(links=("https://e.org/",) * 3))["links"][0] == "too_many"
    assert {name: code for name, (code, _m) in found.items()} == {
        "description": "length",
        "incident_at": "order",
        "answers.platform": "choice",
        "answers.account_handle": "required",
        "visibility": "choice",
        "contact_email": "invalid",
        "screenshots": "too_large",
        "links": "invalid",
    }
    assert found["links"][1].startswith("Baris 2 (“javascript:alert(1)”)")
    # the question's label in the reporter's language (the draft's), the sentence in the page's
    assert found["answers.account_handle"][1].startswith("Mohon jawab: Reported account")


def test_the_rules_say_what_a_door_asks_for(app_ctx):
    strict = DraftRules(
        max_files=2,
        max_file_bytes=1000,
        max_links=2,
        is_screenshot_required=True,
        is_learned_on_required=True,
        is_phone_digits_only=True,
    )
    draft = social_draft(contact_phone="12345")
    assert problems(draft) == {}
    assert set(problems(draft, strict)) == {"screenshots", "learned_on", "contact_phone"}


class Spy:
    """validate_draft as both doors call it, remembering what it found (in the request's
    language)."""

    def __init__(self):
        self.found = []

    def __call__(self, draft, rules):
        checked = validate_draft(draft, rules)
        self.found.append({name: (p.code, str(p.message)) for name, p in checked.problems.items()})
        return checked

    def problem(self, field):
        [found] = self.found
        self.found.clear()
        return found[field]


@pytest.mark.parametrize(
    ("field", "form_change", "open311_change", "shown_by_open311"),
    [
        ("description", {"description": "pendek"}, {"description": "pendek"}, "description"),
        (
            "links",
            {"links": "javascript:alert(1)"},
            {"media_url": "javascript:alert(1)"},
            "Baris 1 (“javascript:alert(1)”)",
        ),
        (
            "answers.platform",
            {f"q-{SOCIAL}-platform": "myspace"},
            {"attribute[platform]": "myspace"},
            "Pilih salah satu pilihan.",
        ),
        ("contact_email", {"contact_email": "bukan-email"}, {"email": "bukan-email"}, "email"),
    ],
)
def test_the_same_bad_draft_gets_the_same_problem_from_the_form_and_open311(
    client, report_form, api_key, monkeypatch, field, form_change, open311_change, shown_by_open311
):
    spy = Spy()
    monkeypatch.setattr(filing, "validate_draft", spy)
    monkeypatch.setattr(open311, "validate_draft", spy)

    page = post_report(client, report_form(files=[(png(), "a.png")], **form_change))
    from_form = spy.problem(field)
    response = client.post(
        "/open311/v2/requests.json", data={**O311, **open311_change, "api_key": api_key}
    )
    from_open311 = spy.problem(field)

    assert from_form == from_open311
    assert page.status_code == 400 and from_form[1] in page.text
    assert response.status_code == 400
    assert shown_by_open311 in response.json[0]["description"]


@pytest.fixture
def canonicalisations(monkeypatch):
    """How many times a link was put in canonical form."""
    calls = []
    split = evidence_links._split

    def counting(given):
        calls.append(given)
        return split(given)

    monkeypatch.setattr(evidence_links, "_split", counting)
    return calls


def test_each_link_is_canonicalised_once_per_submission(
    app, client, report_form, api_key, canonicalisations
):
    data = report_form(links=f"{IG_LINK}\n\nhttps://x.com/diskominfo/status/123")
    assert post_report(client, data).status_code == 303
    assert len(canonicalisations) == 2
    response = client.post("/open311/v2/requests.json", data={**O311, "api_key": api_key})
    assert response.status_code == 200, response.text
    assert len(canonicalisations) == 3
    with app.app_context():
        submit_report(social_draft(links=(IG_LINK,)), source="web")  # a draft not validated
        assert len(canonicalisations) == 4
        links = [
            [link.url_canonical for link in r.links]
            for r in db.session.scalars(sa.select(Report).order_by(Report.id))  # filing order
        ]
    assert links[1] == links[2] == ["https://www.instagram.com/p/C9xYz12AbCd/"]
