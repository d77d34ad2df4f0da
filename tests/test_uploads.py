"""Uploaded materials [SPEC §2, 002 §8, 003 §10]: judged by content, not name; limited in size; stored
privately; downloaded only by those who may see the filing, each download recorded [001 §4(1), 003 §18]."""

import hashlib
import io
import zipfile

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import Resolver404, resolve
from PIL import Image
from pypdf import PdfWriter

from filings.choices import FilingState as S, MaterialType
from filings.demo import MINIMAL_PDF
from filings.models import ExpertAssignment, Material
from portal.models import AuditEntry

CREDIT = MaterialType.CREDIT_REPORT


def picture(fmt, size=(64, 48)):
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, fmt)
    return buffer.getvalue()


def pdf_without_pages():
    buffer = io.BytesIO()
    PdfWriter().write(buffer)
    return buffer.getvalue()


def encrypted_pdf(user_password):
    writer = PdfWriter(clone_from=io.BytesIO(MINIMAL_PDF))
    writer.encrypt(user_password=user_password, owner_password="owner", algorithm="AES-128")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


PNG = picture("PNG")
JPG = picture("JPEG")
# The pixel data (IDAT) overwritten: the signature and header still say PNG.
_idat = PNG.index(b"IDAT")
BROKEN_PNG = PNG[:_idat + 8] + b"\x00" * 16 + PNG[_idat + 24:]
EXE = (b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200
       + b"This program cannot be run in DOS mode")


def office(members, body="<x/>"):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in members:
            archive.writestr(name, body if name.endswith("document.xml") else "<x/>")
    return buffer.getvalue()


DOCX = office(["[Content_Types].xml", "_rels/.rels", "word/document.xml"])
XLSX = office(["[Content_Types].xml", "_rels/.rels", "xl/workbook.xml", "xl/worksheets/sheet1.xml"])
DOCM = office(["[Content_Types].xml", "word/document.xml", "word/vbaProject.bin"])
PLAIN_ZIP = office(["readme.txt"])


def upload(client, filing, name, content, material_type=CREDIT):
    return client.post(f"/my/filings/{filing.pk}/materials/",
                       {"type": material_type, f"{material_type}-file": SimpleUploadedFile(name, content)}, follow=True)


@pytest.fixture
def draft(world, client):
    filing = world.filing(state=S.DRAFT)
    client.force_login(world.pudong_clerk)
    return filing


def current(filing, material_type=CREDIT):
    return filing.materials.get(type=material_type, superseded_at__isnull=True)


