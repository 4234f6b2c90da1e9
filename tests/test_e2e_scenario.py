"""Issue 3's scenario end to end in a real Chromium: fourteen residents report the Diskominfo
Lubuk Linggau Instagram post, a supervisor triages and assigns the case, an officer asks,
notes, refers and decides, and the residents see the outcome and get "there is news" emails."""

import os
import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from babel.dates import format_date

from portal.db import db, utcnow
from tests.fixtures.images import encode, screenshot
from tests.fixtures.intake import CODE_RE, REFERENCE_RE, SOCIAL, ids_of, post_report

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}
POST = "C9xYz12AbCd"
IG_LINK = f"https://www.instagram.com/p/{POST}/?igsh=MTc4MmM1YmI2Ng==&utm_source=ig_web_copy_link"
CATEGORY = "Netralitas ASN: posting kampanye di media sosial"
TEAM = "Bawaslu Kota Lubuk Linggau"
QUESTION = "Pukul berapa unggahan itu pertama kali Anda lihat? Mohon sebutkan jamnya."
NOTE = "Unggahan sudah dihapus; 14 tangkapan layar cocok. Tanya BKN soal status ASN admin akun."
SUMMARY = (
    "Terbukti: akun resmi Diskominfo Kota Lubuk Linggau mengunggah materi kampanye. "
    "Unsur pelanggaran netralitas ASN telah diteruskan ke BKN."
)
BKN_NUMBER = "BKN/2026/0147"
# The other residents' links: the same post with other tracking parameters and hosts, and who
# they are (None: no email; "anon": anonymous, even with an email typed in).
OTHERS = [
    (f"https://www.instagram.com/p/{POST}/?igsh=ZGVmYXVsdA%3D%3D", "rina@example.com"),
    (f"https://m.instagram.com/p/{POST}/?utm_medium=copy_link", "anon"),
    (f"https://instagram.com/p/{POST}", "budi@example.com"),
    (f"https://www.instagram.com/p/{POST}/?igsh=b3RoZXI=&utm_source=ig_share_sheet", "named"),
    (f"https://m.instagram.com/p/{POST}/?igshid=NTc4MTIwNjQ2YQ==", "anon"),
    (f"https://www.instagram.com/p/{POST}/?img_index=1", "sari@example.com"),
    (f"https://instagram.com/p/{POST}/?utm_source=ig_web_button_share_sheet", "anon-typed"),
    (f"http://instagram.com/p/{POST}/?hl=id", "dedi@example.com"),
    (f"https://www.instagram.com/p/{POST}/?utm_campaign=wa&utm_medium=social", None),
    (f"https://m.instagram.com/p/{POST}/?igsh=MWQ1ZGUxMzBkMA==", "wati@example.com"),
    (f"https://www.instagram.com/p/{POST}/?igsh=MTc4MmM1YmI2Ng==", "anon"),
]
NAMED_EMAIL = "yusuf@example.com"
TYPED_BY_ANONYMOUS = "diam@example.com"


@pytest.fixture
def app(mail_app):
    """Every fixture of this module (users, live server) uses the app with a real SMTP server."""
    return mail_app


@pytest.fixture
def lubuklinggau(app):
    """The city office of Bawaslu and the routing rule that sends it this category's cases."""
    from portal.accounts.models import Team
    from portal.cases.models import RoutingRule

    category_id, region_id = ids_of(app)
    with app.app_context():
        team = Team(slug="bawaslu-lubuklinggau", name=TEAM)
        db.session.add(team)
        db.session.flush()
        db.session.add(RoutingRule(category_id=category_id, region_id=region_id, team_id=team.id))
        db.session.commit()
    return "bawaslu-lubuklinggau"


def jakarta_today():
    return datetime.now(ZoneInfo("Asia/Jakarta")).date()


def form_data(app, *, link: str | None, who: str | None, shot: tuple[bytes, str]) -> dict:
    """What the report form posts for one of the other residents."""
    category, region = ids_of(app)
    learned = jakarta_today() - timedelta(days=1)
    data = {
        "category": str(category),
        f"q-{SOCIAL}-platform": "instagram",
        f"q-{SOCIAL}-account_handle": "@diskominfo.lubuklinggau",
        "reported_party": "Diskominfo Kota Lubuk Linggau",
        "region": str(region),
        "learned_on": learned.isoformat(),
        "description": "Akun resmi Diskominfo mengunggah poster kampanye calon wali kota.",
        "links": link or "",
        "visibility": "confidential",
        "idempotency_key": os.urandom(16).hex(),
        "screenshots": [shot],
    }
    if who in ("anon", "anon-typed"):
        data["visibility"] = "anonymous"
        if who == "anon-typed":
            data["contact_email"] = TYPED_BY_ANONYMOUS
    elif who == "named":
        data.update(visibility="named", contact_name="Yusuf", contact_email=NAMED_EMAIL)
    elif who:
        data["contact_email"] = who
    return data


