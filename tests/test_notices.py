"""公示 [003 §7, 001 §3(3)]: a public page without login; anyone may object with optional evidence
checked like every upload; the city resolves each objection; with none pending the sweep files the
filing when the notice ends."""

import datetime

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from filings.choices import FilingState as S
from filings.deadlines import sweep
from filings.demo import MINIMAL_PDF
from filings.models import Filing, Objection
from portal.models import AuditEntry


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """The public pages share the directory's per-client rate limit; start each test afresh."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def on_notice(world):
    return world.filing(state=S.PUBLIC_NOTICE)


def item_of(filing):
    return filing.notice_items.select_related("notice").get()


def object_to(client, filing, evidence=None, **overrides):
    data = {"name": "王先生", "contact": "13800000000", "text": "该机构实际没有技能操作考核场地。"}
    data.update(overrides)
    if evidence is not None:
        data["evidence"] = evidence
    return client.post(reverse("filings:objection_new", args=[item_of(filing).pk]), data)


def resolve(client, world, objection, result, resolution="经核实"):
    client.force_login(world.city)
    return client.post(reverse("filings:objection_resolve", args=[objection.pk]),
                       {"result": result, "resolution": resolution})


def test_the_notice_is_public_and_lists_the_agency(world, client, on_notice):
    """[003 §7] Published for anyone, no login."""
    page = client.get(reverse("filings:notice_list")).content.decode()
    assert "备案公示" in page
    page = client.get(reverse("filings:notice_detail", args=[item_of(on_notice).notice_id])).content.decode()
    assert world.pudong_enterprise.name in page and world.electrician.name in page and "提出异议" in page


def test_anyone_may_object_with_evidence(world, client, on_notice):
    """[003 §7] Name, contact, text and an optional PDF/JPEG/PNG file."""
    response = object_to(client, on_notice, SimpleUploadedFile("证明.pdf", MINIMAL_PDF, "application/pdf"))
    assert response.status_code == 302
    assert "您的异议已提交" in client.get(response.url).content.decode()
    objection = Objection.objects.get()
    assert objection.state == Objection.State.PENDING and objection.evidence_name == "证明.pdf"
    assert AuditEntry.for_object(on_notice).filter(action="notice.objection").exists()


@pytest.mark.parametrize("name,content,message", [
    ("scan.pdf", b"MZ\x90\x00" + b"\x00" * 100, "可执行程序"),
    ("notes.pdf", b"just some text pretending to be a pdf", "无法识别"),
    ("empty.pdf", b"", "空文件"),
])
def test_evidence_is_checked_by_its_content(world, client, on_notice, name, content, message):
    """Like every upload: the bytes decide, not the file name."""
    response = object_to(client, on_notice, SimpleUploadedFile(name, content, "application/pdf"))
    assert response.status_code == 200 and message in response.content.decode()
    assert not Objection.objects.exists()


def test_evidence_over_the_size_limit_is_refused(world, client, on_notice, settings):
    settings.UPLOAD_MAX_BYTES = 100
    response = object_to(client, on_notice, SimpleUploadedFile("big.pdf", MINIMAL_PDF, "application/pdf"))
    assert response.status_code == 200 and "超过" in response.content.decode()
    assert not Objection.objects.exists()


def test_an_objection_needs_name_contact_and_text(world, client, on_notice):
    response = object_to(client, on_notice, name="", text="")
    assert response.status_code == 200 and "此项为必填项" in response.content.decode()
    assert not Objection.objects.exists()


def test_no_objection_after_the_notice_ends(world, client):
    long_ago = timezone.localdate() - datetime.timedelta(days=30)
    filing = world.filing(state=S.PUBLIC_NOTICE, today=long_ago)
    response = object_to(client, filing)
    assert response.status_code == 410 and "不再受理异议" in response.content.decode()
    assert not Objection.objects.exists()


def test_a_dismissed_objection_lets_the_sweep_file_the_filing_when_the_notice_ends(world, client, on_notice):
    """[003 §7] With no objection pending the filing is filed when the notice ends."""
    object_to(client, on_notice)
    objection = Objection.objects.get()
    after = on_notice.notice_ends_on + datetime.timedelta(days=1)
    sweep(after)
    assert Filing.objects.get(pk=on_notice.pk).state == S.PUBLIC_NOTICE  # pending objection holds it

    response = resolve(client, world, objection, "dismissed", "经核实，场地租赁合同有效，异议不成立。")
    assert response.status_code == 302
    objection.refresh_from_db()
    assert objection.state == Objection.State.DISMISSED and objection.resolved_by == world.city
    assert Filing.objects.get(pk=on_notice.pk).state == S.PUBLIC_NOTICE
    sweep(after)
    assert Filing.objects.get(pk=on_notice.pk).state == S.ACTIVE


def test_an_upheld_objection_returns_the_filing_to_review(world, client, on_notice):
    """[001 §3(3)] An upheld objection returns the filing to review."""
    object_to(client, on_notice)
    resolve(client, world, Objection.objects.get(), "reopen_review", "场地确有问题，请专家复核。")
    filing = Filing.objects.get(pk=on_notice.pk)
    assert filing.state == S.EXPERT_REVIEW
    entry = AuditEntry.for_object(filing).filter(action="filing.reopen_review").get()
    assert "场地确有问题" in entry.comment and entry.actor == world.city
    # The filing has left the notice: no more objections to it.
    assert object_to(client, filing).status_code == 410


def test_an_upheld_objection_may_refuse_the_filing(world, client, on_notice):
    """[002 §11] 不予备案, in writing with reasons."""
    object_to(client, on_notice)
    resolve(client, world, Objection.objects.get(), "refuse", "提供虚假场地证明。")
    assert Filing.objects.get(pk=on_notice.pk).state == S.REFUSED
    client.force_login(world.pudong_clerk)
    page = client.get(reverse("filings:detail", args=[on_notice.pk])).content.decode()
    assert "不予备案" in page and "提供虚假场地证明" in page


def test_a_resolution_needs_a_reason_and_changes_nothing_without_it(world, client, on_notice):
    object_to(client, on_notice)
    response = resolve(client, world, Objection.objects.get(), "refuse", "")
    assert response.status_code == 200 and "此项为必填项" in response.content.decode()
    assert Objection.objects.get().state == Objection.State.PENDING
    assert Filing.objects.get(pk=on_notice.pk).state == S.PUBLIC_NOTICE


def test_the_second_resolution_is_told_someone_else_decided(world, client, on_notice):
    object_to(client, on_notice)
    objection = Objection.objects.get()
    resolve(client, world, objection, "dismissed")
    response = resolve(client, world, objection, "refuse", "不予备案")
    assert "已核实" in client.get(response.url).content.decode()
    assert Filing.objects.get(pk=on_notice.pk).state == S.PUBLIC_NOTICE


def test_only_the_city_resolves_objections_and_reads_the_evidence(world, client, on_notice):
    object_to(client, on_notice, SimpleUploadedFile("证明.pdf", MINIMAL_PDF, "application/pdf"))
    objection = Objection.objects.get()
    for user, status in ((world.pudong_reviewer, 403), (world.xuhui_reviewer, 404), (world.pudong_clerk, 403)):
        client.force_login(user)
        assert client.get(reverse("filings:objection_resolve", args=[objection.pk])).status_code == status
        assert client.get(reverse("filings:objection_evidence", args=[objection.pk])).status_code == status
    client.force_login(world.city)
    page = client.get(reverse("filings:detail", args=[on_notice.pk])).content.decode()
    assert "公示异议" in page and "该机构实际没有技能操作考核场地" in page
    response = client.get(reverse("filings:objection_evidence", args=[objection.pk]))
    assert response.status_code == 200 and b"".join(response.streaming_content) == MINIMAL_PDF
    assert AuditEntry.for_object(on_notice).filter(action="notice.objection_evidence_download",
                                                   actor=world.city).exists()


def test_an_objection_to_a_renewal_result_is_recorded_and_left_to_the_assessment(world, client):
    """[000 §4(3)] The renewal result's notice takes objections too; upholding one records the verdict
    without moving the filing, which the assessment workflow handles."""
    from filings.models import PublicNotice
    from filings.notices import add_to_notice

    filing = world.filing(state=S.ACTIVE)
    item = add_to_notice(filing, actor=world.city, today=timezone.localdate(), purpose=PublicNotice.Purpose.RENEWAL)
    client.post(reverse("filings:objection_new", args=[item.pk]),
                {"name": "李女士", "contact": "021-12345678", "text": "评估期内曾超范围评价。"})
    objection = Objection.objects.get()
    client.force_login(world.city)
    page = client.get(reverse("filings:objection_resolve", args=[objection.pk])).content.decode()
    assert "退回评审" not in page and "异议成立" in page
    resolve(client, world, objection, "upheld", "情况属实，移交期满评估复核。")
    objection.refresh_from_db()
    assert objection.state == Objection.State.UPHELD
    assert Filing.objects.get(pk=filing.pk).state == S.ACTIVE
