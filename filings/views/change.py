"""变更备案 screens [002 §13]: the agency drafts, submits or withdraws a change request on an in-force
filing; the pre-reviewer (district or industry department) forwards it with an opinion; the city
approves or refuses. Every read goes through `filings_visible_to`, every write through
`change_services`."""

from __future__ import annotations

from dataclasses import asdict

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.views.decorators.http import require_POST

from filings import change_panel_services, change_services
from filings import permissions as perm
from filings.forms.agency import MaterialForm
from filings.forms.examiners import ExaminerFormSet, posted_values
from filings.forms.review import PanelForm
from filings.models import ChangeAttachment, ChangeRequest, ChangeReviewer, Objection
from filings.models.changes import CHANGE_MATERIALS
from filings.selectors import changes_visible_to, filings_visible_to
from filings.services import TransitionRefused
from filings.uploads import EXTENSIONS
from portal import audit_actions
from portal.audit import record
from portal.models import AuditEntry, Occupation, Role, SkillLevel
from portal.text import CleanTextMixin, validate_person_name, validate_phone
from portal.workdays import workdays_between

CR = ChangeRequest.State
BADGES = {CR.DRAFT: "badge-draft", CR.SUBMITTED: "badge-pending", CR.PRE_REVIEW: "badge-pending",
          CR.EXPERT_REVIEW: "badge-pending", CR.NOTICE: "badge-pending",
          CR.APPROVED: "badge-ok", CR.REFUSED: "badge-danger", CR.WITHDRAWN: "badge-muted"}


# ----- forms -------------------------------------------------------------------------------------
class ChangeForm(CleanTextMixin, forms.Form):
    reason = forms.CharField(label=_l("变更理由"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    remove = forms.TypedMultipleChoiceField(label=_l("删除的职业（工种）"), coerce=int, required=False,
                                            widget=forms.CheckboxSelectMultiple)
    address = forms.CharField(label=_l("地址"), max_length=200)
    legal_representative = forms.CharField(label=_l("法定代表人"), max_length=50, validators=[validate_person_name])
    contact_name = forms.CharField(label=_l("联系人"), max_length=50, validators=[validate_person_name])
    contact_phone = forms.CharField(label=_l("联系电话"), max_length=30, validators=[validate_phone])
    contact_email = forms.EmailField(label=_l("联系邮箱"), required=False)

    def __init__(self, *args, filing, **kwargs):
        agency = filing.agency
        initial = {**{name: getattr(agency, name) for name in change_services.DETAIL_FIELDS},
                   **(kwargs.pop("initial", None) or {})}
        super().__init__(*args, initial=initial, **kwargs)
        self.fields["remove"].choices = [(s.occupation_id, f"{s.occupation} {s.levels_label}")
                                         for s in filing.scope.select_related("occupation")]
        self.fields["address"].help_text = _("登记信息未改动的项目保持原样即可，只有改动的项目计入变更。")

    def details(self) -> dict:
        return {name: self.cleaned_data[name] for name in change_services.DETAIL_FIELDS}


class AddScopeForm(CleanTextMixin, forms.Form):
    occupation = forms.ModelChoiceField(label=_l("职业（工种）"), queryset=Occupation.objects.all(), required=False,
                                        empty_label=_l("（不新增或调整）"))
    level_from = forms.TypedChoiceField(label=_l("最低等级"), choices=SkillLevel.choices, coerce=int,
                                        initial=SkillLevel.LEVEL_5)
    level_to = forms.TypedChoiceField(label=_l("最高等级"), choices=SkillLevel.choices, coerce=int,
                                      initial=SkillLevel.LEVEL_3)
    def clean(self):
        data = super().clean()
        if data.get("occupation") and data.get("level_from") and data.get("level_to") \
                and data["level_from"] > data["level_to"]:
            self.add_error("level_to", _("最高等级不能低于最低等级。"))
        return data

    def row(self) -> dict | None:
        data = self.cleaned_data
        if not data.get("occupation"):
            return None
        return {"occupation": data["occupation"].pk, "level_from": data["level_from"],
                "level_to": data["level_to"], "examiners": []}


AddScopeFormSet = forms.formset_factory(AddScopeForm, extra=2, max_num=10)


class ActForm(CleanTextMixin, forms.Form):
    action = forms.ChoiceField(choices=list(change_services.ACTIONS.items()))
    comment = forms.CharField(required=False, max_length=2000)
    expected_state = forms.CharField(required=False)


class ChangeReviewForm(CleanTextMixin, forms.ModelForm):
    """An expert's opinion on the added scope [002 §11]; the service checks completeness."""

    class Meta:
        model = ChangeReviewer
        fields = ["opinion", "score", "recommendation"]
        widgets = {"opinion": forms.Textarea(attrs={"rows": 5}),
                   "score": forms.NumberInput(attrs={"min": 0, "max": 100, "step": "0.5"})}
        help_texts = {"score": _l("0—100 分"), "recommendation": _l("提交后不能修改")}


# ----- views -------------------------------------------------------------------------------------
@login_required
def change_list(request):
    """Change requests the user may see; reviewers see the ones waiting for them first."""
    qs = changes_visible_to(request.user)
    waiting = request.GET.get("waiting") == "1"
    if waiting:
        qs = qs.filter(state__in=[CR.SUBMITTED, CR.PRE_REVIEW])
    filing_id = request.GET.get("filing", "")
    if filing_id.isdigit():
        qs = qs.filter(filing_id=filing_id)
    page = Paginator(qs.order_by("-created_at"), 20).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "filings/change/list.html", {
        "page_obj": page, "query_string": query.urlencode(), "waiting": waiting, "badges": BADGES,
    })


@login_required
def change_create(request, pk: int):
    filing = get_object_or_404(filings_visible_to(request.user), pk=pk)
    if not perm.is_agency_member(filing, request.user):
        raise PermissionDenied
    form = ChangeForm(request.POST or None, filing=filing)
    formset = AddScopeFormSet(request.POST or None, prefix="add")
    examiners = ExaminerFormSet(request.POST or None, prefix="ex", occupations=Occupation.objects.all())
    if request.method == "POST" and "add_row" in request.POST:
        # One more examiner row; everything typed is shown again as it was, not yet judged.
        form = ChangeForm(initial=posted_values(form), filing=filing)
        formset = AddScopeFormSet(initial=[posted_values(f) for f in formset], prefix="add")
        formset.extra = 0
        examiners = examiners.with_another_row()
    elif request.method == "POST" and all([form.is_valid(), formset.is_valid(), examiners.is_valid()]) \
            and _examiners_joined(formset, examiners):
        add, joining = [row for f in formset.forms if (row := f.row())], examiners.rows_by_occupation()
        for row in add:
            row["examiners"] = [asdict(e) for e in joining.get(row["occupation"], [])]
        try:
            change = change_services.create_change_request(
                filing_id=filing.pk, actor=request.user, reason=form.cleaned_data["reason"], add=add,
                remove=form.cleaned_data["remove"], details=form.details())
        except TransitionRefused as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("变更申请已保存为草稿，请核对后提交。"))
            return redirect("filings:change_detail", pk=change.pk)
    return render(request, "filings/change/form.html", {
        "filing": filing, "form": form, "formset": formset, "examiners": examiners, "in_force": filing.in_force,
    })