def file_others(app, original) -> tuple[list[str], set[str]]:
    """The 13 other reports through the real form; returns their codes and case references."""
    client = app.test_client()
    codes, references = [], set()
    cropped = original.crop((0, 60, original.width, original.height - 80))
    jobs = [
        form_data(
            app, link=link, who=who, shot=(encode(screenshot(50 + n, 360, 800)), f"ss-{n}.png")
        )
        for n, (link, who) in enumerate(OTHERS)
    ]
    jobs.append(
        form_data(
            app,
            link=None,
            who="lina@example.com",
            shot=(encode(cropped), "Screenshot_20261124-0915.png"),
        )
    )
    jobs.append(
        form_data(
            app,
            link=None,
            who="anon",
            shot=(encode(original, "JPEG", quality=40), "IMG-20261124-WA0007.jpg"),
        )
    )
    for data in jobs:
        response = post_report(client, data, follow=True)
        assert response.status_code == 200, response.text[:2000]
        codes.append(CODE_RE.search(response.text).group(1))
        references.add(REFERENCE_RE.search(response.text).group(1))
    return codes, references


def log_in(browser, live_server, user):
    """A fresh browser (its own cookies) with the user logged in through the form."""
    context = browser.new_context(viewport=PHONE, locale="id-ID")
    page = context.new_page()
    page.goto(live_server + "/petugas/masuk")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Kata sandi").fill("correct horse battery")
    page.locator("main form").get_by_role("button", name="Masuk").click()
    page.wait_for_url("**/petugas/**")
    assert "/masuk" not in page.url
    return page


def flash(page) -> str:
    return page.locator(".flash").first.inner_text()


def resident_files_the_report(page, live_server, tmp_path, original) -> tuple[str, str]:
    """Resident A on a phone: the form with two 1080x2400 screenshots; returns code, reference."""
    page.set_viewport_size(PHONE)
    page.goto(live_server + "/")
    page.locator("main").get_by_role("link", name="Lapor", exact=True).click()
    page.wait_for_url("**/lapor")
    form = page.locator("#report-form")
    form.get_by_role("radio", name=CATEGORY).check()
    block = page.locator(f"#questions-{SOCIAL}")
    block.locator("select").select_option("instagram")
    block.locator("input[type=text]").fill("@diskominfo.lubuklinggau")
    form.locator("#reported_party").fill("Diskominfo Kota Lubuk Linggau")
    form.locator("#region").select_option(label="Kota Lubuk Linggau")
    learned = jakarta_today() - timedelta(days=1)
    form.locator("#incident_at").fill(f"{learned.isoformat()}T07:45")
    form.locator("#learned_on").fill(learned.isoformat())
    form.locator("#description").fill(
        "Akun Instagram resmi @diskominfo.lubuklinggau mengunggah poster kampanye salah satu "
        "calon wali kota pagi ini, lalu menghapusnya beberapa jam kemudian."
    )
    shots = [tmp_path / "layar-1.png", tmp_path / "layar-2.png"]
    original.save(shots[0], "PNG")
    screenshot(2, 1080, 2400).save(shots[1], "PNG")
    form.locator("#screenshots").set_input_files([str(s) for s in shots])
    page.locator("#held-files img").nth(1).wait_for()
    form.locator("#links").fill(IG_LINK)
    form.locator("input[name=visibility][value=confidential]").check()
    form.locator("#contact_email").fill("warga@example.com")
    page.get_by_role("button", name="Kirim laporan").click()

    page.wait_for_url("**/laporan/tanda-terima")
    assert "Laporan Anda telah diterima" in page.locator("h1").inner_text()
    code = page.locator("#tracking-code").inner_text().strip()
    reference = page.locator("#case-reference").inner_text().strip()
    assert re.fullmatch(r"([0-9A-Z]{4}-){5}[0-9A-Z]{4}", code)
    assert page.locator(".evidence-list li").count() == 2
    assert f"https://www.instagram.com/p/{POST}/" in page.locator("main").inner_text()
    return code, reference