@pytest.mark.parametrize("name, content, content_type", [
    ("报告.pdf", MINIMAL_PDF, "application/pdf"),
    ("scan.png", PNG, "image/png"),
    ("photo.jpg", JPG, "image/jpeg"),
    ("说明.docx", DOCX, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ("清单.xlsx", XLSX, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ("misnamed.docx", MINIMAL_PDF, "application/pdf"),  # the content decides, not the name
    ("受限.pdf", encrypted_pdf(""), "application/pdf"),  # permissions only: opens without a password
])
def test_accepted_formats_are_recognised_by_content(client, draft, name, content, content_type):
    response = upload(client, draft, name, content)
    assert "已上传" in response.content.decode()
    material = current(draft)
    assert material.content_type == content_type
    assert material.sha256 == hashlib.sha256(content).hexdigest() and material.size == len(content)
    assert AuditEntry.objects.filter(action="material.upload", object_id=str(material.pk)).exists()


@pytest.mark.parametrize("name, content, message", [
    ("信用报告.pdf", EXE, "实际内容是可执行程序"),
    ("run.pdf", b"\x7fELF\x02\x01\x01" + b"\x00" * 50, "实际内容是可执行程序"),
    ("空.pdf", b"", "空文件"),
    ("宏.docx", DOCM, "含宏"),
    ("压缩包.pdf", PLAIN_ZIP, "压缩包"),
    ("notes.pdf", b"just some text pretending to be a pdf", "无法识别"),
    # Issue #11 item 5: a file of an accepted type must open and have content.
    ("截断.pdf", MINIMAL_PDF[:19], "PDF 文件已损坏或不完整，无法打开，请重新导出后上传。"),
    ("空白.pdf", pdf_without_pages(), "PDF 文件没有任何页面。"),
    ("加密.pdf", encrypted_pdf("secret"), "PDF 文件设置了打开密码"),
    ("坏图.png", BROKEN_PNG, "图片文件已损坏或不完整"),
    ("截断.jpg", JPG[: len(JPG) // 2], "图片文件已损坏或不完整"),
    ("缺正文.docx", office(["[Content_Types].xml", "_rels/.rels", "word/styles.xml"]), "已损坏或不完整"),
    ("坏XML.docx", office(["[Content_Types].xml", "word/document.xml"], body="<w:document"), "已损坏或不完整"),
])
def test_bad_files_are_refused_beside_the_field_and_change_nothing(client, draft, name, content, message):
    """[SPEC §2] uploads are checked by content: a renamed executable, an empty file and the like are refused."""
    before = list(draft.materials.values_list("pk", "superseded_at"))
    response = upload(client, draft, name, content)
    html = response.content.decode()
    assert message in html
    assert f'id="id_{CREDIT}-file_error"' in html  # beside the credit report's own field
    assert list(draft.materials.values_list("pk", "superseded_at")) == before
    assert not AuditEntry.objects.filter(action="material.upload").exists()


def test_an_image_that_would_decode_to_too_many_pixels_is_refused_before_decoding(client, draft):
    """A small PNG of 8000×8000 pixels (64 million, over the 50 million cap) is refused by its header."""
    buffer = io.BytesIO()
    Image.new("1", (8000, 8000)).save(buffer, "PNG")
    before = list(draft.materials.values_list("pk", "superseded_at"))
    html = upload(client, draft, "巨图.png", buffer.getvalue()).content.decode()
    assert "超过 5000 万像素的上限" in html
    assert list(draft.materials.values_list("pk", "superseded_at")) == before
    assert not AuditEntry.objects.filter(action="material.upload").exists()


def test_an_office_part_declared_larger_than_the_cap_is_not_read(draft, monkeypatch):
    from filings import uploads

    monkeypatch.setattr(uploads, "MAX_OFFICE_PART_BYTES", 3)
    with pytest.raises(uploads.ValidationError) as refused:
        uploads.check_upload(SimpleUploadedFile("说明.docx", DOCX))
    assert refused.value.code == "upload_office_broken"


def test_an_oversized_file_is_refused(client, draft, settings):
    settings.UPLOAD_MAX_BYTES = 1024
    before = current(draft).pk
    html = upload(client, draft, "big.pdf", MINIMAL_PDF + b"0" * 2048).content.decode()
    assert "超过 1 KB 的上限" in html
    assert current(draft).pk == before


def test_the_default_size_limit_is_twenty_megabytes(client, draft):
    assert django_settings.UPLOAD_MAX_BYTES == 20 * 1024 * 1024
    assert "单个文件不超过 20 MB" in client.get(f"/my/filings/{draft.pk}/materials/").content.decode()


def test_a_replaced_file_is_kept_and_marked_superseded(client, draft):
    """[002 §19, 003 §16] archives are kept; nothing uploaded is deleted."""
    old = current(draft)
    upload(client, draft, "新信用报告.pdf", MINIMAL_PDF + b"%new")
    old.refresh_from_db()
    assert old.superseded_at is not None and old.file.storage.exists(old.file.name)
    assert current(draft).original_name == "新信用报告.pdf"
    page = client.get(f"/my/filings/{draft.pk}/materials/").content.decode()
    assert "新信用报告.pdf" in page  # the current file is shown beside its upload field


def test_files_are_stored_outside_any_public_path(draft, settings):
    material = current(draft)
    path = material.file.path
    assert path.startswith(str(settings.MEDIA_ROOT))
    assert not str(settings.MEDIA_ROOT).startswith(str(settings.STATIC_ROOT or "/nonexistent"))
    with pytest.raises(Resolver404):
        resolve(f"{settings.MEDIA_URL}{material.file.name}")


def test_the_agency_downloads_its_material_and_the_download_is_recorded(client, draft):
    material = current(draft)
    response = client.get(f"/materials/{material.pk}/download/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == MINIMAL_PDF
    assert "attachment" in response["Content-Disposition"]
    entry = AuditEntry.objects.get(action="material.download", object_id=str(material.pk))
    assert entry.actor_id == draft.agency.staff.first().pk


def test_reviewers_and_assigned_experts_may_download_others_get_404(client, world):
    """[SPEC §1] object-level rule: outside the viewer's scope a download is simply not found."""
    filing = world.filing(state=S.SUBMITTED)
    url = f"/materials/{current(filing).pk}/download/"
    for user, status in [(world.pudong_reviewer, 200), (world.city, 200), (world.admin, 200),
                         (world.xuhui_reviewer, 404), (world.xuhui_clerk, 404), (world.experts[0], 404)]:
        client.force_login(user)
        assert client.get(url).status_code == status, user
    ExpertAssignment.objects.create(filing=filing, expert=world.experts[0], assigned_by=world.city)
    client.force_login(world.experts[0])
    assert client.get(url).status_code == 200
    assert AuditEntry.objects.filter(action="material.download").count() == 4


def test_anonymous_visitors_cannot_download(client, world):
    filing = world.filing(state=S.DRAFT)
    response = client.get(f"/materials/{current(filing).pk}/download/")
    assert response.status_code == 302 and "/accounts/login/" in response.url
    assert not AuditEntry.objects.filter(action="material.download").exists()


def test_materials_cannot_be_uploaded_once_submitted(client, world):
    filing = world.filing(state=S.SUBMITTED)
    client.force_login(world.pudong_clerk)
    count = Material.objects.count()
    html = upload(client, filing, "late.pdf", MINIMAL_PDF).content.decode()
    assert "不能修改" in html
    assert Material.objects.count() == count
