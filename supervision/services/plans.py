"""Plans and draws of 双随机、一公开: the machines and the multi-object actions [002 §25, 003 §21].

A draw is made in two steps so that nobody — the bureau included — can choose its result:
`commit_draw` publishes the SHA-256 commitment of a secret seed while the candidates are not yet
fixed; `reveal_draw` fixes the candidates (hashed), checks the seed against the commitment and
computes the result with `supervision.draw`; `confirm_draw` opens an inspection for each drawn agency
(helper C's `open_inspection`). `redraw` supersedes a draw with a reason; the old one stays public.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from filings.choices import IN_FORCE
from filings.models import Agency
from portal import transitions
from portal.audit import record
from portal.models import Role, User
from portal.transitions import TransitionRefused
from supervision import numbering
from supervision import draw as algo
from supervision.models.plans import Draw, DrawRecusal, DrawResult, InspectionItem, InspectionPlan
from supervision.permissions import plans as perm

__all__ = ["DRAW_MACHINE", "PLAN_MACHINE", "add_recusal", "candidates_for", "commit_draw", "confirm_draw",
           "create_item", "create_plan", "draw_filing_panel", "draw_renewal_panel", "expert_candidates",
           "redraw", "renewal_expert_candidates", "reveal_draw", "verify_draw"]

P = InspectionPlan.State
D = Draw.State

PLAN_MACHINE = transitions.Machine(
    model=InspectionPlan,
    audit_prefix="plan",
    noun=gettext_lazy("该抽查计划"),
    actions={"publish": gettext_lazy("公布抽查计划"), "close": gettext_lazy("结束抽查计划")},
    system_actions=frozenset({"mark_drawn"}),
    select_related=("region",),
    refusal=lambda plan, action, today: (
        _("计划须列明抽查事项、抽取比例或数量，检查人员库不少于每组人数（每组不少于 2 人）。")
        if action == "publish" else ""),
)


def _open_inspections(draw: Draw, action: str, before: str, actor, today: datetime.date) -> None:
    """A confirmed draw: an inspection for each drawn agency, its team as drawn; the plan is drawn."""
    if action != "confirm":
        return
    from supervision.services.inspections import open_inspection
    from supervision.models.inspections import Inspection
    plan = draw.plan
    results = list(draw.results.select_related("agency", "agency__region"))
    users = User.objects.in_bulk({u for r in results for u in r.team})
    for r in results:
        inspection = open_inspection(agency=r.agency, team=[users[u] for u in r.team],
                                     origin=Inspection.Origin.DRAW, origin_id=draw.pk, phase=plan.phase,
                                     reason=f"双随机抽查：{plan.number} {plan.title}（抽取 {draw.number} 第 {r.position} 位）",
                                     actor=None, today=today)
        r.inspection_id = inspection.pk
    DrawResult.objects.bulk_update(results, ["inspection_id"])
    if plan.state == P.PUBLISHED:
        transitions.apply(PLAN_MACHINE, InspectionPlan.objects.select_for_update().get(pk=plan.pk), "mark_drawn",
                          today=today)


DRAW_MACHINE = transitions.Machine(
    model=Draw,
    audit_prefix="draw",
    noun=gettext_lazy("该抽取"),
    actions={"reveal": gettext_lazy("揭示种子并抽取"), "confirm": gettext_lazy("确认抽取结果，派发检查"),
             "supersede": gettext_lazy("作废并重新抽取")},
    comment_required=frozenset({"supersede"}),
    select_related=("plan", "plan__region"),
    after_save=_open_inspections,
)


def _text(value: str, *, required=False, what="") -> str:
    value = transitions.person_text(value)
    if required and not value:
        raise TransitionRefused(_("请填写%(what)s。") % {"what": what})
    return value


_save_numbered = numbering.save_numbered


# ----- items and plans ----------------------------------------------------------------------------------

def create_item(*, name: str, basis: str, method: str, published: bool = True, actor) -> InspectionItem:
    if not perm.may_manage_items(actor):
        raise PermissionDenied
    item = InspectionItem.objects.create(name=_text(name, required=True, what=_("抽查事项")),
                                         basis=_text(basis, required=True, what=_("依据条款")),
                                         method=_text(method, required=True, what=_("检查方式")),
                                         published=published)
    record("plan.item_create", item, actor=actor, data={"name": item.name})
    return item


def create_plan(*, region, year: int, title: str, items, inspectors, sample_share=None, sample_count=None,
                agency_kinds=(), occupations=(), in_force_only: bool = True, exclude_inspected_days: int = 0,
                weighting: str = InspectionPlan.Weighting.UNIFORM, team_size: int = 2, phase: str = "after",
                notes: str = "", actor, today: datetime.date | None = None) -> InspectionPlan:
    """A draft plan of the actor's region (or a district within it) [003 §21]."""
    today = today or timezone.localdate()
    if not perm.may_manage_region(region, actor):
        raise PermissionDenied
    if team_size < 2:
        raise TransitionRefused(_("每组检查人员不少于 2 名 [002 §25]。"))
    if not sample_share and not sample_count:
        raise TransitionRefused(_("请填写抽取比例或抽取数量（至少抽取 1 家）。"))
    if sample_share is not None and not (0 < float(sample_share) <= 100):
        raise TransitionRefused(_("抽取比例须在 0 到 100 之间。"))
    inspectors = list(inspectors)
    if any(u.role != Role.INSPECTOR or not u.is_active for u in inspectors):
        raise TransitionRefused(_("检查人员库只能包含在岗的检查人员。"))
    if weighting not in InspectionPlan.Weighting.values:
        raise TransitionRefused(_("抽取权重不正确。"))
    with transaction.atomic():
        plan = InspectionPlan(region=region, year=year, title=_text(title, required=True, what=_("计划名称")),
                              agency_kinds=list(agency_kinds), in_force_only=in_force_only,
                              exclude_inspected_days=exclude_inspected_days, sample_share=sample_share,
                              sample_count=sample_count or None, weighting=weighting, team_size=team_size,
                              phase=phase, notes=_text(notes), created_by=actor)
        _save_numbered(plan, f"CJ{year}")
        plan.items.set(items)
        plan.inspectors.set(inspectors)
        plan.occupations.set(occupations)
        record("plan.create", plan, actor=actor, data={"region": region.pk, "year": year})
    return plan


