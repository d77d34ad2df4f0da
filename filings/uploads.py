"""What an uploaded material really is, judged by its content, never by its name [SPEC §2].

Accepted: PDF, JPEG, PNG, DOCX, XLSX. An Office file is a ZIP archive; we list its members (without
decompressing anything, so a zip bomb costs nothing) and accept it only if it is a Word document or an
Excel workbook without macros. Executables are named as such in the refusal, so a clerk who renamed
one by mistake understands why. The size limit is the `UPLOAD_MAX_BYTES` setting (default 20 MB).
"""

from __future__ import annotations

import hashlib
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

PDF = "application/pdf"
JPEG = "image/jpeg"
PNG = "image/png"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

EXTENSIONS = {PDF: "pdf", JPEG: "jpg", PNG: "png", DOCX: "docx", XLSX: "xlsx"}
ACCEPTED_LABEL = "PDF、JPG、PNG、DOCX、XLSX"

# Signatures of programs and scripts, refused with a message that says so.
EXECUTABLE_SIGNATURES = (
    b"MZ",                    # Windows PE (.exe, .dll, .scr)
    b"\x7fELF",               # Linux
    b"\xfe\xed\xfa\xce", b"\xfe\xed\xfa\xcf", b"\xce\xfa\xed\xfe", b"\xcf\xfa\xed\xfe",  # Mach-O
    b"\xca\xfe\xba\xbe",      # Mach-O universal / Java class
    b"#!",                    # shell scripts
)


@dataclass(frozen=True)
class CheckedUpload:
    """An upload that passed every check, with the facts the Material row keeps."""

    file: UploadedFile
    original_name: str
    content_type: str
    size: int
    sha256: str

    @property
    def extension(self) -> str:
        return EXTENSIONS[self.content_type]


def max_bytes() -> int:
    return int(getattr(settings, "UPLOAD_MAX_BYTES", 20 * 1024 * 1024))


def human_size(n: int) -> str:
    if n >= 1024 * 1024:
        return f"{n / (1024 * 1024):.1f}".rstrip("0").rstrip(".") + " MB"
    return f"{max(1, round(n / 1024))} KB"


def _office_kind(upload: UploadedFile) -> str | None:
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    if "[Content_Types].xml" not in names or any(n.lower().endswith("vbaproject.bin") for n in names):
        return None
    if "word/document.xml" in names:
        return DOCX
    if "xl/workbook.xml" in names:
        return XLSX
    return None


def sniff(upload: UploadedFile) -> str:
    """The content type the bytes show, or a ValidationError that says why the file is refused."""
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"PK\x03\x04"):
        kind = _office_kind(upload)
        upload.seek(0)
        if kind:
            return kind
        raise ValidationError(
            _("该文件是压缩包或含宏的 Office 文件，不能作为申报材料。请上传 %(accepted)s 格式的文件。"),
            code="upload_archive", params={"accepted": ACCEPTED_LABEL})
    if head.startswith(EXECUTABLE_SIGNATURES):
        raise ValidationError(
            _("文件“%(name)s”的实际内容是可执行程序，不是文档，已拒绝上传。请上传 %(accepted)s 格式的文件。"),
            code="upload_executable", params={"name": upload.name, "accepted": ACCEPTED_LABEL})
    raise ValidationError(
        _("无法识别文件“%(name)s”的内容（不论扩展名如何），只接受 %(accepted)s 格式的文件。"),
        code="upload_type", params={"name": upload.name, "accepted": ACCEPTED_LABEL})


def check_upload(upload: UploadedFile) -> CheckedUpload:
    """Size first (cheap), then content; the SHA-256 is taken in chunks so large files stay out of memory."""
    size = upload.size or 0
    if size == 0:
        raise ValidationError(_("文件“%(name)s”是空文件（0 字节），请选择有内容的文件。"), code="upload_empty",
                              params={"name": upload.name})
    limit = max_bytes()
    if size > limit:
        raise ValidationError(
            _("文件“%(name)s”大小为 %(size)s，超过 %(limit)s 的上限，请压缩或拆分后上传。"),
            code="upload_too_large", params={"name": upload.name, "size": human_size(size),
                                             "limit": human_size(limit)})
    content_type = sniff(upload)
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    name = (upload.name or "").replace("/", "_").replace("\\", "_")[:200] or f"upload.{EXTENSIONS[content_type]}"
    return CheckedUpload(file=upload, original_name=name, content_type=content_type, size=size,
                         sha256=digest.hexdigest())
