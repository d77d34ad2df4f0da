"""Ledger pages (issue #15): the list of ledgers a person may export, "export with these filters"
from every staff list, and the progress page of a large export running in the background."""

from __future__ import annotations

import tempfile

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from portal import audit, audit_actions, ledgers
from portal.spreadsheets import XLSX_CONTENT_TYPE

audit_actions.register({"ledger.download": "下载后台导出的台账"})


def _ledger_or_404(request, name: str) -> ledgers.Ledger:
    ledger = ledgers.get(name)
    if ledger is None or not ledger.allowed(request.user):
        raise Http404
    return ledger


def _filename(ledger: ledgers.Ledger) -> str:
    return f"{ledger.name}-{timezone.localtime():%Y%m%d-%H%M}.xlsx"


@login_required
@require_GET
def index(request):
    """Every ledger the person may export, each as a whole (what they may see)."""
    available = ledgers.visible_ledgers(request.user)
    if not available:
        raise Http404
    return render(request, "ledgers/index.html", {"ledgers": available})


@login_required
@require_GET
def export(request, name):
    """The ledger with the list's current filters: written in the request up to the background
    threshold, beyond it handed to Celery with a progress page."""
    ledger = _ledger_or_404(request, name)
    filters = ledgers.clean_filters(request.GET, ledger.filter_names)
    total = ledger.count(request.user, filters)
    if total > ledgers.background_threshold():
        from portal.ledger_tasks import export_ledger_job
        from portal.tasks import send_later

        token = ledgers.new_job(ledger, request.user, filters, total)
        if not send_later(export_ledger_job, token):
            ledgers.run_job(token)  # no broker: as before, in the request
        return redirect(reverse("portal:ledger_job") + f"?token={token}")
    spool = tempfile.TemporaryFile()
    ledgers.export(ledger, request.user, filters, spool)
    spool.seek(0)
    return FileResponse(spool, as_attachment=True, filename=_filename(ledger), content_type=XLSX_CONTENT_TYPE)


def _job_or_404(request):
    token = request.GET.get("token", "")[:64]
    job = ledgers.job(token, request.user) if token else None
    if job is None:
        raise Http404
    return token, job


def _percent(job: dict) -> int:
    if job["state"] == "done":
        return 100
    return min(99, int(100 * job["done"] / job["total"])) if job["total"] else 0


@login_required
@require_GET
def job_page(request):
    token, job = _job_or_404(request)
    ledger = ledgers.get(job["ledger"])
    return render(request, "ledgers/job.html", {
        "job": job, "ledger": ledger, "percent": _percent(job), "token": token,
        "status_url": reverse("portal:ledger_job_status") + f"?token={token}",
        "download_url": reverse("portal:ledger_job_download") + f"?token={token}"})


@login_required
@require_GET
def job_status(request):
    token, job = _job_or_404(request)
    return JsonResponse({"state": job["state"], "done": job["done"], "total": job["total"], "percent": _percent(job),
                         "download_url": reverse("portal:ledger_job_download") + f"?token={token}"
                         if job["state"] == "done" else ""})


@login_required
@require_GET
def job_download(request):
    token, job = _job_or_404(request)
    path = ledgers.job_path(token)
    if job["state"] != "done" or not path.exists():
        raise Http404
    ledger = ledgers.get(job["ledger"])
    audit.record("ledger.download", None, actor=request.user, comment=str(ledger.title),
                 data={"ledger": ledger.name, "filters": job["filters"], "rows": job["total"]})
    return FileResponse(path.open("rb"), as_attachment=True, filename=_filename(ledger),
                        content_type=XLSX_CONTENT_TYPE)


def urls():
    """The ledger pages, one export pattern per ledger (its name a default, not a URL parameter,
    so `{% url 'portal:ledger_export' name='filings' %}` reverses); the job by `?token=`."""
    from django.urls import path

    patterns = [
        path("ledgers/", index, name="ledgers"),
        path("ledgers/job/", job_page, name="ledger_job"),
        path("ledgers/job/status/", job_status, name="ledger_job_status"),
        path("ledgers/job/download/", job_download, name="ledger_job_download"),
    ]
    for ledger in ledgers.all_ledgers():
        patterns.append(path(f"ledgers/{ledger.name}/export/", export, {"name": ledger.name}, name="ledger_export"))
    return patterns
