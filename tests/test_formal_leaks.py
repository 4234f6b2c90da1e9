"""A formal laporan's identity never leaves the staff side: every public output of its case
(published), the logs of filing, completing and registering it, and every email it caused."""

import logging

import sqlalchemy as sa

from portal.db import db
from tests.fixtures.formal import FULL_NAME, NIK

WITNESS = "Budi Santoso Saksi"
IDENTITY = [
    NIK,
    "1673 0123 4567 8901",
    FULL_NAME,
    "Jl. Yos Sudarso No. 12",
    "0812 3456 7890",
    "081234567890",
    "1990-05-17",
    WITNESS,
    "Jl. Garuda No. 1",
    "198001012005011001",
]


def test_identity_data_never_appears_in_public_outputs_logs_or_emails(
    app, client, file_laporan, make_user, login_as, publish, caplog
):
    from portal.cases.models import Case
    from portal.notify.models import OutboxMessage
    from portal.public.stats import refresh_stats

    caplog.set_level(logging.DEBUG)
    filed = file_laporan(client, **{"formal-witnesses-0-name": WITNESS})
    staff = app.test_client()
    login_as(staff, make_user(role="officer"))
    base = f"/petugas/kasus/{filed.case_id}/laporan/{filed.laporan_id}"
    staff.post(f"{base}/lengkapi", data={"missing": ["witnesses"]})
    staff.post(f"{base}/registrasi", data={})
    publish(filed.case_id, summary="Akun resmi dinas memuat materi kampanye.")
    with app.app_context():
        refresh_stats()
        db.session.commit()
        reference = db.session.get(Case, filed.case_id).reference
        mails = db.session.scalars(sa.select(OutboxMessage)).all()
    visitor = app.test_client()
    urls = [
        "/kasus",
        f"/kasus/{reference}",
        "/transparansi",
        "/data/kasus.csv",
        "/data/kasus.json",
        "/data/feed.atom",
        "/open311/v2/requests.json",
        f"/open311/v2/requests/{reference}.json",
        f"/open311/v2/requests/{reference}.xml",
    ]
    outputs = {}
    for url in urls:
        response = visitor.get(url)
        assert response.status_code == 200, url
        outputs[url] = response.get_data(as_text=True)
    assert reference in outputs["/data/kasus.csv"]  # the case is public: its identity is not
    assert len(mails) >= 2  # the receipt and the laporan's news
    texts = {**outputs, "logs": caplog.text}
    texts.update({f"mail {m.kind}": f"{m.subject}\n{m.body_text}\n{m.body_html}" for m in mails})
    for where, text in texts.items():
        for secret in IDENTITY:
            assert secret not in text, (where, secret)
