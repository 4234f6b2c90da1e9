"""The resident's status page, kept per report (intake/statuspage.py): each write the resident
would notice shows on the next view although the page before it was kept; two residents, two
devices and two languages never share a page; each device keeps its own CSRF token."""

import re

from portal.db import db
from tests.fixtures.intake import code_on, post_report

STATUS = "/lacak/status"
TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
SENT = "Balasan Anda telah terkirim"


def file_one(client, report_form, **overrides) -> str:
    return code_on(post_report(client, report_form(**overrides), follow=True).text)


def tracking(app, code: str, language: str = "id"):
    visitor = app.test_client()
    if language != "id":
        assert visitor.post("/bahasa", data={"lang": language, "next": "/"}).status_code == 303
    assert visitor.post("/lacak", data={"code": code}).status_code == 303
    return visitor


def kept(visitor) -> str:
    """The status page, viewed twice: the second view is the kept copy."""
    first = visitor.get(STATUS)
    assert first.status_code == 200 and first.headers["Cache-Control"] == "no-store"
    again = visitor.get(STATUS).text
    assert TOKEN.sub("", again) == TOKEN.sub("", first.text)  # a signed token has the time
    return again


def report_of(app, code: str):
    from portal.intake.queries import get_report_by_code
    from portal.intake.tracking import normalize_code

    return get_report_by_code(normalize_code(code), key=app.config["TRACKING_KEY"])


def send_to_reporter(report, body: str) -> None:
    """An officer's message to the report's reporter, committed as the message form does."""
    from portal.cases.history import record_event
    from portal.cases.models import Message

    db.session.add(
        Message(case_id=report.case_id, report_id=report.id, direction="to_reporter", body=body)
    )
    record_event(report.case, "message", visibility="reporter", report=report)
    db.session.commit()


def test_a_reply_shows_at_once_and_its_notice_only_once(app, client, report_form):
    visitor = tracking(app, file_one(client, report_form))
    assert "Sekitar pukul 14.00" not in kept(visitor)
    sent = post_report(
        visitor, {"body": "Sekitar pukul 14.00, tiga jam kemudian."}, url="/lacak/balas"
    )
    assert sent.status_code == 303
    with_notice = visitor.get(STATUS).text
    assert SENT in with_notice and "Sekitar pukul 14.00" in with_notice
    page = visitor.get(STATUS).text  # kept again, without the notice
    assert SENT not in page and "Sekitar pukul 14.00" in page and "Anda membalas" in page


def test_an_officers_message_and_status_change_show_at_once(app, client, report_form, make_user):
    from portal.cases.workflow import change_status

    code = file_one(client, report_form)
    visitor = tracking(app, code)
    assert "Diterima, menunggu pemeriksaan" in kept(visitor)
    with app.app_context():
        send_to_reporter(report_of(app, code), "Kapan unggahan itu dihapus?")
    assert "Kapan unggahan itu dihapus?" in kept(visitor)
    officer = make_user()
    with app.app_context():
        change_status(case=report_of(app, code).case, to="triaged", actor=officer)
        db.session.commit()
    page = kept(visitor)
    assert "Sudah diperiksa, menunggu petugas" in page
    assert "Diterima, menunggu pemeriksaan" not in page


def test_a_capture_of_the_reports_link_gives_the_page_a_new_key(app, client, report_form):
    """The worker's capture of a reported address is stored under the case's page version:
    the status page is looked for afresh (it shows no capture today; a page that will must
    not need another mechanism)."""
    from portal.capture.models import Capture
    from portal.intake.statuspage import report_meta, status_key

    code = file_one(client, report_form)
    visitor = tracking(app, code)
    kept(visitor)
    with app.test_request_context():
        report = report_of(app, code)
        before = status_key(report.id, report_meta(report.id))
        db.session.add(Capture(url_canonical=report.links[0].url_canonical))
        db.session.commit()
        assert status_key(report.id, report_meta(report.id)) != before


def test_a_renamed_category_shows_at_once(app, client, report_form):
    from portal.reference.models import Category

    code = file_one(client, report_form)
    visitor = tracking(app, code)
    assert "Nama kategori yang baru" not in kept(visitor)
    with app.app_context():
        category = db.session.get(Category, report_of(app, code).category_id)
        category.name_id = "Nama kategori yang baru"
        db.session.commit()
    assert "Nama kategori yang baru" in kept(visitor)


