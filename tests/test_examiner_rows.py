"""Examiners are entered a row per person, with fields, on the application and on a change filing
[003 §8(4), 002 §13, issue 10 item 14]: a bad row is named by its number and field, nothing is saved,
a row can be added without JavaScript, and both screens use the same rows."""

from __future__ import annotations

import pytest
from django.urls import reverse

from filings.choices import FilingState as S
from filings.forms.agency import examiner_formset
from filings.forms.examiners import ExaminerFormSet, ExaminerRowForm
from filings.models import ChangeRequest
from filings.views import change as change_views
from portal.models import SkillLevel

NAMES = "赵钱孙李周吴郑王冯陈"


def examiner_post(rows, prefix="ex", **data):
    """The rows as the browser posts them: (occupation, name, certificate number, level). The occupation is
    None for a blank choice and False where there is no column for it; a level may be a raw posted value."""
    data.update({f"{prefix}-TOTAL_FORMS": str(len(rows)), f"{prefix}-INITIAL_FORMS": "0",
                 f"{prefix}-MIN_NUM_FORMS": "0", f"{prefix}-MAX_NUM_FORMS": "200"})
    for i, (occupation, name, certificate_no, level) in enumerate(rows):
        data.update({f"{prefix}-{i}-name": name, f"{prefix}-{i}-certificate_no": certificate_no,
                     f"{prefix}-{i}-level": int(level) if isinstance(level, int) else level or ""})
        if occupation is not False:
            data[f"{prefix}-{i}-occupation"] = occupation.pk if occupation else ""
    return data


def five(occupation, level=SkillLevel.LEVEL_3, cert="KP2024"):
    return [(occupation, f"{NAMES[i]}师傅", f"{cert}{i:04d}", level) for i in range(5)]


@pytest.fixture
def two_occupations(world, client):
    filing = world.filing(state=S.DRAFT, occupations=[world.electrician, world.lathe])
    client.force_login(world.pudong_clerk)
    return filing


def test_the_application_takes_a_row_per_examiner_under_each_occupation(client, world, two_occupations):
    filing = two_occupations
    url = f"/my/filings/{filing.pk}/examiners/"
    page = client.get(url).content.decode()
    assert "第 1 行 姓名" in page and "可考评最高等级" in page and "职业（工种）" in page
    rows = five(world.electrician) + five(world.lathe, SkillLevel.LEVEL_2, "CG") + [(None, "", "", None)]
    assert client.post(url, examiner_post(rows)).url == f"/my/filings/{filing.pk}/facilities/"
    assert filing.examiners.filter(occupation=world.electrician, level=SkillLevel.LEVEL_3).count() == 5
    assert set(filing.examiners.filter(occupation=world.lathe).values_list("certificate_no", flat=True)) == {
        f"CG{i:04d}" for i in range(5)}
    assert filing.examiners.count() == 10  # the blank row is ignored, the old list replaced


def test_a_bad_row_is_named_by_number_and_field_and_nothing_is_saved(client, world, two_occupations):
    filing = two_occupations
    before = sorted(filing.examiners.values_list("name", "certificate_no"))
    rows = five(world.electrician)
    rows[2] = (world.electrician, "孙师傅", "KP 12/34", SkillLevel.LEVEL_3)
    rows[3] = (world.electrician, "李师傅", "KP0004", None)
    rows.append((None, "王师傅", "KP0009", SkillLevel.LEVEL_3))
    response = client.post(f"/my/filings/{filing.pk}/examiners/", examiner_post(rows))
    html = response.content.decode()
    assert response.status_code == 200
    assert "第 3 行 证书编号：只能包含字母、数字和连字符" in html
    assert "第 4 行 可考评最高等级：" in html
    assert "第 6 行 职业（工种）：" in html
    assert 'id="id_ex-2-certificate_no_error"' in html  # beside the field too
    assert sorted(filing.examiners.values_list("name", "certificate_no")) == before


def test_a_name_with_digits_and_a_repeated_certificate_are_refused(client, world):
    filing = world.filing(state=S.DRAFT)
    client.force_login(world.pudong_clerk)
    rows = five(world.electrician)
    rows[1] = (False, "考评员2", "KP20240001", SkillLevel.LEVEL_3)
    rows[4] = (False, "周师傅", "kp20240000", SkillLevel.LEVEL_3)
    rows = [(False, *r[1:]) for r in rows]  # one occupation in the scope: no column for it
    html = client.post(f"/my/filings/{filing.pk}/examiners/", examiner_post(rows)).content.decode()
    assert "第 2 行 姓名：姓名只能包含汉字或字母" in html
    assert "第 5 行 证书编号：与第 1 行的证书编号重复" in html


