"""Experts' screens [002 §11, 001 §3(2)]: each expert sees only their own assignments, records
material verification, site visit, opinion, score and recommendation, then submits (locked)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _

from filings import panel_services, services
from filings.choices import FilingState
from filings.forms.review import ExpertReviewForm
from filings.models import ExpertAssignment
from portal.models import Role


def _expert(request):
    if request.user.role != Role.EXPERT:
        raise PermissionDenied
    return request.user


@login_required
def expert_assignments(request):
    expert = _expert(request)
    assignments = (ExpertAssignment.objects.filter(expert=expert)
                   .select_related("filing__agency", "filing__region").order_by("submitted_at", "-assigned_at"))
    open_, done = [], []
    for a in assignments:
        (done if a.submitted_at else open_).append(a)
    return render(request, "filings/expert/assignments.html", {"open": open_, "done": done})


@login_required
def expert_review(request, pk):
    """The expert's own record; anyone else's assignment is not found (404)."""
    expert = _expert(request)
    assignment = get_object_or_404(ExpertAssignment.objects.select_related("filing__agency", "filing__region"),
                                   pk=pk, expert=expert)
    filing = assignment.filing
    editable = assignment.submitted_at is None and filing.state == FilingState.EXPERT_REVIEW
    form = ExpertReviewForm(request.POST or None, instance=assignment)
    if not editable:
        for field in form.fields.values():
            field.disabled = True
    if request.method == "POST" and editable and form.is_valid():
        data = form.cleaned_data
        submit = "submit" in request.POST
        try:
            panel_services.record_expert_review(
                assignment_id=assignment.pk, expert=expert, materials_verified=data["materials_verified"],
                materials_notes=data["materials_notes"], site_visited=data["site_visited"],
                site_visit_notes=data["site_visit_notes"], opinion=data["opinion"], score=data["score"],
                recommendation=data["recommendation"], submit=submit)
        except services.AlreadyDecided as exc:
            messages.error(request, str(exc))
            return redirect("filings:expert_review", pk=assignment.pk)
        except services.TransitionRefused as exc:
            form.add_error(None, str(exc))
        else:
            if submit:
                messages.success(request, _("评审意见已提交，不能再修改。"))
                return redirect("filings:expert_assignments")
            messages.success(request, _("已保存，可继续填写。"))
            return redirect("filings:expert_review", pk=assignment.pk)
    return render(request, "filings/expert/review.html", {
        "assignment": assignment, "filing": filing, "form": form, "editable": editable,
        "scope": filing.scope.select_related("occupation"),
    })


urlpatterns = [
    path("expert/", expert_assignments, name="expert_assignments"),
    path("expert/<int:pk>/", expert_review, name="expert_review"),
]
