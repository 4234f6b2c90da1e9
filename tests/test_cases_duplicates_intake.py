"""Auto-join through the real intake path: submit_report with links, as the form does."""

import sqlalchemy as sa

from portal.cases.models import Case
from portal.db import db
from portal.intake.drafts import ReportDraft
from portal.intake.operations import submit_report
from portal.reference.models import Category


def test_reports_filed_through_intake_with_the_same_post_share_one_case(app_ctx):
    category = db.session.scalar(sa.select(Category).where(Category.code == "akun-resmi-kampanye"))
    cases = set()
    for url in (
        "https://www.instagram.com/p/C8xYz12AbCd/?igsh=MWQ1",
        "https://instagram.com/p/C8xYz12AbCd?utm_source=ig_web_copy_link",
    ):
        draft = ReportDraft(
            category=category,
            region=None,
            reported_party="Diskominfo",
            description="Unggahan kampanye",
            language="id",
            links=(url,),
        )
        submitted = submit_report(draft, source="web")
        cases.add(submitted.case.id)
    assert len(cases) == 1
    assert db.session.get(Case, cases.pop()).report_count == 2