def supervisor_triages(page, live_server, reference, officer) -> None:
    """The queue shows one case of 12 reports; merge the two screenshot-only cases; assign."""
    page.goto(live_server + "/petugas/kasus/")
    rows = page.locator("tr.case-row")
    main = page.locator(f'tr.case-row[data-case="{reference}"]')
    assert "12 laporan" in main.inner_text()  # the 11 link variants joined by themselves
    assert TEAM in main.inner_text()
    others = [r for r in rows.all() if r.get_attribute("data-case") != reference]
    assert len(others) == 2 and all("1 laporan" in r.inner_text() for r in others)
    others = [r.get_attribute("data-case") for r in others]

    main.get_by_role("link", name=reference).click()
    assert page.locator("h1").inner_text().startswith(reference)
    summary = page.locator("section#summary")
    assert TEAM in summary.inner_text()
    assert "12 laporan" in summary.locator(".report-count").inner_text()
    assert "2 kemungkinan duplikat" in page.locator("#duplicates").inner_text()
    page.get_by_role("link", name="Bandingkan berdampingan atau gabungkan kasus lain").click()
    page.wait_for_url("**/duplikat")
    suggestions = page.locator("section.suggestion")
    assert suggestions.count() == 2
    for section in suggestions.all():
        pair = section.locator(".pair").first
        assert pair.locator("img").count() == 2  # both cases' screenshots, side by side
        assert re.search(r"\d+ dari 64", pair.locator(".distance").inner_text())
    for image in page.locator(".pair img").all():  # thumbnails load lazily, when in view
        image.scroll_into_view_if_needed()
    page.wait_for_function(
        "() => [...document.querySelectorAll('.pair img')].every(i => i.naturalWidth > 0)"
    )
    duplicates_url = page.url
    for other in others:
        page.get_by_role("button", name=f"Gabungkan {other} ke dalam kasus ini").click()
        page.wait_for_load_state()
        assert other in flash(page)
        page.goto(duplicates_url)
    assert page.locator("section.suggestion").count() == 0

    page.goto(live_server + "/petugas/kasus/")
    assert page.locator("tr.case-row").count() == 1
    assert "14 laporan" in page.locator(f'tr.case-row[data-case="{reference}"]').inner_text()
    page.get_by_role("link", name=reference).click()
    assert "14 laporan" in page.locator("section#summary .report-count").inner_text()
    closes = format_date(jakarta_today() + timedelta(days=6), "EEEE, d MMMM y", locale="id")
    assert page.locator("section#summary .legal-clock").inner_text().strip() == (
        f"Batas waktu pelaporan berakhir pada {closes} (tersisa 6 hari)."
    )
    assert page.locator("#reports article.report").count() == 14

    page.locator("#assignment summary").click()  # the panel folds; its form shows when chosen
    page.locator("#assignee").select_option(str(officer.id))
    page.locator("#assignment").get_by_role("button", name="Tugaskan").click()
    page.wait_for_load_state()
    assert officer.name in page.locator("#assignment").inner_text()
    assert page.locator("h1 .status").inner_text() == "Ditugaskan"


def officer_works_and_decides(page, live_server, case_path) -> None:
    """Investigate, ask reporter 1, note, refer to BKN, decide "substantiated"."""
    page.goto(live_server + case_path)
    page.get_by_role("button", name="Pindahkan ke “Dalam penyelidikan”").click()
    page.wait_for_load_state()
    assert page.locator("h1 .status").inner_text() == "Dalam penyelidikan"

    messages = page.locator("#messages")
    messages.locator("summary").click()
    first = messages.locator("#report option", has_text="Pelapor A ·")  # the first report's label
    messages.locator("#report").select_option(first.get_attribute("value"))
    messages.locator("textarea").fill(QUESTION)
    messages.get_by_label("Ini pertanyaan: ubah status kasus menjadi “menunggu pelapor”").check()
    messages.get_by_role("button", name="Kirim ke pelapor").click()
    page.wait_for_load_state()
    assert QUESTION in page.locator("#history li.event-message_sent").first.text_content()
    assert page.locator("h1 .status").inner_text() == "Menunggu pelapor"

    notes = page.locator("#notes")
    notes.locator("summary").click()
    notes.locator("textarea").fill(NOTE)
    notes.get_by_role("button", name="Simpan catatan").click()
    page.wait_for_load_state()
    assert NOTE in page.locator("#history").text_content()

    referrals = page.locator("#referrals")
    referrals.locator("summary").first.click()
    referrals.get_by_text("Rujuk ke lembaga lain", exact=True).click()
    referrals.locator("select[name=body]").select_option("bkn")
    referrals.locator("input[name=body_name]").fill("BKN Kantor Regional VII Palembang")
    referrals.locator("input[name=reference_number]").fill(BKN_NUMBER)
    referrals.locator("input[name=referred_on]").fill(jakarta_today().isoformat())
    referrals.locator("input[name=due_on]").fill((jakarta_today() + timedelta(days=14)).isoformat())
    referrals.get_by_role("button", name="Catat rujukan").click()
    page.wait_for_load_state()
    referral = page.locator("#referrals .referral")
    assert referral.count() == 1
    assert "BKN" in referral.text_content()
    assert f"Nomor mereka: {BKN_NUMBER}" in referral.text_content()

    page.get_by_role("button", name="Pindahkan ke “Dalam penyelidikan”").click()
    page.wait_for_load_state()
    page.locator(".move-choice-resolved summary").click()
    page.locator("#resolve-outcome").select_option("substantiated")
    page.locator("#resolve-summary").fill(SUMMARY)
    page.get_by_role("button", name="Selesaikan kasus").click()
    page.wait_for_load_state()
    assert page.locator("h1 .status").inner_text() == "Selesai"
    assert "Terbukti" in page.locator("section#summary").inner_text()
    assert SUMMARY in page.locator("section#summary").inner_text()


