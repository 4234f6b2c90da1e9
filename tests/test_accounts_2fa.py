"""Staff two-step sign-in: enrolment with a real authenticator code, the code step of the login,
replayed codes, recovery codes, roles that require it, and locks and limits on wrong codes."""

import re
import time
from datetime import timedelta

import pyotp
import sqlalchemy as sa

from portal.accounts.models import AccountEvent, User
from portal.accounts.twofactor import operations, queries, totp
from portal.accounts.twofactor.models import RecoveryCode, TotpCredential
from portal.db import db, utcnow
from tests.fixtures.accounts import user_row

CODE_PAGE = "/petugas/masuk/kode"
SETUP_PAGE = "/petugas/akun/dua-langkah"
WRONG_CODE = "The code is not correct"


def english(client):
    client.post("/bahasa", data={"lang": "en"})
    return client


def secret_on_page(html: str) -> str:
    match = re.search(r'<code class="totp-secret" id="totp-secret">(.*?)</code>', html)
    assert match, "the set-up page shows no key"
    return re.sub(r"<[^>]+>", "", match.group(1))


def codes_on_page(html: str) -> list[str]:
    return re.findall(r"<li><code>([0-9A-Z]{5}-[0-9A-Z]{5})</code></li>", html)


def later_code(secret: str, steps: int = 1) -> str:
    """The code the app shows `steps` time steps from now (enrolment used the current one)."""
    return pyotp.TOTP(secret).at(time.time() + 30 * steps)


def enrol(app, client, user) -> tuple[str, list[str]]:
    """Set up two-step sign-in through the pages, as the user would; returns key and codes."""
    assert client.post(f"{SETUP_PAGE}/mulai").status_code == 303
    secret = secret_on_page(client.get(SETUP_PAGE).text)
    done = client.post(f"{SETUP_PAGE}/aktifkan", data={"code": pyotp.TOTP(secret).now()})
    assert done.status_code == 200
    return secret, codes_on_page(done.text)


def enrolled_user(app, make_user, login_as, **kwargs):
    user = make_user(**kwargs)
    client = english(app.test_client())
    login_as(client, user)
    secret, codes = enrol(app, client, user)
    client.post("/petugas/keluar")
    return user, secret, codes


def events(app, user) -> list[AccountEvent]:
    with app.app_context():
        rows = db.session.scalars(
            sa.select(AccountEvent).where(AccountEvent.user_id == user.id).order_by(AccountEvent.id)
        ).all()
        db.session.expunge_all()
        return list(rows)


def is_logged_in(client) -> bool:
    return client.get("/petugas/").status_code == 200


# Enrolment -----------------------------------------------------------------------------------


def test_account_page_offers_two_step_sign_in(client, make_user, login_as):
    login_as(english(client), make_user())
    page = client.get("/petugas/akun").text
    assert "Set up two-step sign-in" in page and 'href="/petugas/akun/dua-langkah"' in page


def test_enrolment_page_renders_an_inline_svg_qr_code_and_the_key(client, make_user, login_as):
    user = make_user()
    login_as(english(client), user)
    client.post(f"{SETUP_PAGE}/mulai")
    page = client.get(SETUP_PAGE).text
    svg = re.search(r"<svg[^>]*>.*?</svg>", page, re.S).group(0)
    assert 'class="qr-code"' in svg and 'role="img"' in svg and "<path" in svg
    assert "style=" not in svg and "<script" not in page  # nothing the CSP would block
    assert "<img" not in page  # inline, not fetched from anywhere
    secret = secret_on_page(page)
    assert re.fullmatch(r"[A-Z2-7]{32}", secret)  # 160 bits in base 32
    with client.application.app_context():
        stored = db.session.get(TotpCredential, user.id)
        assert stored.enrolled_at is None  # not in force before a code is confirmed
        assert secret not in stored.secret_sealed


def test_enrolment_completes_only_after_a_valid_code(app, client, make_user, login_as, log_in):
    user = make_user()
    login_as(english(client), user)
    client.post(f"{SETUP_PAGE}/mulai")
    secret = secret_on_page(client.get(SETUP_PAGE).text)
    wrong = str((int(pyotp.TOTP(secret).now()) + 1) % 1_000_000).zfill(6)
    refused = client.post(f"{SETUP_PAGE}/aktifkan", data={"code": wrong})
    assert refused.status_code == 422 and "That code is not right" in refused.text
    assert log_in(app.test_client(), user.email).headers["Location"] == "/petugas/"

    done = client.post(f"{SETUP_PAGE}/aktifkan", data={"code": pyotp.TOTP(secret).now()})
    codes = codes_on_page(done.text)
    assert len(codes) == len(set(codes)) == 10
    assert "They are shown only now." in done.text
    assert log_in(app.test_client(), user.email).headers["Location"] == CODE_PAGE
    assert "two_factor_enabled" in [e.kind for e in events(app, user)]
    assert "On since" in client.get(SETUP_PAGE).text
    assert "Two-step sign-in (on)" in client.get("/petugas/akun").text


