"""Duplicates: automatic joining on links, suggestions from screenshots and accounts."""

import pytest
import sqlalchemy as sa

from portal.cases.duplicates import queries
from portal.cases.duplicates.queries import list_duplicate_suggestions, reject_suggestion
from portal.cases.models import Case, CaseEvent, Status
from portal.db import db
from portal.evidence.operations import store_evidence
from tests.fixtures.images import encode, screenshot
from tests.test_cases_duplicates_support import case_of, file_report, flip

POST = "https://www.instagram.com/p/C8xYz12AbCd/"
VARIANTS = [
    POST,
    "https://www.instagram.com/p/C8xYz12AbCd/?igsh=MWQ1ZGUxMzBkMA==",
    "https://instagram.com/p/C8xYz12AbCd?utm_source=ig_web_copy_link&igshid=abc",
    "http://m.instagram.com/p/C8xYz12AbCd/",
    "https://www.instagram.com/diskominfo.llg/p/C8xYz12AbCd/?img_index=1",
    "https://www.instagram.com/p/C8xYz12AbCd/?utm_medium=share_sheet&fbclid=xyz",
]
BASE = "f0e1d2c3b4a59687"


@pytest.fixture(params=["open screenshots", "band index"])
def similarity_path(request, monkeypatch):
    """Screenshots are compared one by one while the open cases hold few, else found through
    the band index: both ways must find the same suggestions."""
    if request.param == "band index":
        monkeypatch.setattr(queries, "OPEN_EVIDENCE_CAP", 0)


def test_fourteen_reports_of_one_post_make_one_case_and_screenshots_are_suggested(
    app_ctx, similarity_path
):
    original = screenshot(1, 720, 1280)
    first = file_report(links=[VARIANTS[0]])
    store_evidence(report=first, data=encode(original), filename="post.png")
    for n in range(1, 14):
        file_report(links=[VARIANTS[n % len(VARIANTS)]])
    main = case_of(first)
    assert main.report_count == 14
    assert db.session.scalar(sa.select(sa.func.count(Case.id))) == 1
    joined = db.session.scalars(
        sa.select(CaseEvent).where(
            CaseEvent.case_id == main.id, CaseEvent.kind == "report_attached"
        )
    ).all()
    assert [e.data.get("matched_on") for e in joined][1:] == ["link"] * 13
    assert {e.data.get("url") for e in joined[1:]} == {POST}

    # Screenshot-only reports: cropped, re-compressed like WhatsApp, and an unrelated one.
    cropped = file_report()
    store_evidence(
        report=cropped, data=encode(original.crop((0, 30, 720, 1240))), filename="crop.png"
    )
    whatsapp = file_report()
    store_evidence(
        report=whatsapp, data=encode(original, "JPEG", quality=40), filename="IMG-WA0001.jpg"
    )
    unrelated = file_report()
    store_evidence(report=unrelated, data=encode(screenshot(7, 720, 1280)), filename="other.png")
    db.session.flush()

    assert main.report_count == 14  # suggested, never joined
    suggested = {s.other_case.id: s for s in list_duplicate_suggestions(main)}
    assert set(suggested) == {cropped.case_id, whatsapp.case_id}
    for suggestion in suggested.values():
        assert suggestion.reasons[0]["kind"] == "screenshot"
        assert suggestion.pairs[0].distance <= 10
    # And the other way round: the cropped case sees the main case.
    assert main.id in {s.other_case.id for s in list_duplicate_suggestions(case_of(cropped))}


def test_link_match_does_not_join_finished_or_merged_cases(app_ctx):
    first = case_of(file_report(links=[POST]))
    first.status = Status.RESOLVED
    db.session.flush()
    second = case_of(file_report(links=[VARIANTS[1]]))
    assert second.id != first.id
    second.merged_into_id = first.id
    db.session.flush()
    third = case_of(file_report(links=[VARIANTS[2]]))
    assert third.id not in (first.id, second.id)
    fourth = case_of(file_report(links=[VARIANTS[3]]))
    assert fourth.id == third.id and fourth.report_count == 2


def test_oldest_open_case_wins_when_links_match_several(app_ctx):
    older = case_of(file_report(links=["https://x.com/diskominfo/status/111"]))
    newer = case_of(file_report(links=["https://x.com/diskominfo/status/222"]))
    both = file_report(
        links=[
            "https://x.com/diskominfo/status/222",
            "https://twitter.com/diskominfo/status/111?s=20",
        ]
    )
    assert both.case_id == older.id
    assert newer.report_count == 1


def test_hashes_within_threshold_are_found_whatever_bands_the_bits_fall_in(
    app_ctx, similarity_path
):
    main = case_of(file_report(phashes=[BASE]))
    # 10 bits spread 3+3+2+2 over the four 16-bit bands: no band is equal any more.
    spread = case_of(file_report(phashes=[flip(BASE, [0, 1, 2, 16, 17, 18, 32, 33, 48, 49])]))
    eleven = case_of(file_report(phashes=[flip(BASE, [0, 1, 2, 16, 17, 18, 32, 33, 34, 48, 49])]))
    same = case_of(file_report(phashes=[BASE]))
    found = {s.other_case.id: s.best_distance for s in list_duplicate_suggestions(main)}
    assert found == {spread.id: 10, same.id: 0}
    assert eleven.id not in found


def test_same_account_within_window_is_suggested(app_ctx):
    main = case_of(file_report(account="@Diskominfo.LLG", hours_ago=50))
    near = case_of(file_report(account="diskominfo.llg", hours_ago=0))
    far = case_of(file_report(account="diskominfo.llg", hours_ago=130))
    other = case_of(file_report(account="@someone.else", hours_ago=49))
    found = {s.other_case.id: s for s in list_duplicate_suggestions(main)}
    assert set(found) == {near.id}
    reason = found[near.id].reasons[0]
    assert reason["kind"] == "account" and reason["account"] == "diskominfo.llg"
    assert reason["hours"] == 50
    assert far.id not in found and other.id not in found


def test_rejected_suggestion_is_hidden_and_recorded_on_both_cases(app_ctx, make_user):
    officer = make_user()
    main = case_of(file_report(phashes=[BASE]))
    other = case_of(file_report(phashes=[flip(BASE, [5])]))
    assert [s.other_case.id for s in list_duplicate_suggestions(main)] == [other.id]
    reject_suggestion(case=main, other=other, actor=officer)
    assert list_duplicate_suggestions(main) == []
    assert list_duplicate_suggestions(other) == []
    for case in (main, other):
        kinds = db.session.scalars(sa.select(CaseEvent.kind).where(CaseEvent.case_id == case.id))
        assert "duplicate_rejected" in list(kinds)


def test_reindex_command_indexes_evidence_loaded_without_the_orm(app, monkeypatch):
    from portal.cases.duplicates.models import PhashBand

    monkeypatch.setattr(queries, "OPEN_EVIDENCE_CAP", 0)  # the band index is what finds them
    with app.app_context():
        main_id = file_report(phashes=[BASE]).case_id
        other_id = file_report(phashes=[flip(BASE, [3])]).case_id
        db.session.execute(sa.delete(PhashBand))  # as after a bulk import
        db.session.commit()
        assert list_duplicate_suggestions(db.session.get(Case, main_id)) == []
    result = app.test_cli_runner().invoke(args=["duplicates", "reindex-phash"])
    assert result.exit_code == 0 and "Indexed 2 evidence rows" in result.output
    with app.app_context():
        main = db.session.get(Case, main_id)
        assert [s.other_case.id for s in list_duplicate_suggestions(main)] == [other_id]
