"""What an uploaded material really is, judged by its content, never by its name [SPEC §2].

Accepted: PDF, JPEG, PNG, DOCX, XLSX. An Office file is a ZIP archive; we list its members (without
decompressing anything, so a zip bomb costs nothing) and accept it only if it is a Word document or an
Excel workbook without macros. Executables are named as such in the refusal, so a clerk who renamed
one by mistake understands why. The size limit is the `UPLOAD_MAX_BYTES` setting (default 20 MB).

A file of an accepted type must also open, or it is not a material a reviewer can read (issue #11):
a PDF must parse (pypdf, lenient about the small faults real exporters make) and have at least one
page, and must open without a password; an image must decode completely (Pillow) and stay within
`MAX_IMAGE_PIXELS`, so a small file that inflates to gigabytes is refused before it is decoded; a
Word or Excel file must hold its main parts, whose XML must parse, and no part larger than
`MAX_OFFICE_PART_BYTES` is read, judged by the size the archive declares before decompressing.
"""

from __future__ import annotations

import hashlib
import warnings
import zipfile
from dataclasses import dataclass
from xml.etree.ElementTree import ParseError, iterparse

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError
from pypdf import PdfReader
from pypdf.errors import PyPdfError

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


# A 600 dpi A4 scan is 35 million pixels; 50 million decodes in about 150 MB.
MAX_IMAGE_PIXELS = 50_000_000
# The main XML part of a 20 MB Word or Excel file is rarely a tenth of this.
MAX_OFFICE_PART_BYTES = 50 * 1024 * 1024
OFFICE_MAIN_PART = {DOCX: "word/document.xml", XLSX: "xl/workbook.xml"}
# What a malformed file can make pypdf and Pillow raise; anything else is a bug and is not swallowed.
DECODE_ERRORS = (PyPdfError, UnidentifiedImageError, SyntaxError, OSError, ValueError, KeyError, TypeError,
                 AttributeError, IndexError, RecursionError, EOFError, ZeroDivisionError)


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
    # By its folders, so that a Word file missing its main part is refused as broken (check_content),
    # not as an archive.
    if any(n.startswith("word/") for n in names):
        return DOCX
    if any(n.startswith("xl/") for n in names):
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


def _broken(message: str, code: str, **params) -> ValidationError:
    return ValidationError(message, code=code, params=params)


def _check_pdf(upload: UploadedFile) -> None:
    upload.seek(0)
    try:
        reader = PdfReader(upload, strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            # Permission-only encryption (no password to open), common on issued reports, passes.
            raise _broken(_("PDF 文件设置了打开密码，审核人员无法查看，请上传未加密的版本。"), "upload_pdf_encrypted")
        pages = len(reader.pages)
        if pages:
            reader.pages[0]  # walks the page tree: a /Count that lies is found here
    except ValidationError:
        raise
    except DECODE_ERRORS:
        raise _broken(_("PDF 文件已损坏或不完整，无法打开，请重新导出后上传。"), "upload_pdf_broken") from None
    if pages < 1:
        raise _broken(_("PDF 文件没有任何页面。"), "upload_pdf_empty")


def _check_image(upload: UploadedFile, content_type: str) -> None:
    expected = {JPEG: "JPEG", PNG: "PNG"}[content_type]
    broken = _broken(_("图片文件已损坏或不完整，无法显示，请重新保存后上传。"), "upload_image_broken")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            upload.seek(0)
            with Image.open(upload, formats=[expected]) as image:
                width, height = image.size
                if width * height > MAX_IMAGE_PIXELS:
                    raise _broken(_("图片尺寸过大（%(width)s×%(height)s 像素），超过 5000 万像素的上限，请缩小后上传。"),
                                  "upload_image_too_large", width=width, height=height)
                image.verify()  # checksums (PNG chunks) without decoding
            upload.seek(0)
            with Image.open(upload, formats=[expected]) as image:
                if expected == "JPEG":
                    image.draft(image.mode, (max(1, width // 8), max(1, height // 8)))  # decode at 1/8 scale
                image.load()  # every byte of the picture decoded: a truncated file fails here
    except ValidationError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _broken(_("图片像素数异常巨大，疑似“解压炸弹”，已拒绝上传。"), "upload_image_bomb") from None
    except DECODE_ERRORS:
        raise broken from None
    finally:
        upload.seek(0)


def _check_office(upload: UploadedFile, content_type: str) -> None:
    broken = _broken(_("文件“%(name)s”已损坏或不完整，无法打开，请在 Word 或 Excel 中重新保存后上传。"),
                     "upload_office_broken", name=upload.name)
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            for part in ("[Content_Types].xml", OFFICE_MAIN_PART[content_type]):
                info = archive.getinfo(part)
                if info.file_size > MAX_OFFICE_PART_BYTES:
                    raise broken
                # The reader stops at the declared size, so a lying header cannot inflate past the cap.
                with archive.open(info) as stream:
                    for _event, element in iterparse(stream):
                        element.clear()
    except ValidationError:
        raise
    except (zipfile.BadZipFile, KeyError, ParseError, OSError, EOFError, ValueError, NotImplementedError):
        raise broken from None
    finally:
        upload.seek(0)


def check_content(upload: UploadedFile, content_type: str) -> None:
    """A ValidationError unless the file of this type opens and has content a reviewer can read."""
    if content_type == PDF:
        _check_pdf(upload)
    elif content_type in (JPEG, PNG):
        _check_image(upload, content_type)
    else:
        _check_office(upload, content_type)
    upload.seek(0)


def check_upload(upload: UploadedFile) -> CheckedUpload:
    """Size first (cheap), then the type and whether the file opens; the SHA-256 is taken in chunks so
    large files stay out of memory."""
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
    check_content(upload, content_type)
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    name = (upload.name or "").replace("/", "_").replace("\\", "_")[:200] or f"upload.{EXTENSIONS[content_type]}"
    return CheckedUpload(file=upload, original_name=name, content_type=content_type, size=size,
                         sha256=digest.hexdigest())