def test_secret_is_stored_sealed_for_its_user_and_key(app_ctx):
    key = totp.sealing_key(app_ctx.config)
    sealed = totp.seal_secret("JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP", key=key, user_id=7)
    assert "JBSWY3DP" not in sealed
    assert totp.open_secret(sealed, key=key, user_id=7) == "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
    assert totp.open_secret(sealed, key=key, user_id=8) is None  # copied to another row
    other = totp.sealing_key({"SECRET_KEY": "another secret"})
    assert totp.open_secret(sealed, key=other, user_id=7) is None


# The code step of the login ------------------------------------------------------------------


def test_login_needs_the_code_after_the_password(app, make_user, login_as, log_in):
    user, secret, _codes = enrolled_user(app, make_user, login_as)
    browser = english(app.test_client())
    response = log_in(browser, user.email, next="/petugas/akun")
    assert response.status_code == 303 and response.headers["Location"] == CODE_PAGE
    with browser.session_transaction() as session:
        assert "_user_id" not in session  # the password alone starts no session
    assert not is_logged_in(browser)
    assert "6-digit code" in browser.get(CODE_PAGE).text

    wrong = browser.post(CODE_PAGE, data={"code": "000000"})
    assert WRONG_CODE in wrong.text and not is_logged_in(browser)

    done = browser.post(CODE_PAGE, data={"code": later_code(secret)})
    assert done.status_code == 303 and done.headers["Location"] == "/petugas/akun"
    assert is_logged_in(browser)
    assert user_row(app, user.id).failed_logins == 0


def test_code_page_without_a_password_step_sends_to_login(client):
    response = client.post(CODE_PAGE, data={"code": "123456"})
    assert response.status_code == 303 and response.headers["Location"] == "/petugas/masuk"
    assert client.get(CODE_PAGE).headers["Location"] == "/petugas/masuk"


def test_half_done_login_expires_after_a_few_minutes(app, make_user, login_as, log_in):
    user, secret, _codes = enrolled_user(app, make_user, login_as)
    browser = app.test_client()
    log_in(browser, user.email)
    with browser.session_transaction() as session:
        pending = session["two_factor_pending"]
        pending["at"] -= app.config["TWO_FACTOR_PENDING_SECONDS"] + 1
        session["two_factor_pending"] = pending
    response = browser.post(CODE_PAGE, data={"code": later_code(secret)})
    assert response.headers["Location"] == "/petugas/masuk"
    assert not is_logged_in(browser)


def test_code_page_is_in_indonesian_by_default(app, make_user, login_as, log_in):
    user, _secret, _codes = enrolled_user(app, make_user, login_as)
    browser = app.test_client()
    log_in(browser, user.email)
    page = browser.get(CODE_PAGE).text
    assert "Verifikasi dua langkah" in page and "kode pemulihan" in page


def test_a_replayed_code_is_refused(app, make_user, login_as, log_in):
    user, secret, _codes = enrolled_user(app, make_user, login_as)
    code = later_code(secret)
    first = english(app.test_client())
    log_in(first, user.email)
    assert first.post(CODE_PAGE, data={"code": code}).status_code == 303

    second = english(app.test_client())  # someone who saw the code over the shoulder
    log_in(second, user.email)
    replay = second.post(CODE_PAGE, data={"code": code})
    assert WRONG_CODE in replay.text and not is_logged_in(second)
    earlier = second.post(CODE_PAGE, data={"code": pyotp.TOTP(secret).now()})
    assert WRONG_CODE in earlier.text and not is_logged_in(second)


def test_only_codes_after_the_last_accepted_step_pass(app_ctx, make_user):
    user = db.session.get(User, make_user().id)
    secret = queries.get_secret(operations.start_enrolment(user))
    now = utcnow()
    step = totp.step_at(now)
    operations.confirm_enrolment(user, code=totp.code_for_step(secret, step), now=now)

    def check(at_step: int, *, when=now):
        code = totp.code_for_step(secret, at_step)
        return operations.verify_login_code(user, code=code, now=when)

    assert check(step) is None  # the enrolment code itself
    assert check(step + 1) == operations.SecondFactor.TOTP  # one step of drift is allowed
    assert check(step + 1) is None  # used
    assert check(step - 1) is None  # earlier than one used
    assert check(step + 2) is None  # too far ahead of the server's clock
    assert check(step + 2, when=now + timedelta(seconds=30)) == operations.SecondFactor.TOTP
    assert db.session.get(TotpCredential, user.id).last_step == step + 2


