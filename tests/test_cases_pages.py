"""The officer's pages: the queue and the case page, as an officer of the team sees them."""


def test_case_page_shows_reports_and_queue_lists_case(client, make_case, make_user, login_as):
    made = make_case(reports=3, emails=["a@example.com", None, None])
    login_as(client, make_user(team="bawaslu-sumsel"))
    page = client.get(f"/petugas/kasus/{made.id}")
    assert page.status_code == 200
    assert made.reference in page.text
    assert "3 laporan" in page.text
    queue = client.get("/petugas/kasus/")
    assert queue.status_code == 200
    assert made.reference in queue.text