def add_recusal(*, plan_id: int, inspector, agency, reason: str, actor) -> DrawRecusal:
    """回避, recorded before the draw is revealed; listed with the draw."""
    with transaction.atomic():
        plan = InspectionPlan.objects.select_for_update().select_related("region").get(pk=plan_id)
        if not perm.may_manage_plan(plan, actor):
            raise PermissionDenied
        if plan.state not in (P.DRAFT, P.PUBLISHED) or plan.draws.filter(state__in=[D.REVEALED, D.CONFIRMED]).exists():
            raise TransitionRefused(_("已抽取的计划不能再登记回避；如需调整请重新抽取。"))
        reason = _text(reason, required=True, what=_("回避理由"))
        if inspector.role != Role.INSPECTOR:
            raise TransitionRefused(_("只能为检查人员登记回避。"))
        recusal, created = DrawRecusal.objects.get_or_create(plan=plan, inspector=inspector, agency=agency,
                                                             defaults={"reason": reason, "created_by": actor})
        if not created:
            raise TransitionRefused(_("该回避已登记。"))
        record("plan.recusal", plan, actor=actor, comment=reason,
               data={"inspector": inspector.pk, "agency": agency.pk})
    return recusal


# ----- draws ----------------------------------------------------------------------------------------------

def candidates_for(plan: InspectionPlan, today: datetime.date) -> list[algo.Candidate]:
    """The population of the plan at `today`, with weights — a constant number of queries."""
    qs = Agency.objects.filter(region__path__startswith=plan.region.path)
    if plan.agency_kinds:
        qs = qs.filter(kind__in=plan.agency_kinds)
    if plan.in_force_only:
        qs = qs.filter(filings__state__in=IN_FORCE)
    occupation_ids = list(plan.occupations.values_list("pk", flat=True))
    if occupation_ids:
        qs = qs.filter(filings__state__in=IN_FORCE, filings__scope__occupation__in=occupation_ids)
    if plan.exclude_inspected_days:
        from supervision.models.inspections import Inspection
        since = today - datetime.timedelta(days=plan.exclude_inspected_days)
        qs = qs.exclude(pk__in=Inspection.objects.filter(opened_on__gte=since).values("agency_id"))
    ids = sorted(set(qs.values_list("pk", flat=True)))
    if plan.weighting != InspectionPlan.Weighting.RISK:
        return [algo.Candidate(i, 1.0) for i in ids]
    from supervision.id_lists import id_array
    return [algo.Candidate(i, w) for i, w in zip(ids, risk_weights(ids, today, among=id_array(ids)))]