def _examiners_joined(formset, examiners) -> bool:
    """Each examiner row names an occupation added or re-ranged above, else it is refused beside the field."""
    return examiners.keep_to({f.cleaned_data["occupation"].pk for f in formset if f.cleaned_data.get("occupation")},
                             _("请先在上方“新增职业（工种）或调整等级”中选择该职业（工种）。"))


@login_required
def change_detail(request, pk: int):
    change = get_object_or_404(changes_visible_to(request.user), pk=pk)
    history = AuditEntry.objects.filter(content_type=ContentType.objects.get_for_model(ChangeRequest),
                                        object_id=str(change.pk), outcome="succeeded").order_by("id")
    return render(request, "filings/change/detail.html", {
        "change": change, "filing": change.filing, "proposal": change_services.describe(change),
        "actions": change_services.available_actions(change, request.user),
        "history": [(entry, audit_actions.label(entry.action)) for entry in history],
        "badge": BADGES.get(change.state, "badge-muted"),
        "is_pre_review_route": change.filing.route != "city",
        "is_agency": request.user.role == Role.AGENCY,
        "materials": _materials_of(change),
        "panel": change_panel_services.change_panel_summary(change) if change.adds_scope else None,
        "panel_form": (PanelForm(filing=change.filing, initial={"experts": [r.expert_id for r in change.panel.all()]})
                       if change.adds_scope and change.state in (CR.SUBMITTED, CR.EXPERT_REVIEW)
                       and perm.is_city_reviewer(change.filing, request.user) else None),
        "review_form": _review_form(change, request.user),
        "may_upload": change.state == CR.DRAFT and change.adds_scope and perm.is_agency_member(change.filing,
                                                                                                request.user),
        "quota_conflicts": (change_services.quota_problems(change.selection_conflicts())
                            if change.state in change_services.OPEN_STATES else []),
        **_notice_context(change, request.user),
    })


def _notice_context(change: ChangeRequest, user) -> dict:
    """The notice of the added scope and its clock [003 §7]; the objections for the city alone."""
    item = change.notice_items.select_related("notice").order_by("-id").first()
    if item is None:
        return {"notice_item": None}
    today = timezone.localdate()
    running = change.state == CR.NOTICE and change.notice_ends_on and today <= change.notice_ends_on
    city = perm.is_city_reviewer(change.filing, user)
    return {"notice_item": item,
            "notice_days_left": workdays_between(today, change.notice_ends_on) if running else None,
            "objections": Objection.objects.filter(item__change=change) if city else None}


def _review_form(change: ChangeRequest, user):
    if change.state != CR.EXPERT_REVIEW:
        return None
    reviewer = change.panel.filter(expert_id=user.pk, submitted_at__isnull=True).first()
    return ChangeReviewForm(instance=reviewer) if reviewer else None


