"""The agency's screens (registration, its home, the application in steps, submission) and the city
staff's agency register; plus the one permission-checked download of materials [SPEC §1–3]."""

from __future__ import annotations

import datetime
from functools import wraps
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from filings import agency_services, services, supplements
from filings.choices import EDITABLE, ENDED, IN_FORCE, FilingState, MaterialType
from filings.forms.agency import (AccountForm, AgencyForm, DetailsForm, FacilitiesForm, MaterialForm,
                           PledgeForm, ScopeFormSet, examiner_formset)
from filings.models import Filing, Material, required_material_types
from filings.panels.agency import next_step
from filings.selectors import agencies_visible_to, filings_visible_to
from filings.uploads import EXTENSIONS
from portal import todo
from portal.audit import record
from portal.models import Region, Role

S = FilingState
STEPS = [("details", gettext_lazy("基本信息")), ("scope", gettext_lazy("申报范围")), ("examiners", gettext_lazy("考评人员")),
         ("facilities", gettext_lazy("场地设施")), ("materials", gettext_lazy("申报材料")),
         ("pledge", gettext_lazy("核对与提交"))]


def agency_user_required(view):
    """Agency users only; one without an agency is sent to register it first."""
    @wraps(view)
    @login_required
    def wrapped(request, *args, **kwargs):
        if request.user.role != Role.AGENCY:
            raise PermissionDenied
        if not request.user.agency_id:
            messages.info(request, _("请先登记贵机构的基本信息。"))
            return redirect("filings:agency_register")
        return view(request, *args, **kwargs)
    return wrapped


def city_staff_required(view):
    @wraps(view)
    @login_required
    def wrapped(request, *args, **kwargs):
        user = request.user
        if not (user.is_superuser or user.role in (Role.CITY, Role.ADMIN)):
            raise PermissionDenied
        return view(request, *args, **kwargs)
    return wrapped


def register_reader_required(view):
    """The agency register is read by the city and by the pre-reviewers, each within their scope
    (`agencies_visible_to`); only the city registers and corrects agencies."""
    @wraps(view)
    @login_required
    def wrapped(request, *args, **kwargs):
        user = request.user
        if not (user.is_superuser or user.role in (Role.CITY, Role.ADMIN, Role.DISTRICT, Role.INDUSTRY)):
            raise PermissionDenied
        return view(request, *args, **kwargs)
    return wrapped


def _detail_url(filing) -> str | None:
    try:
        return reverse("filings:detail", args=[filing.pk])
    except NoReverseMatch:
        return None


def _posted(request):
    """The POST data when posted (even if empty, so an unticked box is still an answer), else None."""
    return request.POST if request.method == "POST" else None


