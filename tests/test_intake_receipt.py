"""The receipt: code, reference, fingerprints; the same receipt for a double submission; the
receipt email with the code in the body and never in the subject."""

import hashlib
import re
import threading

import sqlalchemy as sa

from portal.db import db
from tests.fixtures.images import png
from tests.fixtures.intake import IG_LINK, code_on, post_report


def test_receipt_shows_code_reference_fingerprints_links_and_next_steps(client, report_form):
    first, second = png(), png(color=(1, 2, 3))
    response = post_report(client, report_form(files=[(first, "a.png"), (second, "b.png")]))
    assert response.status_code == 303
    assert response.headers["Location"] == "/laporan/tanda-terima"
    page = client.get("/laporan/tanda-terima")
    assert page.headers["Cache-Control"] == "no-store"
    html = page.text
    assert re.fullmatch(r"([0-9A-Z]{4}-){5}[0-9A-Z]{4}", code_on(html))
    assert re.search(r"ADU-\d{4}-\d{6}", html)
    for body in (first, second):
        assert hashlib.sha256(body).hexdigest() in html
    assert "108×240 px" in html
    assert "https://www.instagram.com/p/C9xYz12AbCd/" in html  # canonical form
    assert "utm_source=ig_web_copy_link" in html  # and as given
    assert 'href="https://www.instagram.com' not in html  # never a live link
    assert "Kami tidak dapat memulihkannya" in html
    assert "Langkah selanjutnya" in html
    assert 'id="print-receipt"' in html
    assert "juga telah dikirim ke alamat email" in html


def test_receipt_needs_the_submitting_browser(client, app, report_form):
    post_report(client, report_form())
    other = app.test_client()
    response = other.get("/laporan/tanda-terima")
    assert response.status_code == 302
    assert response.headers["Location"] == "/lacak"


def test_double_submission_creates_one_report_and_shows_the_same_code(
    app, client, report_form, stored
):
    data = report_form()
    key = data["idempotency_key"]
    first = code_on(post_report(client, data, follow=True).text)
    again = report_form(idempotency_key=key)
    second = code_on(post_report(client, again, follow=True).text)
    assert first == second
    assert stored()["reports"] == 1
    assert stored()["evidence"] == 2


def test_concurrent_double_submission_gives_one_report(app, make_app, report_form, stored):
    """Two POSTs of one form at once from one browser: the loser hits the unique mark and
    shows the winner's."""
    from tests.fixtures.intake import ids_of

    ids_of(app)
    data = [report_form(), report_form()]
    data[1]["idempotency_key"] = data[0]["idempotency_key"]
    browser = app.test_client()
    browser.get("/lapor")  # the form page: the browser's session cookie
    cookie = browser.get_cookie("session").value
    codes: list[str] = []

    def submit(form):
        client = app.test_client()
        client.set_cookie("session", cookie)
        codes.append(code_on(post_report(client, form, follow=True).text))

    threads = [threading.Thread(target=submit, args=(form,)) for form in data]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(codes) == 2 and codes[0] == codes[1]
    assert stored()["reports"] == 1


def test_receipt_email_has_the_code_in_the_body_not_the_subject(mail_app, report_form):
    from portal.notify.operations import send_pending

    client = mail_app.test_client()
    screenshot = png()
    response = post_report(client, report_form(files=[(screenshot, "layar.png")]), follow=True)
    code = code_on(response.text)
    reference = re.search(r"ADU-\d{4}-\d{6}", response.text).group(0)
    with mail_app.app_context():
        send_pending()
    [message] = mail_app.inbox.messages()
    assert message["To"] == "warga@example.com"
    subject = message["Subject"]
    assert reference in subject
    flat = code.replace("-", "")
    assert flat not in subject.upper().replace("-", "").replace(" ", "")
    body = message.get_body(("plain",)).get_content()
    assert code in body
    assert reference in body
    assert hashlib.sha256(screenshot).hexdigest() in body
    assert "Langkah selanjutnya" in body
    html = message.get_body(("html",)).get_content()
    assert code in html


def test_receipt_email_in_english_for_an_english_reporter(mail_app, report_form):
    from portal.notify.operations import send_pending

    client = mail_app.test_client()
    client.post("/bahasa", data={"lang": "en", "next": "/lapor"})
    code = code_on(post_report(client, report_form(), follow=True).text)
    with mail_app.app_context():
        send_pending()
    [message] = mail_app.inbox.messages()
    assert message["Subject"].startswith("Your report was received")
    body = message.get_body(("plain",)).get_content()
    assert code in body and "What happens next" in body


def test_no_receipt_email_for_anonymous_reports(mail_app, report_form):
    from portal.notify.models import OutboxMessage

    client = mail_app.test_client()
    post_report(client, report_form(visibility="anonymous"))
    with mail_app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 0


def test_double_submission_that_loses_the_race_shows_the_winners_receipt(
    app, client, report_form, stored, monkeypatch
):
    """As if both requests passed the look-up before either committed: the unique mark refuses
    the second, which rolls back, removes its files and answers with the first one's code."""
    from portal.intake import views

    files = [(png(color=(9, 9, 9)), "lain.png")]
    data = report_form(files=files)
    first = code_on(post_report(client, data, follow=True).text)
    files_before = stored()["files"]
    monkeypatch.setattr(views, "earlier_submission", lambda draft: None)
    again = report_form(idempotency_key=data["idempotency_key"], files=files)
    second = code_on(post_report(client, again, follow=True).text)
    assert second == first
    assert stored()["reports"] == 1
    assert stored()["files"] == files_before  # nothing of the loser is left


def test_a_second_report_of_the_same_post_joins_its_case(app, client, report_form):
    first = post_report(client, report_form(), follow=True).text
    shared = IG_LINK.replace("utm_source=ig_web_copy_link", "utm_source=whatsapp")
    second = post_report(app.test_client(), report_form(links=shared), follow=True).text
    references = [re.search(r"ADU-\d{4}-\d{6}", page).group(0) for page in (first, second)]
    assert references[0] == references[1]
    assert code_on(first) != code_on(second)