def resident_sees_the_outcome(page, live_server, code, reference) -> None:
    """Resident A types the code sloppily and reads the decision and the officer's question."""
    page.goto(live_server + "/")
    page.locator("main").get_by_role("link", name="Lacak laporan", exact=True).click()
    page.locator("#code").fill(code.lower().replace("-", ""))
    page.get_by_role("button", name="Tampilkan laporan saya").click()
    page.wait_for_url("**/lacak/status")
    assert page.locator("#case-reference").inner_text().strip() == reference
    assert page.locator("#case-status").inner_text() == "Diputuskan"
    assert "Status diubah: Diputuskan" in page.locator("ol.timeline").inner_text()
    decision = page.locator("#case-decision").inner_text()
    assert "Terbukti" in decision and SUMMARY in decision  # the outcome, in the officer's words
    assert QUESTION in page.locator("ol.messages").inner_text()
    text = page.locator("main").inner_text()
    assert NOTE not in text and BKN_NUMBER not in text  # internal notes and numbers stay inside


def status_page_of(app, code: str) -> str:
    """Another resident's status page, opened with their own code."""
    client = app.test_client()
    response = client.post("/lacak", data={"code": code}, follow_redirects=True)
    assert response.status_code == 200
    assert 'id="case-status"' in response.text
    return response.text


def sent_mail(app) -> list:
    from portal.notify.operations import send_pending

    with app.app_context():
        while send_pending(now=utcnow() + timedelta(minutes=1), limit=200).sent:
            pass
    return app.inbox.messages()


def test_fourteen_residents_one_case_decided_and_everyone_told(
    app, lubuklinggau, make_user, live_server, page, browser, tmp_path
):
    supervisor = make_user(role="supervisor", team=lubuklinggau, name="Sari Supervisor")
    officer = make_user(role="officer", team=lubuklinggau, name="Putra Petugas")
    original = screenshot(1, 1080, 2400)

    code, reference = resident_files_the_report(page, live_server, tmp_path, original)
    codes, references = file_others(app, original)
    codes.append(code)
    assert reference in references and len(references) == 3  # 11 joined; 2 only screenshots

    staff = log_in(browser, live_server, supervisor)
    supervisor_triages(staff, live_server, reference, officer)
    case_path = staff.url.split(live_server, 1)[1]
    staff.context.close()

    staff = log_in(browser, live_server, officer)
    officer_works_and_decides(staff, live_server, case_path)
    staff.context.close()

    resident = browser.new_context(viewport=PHONE, locale="id-ID").new_page()
    resident_sees_the_outcome(resident, live_server, code, reference)
    resident.context.close()
    assert QUESTION not in status_page_of(app, codes[0])  # asked resident A only

    mail = sent_mail(app)
    news = [m for m in mail if m["Subject"] == "Ada kabar baru tentang laporan Anda"]
    reachable = {
        "warga@example.com",
        "rina@example.com",
        "budi@example.com",
        NAMED_EMAIL,
        "sari@example.com",
        "dedi@example.com",
        "wati@example.com",
        "lina@example.com",
    }
    assert {m["To"] for m in news} == reachable
    decided = [m for m in news if "Diputuskan" in m.get_body(("plain",)).get_content()]
    assert {m["To"] for m in decided} == reachable  # every reporter with an email, once
    assert len(decided) == len(reachable)
    for message in news:
        body = message.as_string()
        for one in codes:
            assert one not in body and one.replace("-", "") not in body
        assert QUESTION not in body
    everyone = {m["To"] for m in mail}
    assert TYPED_BY_ANONYMOUS not in everyone
    assert officer.email in everyone  # told of the assignment
    with app.app_context():
        from portal.cases.models import Case

        case = db.session.scalar(sa.select(Case).where(Case.reference == reference))
        assert (case.status, case.outcome, case.report_count) == ("resolved", "substantiated", 14)