@login_required
@require_POST
def change_panel(request, pk: int):
    """The city names the experts who review the added scope [002 §11]."""
    change = get_object_or_404(changes_visible_to(request.user), pk=pk)
    if not perm.is_city_reviewer(change.filing, request.user):
        raise PermissionDenied
    form = PanelForm(request.POST, filing=change.filing)
    if not form.is_valid():
        messages.error(request, "；".join(e for errors in form.errors.values() for e in errors))
        return redirect("filings:change_detail", pk=change.pk)
    try:
        change_panel_services.assign_change_panel(change_id=change.pk, experts=form.cleaned_data["experts"],
                                                  actor=request.user)
    except TransitionRefused as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("专家组已保存。"))
    return redirect("filings:change_detail", pk=change.pk)


@login_required
@require_POST
def change_review(request, pk: int):
    """An expert on the panel submits an opinion, a score and a recommendation [002 §11]."""
    change = get_object_or_404(changes_visible_to(request.user), pk=pk)
    reviewer = get_object_or_404(ChangeReviewer, change=change, expert_id=request.user.pk)
    form = ChangeReviewForm(request.POST, instance=reviewer)
    if not form.is_valid():
        messages.error(request, "；".join(e for errors in form.errors.values() for e in errors))
        return redirect("filings:change_detail", pk=change.pk)
    data = form.cleaned_data
    try:
        change_panel_services.record_change_review(change_id=change.pk, expert=request.user, opinion=data["opinion"],
                                                   score=data["score"], recommendation=data["recommendation"])
    except TransitionRefused as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("评审意见已提交。"))
    return redirect("filings:change_detail", pk=change.pk)


def _materials_of(change: ChangeRequest) -> list[dict]:
    current = {a.type: a for a in change.attachments.filter(superseded_at__isnull=True)}
    return [{"type": t.value, "label": t.label, "attachment": current.get(t.value),
             "form": MaterialForm(auto_id=f"id_%s_{t.value}")} for t in CHANGE_MATERIALS]


@login_required
@require_POST
def change_material_upload(request, pk: int):
    """The agency uploads a material for the scope its draft change adds [002 §8, 003 §10]."""
    change = get_object_or_404(changes_visible_to(request.user), pk=pk)
    if not perm.is_agency_member(change.filing, request.user):
        raise PermissionDenied
    material_type = request.POST.get("type", "")
    form = MaterialForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, "；".join(e for errors in form.errors.values() for e in errors))
        return redirect("filings:change_detail", pk=change.pk)
    try:
        change_services.upload_change_material(change_id=change.pk, actor=request.user,
                                               material_type=material_type, upload=form.cleaned_data["file"])
    except (TransitionRefused, ValidationError) as exc:
        messages.error(request, "；".join(getattr(exc, "messages", [str(exc)])))
    else:
        messages.success(request, _("材料已上传。"))
    return redirect("filings:change_detail", pk=change.pk)


@login_required
def change_material_download(request, pk: int):
    """Whoever may see the change may download its materials; everyone else gets 404. Every
    download is recorded [001 §4(1), 003 §18]."""
    attachment = get_object_or_404(ChangeAttachment.objects.select_related("change"), pk=pk,
                                   change__in=changes_visible_to(request.user))
    record("change.material_download", attachment.change, actor=request.user,
           data={"attachment": attachment.pk, "type": attachment.type, "sha256": attachment.sha256})
    extension = EXTENSIONS.get(attachment.content_type, "bin")
    name = attachment.original_name if attachment.original_name.lower().endswith(f".{extension}") else (
        f"{attachment.original_name}.{extension}")
    response = FileResponse(attachment.file.open("rb"), as_attachment=True, filename=name,
                            content_type=attachment.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def change_act(request, pk: int):
    change = get_object_or_404(changes_visible_to(request.user), pk=pk)
    form = ActForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("操作无效，请刷新页面后重试。"))
        return redirect("filings:change_detail", pk=change.pk)
    action = form.cleaned_data["action"]
    try:
        change_services.act(change_id=change.pk, action=action, actor=request.user,
                            comment=form.cleaned_data["comment"],
                            expected_state=form.cleaned_data["expected_state"] or None)
    except TransitionRefused as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("已办理：%(a)s。") % {"a": change_services.ACTIONS[action]})
    return redirect("filings:change_detail", pk=change.pk)


urlpatterns = [
    path("changes/", change_list, name="change_list"),
    path("filings/<int:pk>/changes/new/", change_create, name="change_create"),
    path("changes/<int:pk>/", change_detail, name="change_detail"),
    path("changes/<int:pk>/act/", change_act, name="change_act"),
    path("changes/<int:pk>/materials/", change_material_upload, name="change_material_upload"),
    path("changes/<int:pk>/panel/", change_panel, name="change_panel"),
    path("changes/<int:pk>/review/", change_review, name="change_review"),
    path("change-materials/<int:pk>/", change_material_download, name="change_material_download"),
]
