"""Reviewers' screens: the work list, the filing detail page every role shares, decisions, the
expert panel and the selection step [SPEC §3, issue 3 §3-7, §12]. Views parse, call one service and
redirect; scoping comes from `selectors.filings_visible_to`, so a filing outside it is a 404."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Exists, F, OuterRef, Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST

from filings import panel_services, permissions, selection, services, supplements, worklist
from filings.choices import EDITABLE, ENDED, FilingState, Route
from filings.forms.review import ActionForm, PanelForm, WorklistFilterForm
from filings.models import ExpertAssignment, Filing, Objection, ScopeItem
from filings.selectors import filings_visible_to
from portal import audit_actions
from portal.models import AuditEntry, PolicyProfile, Role

S = FilingState

BADGES = {
    S.DRAFT: "badge-draft", S.SUPPLEMENT_REQUESTED: "badge-warn", S.RETURNED: "badge-warn",
    S.ACTIVE: "badge-ok", S.SUSPENDED: "badge-warn", S.RECTIFYING: "badge-warn",
    S.REFUSED: "badge-danger", S.TERMINATED: "badge-danger", S.CANCELLED: "badge-danger",
    S.ABANDONED: "badge-muted", S.WITHDRAWN: "badge-muted", S.EXPIRED: "badge-muted",
}
# Titles of the timeline's entries that are not buttons (services.ACTIONS names those).
# Entries whose comments only the city sees: individual experts' opinions and objectors' words.
CITY_ONLY_COMMENTS = ("filing.expert_review.", "notice.objection")
# Entries of one expert's own work: who wrote them is the city's to know [002 §11].
EXPERT_STEPS = ("filing.expert_review.",)
REVIEW_ROLES = (Role.DISTRICT, Role.INDUSTRY, Role.CITY, Role.ADMIN)


def badge(state: str) -> str:
    return BADGES.get(state, "badge-pending")


def _is_city(user) -> bool:
    return user.is_superuser or user.role in (Role.CITY, Role.ADMIN)


# ----- work list -------------------------------------------------------------------------------

@login_required
def worklist_view(request):
    """[issue 3 §12] Tabs 待办 / 即将到期 / 已逾期 / 全部 with filters; the number of queries does not
    grow with the rows shown."""
    user = request.user
    if not (user.is_superuser or user.role in REVIEW_ROLES):
        raise PermissionDenied
    today = timezone.localdate()
    tab = request.GET.get("tab", "todo")
    if tab not in dict(worklist.TABS):
        tab = "todo"
    form = WorklistFilterForm(request.GET or None, user=user)
    base = worklist.for_tab(user, tab, today)
    qs = form.apply(base)
    counts = worklist.tab_counts(user, today)
    if tab == "all":
        order = ("-updated_at", "pk")
    else:  # the most urgent first
        order = (F("acceptance_due").asc(nulls_last=True), F("decision_due").asc(nulls_last=True), "pk")
    # The page is cut from the filings' ids alone (sorted from an index, `filing_staff_scope`), and only
    # its 20 rows are read whole, with their agency, region and scope [issue #15 §6].
    paginator = Paginator(qs.order_by(*order).values("pk"), 20)
    if qs is base:  # no filter: the tab's count is the page count, already read with the others
        paginator.count = counts[tab]
    page = paginator.get_page(request.GET.get("page"))
    shown = (Filing.objects.filter(pk__in=page.object_list).order_by(*order)
             .select_related("agency", "region")
             .prefetch_related(Prefetch("scope", queryset=ScopeItem.objects.select_related("occupation")))
             # A filing with an objection waiting to be verified is marked in the list [001 §3(3), issue 13].
             .annotate(pending_objection=Exists(Objection.objects.filter(item__filing=OuterRef("pk"),
                                                                         state=Objection.State.PENDING))))
    page.object_list = list(shown)
    # One query of working-day overrides for the whole page, however long its rows are overdue.
    clock = worklist.Clock(today).cover(page.object_list)
    rows = [{"filing": f, "countdown": clock.current(f), "badge": badge(f.state)} for f in page.object_list]
    query = request.GET.copy()
    query.pop("page", None)
    tab_query = query.copy()
    tab_query.pop("tab", None)
    return render(request, "filings/review/worklist.html", {
        "rows": rows, "page_obj": page, "query_string": query.urlencode(), "tab_query": tab_query.urlencode(),
        "form": form, "tab": tab, "tabs": [(k, label, counts[k]) for k, label in worklist.TABS],
    })


# ----- the detail page every role shares ----------------------------------------------------------

def steps_for(filing: Filing) -> list[dict]:
    """The progress bar: submit, completeness check, pre-review (unless straight to the city),
    expert review, selection, notice (when the policy publishes one), filed [SPEC §3]."""
    steps = [("submit", _("提交申请")), ("check", _("形式审查"))]
    if filing.route != Route.CITY:
        steps.append(("pre", _("初审")))
    steps += [("expert", _("专家评审")), ("selection", _("遴选审定"))]
    if filing.notice_required():
        steps.append(("notice", pgettext("step", "公示")))
    steps.append(("filed", _("备案")))
    at = {S.DRAFT: "submit", S.RETURNED: "submit", S.SUBMITTED: "check", S.SUPPLEMENT_REQUESTED: "check",
          S.PRE_REVIEW: "pre", S.ACCEPTED: "expert", S.EXPERT_REVIEW: "expert", S.SELECTION: "selection",
          S.PUBLIC_NOTICE: "notice"}.get(filing.state)
    keys = [k for k, _label in steps]
    current = keys.index(at) if at in keys else len(keys)
    return [{"label": label, "done": i < current, "current": i == current} for i, (_k, label) in enumerate(steps)]


def timeline_for(filing: Filing, user) -> list[dict]:
    """Every audit entry about the filing, newest first, with actor and comment [003 §18]. Only the
    city sees who reviewed: others see each expert as 评审专家, and the agency sees only that the panel
    finished (专家评审完成), not each expert's step."""
    city = _is_city(user)
    agency = user.role == Role.AGENCY
    out = []
    for entry in AuditEntry.for_object(filing).filter(outcome="succeeded").order_by("-id"):
        expert_step = entry.action.startswith(EXPERT_STEPS)
        if expert_step and (agency or entry.action.endswith(".save")) and not city:
            continue
        title = audit_actions.label(entry.action)
        hidden = not city and entry.action.startswith(CITY_ONLY_COMMENTS)
        to = (entry.data or {}).get("to")
        tone = ("is-danger" if to in (S.REFUSED, S.RETURNED, S.SUPPLEMENT_REQUESTED, S.ABANDONED)
                else "is-ok" if to in (S.ACCEPTED, S.ACTIVE, S.PUBLIC_NOTICE, S.SELECTION, S.PRE_REVIEW)
                else "is-muted")
        actor = _("评审专家") if expert_step and not city else entry.actor_label
        out.append({"title": title, "at": entry.created_at, "actor": actor,
                    "comment": "" if hidden else entry.comment, "tone": tone,
                    "to": FilingState(to).label if to in S.values else ""})
    return out