def risk_weights(ids: list[int], today: datetime.date, *, among=None) -> list[float]:
    """1 + upheld complaints in the last year + (5 − stars)/2 for a rated agency + 1 if not inspected
    in the last year (docs/supervision-draw.md). `among`: the same agencies as one `__in` right-hand side
    (`supervision.id_lists.id_array(ids)`: one array parameter instead of up to 20,000 ids in each query)."""
    from supervision.models.inspections import Inspection
    year_ago = today - datetime.timedelta(days=365)
    subset = ids if among is None else among
    try:
        from supervision.models.complaints import Complaint
        from supervision.selectors.complaints import upheld_counts
        # The selector takes a list: give it only the candidates with any complaint at all (one small
        # query); the others count 0 anyway.
        with_any = ids if among is None else list(
            Complaint.objects.filter(agency_id__in=among).values_list("agency_id", flat=True)
            .order_by().distinct())
        upheld = upheld_counts(with_any, year_ago, today)
    except ImportError:  # pragma: no cover - the complaints area absent
        upheld = {}
    try:
        from supervision.selectors.ratings import current_stars
        stars = current_stars(subset)
    except ImportError:  # pragma: no cover
        stars = {}
    inspected = set(Inspection.objects.filter(agency_id__in=subset, opened_on__gte=year_ago)
                    .values_list("agency_id", flat=True))
    out = []
    for i in ids:
        w = 1.0 + upheld.get(i, 0)
        if i in stars:
            w += max(0, 5 - stars[i]) / 2
        if i not in inspected:
            w += 1.0
        out.append(w)
    return out


def commit_draw(*, plan_id: int, actor, seed: str | None = None, replaces: Draw | None = None,
                reason: str = "", today: datetime.date | None = None) -> Draw:
    """Publish the commitment of a secret seed; the candidates are fixed only at the reveal."""
    with transaction.atomic():
        plan = InspectionPlan.objects.select_for_update().select_related("region").get(pk=plan_id)
        if not perm.may_manage_plan(plan, actor):
            raise PermissionDenied
        if plan.state != P.PUBLISHED:
            raise TransitionRefused(_("只有已公布的抽查计划才能抽取。"))
        if plan.draws.filter(state__in=[D.COMMITTED, D.REVEALED, D.CONFIRMED]).exists():
            raise TransitionRefused(_("该计划已有进行中的抽取；如需重新抽取请先作废并说明理由。"))
        seed = seed or algo.new_seed()
        if len(seed) != 64 or any(c not in "0123456789abcdef" for c in seed):
            raise TransitionRefused(_("种子须为 64 位小写十六进制字符。"))
        draw = Draw(plan=plan, commitment=algo.commit(seed), seed=seed, algorithm=algo.ALGORITHM,
                    algorithm_version=algo.VERSION, team_size=plan.team_size, replaces=replaces,
                    redraw_reason=reason, created_by=actor)
        _save_numbered(draw, f"CQ{plan.year}")
        record("draw.commit", draw, actor=actor, comment=reason,
               data={"plan": plan.pk, "commitment": draw.commitment, "replaces": replaces.pk if replaces else None})
    return draw


