"""Written decisions [002 §10-11]: acceptance, the supplement notice, refusal of acceptance and
refusal of filing each give a numbered, dated PDF in Chinese from the deciding authority, with the
reasons, the legal basis and, for refusals, the remedies; kept with the filing, downloadable by
those who may see it."""

from __future__ import annotations

import datetime
import io
import re

import pytest
from django.urls import reverse
from pypdf import PdfReader

from filings import supplements
from filings.choices import FilingState as S
from filings.deadlines import sweep
from filings.decision_pdf import render_and_store
from filings.models import SupplementItem, WrittenNotice
from filings.services import TransitionRefused, perform
from portal.models import AuditEntry

K = WrittenNotice.Kind
DAY = datetime.timedelta(days=1)


def pdf_text(notice: WrittenNotice) -> str:
    notice = render_and_store(notice.pk)
    with notice.file.open("rb") as fh:
        data = fh.read()
    assert data.startswith(b"%PDF")
    return re.sub(r"\s+", "", "".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages))


def test_acceptance_gives_a_numbered_dated_notice_from_the_receiving_district(world):
    """[002 §10: 作出是否受理的决定并告知申请人] The district that received the submission accepts; its
    受理通知书 names it, is numbered from its own sequence, and cites the article."""
    filing = world.filing(state=S.PRE_REVIEW)
    notice = filing.written_notices.get()
    today = notice.issued_on
    assert notice.kind == K.ACCEPTANCE and notice.action == "accept"
    assert notice.authority == "上海市浦东新区人力资源和社会保障局"
    assert notice.number == f"310115{today:%Y}SL0001"
    text = pdf_text(notice)
    for expected in ("受理通知书", notice.number, "上海浦江电气有限公司", "上海市浦东新区人力资源和社会保障局",
                     "决定予以受理", "第十条", f"{today.year}年{today.month}月{today.day}日", filing.reference):
        assert expected in text
    assert "行政复议" not in text  # not a decision against the agency


def test_numbers_run_on_per_authority_and_kind_and_are_never_reused(world):
    """[002 §10] Each notice its own number: the district's second acceptance of the year is 0002."""
    first = world.filing(state=S.PRE_REVIEW)
    second = world.filing(agency=world.school, state=S.PRE_REVIEW)
    numbers = [f.written_notices.get().number for f in (first, second)]
    assert [n[-4:] for n in numbers] == ["0001", "0002"]
    assert WrittenNotice.objects.filter(number__in=numbers).count() == 2


def test_refusal_of_acceptance_states_reasons_basis_and_remedies(world):
    """[002 §10: 决定不予受理的，应当说明理由和依据] and the right to administrative review (60 days) or
    litigation (6 months)."""
    filing = world.filing(state=S.REFUSED)  # refused at acceptance, with demo's reason
    notice = filing.written_notices.get()
    assert notice.kind == K.REFUSAL_OF_ACCEPTANCE
    assert notice.reasons == "申请事项不属于本机关职责范围。"
    text = pdf_text(notice)
    for expected in ("不予受理决定书", "决定不予受理", "理由", "申请事项不属于本机关职责范围", "依据",
                     "《重庆市职业技能等级评价机构管理办法》", "第十条", "决定不予受理的，应当说明理由和依据",
                     "六十日内依法申请行政复议", "六个月内依法向人民法院提起行政诉讼"):
        assert expected in text, expected


def test_refusal_of_filing_is_written_by_the_city_with_reasons_basis_and_remedies(world):
    """[002 §11: 决定不予备案的，应当书面告知申请人，并说明理由和依据] The city decides, whatever the route."""
    filing = world.filing(state=S.ACCEPTED)
    perform(filing_id=filing.pk, action="refuse", actor=world.city,
            comment="考评人员中 3 人证书无法核实。\n现场考察发现实操考核场地不符合要求。")
    notice = filing.written_notices.get(kind=K.REFUSAL)
    assert notice.authority == "上海市人力资源和社会保障局"
    assert notice.number.startswith("310000")
    text = pdf_text(notice)
    for expected in ("不予备案决定书", "决定不予备案", "考评人员中3人证书无法核实", "实操考核场地不符合要求",
                     "第十一条", "应当书面告知申请人，并说明理由和依据", "行政复议", "行政诉讼"):
        assert expected in text, expected