def _apply_errors(form, exc: ValidationError) -> None:
    """Put a service's ValidationError beside the fields it names (or on top of the form)."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


# ----- the agency's home -------------------------------------------------------------------------------

@agency_user_required
def agency_filings(request):
    """What is needed next and by when, with every filing of the agency [SPEC §3]."""
    agency = request.user.agency
    filings = list(filings_visible_to(request.user).prefetch_related("materials", "scope__occupation"))
    rows = [(f, next_step(f), _detail_url(f)) for f in filings]
    next_steps = sorted((step for _, step, _ in rows if step.filing.state not in ENDED),
                        key=lambda s: (not s.action_needed, s.due or datetime.date.max))
    open_filing = agency_services.open_filing(agency)
    return render(request, "filings/agency/home.html", {"agency": agency, "rows": rows, "next_steps": next_steps,
                                                        "tasks": todo.tasks_for(request.user),
                                                        "open_filing": open_filing})


# ----- registering and keeping the agency's details --------------------------------------------------------

def agency_register(request):
    """A new agency user registers the agency and their account at once; a logged-in agency user
    without an agency registers only the agency."""
    user = request.user if request.user.is_authenticated else None
    if user is not None and (user.role != Role.AGENCY or user.agency_id):
        return redirect("filings:agency_filings" if user.role == Role.AGENCY else "portal:dashboard")
    form = AgencyForm(_posted(request), prefix="agency")
    account = AccountForm(_posted(request), prefix="account") if user is None else None
    if request.method == "POST" and form.is_valid() and (account is None or account.is_valid()):
        extra = {}
        if account is not None:
            a = account.cleaned_data
            extra = dict(username=a["username"], password=a["password1"], full_name=a["full_name"], phone=a["phone"],
                         email=a.get("email", ""))
        try:
            agency, user = agency_services.register_agency(details=form.details(), user=user, **extra)
        except ValidationError as exc:
            errors = getattr(exc, "error_dict", {})
            if "username" in errors and account is not None:
                account.add_error("username", errors.pop("username"))
            if errors or not hasattr(exc, "error_dict"):
                _apply_errors(form, ValidationError(errors) if errors else exc)
        else:
            if not request.user.is_authenticated:
                login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, _("“%(name)s”已登记。下一步：新建备案申请。") % {"name": agency.name})
            return redirect("filings:agency_filings")
    return render(request, "filings/agency/register.html", {"form": form, "account": account})


@agency_user_required
def agency_edit(request):
    agency = get_object_or_404(agencies_visible_to(request.user), pk=request.user.agency_id)
    locked = agency_services.agency_registered_details_locked(agency)
    form = AgencyForm(_posted(request), instance=agency, locked=locked)
    if request.method == "POST" and form.is_valid():
        try:
            agency_services.update_agency(agency=agency, actor=request.user, details=form.details())
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("机构信息已保存。"))
            return redirect("filings:agency_filings")
    in_force = filings_visible_to(request.user).filter(state__in=IN_FORCE).order_by("-valid_until").first()
    return render(request, "filings/agency/agency_form.html", {"form": form, "agency": agency, "locked": locked,
                                                               "title": _("机构信息"), "in_force": in_force})


# ----- the application ------------------------------------------------------------------------------------

@agency_user_required
@require_POST
def filing_new(request):
    filing, created = agency_services.create_filing(agency=request.user.agency, actor=request.user)
    if not created:
        messages.info(request, _("贵机构已有一份正在办理的备案申请，已为您打开。"))
    return redirect("filings:filing_edit", pk=filing.pk)


def _step_context(request, filing, step):
    step_index = [s for s, _label in STEPS].index(step)
    steps = [{"key": key, "label": label, "url": reverse("filings:filing_edit", args=[filing.pk, key]),
              "done": i < step_index, "current": key == step} for i, (key, label) in enumerate(STEPS)]
    next_url = (reverse("filings:filing_edit", args=[filing.pk, STEPS[step_index + 1][0]])
                if step_index + 1 < len(STEPS) else None)
    return {"filing": filing, "agency": filing.agency, "step": step, "step_label": dict(STEPS)[step],
            "steps": steps, "next_url": next_url, "detail_url": _detail_url(filing),
            "status": next_step(filing),
            "supplement_items": supplements.items_for(filing) if filing.state == S.SUPPLEMENT_REQUESTED else []}


@agency_user_required
def filing_edit(request, pk, step="details"):
    """The application in steps; each step saves on its own and moves to the next."""
    filing = get_object_or_404(filings_visible_to(request.user), pk=pk)
    if step not in dict(STEPS):
        raise Http404
    if filing.state not in EDITABLE:
        messages.info(request, _("该备案申请当前状态为“%(state)s”，不能修改。") % {"state": FilingState(filing.state).label})
        return redirect(_detail_url(filing) or reverse("filings:agency_filings"))
    context = _step_context(request, filing, step)
    handler = {"details": _step_details, "scope": _step_scope, "examiners": _step_examiners,
               "facilities": _step_facilities, "materials": _step_materials, "pledge": _step_pledge}[step]
    outcome = handler(request, filing, context)
    if outcome == "stay":  # an upload: back to the same list, so a reload does not post it again
        return redirect(request.path)
    if outcome:
        messages.success(request, _("“%(step)s”已保存。") % {"step": context["step_label"]})
        return redirect(context["next_url"] or request.path)
    return render(request, f"filings/agency/step_{step}.html", context)


def _save(form, call) -> bool:
    try:
        call()
    except ValidationError as exc:
        _apply_errors(form, exc)
        return False
    return True


def _step_details(request, filing, context):
    form = DetailsForm(_posted(request), initial={"managing_level": filing.managing_level}, agency=filing.agency)
    context["form"] = form
    return request.method == "POST" and form.is_valid() and _save(form, lambda: agency_services.save_details(
        filing=filing, actor=request.user, managing_level=form.cleaned_data["managing_level"]))


def _step_scope(request, filing, context):
    initial = [{"occupation": s.occupation_id, "level_from": s.level_from, "level_to": s.level_to}
               for s in filing.scope.all()]
    formset = ScopeFormSet(_posted(request), initial=initial, agency=filing.agency, prefix="scope")
    context["formset"] = formset
    if request.method != "POST" or not formset.is_valid():
        return False
    try:
        agency_services.save_scope(filing=filing, actor=request.user, rows=formset.rows())
    except ValidationError as exc:
        context["scope_errors"] = exc.messages
        return False
    return True


def _step_examiners(request, filing, context):
    """A row per examiner; "add a row" shows the rows again with one more, saving nothing."""
    formset = examiner_formset(filing, _posted(request))
    context["formset"] = formset
    context["scope_problems"] = [p for item in filing.scope.select_related("occupation", "filing__agency")
                                 for p in item.problems()]
    if request.method == "POST" and "add_row" in request.POST:
        context["formset"] = formset.with_another_row()
        return False
    if request.method != "POST" or not formset.is_valid():
        return False
    rows = formset.rows_by_occupation()
    try:
        with transaction.atomic():  # every occupation's list or none
            for occupation in formset.occupations.values():
                agency_services.add_examiners(filing=filing, actor=request.user, occupation=occupation,
                                              rows=rows.get(occupation.pk, []), replace=True)
    except ValidationError as exc:
        context["examiner_errors"] = exc.messages
        return False
    return True


def _step_facilities(request, filing, context):
    form = FacilitiesForm(_posted(request), initial={"facilities": filing.facilities})
    context["form"] = form
    return request.method == "POST" and form.is_valid() and _save(form, lambda: agency_services.save_facilities(
        filing=filing, actor=request.user, facilities=form.cleaned_data["facilities"]))


def _step_materials(request, filing, context):
    """One upload per required type, each showing the file now on record [002 §8, 003 §10]."""
    current = {m.type: m for m in filing.materials.filter(superseded_at__isnull=True)}
    posted_type = request.POST.get("type") if request.method == "POST" else None
    rows = []
    saved = False
    for t in required_material_types(filing.agency):
        if t == posted_type:
            form = MaterialForm(request.POST, request.FILES, prefix=t)
            if form.is_valid():
                saved = _save(form, lambda form=form, t=t: agency_services.upload_material(
                    filing=filing, actor=request.user, material_type=t, upload=form.cleaned_data["file"]))
        else:
            form = MaterialForm(prefix=t)
        rows.append({"type": t, "label": MaterialType(t).label, "form": form, "current": current.get(t)})
    context["rows"] = rows
    context["missing"] = [r["label"] for r in rows if r["current"] is None]
    if saved:
        messages.success(request, _("“%(type)s”已上传。") % {"type": MaterialType(posted_type).label})
        return "stay"
    return False


def _step_pledge(request, filing, context):
    """Check your answers: every section with a link to change it, the pledge and the one submit."""
    form = PledgeForm(_posted(request))
    context["form"] = form
    context["problems"] = [p for p in filing.completeness_problems() if p != "尚未签署申请材料真实性承诺"]
    context["summary"] = {
        "scope": filing.scope.select_related("occupation").order_by("occupation__code"),
        "examiners": filing.examiners.select_related("occupation").order_by("occupation__code", "name"),
        "materials": filing.materials.filter(superseded_at__isnull=True).order_by("type"),
        "edit": {key: reverse("filings:filing_edit", args=[filing.pk, key]) for key, _label in STEPS},
    }
    context["submit_action"] = "supplement" if filing.state == S.SUPPLEMENT_REQUESTED else "submit"
    context["submit_label"] = services.ACTIONS[context["submit_action"]]
    return request.method == "POST" and form.is_valid() and _save(
        form, lambda: agency_services.sign_pledge(filing=filing, actor=request.user))


@agency_user_required
@require_POST
def filing_submit(request, pk):
    """Sign the pledge and submit (or send the supplement) in one press, through the one state-change
    path; then the confirmation page with the reference. A second identical POST — a double click —
    changes nothing and says the application was already submitted [002 §9-10]."""
    filing = get_object_or_404(filings_visible_to(request.user), pk=pk)
    action = request.POST.get("action")
    expected = request.POST.get("expected_state") or None
    if action not in ("submit", "supplement"):
        raise Http404
    try:
        filing = agency_services.submit_application(filing_id=filing.pk, action=action, actor=request.user,
                                                    agree=request.POST.get("agree") == "on", expected_state=expected)
    except services.AlreadyDecided:
        filing.refresh_from_db()
        if filing.state not in EDITABLE:
            messages.info(request, _("该申请已提交，无需重复提交。当前状态：%(state)s。") % {"state": FilingState(filing.state).label})
            return redirect("filings:filing_submitted", pk=filing.pk)
        messages.error(request, _("该申请的状态已变化，请核对后再提交。"))
        return redirect("filings:filing_edit", pk=filing.pk, step="pledge")
    except services.TransitionRefused as exc:
        messages.error(request, str(exc))
        return redirect("filings:filing_edit", pk=filing.pk, step="pledge")
    return redirect("filings:filing_submitted", pk=filing.pk)


@agency_user_required
def filing_submitted(request, pk):
    """The confirmation after submitting: the reference, when and to whom, and what happens next."""
    filing = get_object_or_404(filings_visible_to(request.user).select_related("agency", "region"), pk=pk)
    if filing.state in EDITABLE:
        return redirect("filings:filing_edit", pk=filing.pk, step="pledge")
    return render(request, "filings/agency/submitted.html", {"filing": filing, "agency": filing.agency,
                                                              "status": next_step(filing),
                                                              "detail_url": _detail_url(filing)})


# ----- materials: the one way a stored file leaves the server ------------------------------------------------

@login_required
def material_download(request, pk):
    """Anyone who may see the filing may download its materials; everyone else gets 404. Every
    download is recorded [001 §4(1), 003 §18]."""
    visible = filings_visible_to(request.user).values("pk")
    material = get_object_or_404(Material.objects.select_related("filing"), pk=pk, filing_id__in=visible)
    record("material.download", material, actor=request.user,
           data={"filing": material.filing_id, "type": material.type, "sha256": material.sha256})
    extension = EXTENSIONS.get(material.content_type, "bin")
    name = material.original_name if material.original_name.lower().endswith(f".{extension}") else (
        f"{material.original_name}.{extension}")
    response = FileResponse(material.file.open("rb"), as_attachment=True, filename=name,
                            content_type=material.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


# ----- city staff: the register of agencies ----------------------------------------------------------------

def _staff_regions(user):
    regions = Region.objects.filter(level=Region.Level.DISTRICT)
    if user.is_superuser or user.role == Role.ADMIN:
        return regions
    return regions.filter(path__startswith=user.region.path) if user.region_id else regions.none()


@register_reader_required
def agency_list(request):
    q = request.GET.get("q", "").strip()
    # A draft is the agency's alone [SPEC §1]. Counted per row shown (a correlated subquery), not by
    # grouping every agency in scope before the page is cut: the page count then skips it [issue #15 §6].
    submitted = (Filing.objects.filter(agency=OuterRef("pk"), submitted_at__isnull=False).order_by()
                 .values("agency").annotate(n=Count("pk")).values("n"))
    agencies = (agencies_visible_to(request.user)
                .annotate(filing_count=Coalesce(Subquery(submitted, output_field=IntegerField()), 0))
                .order_by("name", "pk"))
    if q:
        agencies = agencies.filter(Q(name__icontains=q) | Q(uscc__icontains=q.upper()))
    page = Paginator(agencies, 25).get_page(request.GET.get("page"))
    user = request.user
    return render(request, "filings/agency/agency_list.html",
                  {"page_obj": page, "q": q, "query_string": urlencode({"q": q}) if q else "",
                   "can_correct": user.is_superuser or user.role in (Role.CITY, Role.ADMIN)})


@city_staff_required
def agency_create(request):
    form = AgencyForm(_posted(request), regions=_staff_regions(request.user))
    if request.method == "POST" and form.is_valid():
        try:
            agency = agency_services.create_agency(actor=request.user, details=form.details())
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("已登记“%(name)s”。") % {"name": agency.name})
            return redirect("filings:agency_list")
    return render(request, "filings/agency/agency_form.html", {"form": form, "title": _("登记评价机构")})


@city_staff_required
def agency_correct(request, pk):
    agency = get_object_or_404(agencies_visible_to(request.user), pk=pk)
    form = AgencyForm(_posted(request), instance=agency, regions=_staff_regions(request.user))
    if request.method == "POST" and form.is_valid():
        try:
            agency_services.update_agency(agency=agency, actor=request.user, details=form.details())
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("“%(name)s”的信息已更正。") % {"name": agency.name})
            return redirect("filings:agency_list")
    return render(request, "filings/agency/agency_form.html", {"form": form, "agency": agency,
                                                               "title": _("更正机构信息：%(name)s") % {"name": agency.name}})


urlpatterns = [
    path("my/", agency_filings, name="agency_filings"),
    path("my/agency/", agency_edit, name="agency_edit"),
    path("my/filings/new/", filing_new, name="filing_new"),
    path("my/filings/<int:pk>/", filing_edit, name="filing_edit"),
    path("my/filings/<int:pk>/submit/", filing_submit, name="filing_submit"),
    path("my/filings/<int:pk>/submitted/", filing_submitted, name="filing_submitted"),
    path("my/filings/<int:pk>/<slug:step>/", filing_edit, name="filing_edit"),
    path("agencies/register/", agency_register, name="agency_register"),
    path("agencies/", agency_list, name="agency_list"),
    path("agencies/new/", agency_create, name="agency_create"),
    path("agencies/<int:pk>/correct/", agency_correct, name="agency_correct"),
    path("materials/<int:pk>/download/", material_download, name="material_download"),
]