def reveal_draw(*, draw_id: int, actor, seed: str | None = None, today: datetime.date | None = None) -> Draw:
    """Fix and hash the candidates, reveal the seed (refused unless it matches the commitment),
    compute the result."""
    today = today or timezone.localdate()
    with transaction.atomic():
        draw = transitions.lock(DRAW_MACHINE, draw_id)
        if draw.state != D.COMMITTED:
            raise transitions.AlreadyDecided(_("该抽取已揭示或已作废。"))
        if not transitions.may(draw.reveal, actor):
            raise PermissionDenied
        seed = seed if seed is not None else draw.seed
        if not algo.seed_matches(seed, draw.commitment):
            raise TransitionRefused(_("揭示的种子与事先公布的承诺不一致，拒绝抽取。"))
        plan = draw.plan
        candidates = candidates_for(plan, today)
        if not candidates:
            raise TransitionRefused(_("没有符合计划条件的机构，无法抽取。"))
        inspectors = sorted(plan.inspectors.filter(is_active=True, role=Role.INSPECTOR).values_list("pk", flat=True))
        recusals = sorted(plan.recusals.values_list("inspector_id", "agency_id"))
        n = algo.sample_size(len(candidates), share_percent=plan.sample_share, count=plan.sample_count)
        try:
            placements = algo.draw(seed=seed, candidates=candidates, n=n, inspectors=inspectors,
                                   team_size=plan.team_size, recusals=recusals)
        except algo.DrawError as exc:
            raise TransitionRefused(str(exc)) from exc
        draw.revealed_seed = seed
        fixed: dict[float, float] = {}  # the weights as hashed (6 decimals), each distinct one formatted once
        draw.candidates = [[c.agency_id, fixed[c.weight] if c.weight in fixed
                            else fixed.setdefault(c.weight, float(f"{c.weight:.6f}"))]
                           for c in sorted(candidates, key=lambda c: algo.agency_key(c.agency_id))]
        draw.candidates_hash = algo.candidate_hash(candidates)
        draw.inspectors_pool = inspectors
        draw.recusals_used = [list(r) for r in recusals]
        draw.sample_size = n
        draw.team_size = plan.team_size
        DrawResult.objects.bulk_create([DrawResult(draw=draw, position=p.position, agency_id=p.agency_id,
                                                   team=list(p.team)) for p in placements])
        transitions.apply(DRAW_MACHINE, draw, "reveal", actor=actor, today=today)
    return draw


def confirm_draw(*, draw_id: int, actor, today: datetime.date | None = None) -> Draw:
    return transitions.perform(DRAW_MACHINE, pk=draw_id, action="confirm", actor=actor, today=today)


def redraw(*, draw_id: int, reason: str, actor, today: datetime.date | None = None) -> Draw:
    """Supersede a draw (with a reason) and commit a new one; the old draw stays visible."""
    reason = _text(reason, required=True, what=_("重新抽取理由"))
    with transaction.atomic():
        old = transitions.perform(DRAW_MACHINE, pk=draw_id, action="supersede", actor=actor, comment=reason,
                                  today=today)
        return commit_draw(plan_id=old.plan_id, actor=actor, replaces=old, reason=reason, today=today)


def verify_draw(draw: Draw) -> list[str]:
    """Recompute a revealed draw from its published inputs; the differences, first first (empty: OK)."""
    if not draw.revealed_seed:
        return [_("该抽取尚未揭示种子，无法验证。")]
    if not algo.seed_matches(draw.revealed_seed, draw.commitment):
        return [_("种子与承诺不一致：SHA-256(种子) = %(h)s，承诺 = %(c)s") % {
            "h": algo.commit(draw.revealed_seed), "c": draw.commitment}]
    candidates = [algo.Candidate(int(a), float(w)) for a, w in draw.candidates]
    if algo.candidate_hash(candidates) != draw.candidates_hash:
        return [_("候选名单哈希不一致：重算 %(h)s，记录 %(r)s") % {
            "h": algo.candidate_hash(candidates), "r": draw.candidates_hash}]
    try:
        expected = algo.draw(seed=draw.revealed_seed, candidates=candidates, n=draw.sample_size,
                             inspectors=draw.inspectors_pool, team_size=draw.team_size,
                             recusals=[tuple(r) for r in draw.recusals_used], version=draw.algorithm_version)
    except algo.DrawError as exc:
        return [str(exc)]
    recorded = list(draw.results.order_by("position").values_list("position", "agency_id", "team"))
    diffs = []
    for i in range(max(len(expected), len(recorded))):
        exp = (expected[i].position, expected[i].agency_id, list(expected[i].team)) if i < len(expected) else None
        rec = (recorded[i][0], recorded[i][1], sorted(recorded[i][2])) if i < len(recorded) else None
        if exp != rec:
            diffs.append(_("第 %(pos)s 位：应为 %(exp)s，记录为 %(rec)s") % {
                "pos": i + 1, "exp": _fmt(exp), "rec": _fmt(rec)})
    return diffs