def test_deemed_acceptance_by_the_sweep_also_gives_an_acceptance_notice(world):
    """[002 §10: 逾期未作出不予受理决定的，视为受理] The system's acceptance is written too, so the agency
    holds a dated record of when the 90 days began."""
    filing = world.filing(state=S.SUBMITTED)
    assert sweep(filing.acceptance_due + DAY) == 1
    filing.refresh_from_db()
    notice = filing.written_notices.get()
    assert (notice.kind, notice.action, notice.issued_by) == (K.ACCEPTANCE, "deem_accepted", None)
    assert notice.due_on == filing.decision_due
    text = pdf_text(notice)
    assert "未在规定期限内作出不予受理决定" in text and "视为受理" in text


def test_the_supplement_notice_lists_every_ticked_item_with_its_note(world):
    """[002 §10: 一次性告知需要补正的全部材料] The notice lists the items item by item, and the deadline."""
    filing = world.filing(state=S.SUBMITTED)
    perform(filing_id=filing.pk, action="request_supplement", actor=world.pudong_reviewer,
            comment="其余材料符合要求。",
            supplement_items=[supplements.Requested("material", "credit_report", "信用报告已过有效期"),
                              supplements.Requested("scope", str(world.electrician.pk), "三级考评员证书不符")])
    notice = filing.written_notices.get()
    assert notice.kind == K.SUPPLEMENT
    assert notice.supplement_items.count() == 2
    text = pdf_text(notice)
    for expected in ("补正通知书", "一次性告知", "信用报告", "信用报告已过有效期", "电工", "三级考评员证书不符",
                     "其余材料符合要求", f"{notice.due_on.year}年", "逾期未补正的，视为放弃申请"):
        assert expected in text, expected


def test_a_refused_supplement_request_writes_no_notice_and_no_items(world):
    """[002 §10] An item not of this filing refuses the request; nothing is written (STYLE 17)."""
    filing = world.filing(state=S.SUBMITTED)
    with pytest.raises(TransitionRefused):
        perform(filing_id=filing.pk, action="request_supplement", actor=world.pudong_reviewer, comment="补正",
                supplement_items=[supplements.Requested("scope", str(world.carer.pk), "不在范围内")])
    filing.refresh_from_db()
    assert filing.state == S.SUBMITTED
    assert not WrittenNotice.objects.exists() and not SupplementItem.objects.exists()
    assert not AuditEntry.objects.filter(action="filing.request_supplement", outcome="succeeded").exists()


def test_the_agency_downloads_its_notice_others_get_404_and_each_download_is_audited(world, client):
    """[002 §10-11] Kept with the filing and downloadable by the agency; scoped like every download."""
    filing = world.filing(state=S.REFUSED)
    notice = filing.written_notices.get()
    url = reverse("filings:decision_download", args=[filing.pk, notice.pk])
    client.force_login(world.pudong_clerk)
    detail = client.get(reverse("filings:detail", args=[filing.pk]))
    assert url in detail.content.decode()
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "private, no-store"
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    entry = AuditEntry.objects.get(action="decision.download")
    assert entry.actor_id == world.pudong_clerk.pk and entry.data["number"] == notice.number
    for outsider in (world.xuhui_clerk, world.xuhui_reviewer):
        client.force_login(outsider)
        assert client.get(url).status_code == 404
    other = world.filing(agency=world.school, state=S.PRE_REVIEW).written_notices.get()
    client.force_login(world.pudong_clerk)  # a notice of another filing under this filing's URL
    assert client.get(reverse("filings:decision_download", args=[filing.pk, other.pk])).status_code == 404


def test_the_city_and_the_industry_department_write_in_their_own_names_when_they_receive(world):
    """[002 §10, 000 §4(1)] Whoever received the submission decides on it and signs the notice: the city
    for a municipal SOE, the industry department for a city association."""
    soe = world.filing(agency=world.soe, state=S.ACCEPTED).written_notices.get()
    assert (soe.authority, soe.number[:6]) == ("上海市人力资源和社会保障局", "310000")
    association = world.filing(agency=world.association, state=S.PRE_REVIEW).written_notices.get()
    assert association.authority == "上海市经济和信息化委员会"
    assert association.number.startswith(f"310000H{world.economy.pk}")
