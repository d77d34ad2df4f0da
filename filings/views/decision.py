"""Written decisions and the supplement checklist: the download for those who may see the filing,
and the agency's written answer to one item [002 §10-11]."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from filings import supplements
from filings.decision_pdf import render_and_store
from filings.forms.agency import SupplementAnswerForm
from filings.models import SupplementItem, WrittenNotice
from filings.selectors import filings_visible_to
from portal.audit import record
from portal.models import Role


@login_required
def decision_download(request, pk: int, notice_pk: int):
    """One written notice of a filing the user may see; anything else is 404. Audited."""
    filing = get_object_or_404(filings_visible_to(request.user), pk=pk)
    notice = get_object_or_404(WrittenNotice.objects.filter(filing=filing), pk=notice_pk)
    if not notice.rendered_at:  # the background render has not run yet: render now (idempotent, locked)
        notice = render_and_store(notice.pk)
    record("decision.download", notice, actor=request.user,
           data={"filing": filing.pk, "kind": notice.kind, "number": notice.number})
    response = FileResponse(notice.file.open("rb"), as_attachment=True, content_type="application/pdf",
                            filename=f"{notice.get_kind_display()}-{notice.number}.pdf")
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def supplement_answer(request, pk: int, item_pk: int):
    """The agency answers one item of the supplement notice in writing instead of changing it."""
    filing = get_object_or_404(filings_visible_to(request.user), pk=pk)
    if request.user.role != Role.AGENCY:
        raise PermissionDenied
    item = get_object_or_404(SupplementItem.objects.filter(filing=filing), pk=item_pk)
    form = SupplementAnswerForm(request.POST)
    back = request.POST.get("next") or ""
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = reverse("filings:filing_edit", args=[filing.pk])
    if form.is_valid():
        try:
            supplements.answer_item(item_id=item.pk, actor=request.user, answer=form.cleaned_data["answer"])
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        else:
            messages.success(request, _("已填写说明：%(item)s。") % {"item": item.label})
    else:
        messages.error(request, "；".join(e for errors in form.errors.values() for e in errors))
    return redirect(back)


urlpatterns = [
    path("filings/<int:pk>/decisions/<int:notice_pk>/", decision_download, name="decision_download"),
    path("filings/<int:pk>/supplement/<int:item_pk>/answer/", supplement_answer, name="supplement_answer"),
]
