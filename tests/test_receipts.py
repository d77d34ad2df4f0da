"""备案回执: the PDF's content, its stored hash, re-issue on change, and the public verification page
[002 §12-13, 001 §3(3-4), 003 §7]."""

from __future__ import annotations

import hashlib
import io
import re

import pytest
from django.core.cache import cache
from django.urls import reverse
from pypdf import PdfReader

from filings.choices import AgencyKind, FilingState as S, Ownership
from filings.demo import agency_user, get_agency, make_uscc
from filings.receipt_pdf import render_and_store
from filings.receipts import issue_receipt
from filings.services import perform
from portal.models import AuditEntry
from tests.conftest import city


def pdf_text(data: bytes) -> str:
    """The PDF's text with whitespace removed (line breaks fall anywhere in CJK text)."""
    reader = PdfReader(io.BytesIO(data))
    return re.sub(r"\s+", "", "".join(page.extract_text() for page in reader.pages))


def pdf_fonts(data: bytes) -> set[str]:
    reader = PdfReader(io.BytesIO(data))
    names = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            names.add(str(font.get_object()["/BaseFont"]))
    return names


@pytest.fixture
def rare_agency(world):
    """An agency whose name has characters outside the common set (堃, 喆)."""
    agency = get_agency(name="上海堃喆精密机械有限公司", uscc=make_uscc(77), kind=AgencyKind.ENTERPRISE,
                        ownership=Ownership.DISTRICT_ENTERPRISE, region_code="310115")
    agency_user(agency, "kz_clerk")
    return agency


@pytest.fixture
def active(world, rare_agency):
    return world.filing(agency=rare_agency, state=S.ACTIVE, occupations=[world.electrician, world.lathe])


def test_the_receipt_shows_agency_number_scope_validity_and_issuing_authority(active):
    """[002 §12, 001 §3(3)]: agency name, number, address, scope (occupations and levels), validity."""
    receipt = render_and_store(active.receipts.get().pk)
    with receipt.file.open("rb") as fh:
        data = fh.read()
    text = pdf_text(data)
    assert "职业技能等级评价机构备案回执" in text
    assert "上海堃喆精密机械有限公司" in text  # every character rendered, rare ones included
    assert active.agency.uscc in text
    assert active.number in text
    assert "上海市浦东新区示范路100号" in text
    assert "6-31-01-03" in text and "电工" in text
    assert "6-18-01-01" in text and "车工" in text
    assert "五级/初级工—三级/高级工" in text
    assert f"{active.valid_from:%Y}年{active.valid_from.month}月{active.valid_from.day}日" in text
    assert "上海市人力资源和社会保障局" in text
    assert f"/verify/{active.number}/?v=1" in text  # the address the QR code encodes
    assert any("CJK" in name for name in pdf_fonts(data)), "CJK font embedded"


def test_the_stored_file_matches_its_sha256_and_is_rendered_only_once(active):
    receipt = render_and_store(active.receipts.get().pk)
    with receipt.file.open("rb") as fh:
        assert hashlib.sha256(fh.read()).hexdigest() == receipt.sha256
    again = render_and_store(receipt.pk)
    assert (again.file.name, again.sha256, again.rendered_at) == (receipt.file.name, receipt.sha256,
                                                                  receipt.rendered_at)


def test_the_receipt_is_rendered_in_the_background_when_the_filing_is_made(world, django_capture_on_commit_callbacks):
    """[002 §12]: entering force issues receipt v1; the render task runs after commit."""
    filing = world.filing(state=S.PUBLIC_NOTICE)
    with django_capture_on_commit_callbacks(execute=True):
        perform(filing_id=filing.pk, action="complete_notice", actor=None)
    receipt = filing.receipts.get()
    assert receipt.version == 1 and receipt.rendered_at is not None and len(receipt.sha256) == 64


def test_a_reissue_makes_v2_and_the_verification_page_calls_v1_superseded(client, active):
    """[002 §13]: a change re-issues the receipt; the old one is no longer valid."""
    issue_receipt(active, reason="变更备案")
    url = reverse("filings:receipt_verify", args=[active.number])
    old = client.get(url, {"v": 1}).content.decode()
    assert "该回执已作废" in old and "已被第 2 版回执取代" in old
    current = client.get(url).content.decode()
    assert "该回执为现行有效版本" in current and "第 2 版" in current
    assert "上海堃喆精密机械有限公司" in current


def test_the_receipt_is_revoked_when_the_filing_ends(client, active):
    """[003 §7, 003 §22]: a cancelled filing's receipt no longer proves a filing."""
    perform(filing_id=active.pk, action="cancel", actor=city(), comment="注销 [003 §22]")
    page = client.get(reverse("filings:receipt_verify", args=[active.number]), {"v": 1}).content.decode()
    assert "该回执已失效" in page and "已注销" in page
    assert "该回执为现行有效版本" not in page


def test_an_unknown_number_or_version_is_not_verified(client, active):
    response = client.get(reverse("filings:receipt_verify", args=["310000XXXX"]))
    assert response.status_code == 404 and "未查到备案编号为 310000XXXX 的备案回执" in response.content.decode()
    response = client.get(reverse("filings:receipt_verify", args=[active.number]), {"v": 9})
    assert response.status_code == 404 and "没有第 9 版回执" in response.content.decode()


def test_the_verification_page_is_cached_and_limited_like_the_directory(client, active, settings):
    """[SPEC §7]: a public page, cacheable for a minute; a client walking through filing numbers is
    refused past its limit while others are served."""
    cache.clear()
    settings.DIRECTORY_RATE_LIMITS = {"directory": (2, 60)}
    url = reverse("filings:receipt_verify", args=[active.number])
    first = client.get(url, REMOTE_ADDR="203.0.113.30")
    assert first.status_code == 200 and "max-age=60" in first["Cache-Control"] and "public" in first["Cache-Control"]
    assert client.get(reverse("filings:receipt_verify", args=["310000XXXX"]), REMOTE_ADDR="203.0.113.30").status_code == 404
    refused = client.get(url, REMOTE_ADDR="203.0.113.30")
    assert refused.status_code == 429 and "访问过于频繁" in refused.content.decode()
    assert client.get(url, REMOTE_ADDR="203.0.113.31").status_code == 200


def test_a_number_with_a_control_character_is_simply_not_found(client, active):
    """PostgreSQL refuses NUL in a string; the page says the number is unknown, never a server error."""
    response = client.get(f"/verify/{active.number}%00/")
    assert response.status_code == 404 and "未查到备案编号" in response.content.decode()


def test_the_agency_downloads_its_current_receipt_and_the_download_is_audited(client, active):
    """[001 §4(1)]: downloads are recorded."""
    issue_receipt(active, reason="变更备案")
    client.force_login(active.agency.staff.get())
    response = client.get(reverse("filings:receipt_download", args=[active.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    data = b"".join(response.streaming_content)
    assert data.startswith(b"%PDF")
    assert "v2.pdf" in response["Content-Disposition"]
    entry = AuditEntry.objects.filter(action="receipt.download").get()
    assert entry.data["version"] == 2 and entry.actor == active.agency.staff.get()


def test_another_agency_cannot_download_the_receipt(client, world, active):
    """[SPEC §1]: out of scope is 404."""
    client.force_login(world.xuhui_clerk)
    assert client.get(reverse("filings:receipt_download", args=[active.pk])).status_code == 404
    client.force_login(world.xuhui_reviewer)  # another district
    assert client.get(reverse("filings:receipt_download", args=[active.pk])).status_code == 404
    assert not AuditEntry.objects.filter(action="receipt.download").exists()