def _fmt(row) -> str:
    if row is None:
        return "（无）"
    return f"机构 {row[1]}，检查组 {row[2]}"


def workload(user_ids) -> dict[int, int]:
    """Open inspections per inspector (for the screens)."""
    from supervision.models.inspections import Inspection
    rows = (Inspection.objects.exclude(state=Inspection.State.CONCLUDED).filter(team__in=user_ids)
            .values("team").annotate(n=Count("pk")))
    return {r["team"]: r["n"] for r in rows}


# ----- expert panels for filings -------------------------------------------------------------------------

def expert_candidates(filing) -> list[dict]:
    """The pool's experts who may sit on `filing`'s panel: active, a specialty among the filing's
    occupations, not employed by the agency, no declared conflict with it; with their workload (open
    panel seats of filings and renewals). A constant number of queries."""
    return _expert_pool(filing.agency_id, set(filing.scope.values_list("occupation_id", flat=True)))[0]


def _expert_pool(agency_id: int, occupations: set[int]) -> tuple[list[dict], list[list]]:
    """(candidates, recusals): the experts of matching specialty who may sit for the agency, with
    their open workload, and those of matching specialty who may not, each with the reason."""
    from assessments.choices import OPEN
    from assessments.models import PanelMember
    from filings.models import ExpertAssignment
    from supervision.models.plans import ExpertProfile
    matching = list(ExpertProfile.objects.filter(active=True, user__is_active=True, user__role=Role.EXPERT,
                                                 specialties__in=occupations)
                    .select_related("user").prefetch_related("specialties", "conflicts").distinct())
    profiles, recusals = [], []
    for p in sorted(matching, key=lambda p: p.user_id):
        if p.employer_id == agency_id or p.user.agency_id == agency_id:
            recusals.append([p.user_id, "受雇于该机构"])
        elif any(a.pk == agency_id for a in p.conflicts.all()):
            recusals.append([p.user_id, "已申报与该机构存在利益冲突"])
        else:
            profiles.append(p)
    ids = [p.user_id for p in profiles]
    load = dict(ExpertAssignment.objects.filter(expert_id__in=ids, submitted_at__isnull=True)
                .values_list("expert_id").annotate(n=Count("pk")).values_list("expert_id", "n"))
    for expert_id, n in (PanelMember.objects.filter(expert_id__in=ids, submitted_at__isnull=True,
                                                    assessment__state__in=OPEN)
                         .values_list("expert_id").annotate(n=Count("pk")).values_list("expert_id", "n")):
        load[expert_id] = load.get(expert_id, 0) + n
    return ([{"user": p.user, "specialties": [o for o in p.specialties.all() if o.pk in occupations],
              "workload": load.get(p.user_id, 0)} for p in profiles], recusals)


def _choose_experts(pool: dict, *, n: int, manual: list[int] | None, reason: str, seed: str | None,
                    subject: str) -> tuple[list[int], dict, str]:
    """The experts for a panel: the manual choice (a reason required, each from the pool) or `n` drawn
    by the hash stream, least workload first; with the audit data that lets anyone re-run it."""
    if manual is not None:
        reason = _text(reason, required=True, what=_("人工选择专家的理由"))
        chosen = [int(i) for i in manual]
        if not chosen:
            raise TransitionRefused(_("请勾选专家。"))
        if any(i not in pool for i in chosen):
            raise TransitionRefused(_("所选专家不在可选名单中（专业不符、受雇于该机构或已申报回避）。"))
        return chosen, {"manual": True, "experts": chosen}, reason
    if n < 1 or n > len(pool):
        raise TransitionRefused(_("可选专家 %(m)s 名，不足 %(n)s 名。") % {"m": len(pool), "n": n})
    seed = seed or algo.new_seed()
    workload = {k: v["workload"] for k, v in pool.items()}
    chosen = algo.draw_experts(seed=seed, experts=list(pool), n=n, workload=workload, subject=subject)
    return chosen, {"manual": False, "seed": seed, "commitment": algo.commit(seed), "algorithm": algo.ALGORITHM,
                    "version": algo.VERSION, "subject": subject, "pool": sorted(pool),
                    "workload": {str(k): v for k, v in sorted(workload.items())}, "experts": chosen}, reason