def test_add_a_row_keeps_what_was_typed_and_saves_nothing(client, world, two_occupations):
    filing = two_occupations
    before = filing.examiners.count()
    rows = [(world.lathe, "冯师傅", "CG0001", SkillLevel.LEVEL_2), (None, "", "", None)]
    data = examiner_post(rows, add_row="1")
    data["ex-1-DELETE"] = "on"
    html = client.post(f"/my/filings/{filing.pk}/examiners/", data).content.decode()
    assert 'name="ex-TOTAL_FORMS" value="2"' in html  # the ticked row went, one empty row came
    assert 'value="冯师傅"' in html and 'id="id_ex-1-name"' in html
    assert "form-errors" not in html  # shown again, not judged
    assert filing.examiners.count() == before


def test_a_ticked_or_cleared_row_removes_the_examiner(client, world):
    filing = world.filing(state=S.DRAFT)
    client.force_login(world.pudong_clerk)
    rows = [(False, *r[1:]) for r in five(world.electrician)] + [(False, "陈师傅", "KP9", SkillLevel.LEVEL_2)]
    data = examiner_post(rows)
    data["ex-0-DELETE"] = "on"
    data["ex-1-name"] = data["ex-1-certificate_no"] = data["ex-1-level"] = ""
    client.post(f"/my/filings/{filing.pk}/examiners/", data)
    assert sorted(filing.examiners.values_list("name", flat=True)) == ["周师傅", "孙师傅", "李师傅", "陈师傅"]


def test_the_change_form_adds_examiners_in_the_same_rows(client, world):
    active = world.filing(state=S.ACTIVE)
    client.force_login(world.pudong_clerk)
    url = reverse("filings:change_create", args=[active.pk])
    page = client.get(url).content.decode()
    assert "第 1 行 证书编号" in page and 'name="ex-0-occupation"' in page
    data = {"reason": "新增车工评价", "address": active.agency.address, "legal_representative": "张三",
            "contact_name": "李四", "contact_phone": "021-60000000", "contact_email": "",
            "add-TOTAL_FORMS": "1", "add-INITIAL_FORMS": "0", "add-MIN_NUM_FORMS": "0", "add-MAX_NUM_FORMS": "10",
            "add-0-occupation": str(world.lathe.pk), "add-0-level_from": int(SkillLevel.LEVEL_5), "add-0-level_to": int(SkillLevel.LEVEL_3)}
    rows = five(world.lathe, cert="CG")
    rows[2] = (world.lathe, "孙师傅", "CG-!", SkillLevel.LEVEL_3)
    rows.append((world.electrician, "陈师傅", "KP9", SkillLevel.LEVEL_3))
    html = client.post(url, examiner_post(rows, **data)).content.decode()
    assert "第 3 行 证书编号：只能包含字母、数字和连字符" in html
    assert not ChangeRequest.objects.exists()
    rows[2] = (world.lathe, "孙师傅", "CG0002", SkillLevel.LEVEL_3)
    html = client.post(url, examiner_post(rows, **data)).content.decode()
    assert "第 6 行 职业（工种）：请先在上方" in html and not ChangeRequest.objects.exists()
    response = client.post(url, examiner_post(rows[:5], **data))
    change = ChangeRequest.objects.get()
    assert response.url == reverse("filings:change_detail", args=[change.pk])
    assert [e["certificate_no"] for e in change.proposal["add"][0]["examiners"]] == [f"CG{i:04d}" for i in range(5)]
    assert {e["level"] for e in change.proposal["add"][0]["examiners"]} == {SkillLevel.LEVEL_3}


def test_add_a_row_on_the_change_form_keeps_the_whole_form(client, world):
    active = world.filing(state=S.ACTIVE)
    client.force_login(world.pudong_clerk)
    data = {"reason": "新增车工评价", "address": "上海市浦东新区新址 9 号", "legal_representative": "张三",
            "contact_name": "李四", "contact_phone": "021-60000000", "contact_email": "",
            "add-TOTAL_FORMS": "1", "add-INITIAL_FORMS": "0", "add-MIN_NUM_FORMS": "0", "add-MAX_NUM_FORMS": "10",
            "add-0-occupation": str(world.lathe.pk), "add-0-level_from": int(SkillLevel.LEVEL_5), "add-0-level_to": int(SkillLevel.LEVEL_3)}
    html = client.post(reverse("filings:change_create", args=[active.pk]),
                       examiner_post([(world.lathe, "冯师傅", "CG1", SkillLevel.LEVEL_3)], add_row="1", **data)
                       ).content.decode()
    assert "上海市浦东新区新址 9 号" in html and 'value="冯师傅"' in html and "新增车工评价" in html
    assert 'name="ex-TOTAL_FORMS" value="2"' in html and "form-errors" not in html
    assert not ChangeRequest.objects.exists()


def test_both_screens_use_the_same_rows(world):
    assert isinstance(examiner_formset(world.filing(state=S.DRAFT)), ExaminerFormSet)
    assert change_views.ExaminerFormSet is ExaminerFormSet and ExaminerFormSet.form is ExaminerRowForm
