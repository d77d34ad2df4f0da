"""Working days in a year the calendar library does not know yet, and loading that year's schedule
[002 §10 (5 working days), 003 §7 (notice in working days); SPEC §8: 全国年节及纪念日放假办法]."""

import datetime

import pytest

from filings.choices import FilingState as S
from filings.models import Filing
from portal import schedule, workdays
from portal.models import AuditEntry, Notification
from portal.workdays import add_workdays, is_workday

D = datetime.date
SCHEDULE_2027 = """# 假设的 2027 年安排
2027-01-01~2027-01-03 休
2027-02-05~2027-02-11 休
2027-02-20 班
2027-10-01~2027-10-07 休
2027-09-26 班
"""


@pytest.fixture(autouse=True)
def _library_does_not_know_2027():
    assert not workdays.library_knows(2027), "chinese-calendar now knows 2027: pick a later year for these tests"


def test_the_statutory_holidays_of_an_unknown_year_are_never_working_days(db):
    """全国年节及纪念日放假办法 (2024): 元旦, 春节 除夕 to 初三, 清明, 劳动节 1–2 May, 端午, 中秋, 国庆 1–3 Oct."""
    for day in (D(2027, 1, 1), D(2027, 2, 5), D(2027, 2, 6), D(2027, 2, 7), D(2027, 2, 8), D(2027, 4, 5),
                D(2027, 5, 1), D(2027, 5, 2), D(2027, 6, 9), D(2027, 9, 15), D(2027, 10, 1), D(2027, 10, 2),
                D(2027, 10, 3)):
        assert not is_workday(day), day
    assert workdays.is_provisional(2027)


def test_guessed_substitute_days_are_not_taken_until_the_schedule_says_so(db):
    """The `holidays` library's "observed" days are guesses; the State Council decides 调休."""
    assert is_workday(D(2027, 2, 9))  # Tuesday after 初三
    assert is_workday(D(2027, 5, 4))
    assert is_workday(D(2027, 10, 4))


def test_five_working_days_from_the_last_days_of_2026_skip_new_year_2027(db):
    """[002 §10] Submitted Wednesday 30 December 2026: 31 Dec, then 元旦 2027 is no working day."""
    assert add_workdays(D(2026, 12, 30), 5) == D(2027, 1, 7)


def test_five_working_days_over_the_2027_spring_festival(world):
    """[002 §10] Submitted Monday 1 February 2027: 除夕 (5 Feb) to 初三 (8 Feb) are holidays by law."""
    filing = world.filing(state=S.SUBMITTED, today=D(2027, 2, 1))
    assert filing.acceptance_due == D(2027, 2, 10)


def test_loading_the_schedule_recomputes_running_deadlines_and_tells_the_parties(world):
    """[002 §10] A deadline computed on the provisional calendar is recomputed with the same number
    of working days once the year's schedule is loaded, and whoever it concerns is told."""
    filing = world.filing(state=S.SUBMITTED, today=D(2027, 2, 1))
    unmoved = world.filing(agency=world.soe, state=S.SUBMITTED, today=D(2027, 3, 1))
    before = Notification.objects.count()
    summary = schedule.load(schedule=schedule.parse(SCHEDULE_2027, 2027), actor=world.admin)
    filing.refresh_from_db()
    unmoved.refresh_from_db()
    assert filing.acceptance_due == D(2027, 2, 15)  # 2, 3, 4, then 12 and 15 February
    assert unmoved.acceptance_due == add_workdays(D(2027, 3, 1), 5) == D(2027, 3, 8)
    assert summary["deadlines_moved"] == 1 and summary["rest_days"] == 3 + 7 + 7 and summary["workdays"] == 2
    assert not workdays.is_provisional(2027)
    assert is_workday(D(2027, 2, 20)) and not is_workday(D(2027, 10, 7))
    moved = Notification.objects.filter(subject__startswith="期限调整").order_by("id")
    assert moved.count() == Notification.objects.count() - before > 0
    assert "2027年2月10日" in moved.first().body and "2027年2月15日" in moved.first().body
    assert AuditEntry.objects.filter(action="calendar.load", actor=world.admin).exists()


def test_the_sweep_then_follows_the_loaded_schedule(world):
    """[002 §10] Deemed acceptance follows the recomputed date, not the provisional one."""
    from filings.deadlines import sweep

    filing = world.filing(state=S.SUBMITTED, today=D(2027, 2, 1))
    schedule.load(schedule=schedule.parse(SCHEDULE_2027, 2027), actor=world.admin)
    assert sweep(D(2027, 2, 11)) == 0
    assert sweep(D(2027, 2, 16)) == 1
    assert Filing.objects.get(pk=filing.pk).state == S.PRE_REVIEW


@pytest.mark.parametrize("text, message", [
    ("2027-02-30 休", "日期不存在"),
    ("2027-02-05 放", "应注明“休”或“班”"),
    ("二月五日 休", "第 1 行“二月五日 休”格式不正确"),
    ("2026-12-31 休", "不在 2027 年内"),
    ("2027-02-05 休\n2027-02-05 班", "既标为休息又标为上班"),
    ("2027-02-14 班", "未填写任何休息日"),
    ("2027-03-01~2027-02-01 休", "日期范围不正确"),
])
def test_a_malformed_schedule_names_the_line_and_loads_nothing(db, text, message):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as exc:
        schedule.parse(text, 2027)
    assert any(message in m for m in exc.value.messages)


def test_an_administrator_pastes_a_whole_year_in_the_browser_form(client, world):
    """The whole year at once, not one date at a time; others do not find the page."""
    client.force_login(world.city)
    assert client.get("/calendar/").status_code == 404
    client.force_login(world.admin)
    page = client.get("/calendar/").content.decode()
    assert "暂定" in page
    response = client.post("/calendar/", {"year": "2027", "text": "2027-02-30 休"})
    assert "日期不存在" in response.content.decode()
    assert workdays.is_provisional(2027)
    response = client.post("/calendar/", {"year": "2027", "text": SCHEDULE_2027}, follow=True)
    assert "已载入 2027 年节假日安排" in response.content.decode()
    assert not workdays.is_provisional(2027)


def test_the_schedule_may_come_as_an_uploaded_csv(client, world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(world.admin)
    upload = SimpleUploadedFile("2027.csv", "2027-01-01,休\n2027-02-20,班\n".encode("gb18030"), "text/csv")
    response = client.post("/calendar/", {"year": "2027", "upload": upload}, follow=True)
    assert "休息日 1 天，调休上班 1 天" in response.content.decode()