def draw_filing_panel(*, filing_id: int, n: int, actor, manual: list[int] | None = None, reason: str = "",
                      seed: str | None = None):
    """Draw `n` experts for a filing's panel from the pool by the draw's hash stream (least workload
    first), or take the city's manual choice with a recorded reason; seat them through the filings
    panel service (its rules: the policy's minimum, no expert of the agency) [002 §11]."""
    from filings.models import Filing
    from filings.panel_services import assign_panel
    from filings.permissions import is_city_reviewer
    filing = Filing.objects.select_related("agency").get(pk=filing_id)
    if not is_city_reviewer(filing, actor):
        raise PermissionDenied
    candidates, recusals = _expert_pool(filing.agency_id, set(filing.scope.values_list("occupation_id", flat=True)))
    pool = {c["user"].pk: c for c in candidates}
    chosen, data, reason = _choose_experts(pool, n=n, manual=manual, reason=reason, seed=seed,
                                           subject=f"filing:{filing.pk}")
    data["recusals"] = recusals
    with transaction.atomic():
        seats = assign_panel(filing_id=filing.pk, experts=[pool[i]["user"] for i in chosen], actor=actor)
        record("plan.expert_draw", filing, actor=actor, comment=reason, data=data)
    return seats


# ----- expert panel for a renewal (期满评估) ---------------------------------------------------------------

def renewal_expert_candidates(assessment) -> list[dict]:
    """The pool's experts who may sit on a renewal's panel: as for a filing (specialty among the
    filing's occupations, not employed by the agency, no declared conflict), less those already seated."""
    seated = set(assessment.panel.values_list("expert_id", flat=True))
    candidates, _recusals = _expert_pool(assessment.agency_id,
                                         set(assessment.filing.scope.values_list("occupation_id", flat=True)))
    return [c for c in candidates if c["user"].pk not in seated]


def draw_renewal_panel(*, assessment_id: int, n: int, actor, manual: list[int] | None = None, reason: str = "",
                       seed: str | None = None):
    """Draw `n` experts for a renewal's panel from the pool by the same hash stream as a filing's
    (least workload first), or take the city's manual choice with a recorded reason; seat them through
    the renewal's panel service (`assessments.services.assign_panel`: the city reviewer, while the
    renewal is accepted or under expert review, no expert of the agency) [000 §4(2), 004 §3(3)]."""
    from assessments.models import RenewalAssessment
    from assessments.services import assign_panel
    from filings.permissions import is_city_reviewer
    assessment = RenewalAssessment.objects.select_related("agency", "filing", "region").get(pk=assessment_id)
    if not is_city_reviewer(assessment, actor):
        raise PermissionDenied
    seated = set(assessment.panel.values_list("expert_id", flat=True))
    candidates, recusals = _expert_pool(assessment.agency_id,
                                        set(assessment.filing.scope.values_list("occupation_id", flat=True)))
    pool = {c["user"].pk: c for c in candidates if c["user"].pk not in seated}
    chosen, data, reason = _choose_experts(pool, n=n, manual=manual, reason=reason, seed=seed,
                                           subject=f"renewal:{assessment.pk}")
    data["recusals"] = recusals
    data["seated_before"] = sorted(seated)
    try:
        with transaction.atomic():
            seats = assign_panel(assessment_id=assessment.pk, actor=actor, experts=[pool[i]["user"] for i in chosen])
            record("plan.expert_draw", assessment, actor=actor, comment=reason, data=data)
    except ValidationError as exc:
        raise TransitionRefused("；".join(exc.messages)) from exc
    return seats