def pre_review_opinion(filing: Filing) -> AuditEntry | None:
    """The district's or industry department's opinion travels with the filing [003 §7, 000 §4(1)]."""
    return (AuditEntry.for_object(filing).filter(action__in=["filing.forward", "filing.return_to_agency"],
                                                outcome="succeeded")
            .order_by("-id").first())


def _detail_context(request, filing: Filing, action_form: ActionForm | None = None) -> dict:
    user = request.user
    today = timezone.localdate()
    city = permissions.is_city_reviewer(filing, user) or user.is_superuser or user.role == Role.ADMIN
    actions = services.available_actions(filing, user)
    context = {
        "filing": filing, "badge": badge(filing.state), "steps": steps_for(filing), "ended": filing.state in ENDED,
        "scope": filing.scope.select_related("occupation"),
        "examiners": filing.examiners.select_related("occupation"),
        "materials": filing.materials.filter(superseded_at__isnull=True),
        "countdowns": worklist.Clock(today, span_days=200).countdowns(filing),
        "opinion": pre_review_opinion(filing),
        "timeline": timeline_for(filing, user),
        "actions": [(name, label, name in services.COMMENT_REQUIRED,
                     name.startswith("refuse") or name in ("withdraw", "return_to_agency")) for name, label in actions],
        "action_form": action_form or ActionForm(initial={"expected_state": filing.state}, filing=filing),
        "written_notices": filing.written_notices.order_by("created_at", "pk"),
        "supplement_items": supplements.items_for(filing),
        "is_city": city,
        # Only the city of the jurisdiction acts (panel, selection, objections); the administrator reads.
        "city_acts": permissions.is_city_reviewer(filing, user),
        "is_agency": permissions.is_agency_member(filing, user),
        "can_edit": permissions.is_agency_member(filing, user) and filing.state in EDITABLE,
    }
    if any(name == "request_supplement" for name, _label in actions):
        context["checklist"] = context["action_form"].checklist_rows()
    if city:
        context["panel"] = panel_services.panel_summary(filing)
        context["panel_open"] = filing.state in panel_services.PANEL_OPEN
        context["objections"] = list(Objection.objects.filter(item__filing=filing).select_related("item__notice"))
    if user.role == Role.EXPERT:
        context["my_assignment"] = ExpertAssignment.objects.filter(filing=filing, expert=user).first()
    return context


