"""Tracking codes: strong, readable aloud, forgiving when typed, stored only as a keyed hash."""

import re

import pytest
import sqlalchemy as sa

from portal.db import db
from portal.intake import tracking
from tests.fixtures.intake import code_on, post_report

# Tests here that build no app need no database: the PostgreSQL pass leaves them out.
pytestmark = pytest.mark.nodb


def test_code_has_at_least_112_random_bits_and_reads_in_groups():
    codes = {tracking.new_code() for _ in range(2000)}
    assert len(codes) == 2000
    assert tracking.BITS >= 112
    for code in list(codes)[:50]:
        assert len(code) == 24 and set(code) <= set(tracking.ALPHABET)
        assert re.fullmatch(r"([0-9A-Z]{4}-){5}[0-9A-Z]{4}", tracking.format_code(code))
    # every character position takes many values: the bits are really used
    for position in range(24):
        assert len({c[position] for c in codes}) == 32


def test_typed_code_forgives_case_separators_and_look_alikes():
    code = "K7QD3M9X0V1ZABCDEFGH1J2K"
    grouped = tracking.format_code(code)
    assert tracking.normalize_code(grouped) == code
    assert tracking.normalize_code(grouped.lower().replace("-", "")) == code
    assert tracking.normalize_code(" k7qd 3m9x ovlz abcd efgh ij2k ") == code  # O->0, I/L->1
    assert tracking.normalize_code("k7qd-3m9x-0u1z-abcd-efgh-1j2k") == code  # U->V
    assert tracking.normalize_code(code[:-1]) is None
    assert tracking.normalize_code(code + "7") is None
    assert tracking.normalize_code(code[:-1] + "*") is None


def test_only_a_keyed_hash_of_the_code_is_stored(app, client, report_form):
    response = post_report(client, report_form(), follow=True)
    code = tracking.normalize_code(code_on(response.text))
    from portal.intake.models import Report

    with app.app_context():
        report = db.session.scalar(sa.select(Report))
        assert report.tracking_hash == tracking.hash_code(code, app.config["TRACKING_KEY"])
        assert report.tracking_hash != tracking.hash_code(code, "another key")
        row = db.session.execute(sa.text("SELECT * FROM report")).mappings().one()
        for value in row.values():
            text = str(value)
            assert code not in text and tracking.format_code(code) not in text


@pytest.mark.parametrize("typed", ["exact", "lower-no-dashes"])
def test_code_never_appears_in_a_url_or_the_log(client, report_form, caplog, typed):
    caplog.set_level("DEBUG")
    response = post_report(client, report_form())
    assert response.status_code == 303
    receipt = client.get(response.headers["Location"])
    code = code_on(receipt.text)
    assert code.replace("-", "") not in response.headers["Location"]
    entered = code if typed == "exact" else code.lower().replace("-", "")
    tracked = client.post("/lacak", data={"code": entered})
    assert tracked.status_code == 303
    assert code.replace("-", "") not in tracked.headers["Location"].upper().replace("-", "")
    log = caplog.text.upper().replace("-", "")
    assert code.replace("-", "") not in log