def test_two_residents_and_two_languages_never_share_a_page(app, client, report_form):
    first = file_one(client, report_form, description="Pertama: akun dinas membagikan poster.")
    second = file_one(
        app.test_client(),
        report_form,
        links="https://x.com/pemkot/status/123",
        description="Kedua: camat memasang baliho calon di kantor kecamatan.",
    )
    mine, theirs = tracking(app, first), tracking(app, second)
    same_in_english = tracking(app, first, "en")
    for _ in range(2):
        page, other, english = (v.get(STATUS).text for v in (mine, theirs, same_in_english))
        assert "Pertama:" in page and "Kedua:" not in page
        assert "Kedua:" in other and "Pertama:" not in other
        assert '<html lang="id">' in page and "Diterima, menunggu pemeriksaan" in page
        assert '<html lang="en">' in english and "Received, waiting to be checked" in english
        assert "Pertama:" in english and "Diterima, menunggu" not in english


def test_each_device_of_a_report_keeps_its_own_csrf_token(make_app, report_form):
    app = make_app.with_reference_data(WTF_CSRF_ENABLED=True)
    filer = app.test_client()
    form_page = filer.get("/lapor").text
    data = {**report_form(), "csrf_token": TOKEN.search(form_page).group(1)}
    code = code_on(post_report(filer, data, follow=True).text)
    devices = []
    for _ in range(2):
        device = app.test_client()
        token = TOKEN.search(device.get("/lacak").text).group(1)
        assert device.post("/lacak", data={"code": code, "csrf_token": token}).status_code == 303
        devices.append(device)
    pages = [device.get(STATUS).text for device in devices] + [devices[0].get(STATUS).text]
    tokens = [set(TOKEN.findall(page)) for page in pages]
    assert all(len(found) == 1 for found in tokens)  # the same token in each of its forms
    # A signed token is "secret.time.signature": a device keeps its secret, not the time.
    secrets = [{token.split(".")[0] for token in found} for found in tokens]
    assert secrets[0] == secrets[2] and secrets[0] != secrets[1]
    assert all("__portal-" not in page for page in pages)
    (mine,), (theirs,) = tokens[0], tokens[1]
    refused = post_report(
        devices[1], {"body": "Bukan token saya.", "csrf_token": mine}, url="/lacak/balas"
    )
    assert refused.status_code == 400
    taken = post_report(
        devices[1], {"body": "Token saya sendiri.", "csrf_token": theirs}, url="/lacak/balas"
    )
    assert taken.status_code == 303


def test_a_kept_page_goes_only_to_a_device_that_still_holds_the_report(app, client, report_form):
    code = file_one(client, report_form)
    forgetting, idle = tracking(app, code), tracking(app, code)
    kept(forgetting)
    assert app.test_client().get(STATUS).headers["Location"] == "/lacak"  # a stranger
    assert forgetting.post("/lacak/lupakan").status_code == 303
    assert forgetting.get(STATUS).headers["Location"] == "/lacak"
    with idle.session_transaction() as session:
        session["tracked_at"] -= 31 * 60
    assert idle.get(STATUS).headers["Location"] == "/lacak"


def test_a_report_merged_into_another_case_shows_that_cases_news(
    app, client, report_form, make_user
):
    """The report's case is noted in the device's session (statuspage.report_meta): after a
    merge the note names the old case, the next view finds that out, and the target's news
    shows."""
    from portal.cases.duplicates.operations import merge_cases

    code = file_one(client, report_form)
    other = file_one(
        app.test_client(),
        report_form,
        links="https://x.com/pemkot/status/987",
        description="Camat memasang baliho calon di kantor kecamatan.",
    )
    visitor = tracking(app, code)
    kept(visitor)
    officer = make_user()
    with app.app_context():
        source, target = report_of(app, code).case, report_of(app, other).case
        assert source.id != target.id
        merge_cases(source=source, target=target, actor=officer)
        db.session.commit()
        target_id, target_reference = target.id, target.reference
    assert target_reference in kept(visitor)
    with app.app_context():
        report = report_of(app, code)
        assert report.case_id == target_id
        send_to_reporter(report, "Laporan Anda kami gabungkan; kapan Anda melihatnya?")
    assert "kami gabungkan" in kept(visitor)


def test_a_kept_page_is_found_without_the_database(app, client, report_form):
    """What a kept copy is found by (the report's case, the case's token) comes from the
    cache: a status page served from it sends no statement to the database."""
    import sqlalchemy as sa

    visitor = tracking(app, file_one(client, report_form))
    kept(visitor)
    statements = []

    def note(*args):
        statements.append(args[2])

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", note)
    try:
        assert visitor.get(STATUS).status_code == 200
    finally:
        sa.event.remove(engine, "before_cursor_execute", note)
    assert statements == []
