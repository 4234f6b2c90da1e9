"""Reporter labels: given once per case, never reassigned there, kept through merge, undo and
split; the message form posts a report id, so a message after a merge reaches the chosen one."""

import re
from datetime import UTC, datetime

import sqlalchemy as sa

from portal.cases.duplicates.operations import merge_cases, split_report, unmerge_case
from portal.cases.labels import letters
from portal.cases.models import Case, CaseEvent
from portal.db import db, unit_of_work
from portal.intake.models import Report
from portal.notify.models import OutboxMessage
from tests.test_cases_duplicates_support import case_of, file_report


def labels_of(case_id: int) -> dict[int, str]:
    rows = db.session.execute(sa.select(Report.id, Report.label).where(Report.case_id == case_id))
    return {row.id: row.label for row in rows}


def test_letters_run_like_spreadsheet_columns():
    assert [letters(i) for i in (0, 1, 25, 26, 27, 51, 52, 701, 702)] == [
        "A", "B", "Z", "AA", "AB", "AZ", "BA", "ZZ", "AAA",
    ]  # fmt: skip


def test_labels_survive_merge_undo_and_split(app_ctx, make_user):
    officer = make_user()
    t1 = file_report(links=["https://x.com/a/status/1"], description="satu")
    t2 = file_report(links=["https://x.com/a/status/1"], description="dua")
    s1 = file_report(description="tiga")
    target, source = case_of(t1), case_of(s1)
    assert t2.case_id == target.id
    assert labels_of(target.id) == {t1.id: "A", t2.id: "B"}
    assert labels_of(source.id) == {s1.id: "A"}

    merge_cases(source=source, target=target, actor=officer)
    assert labels_of(target.id) == {t1.id: "A", t2.id: "B", s1.id: "C"}
    event = db.session.scalar(sa.select(CaseEvent).where(CaseEvent.kind == "merged_from"))
    assert event.data["labels"] == {str(s1.id): ["A", "C"]}

    unmerge_case(source=source, actor=officer)
    assert labels_of(source.id) == {s1.id: "A"}  # its old label in its old case
    assert labels_of(target.id) == {t1.id: "A", t2.id: "B"}
    merge_cases(source=source, target=target, actor=officer)
    assert labels_of(target.id)[s1.id] == "C"  # the same label as the first time

    new = split_report(report=t2, actor=officer)
    assert labels_of(new.id) == {t2.id: "B"}  # a fresh case: the letter stays
    late = file_report(links=["https://x.com/a/status/1"], description="empat")
    assert late.case_id == target.id
    assert labels_of(target.id) == {t1.id: "A", s1.id: "C", late.id: "D"}  # B is never reused


def _page(client, case_id: int) -> str:
    page = client.get(f"/petugas/kasus/{case_id}")
    assert page.status_code == 200
    return page.text


def test_label_text_and_a_message_after_a_merge_reach_the_chosen_reporter(
    app, client, make_case, make_user, login_as
):
    target = make_case(reports=2, emails=["a@example.com", "b@example.com"])
    source = make_case(reports=1, emails=["c@example.com"], visibility="anonymous")
    officer = make_user()
    with app.app_context():
        first = db.session.get(Report, target.report_ids[0])
        first.created_at = datetime(2026, 12, 1, 23, 13, tzinfo=UTC)  # 2 Dec 06.13 in Jakarta
        db.session.commit()
    login_as(client, officer)
    before = _page(client, target.id)
    assert "Pelapor A · 2 Des 06.13 · dirahasiakan · email ✓" in before
    with app.app_context(), unit_of_work():
        merge_cases(
            source=db.session.get(Case, source.id),
            target=db.session.get(Case, target.id),
            actor=officer,
        )
    page = _page(client, target.id)
    options = dict(re.findall(r'<option value="(\d+)" data-lang="\w+">([^<(]+)', page))
    moved = source.report_ids[0]
    assert options[str(target.report_ids[0])].startswith("Pelapor A · 2 Des 06.13")
    assert options[str(target.report_ids[1])].startswith("Pelapor B ·")
    assert options[str(moved)].startswith("Pelapor C ·")
    assert "anonim" in options[str(moved)]
    assert "Pelapor A kini menjadi Pelapor C di sini" in page  # the history says so

    text = "Mohon kirim tangkapan layar aslinya."
    response = client.post(
        f"/petugas/kasus/{target.id}/pesan", data={"report": target.report_ids[1], "body": text}
    )
    assert response.status_code == 303
    with app.app_context():
        mails = db.session.scalars(
            sa.select(OutboxMessage.recipient).where(OutboxMessage.kind == "case_message")
        ).all()
        sent = db.session.scalar(sa.select(CaseEvent).where(CaseEvent.kind == "message_sent"))
    assert mails == ["b@example.com"]
    assert sent.report_id == target.report_ids[1]
    assert "Pelapor B" in _page(client, target.id).split('id="history"')[-1]


def test_the_migration_labels_existing_reports_in_filing_order_and_downgrades(tmp_path):
    from flask_migrate import downgrade, upgrade

    from portal.cases.search import rebuild_index, search_cases
    from portal.reference.operations import load_reference_data
    from tests.test_foundation import _drop_everything, _migration_app

    app = _migration_app(tmp_path)
    with app.app_context():
        _drop_everything()
        upgrade()
        load_reference_data()
        link = ["https://x.com/a/status/9"]
        later = file_report(links=link, description="kedua")
        earlier = file_report(links=link, description="pertama", hours_ago=3)
        alone = file_report(description="sendiri")
        db.session.commit()
        ids = {"earlier": earlier.id, "later": later.id, "alone": alone.id}
        case_id = later.case_id
        db.session.remove()
        downgrade(revision="c4e1a7d2b9f3")  # the revision before the labels
        assert "label" not in list(db.session.execute(sa.text("SELECT * FROM report")).keys())
        db.session.remove()
        upgrade()
        labels = dict(db.session.execute(sa.text("SELECT id, label FROM report")).all())
        assert labels == {ids["earlier"]: "A", ids["later"]: "B", ids["alone"]: "A"}
        assert db.session.execute(sa.text("SELECT count(*) FROM report_label")).scalar() == 3
        assert rebuild_index() == 2
        db.session.commit()
        assert [hit.case.id for hit in search_cases("pertama", sa.true())] == [case_id]
        db.session.remove()
        _drop_everything()
        db.engine.dispose()