@login_required
def detail(request, pk):
    filing = get_object_or_404(filings_visible_to(request.user), pk=pk)
    return render(request, "filings/detail.html", _detail_context(request, filing))


@login_required
@require_POST
def act(request, pk):
    """One decision through `services.perform` [issue 3 §3]: the state the user saw travels with it,
    so a decision taken meanwhile by someone else is reported plainly and nothing changes."""
    filing = get_object_or_404(filings_visible_to(request.user), pk=pk)
    form = ActionForm(request.POST, filing=filing)
    if not form.is_valid():
        return render(request, "filings/detail.html", _detail_context(request, filing, form), status=400)
    data = form.cleaned_data
    try:
        services.perform(filing_id=filing.pk, action=data["action"], actor=request.user,
                         comment=data["comment"], expected_state=data["expected_state"],
                         supplement_items=form.supplement_items())
    except services.AlreadyDecided as exc:
        messages.error(request, str(exc))
        return redirect("filings:detail", pk=filing.pk)
    except services.TransitionRefused as exc:
        form.add_error(None, str(exc))
        return render(request, "filings/detail.html", _detail_context(request, filing, form), status=400)
    messages.success(request, _("已办理：%(action)s。") % {"action": services.ACTIONS[data["action"]]})
    return redirect("filings:detail", pk=filing.pk)


# ----- the expert panel and the selection step (city) ------------------------------------------

def _city_filing(request, pk) -> Filing:
    filing = get_object_or_404(filings_visible_to(request.user), pk=pk)
    if not permissions.is_city_reviewer(filing, request.user):
        raise PermissionDenied
    return filing


@login_required
def assign_panel(request, pk):
    """[002 §11] The city names the panel: at least the policy's number, none from the agency."""
    filing = _city_filing(request, pk)
    current = [a.expert_id for a in filing.panel.all()]
    form = PanelForm(request.POST or None, filing=filing, initial={"experts": current})
    if request.method == "POST" and form.is_valid():
        try:
            panel_services.assign_panel(filing_id=filing.pk, experts=form.cleaned_data["experts"],
                                        actor=request.user)
        except services.AlreadyDecided as exc:
            messages.error(request, str(exc))
            return redirect("filings:detail", pk=filing.pk)
        except services.TransitionRefused as exc:
            form.add_error("experts", str(exc))
        else:
            messages.success(request, _("专家组已保存。"))
            return redirect("filings:detail", pk=filing.pk)
    return render(request, "filings/review/panel.html", {
        "filing": filing, "form": form, "panel_open": filing.state in panel_services.PANEL_OPEN,
        "summary": panel_services.panel_summary(filing),
    })


@login_required
def selection_view(request, pk):
    """[003 §7, 002 §11] At most N social organisations per occupation in the jurisdiction: the
    occupations where the quota is used, who holds it, and the ranked candidates still in review."""
    filing = _city_filing(request, pk)
    conflicts = filing.selection_conflicts()
    summary = panel_services.panel_summary(filing)
    occupations = []
    for item in filing.scope.select_related("occupation"):
        ranked = [{"filing": f, "score": f.panel_score, "is_this": False}
                  for f in selection.ranking(filing, item.occupation_id)]
        ranked.append({"filing": filing, "score": summary["average"], "is_this": True})
        ranked.sort(key=lambda r: (r["score"] is None, -(r["score"] or 0)))
        conflict = next((c for c in conflicts if c["occupation"].pk == item.occupation_id), None)
        occupations.append({"item": item, "ranked": ranked, "conflict": conflict})
    actions = [(n, label) for n, label in services.available_actions(filing, request.user)
               if n in ("approve", "approve_for_notice", "refuse")]
    return render(request, "filings/review/selection.html", {
        "filing": filing, "occupations": occupations, "conflicts": conflicts, "summary": summary,
        "limit": PolicyProfile.active().social_orgs_per_occupation, "applies": filing.is_social,
        "actions": actions, "action_form": ActionForm(initial={"expected_state": filing.state}),
        "in_selection": filing.state == S.SELECTION,
    })


urlpatterns = [
    path("review/", worklist_view, name="worklist"),
    path("filings/<int:pk>/", detail, name="detail"),
    path("filings/<int:pk>/act/", act, name="act"),
    path("filings/<int:pk>/panel/", assign_panel, name="assign_panel"),
    path("filings/<int:pk>/selection/", selection_view, name="selection"),
]