# Recovery codes ------------------------------------------------------------------------------


def test_a_recovery_code_works_once(app, make_user, login_as, log_in):
    user, _secret, codes = enrolled_user(app, make_user, login_as)
    typed = codes[3].lower().replace("-", " ")  # as someone might copy it from paper
    browser = english(app.test_client())
    log_in(browser, user.email)
    done = browser.post(CODE_PAGE, data={"recovery_code": typed}, follow_redirects=True)
    assert is_logged_in(browser)
    assert "You logged in with a recovery code; 9 are left." in done.text

    again = english(app.test_client())
    log_in(again, user.email)
    refused = again.post(CODE_PAGE, data={"recovery_code": codes[3]})
    assert WRONG_CODE in refused.text and not is_logged_in(again)
    used = [e for e in events(app, user) if e.kind == "recovery_code_used"]
    assert len(used) == 1 and used[0].data == {"left": 9}


def test_recovery_codes_are_stored_hashed(app, make_user, login_as):
    user, _secret, codes = enrolled_user(app, make_user, login_as)
    with app.app_context():
        hashes = db.session.scalars(
            sa.select(RecoveryCode.code_hash).where(RecoveryCode.user_id == user.id)
        ).all()
    assert len(hashes) == 10 and all(h.startswith("$argon2id$") for h in hashes)
    assert not any(code.replace("-", "") in h for h in hashes for code in codes)


def test_new_recovery_codes_replace_the_old_set(app, make_user, login_as, log_in):
    user, _secret, old = enrolled_user(app, make_user, login_as)
    client = english(app.test_client())
    login_as(client, user)
    refused = client.post(f"{SETUP_PAGE}/kode-pemulihan", data={"password": "not my password"})
    assert refused.status_code == 422 and "The current password is not correct." in refused.text
    fresh = codes_on_page(
        client.post(f"{SETUP_PAGE}/kode-pemulihan", data={"password": "correct horse battery"}).text
    )
    assert len(fresh) == 10 and not set(fresh) & set(old)

    browser = english(app.test_client())
    log_in(browser, user.email)
    assert WRONG_CODE in browser.post(CODE_PAGE, data={"recovery_code": old[0]}).text
    assert browser.post(CODE_PAGE, data={"recovery_code": fresh[0]}).status_code == 303
    assert "recovery_codes_regenerated" in [e.kind for e in events(app, user)]


# Turning it off, resetting it, requiring it --------------------------------------------------


def test_user_turns_it_off_with_the_password(app, make_user, login_as, log_in):
    user, _secret, _codes = enrolled_user(app, make_user, login_as)
    client = english(app.test_client())
    login_as(client, user)
    assert client.post(f"{SETUP_PAGE}/matikan", data={"password": "wrong"}).status_code == 422
    off = client.post(f"{SETUP_PAGE}/matikan", data={"password": "correct horse battery"})
    assert off.status_code == 303
    assert log_in(app.test_client(), user.email).headers["Location"] == "/petugas/"
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(RecoveryCode.id))) == 0
    assert "two_factor_disabled" in [e.kind for e in events(app, user)]


def test_admin_resets_a_lost_phone(app, make_user, login_as, log_in):
    user, _secret, _codes = enrolled_user(app, make_user, login_as)
    users_browser = app.test_client()
    login_as(users_browser, user)
    admin = english(app.test_client())
    login_as(admin, make_user(role="admin", team=None, name="Admin Dua"))
    page = admin.get(f"/petugas/admin/pengguna/{user.id}").text
    assert "Reset two-step sign-in" in page and "10 recovery codes left" in page

    response = admin.post(f"/petugas/admin/pengguna/{user.id}/dua-langkah/reset")
    assert response.status_code == 303
    assert not is_logged_in(users_browser)  # their sessions ended
    assert log_in(app.test_client(), user.email).headers["Location"] == "/petugas/"
    history = admin.get(f"/petugas/admin/pengguna/{user.id}").text
    history = history[history.index("account-history") :]
    assert "Two-step sign-in reset by an admin" in history and "Admin Dua" in history
    assert "Two-step sign-in turned on" in history


