"""Administrators' import screens (issue #15 §4): download the template, upload, preview every
row and every error, confirm — all or nothing. The uploaded file waits between the two steps under
MEDIA_ROOT/imports/ (never a public path), named by a token kept in the session and checked
against its SHA-256 when confirmed."""

from __future__ import annotations

import secrets
import tempfile
from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files import File
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal import imports, ledgers
from portal.import_resources import KINDS, run
from portal.models import Role
from portal.spreadsheets import XLSX_CONTENT_TYPE


class UploadForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Excel 文件（.xlsx）"),
                           widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        try:
            imports.check_workbook(upload)
        except imports.ImportRefused as exc:
            raise forms.ValidationError(exc.messages) from None
        return upload


def _admin_only(request):
    user = request.user
    if not (user.is_superuser or user.role == Role.ADMIN):
        raise Http404


def _kind_or_404(name):
    kind = KINDS.get(name)
    if kind is None:
        raise Http404
    return kind


def _pending_dir() -> Path:
    path = Path(settings.MEDIA_ROOT) / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


@login_required
def index(request):
    _admin_only(request)
    return render(request, "imports/index.html", {"kinds": KINDS.values()})


@login_required
def template(request, name):
    _admin_only(request)
    kind = _kind_or_404(name)
    spool = tempfile.TemporaryFile()
    ledgers.write_template(ledgers.get(kind.ledger), spool)
    spool.seek(0)
    return FileResponse(spool, as_attachment=True, filename=f"import-{kind.name}.xlsx", content_type=XLSX_CONTENT_TYPE)


@login_required
def upload(request, name):
    """Step one: upload and see the preview (a dry run that changes nothing)."""
    _admin_only(request)
    kind = _kind_or_404(name)
    form = UploadForm(request.POST or None, request.FILES or None)
    preview = None
    token = ""
    if request.method == "POST" and form.is_valid():
        file = form.cleaned_data["file"]
        try:
            preview = run(kind, file, actor=request.user, confirm=False)
        except imports.ImportRefused as exc:
            form.add_error("file", exc.messages)
        else:
            if preview.ok:
                token = secrets.token_urlsafe(18)
                path = _pending_dir() / f"{token}.xlsx"
                file.seek(0)
                with path.open("wb") as out:
                    for chunk in file.chunks():
                        out.write(chunk)
                request.session[f"import:{token}"] = {"kind": kind.name, "sha256": preview.sha256,
                                                      "name": str(file.name)[:200]}
    return render(request, "imports/upload.html", {"kind": kind, "form": form, "preview": preview, "token": token,
                                                   "headers": kind.headers()})


@login_required
def confirm(request, name):
    """Step two: import the previewed file for real, all or nothing."""
    _admin_only(request)
    kind = _kind_or_404(name)
    if request.method != "POST":
        return redirect(reverse("portal:import_upload", kwargs={"name": kind.name}))
    token = request.POST.get("token", "")
    pending = request.session.get(f"import:{token}") if token.replace("-", "").replace("_", "").isalnum() else None
    path = _pending_dir() / f"{token}.xlsx"
    if not pending or pending["kind"] != kind.name or not path.exists():
        messages.error(request, _("预览已失效，请重新上传文件。"))
        return redirect(reverse("portal:import_upload", kwargs={"name": kind.name}))
    with path.open("rb") as handle:
        upload = File(handle, name=pending["name"])
        if imports.sha256_of(upload) != pending["sha256"]:
            raise Http404
        try:
            preview = run(kind, upload, actor=request.user, confirm=True)
        except imports.ImportRefused as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect(reverse("portal:import_upload", kwargs={"name": kind.name}))
    if not preview.ok:
        return render(request, "imports/upload.html", {"kind": kind, "form": UploadForm(), "preview": preview,
                                                       "token": "", "headers": kind.headers()})
    path.unlink(missing_ok=True)
    request.session.pop(f"import:{token}", None)
    messages.success(request, _("已导入%(title)s：%(totals)s。") % {
        "title": kind.title, "totals": "，".join(f"{k} {v} 行" for k, v in preview.totals.items()) or _("无变化")})
    return redirect("portal:imports")


def urls():
    from django.urls import path

    patterns = [path("imports/", index, name="imports")]
    for kind in KINDS.values():
        patterns += [
            path(f"imports/{kind.name}/", upload, {"name": kind.name}, name="import_upload"),
            path(f"imports/{kind.name}/template/", template, {"name": kind.name}, name="import_template"),
            path(f"imports/{kind.name}/confirm/", confirm, {"name": kind.name}, name="import_confirm"),
        ]
    return patterns
