"""The legal clocks as pure functions: calendar days (Pilkada) and working days (Pemilu) across
a weekend, a public holiday from the holidays package and a cuti bersama an admin entered."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from flask_babel import force_locale

from portal.legal.windows import compute_window
from portal.legal.workdays import Clock, add_days, days_off_between, is_working_day

JAKARTA = ZoneInfo("Asia/Jakarta")
PEMILU = Clock(7, is_working_days=True)  # UU 7/2017 Pasal 454 ayat (6)
PILKADA = Clock(7, is_working_days=False)  # UU 1/2015 Pasal 134 ayat (4)
FRIDAY = date(2024, 11, 22)  # the Friday before the 2024 Pilkada voting day (Wed 27 November)


def test_the_holiday_calendar_knows_the_2024_pilkada_voting_day_and_not_cuti_bersama():
    days_off = days_off_between(date(2024, 11, 1), date(2024, 12, 31))
    assert date(2024, 11, 27) in days_off  # Pemungutan suara Pilkada serentak
    assert date(2024, 12, 25) in days_off  # Christmas
    assert date(2024, 12, 26) not in days_off  # cuti bersama: only an admin knows it
    assert not is_working_day(date(2024, 11, 23), days_off)  # Saturday
    assert not is_working_day(date(2024, 11, 27), days_off)
    assert is_working_day(date(2024, 11, 28), days_off)


def test_working_days_skip_the_weekend_and_the_holiday():
    days_off = days_off_between(FRIDAY, date(2024, 12, 31))
    # Mon 25, Tue 26, (Wed 27 voting day), Thu 28, Fri 29, Mon 2, Tue 3, Wed 4 December
    assert add_days(FRIDAY, PEMILU, days_off) == date(2024, 12, 4)


def test_a_cuti_bersama_day_moves_a_working_day_window_by_one_day():
    days_off = days_off_between(FRIDAY, date(2024, 12, 31), extra=[date(2024, 12, 2)])
    assert add_days(FRIDAY, PEMILU, days_off) == date(2024, 12, 5)


def test_calendar_days_ignore_weekends_holidays_and_cuti_bersama():
    days_off = days_off_between(FRIDAY, date(2024, 12, 31), extra=[date(2024, 11, 29)])
    assert add_days(FRIDAY, PILKADA, days_off) == date(2024, 11, 29)


def test_the_day_known_itself_is_not_counted():
    assert add_days(date(2024, 12, 2), Clock(1, True), ()) == date(2024, 12, 3)
    assert add_days(date(2024, 12, 6), Clock(1, True), ()) == date(2024, 12, 9)  # Fri -> Mon
    assert add_days(date(2024, 12, 6), Clock(1, False), ()) == date(2024, 12, 7)


def test_a_window_closes_at_the_end_of_its_last_day_in_jakarta(app):
    days_off = days_off_between(FRIDAY, date(2024, 12, 31))
    with app.test_request_context(), force_locale("en"):
        window = compute_window(
            FRIDAY, PEMILU, days_off=days_off, today=date(2024, 12, 2), zone=JAKARTA, warn_days=2
        )
        assert window.closes_on == date(2024, 12, 4)
        # 23:59:59.999999 WIB on 4 December is 16:59:59.999999 UTC
        assert window.closes_at == datetime(2024, 12, 4, 16, 59, 59, 999999, tzinfo=UTC)
        assert (window.days_left, window.is_urgent, window.is_closed) == (2, True, False)
        assert window.text() == (
            "The reporting window closes on Wednesday, December 4, 2024 (2 days left)."
        )
        assert window.rule() == "7 working days from the day you learned of it"


def test_window_text_open_today_and_closed_in_both_languages(app):
    def seen_on(today: date):
        return compute_window(FRIDAY, PILKADA, days_off=(), today=today, zone=JAKARTA, warn_days=2)

    with app.test_request_context(), force_locale("en"):
        assert not seen_on(date(2024, 11, 23)).is_urgent
        assert seen_on(date(2024, 11, 29)).text() == (
            "The reporting window closes today, Friday, November 29, 2024."
        )
        closed = seen_on(date(2024, 12, 2))
        assert closed.is_closed
        assert closed.text() == (
            "The reporting window closed on Friday, November 29, 2024 (3 days ago)."
        )
    with app.test_request_context(), force_locale("id"):
        assert seen_on(date(2024, 11, 27)).text() == (
            "Batas waktu pelaporan berakhir pada Jumat, 29 November 2024 (tersisa 2 hari)."
        )
        assert seen_on(date(2024, 11, 22)).rule() == "7 hari sejak hari Anda mengetahuinya"