def test_reset_from_the_command_line(app, make_user, login_as, log_in):
    user, _secret, _codes = enrolled_user(app, make_user, login_as)
    result = app.test_cli_runner().invoke(args=["users", "reset-two-factor", user.email])
    assert result.exit_code == 0, result.output
    assert log_in(app.test_client(), user.email).headers["Location"] == "/petugas/"
    again = app.test_cli_runner().invoke(args=["users", "reset-two-factor", user.email])
    assert again.exit_code != 0 and "has not set up two-step sign-in" in again.output


def test_required_by_role_forces_enrolment_before_anything_else(app, make_user, login_as, log_in):
    admin = english(app.test_client())
    login_as(admin, make_user(role="admin", team=None))
    assert 'href="/petugas/admin/dua-langkah"' in admin.get("/petugas/admin/").text
    admin.post("/petugas/admin/dua-langkah", data={"officer": "y"})
    settings = admin.get("/petugas/admin/dua-langkah").text
    assert '<input checked id="officer"' in settings and '<input checked id="admin"' not in settings
    assert is_logged_in(admin)  # admins are not required: nothing changes for them

    officer = make_user(role="officer", name="Budi")
    browser = english(app.test_client())
    response = log_in(browser, officer.email)
    assert response.status_code == 303  # the password is enough to reach the set-up
    for path in ("/petugas/", "/petugas/kasus/", "/petugas/akun"):
        blocked = browser.get(path)
        assert blocked.status_code == 303 and blocked.headers["Location"] == SETUP_PAGE, path
    browser.post("/petugas/akun", data={"name": "Someone else"})
    assert user_row(app, officer.id).name == "Budi"
    assert "Your role requires two-step sign-in" in browser.get(SETUP_PAGE).text

    secret, _codes = enrol(app, browser, officer)
    assert is_logged_in(browser)
    refused = browser.post(f"{SETUP_PAGE}/matikan", data={"password": "correct horse battery"})
    assert "Your role requires two-step sign-in" in refused.text
    browser.post("/petugas/keluar")
    assert log_in(browser, officer.email).headers["Location"] == CODE_PAGE


def test_roles_that_do_not_require_it_are_not_asked(app, make_user, login_as, log_in):
    admin = app.test_client()
    login_as(admin, make_user(role="admin", team=None))
    admin.post("/petugas/admin/dua-langkah", data={"supervisor": "y"})
    officer = app.test_client()
    log_in(officer, make_user(role="officer").email)
    assert is_logged_in(officer)


# Locks and limits ------------------------------------------------------------------------------


def test_wrong_codes_lock_the_account_like_wrong_passwords(app, make_user, login_as, log_in):
    user, secret, _codes = enrolled_user(app, make_user, login_as)
    limit = app.config["LOGIN_MAX_FAILURES"]
    attacker = english(app.test_client())  # knows the password, not the phone
    log_in(attacker, user.email)
    for _ in range(limit - 1):
        attacker.post(CODE_PAGE, data={"code": "000000"})
    log_in(attacker, user.email)  # a correct password does not wipe the count
    attacker.post(CODE_PAGE, data={"recovery_code": "AAAAA-AAAAA"})
    locked = user_row(app, user.id)
    assert locked.failed_logins == limit
    assert locked.locked_until is not None and locked.locked_until > utcnow()

    right = attacker.post(CODE_PAGE, data={"code": later_code(secret)})
    assert WRONG_CODE in right.text and not is_logged_in(attacker)  # even the right code waits
    assert "address or password is not correct" in log_in(attacker, user.email).text
    assert "locked" in [e.kind for e in events(app, user)]

    with app.app_context():  # the lock's time passes
        db.session.get(User, user.id).locked_until = utcnow() - timedelta(seconds=1)
        db.session.commit()
    owner = app.test_client()
    log_in(owner, user.email)
    assert owner.post(CODE_PAGE, data={"code": later_code(secret)}).status_code == 303
    assert user_row(app, user.id).failed_logins == 0


def test_wrong_codes_use_up_the_clients_login_limit(make_app, make_user, log_in):
    user = make_user()
    limited = make_app(RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT="3 per 15 minutes")
    with limited.app_context():
        row = db.session.get(User, user.id)
        secret = queries.get_secret(operations.start_enrolment(row))
        operations.confirm_enrolment(row, code=pyotp.TOTP(secret).now())
        db.session.commit()
    attacker = limited.test_client()
    attacker.environ_base["REMOTE_ADDR"] = "198.51.100.7"
    assert log_in(attacker, user.email).status_code == 303  # a right password is not counted
    statuses = [attacker.post(CODE_PAGE, data={"code": "000000"}).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    assert log_in(attacker, user.email).status_code == 429  # the password form shares it
