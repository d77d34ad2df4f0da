"""变更备案 [002 §13, 001 §5(3), 003 §7]: during validity an agency asks to add or remove occupations
and levels, or to change its registered details; what changes is reviewed along the filing's own
route (pre-review by the district or industry department unless the filing goes straight to the
city), the city decides, and on approval the change is applied and the receipt re-issued.

Every write is one function here (keyword-only, one transaction, audit and notification in the
same place); views and tests call these, never the transitions directly."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from filings import permissions as perm
from filings.models import Agency, ChangeAttachment, ChangeRequest, Examiner, Filing, ScopeItem
from filings.models import PublicNotice
from filings.models.changes import CHANGE_MATERIALS, change_quota_conflicts
from filings.notices import add_to_notice
from filings.receipts import issue_receipt
from filings.selectors import parties
from filings.uploads import CheckedUpload
from portal import transitions
from portal.transitions import TransitionRefused
from portal.audit import record
from portal.models import Occupation, SkillLevel
from portal.notifications import notify

CR = ChangeRequest.State

# Registered details an agency may change through a change filing, with their labels.
DETAIL_FIELDS = {
    "address": gettext_lazy("地址"),
    "legal_representative": gettext_lazy("法定代表人"),
    "contact_name": gettext_lazy("联系人"),
    "contact_phone": gettext_lazy("联系电话"),
    "contact_email": gettext_lazy("联系邮箱"),
}

ACTIONS = {
    "submit": gettext_lazy("提交变更申请"),
    "forward": gettext_lazy("初审通过，报送市级"),
    "start_expert_review": gettext_lazy("开始专家评审"),
    "approve_for_notice": gettext_lazy("同意变更，进入公示"),
    "approve": gettext_lazy("同意变更"),
    "reopen_review": gettext_lazy("异议成立，退回评审"),
    "refuse": gettext_lazy("不予变更"),
    "withdraw": gettext_lazy("撤回变更申请"),
}
COMMENT_REQUIRED = {"forward", "refuse", "reopen_review"}
OPEN_STATES = (CR.DRAFT, CR.SUBMITTED, CR.PRE_REVIEW, CR.EXPERT_REVIEW, CR.NOTICE)
# What the system does on its own: the end of the notice of added scope [003 §7].
SYSTEM_ACTIONS = frozenset({"complete_notice"})
SYSTEM_LABELS = {"complete_notice": gettext_lazy("变更公示期满无异议，变更生效")}


# ----- reading a proposal ----------------------------------------------------------------------
def _levels_ok(value) -> bool:
    return isinstance(value, int) and value in SkillLevel.values


def proposal_problems(filing: Filing, proposal: dict) -> list[str]:
    """Everything wrong with a proposal, listed at once. Additions are checked by the filing's own
    scope rules (ScopeItem.problems: no entry-restricted occupation [003 §8(2)], enterprise-only
    levels [003 §5], at least the policy's number of examiners per level [003 §8(4)])."""
    add, remove, details = proposal.get("add", []), proposal.get("remove", []), proposal.get("details", {})
    if not (add or remove or details):
        return [_("未填写任何变更内容")]
    problems = []
    filed = set(filing.scope.values_list("occupation_id", flat=True))
    for occ_id in remove:
        if occ_id not in filed:
            problems.append(_("拟删除的职业（工种）不在现有备案范围内"))
    seen = set()
    for row in add:
        occ_id = row.get("occupation")
        if occ_id in seen:
            problems.append(_("同一职业（工种）在新增内容中重复出现"))
        seen.add(occ_id)
        if occ_id in remove:
            problems.append(_("同一职业（工种）不能同时新增和删除"))
        if not (_levels_ok(row.get("level_from")) and _levels_ok(row.get("level_to"))):
            problems.append(_("等级填写有误"))
        elif row["level_from"] > row["level_to"]:
            problems.append(_("最低等级不能高于最高等级"))
        if not Occupation.objects.filter(pk=occ_id).exists():
            problems.append(_("所选职业（工种）不存在"))
    if not (filed - set(remove)) and not add:
        problems.append(_("变更后备案范围不能为空；如需终止备案，请申请注销"))
    unknown = set(details) - set(DETAIL_FIELDS)
    if unknown:
        problems.append(_("包含不可通过变更备案修改的信息：") + "、".join(sorted(unknown)))
    problems.extend(_details_problems(filing.agency, details))
    if not problems and add:
        problems.extend(_dry_run_scope(filing, proposal))
        new = Occupation.objects.filter(pk__in=[row["occupation"] for row in add]).exclude(pk__in=filed)
        problems.extend(quota_problems(change_quota_conflicts(filing, new.order_by("code"))))
    return problems


def quota_problems(conflicts: list[dict]) -> list[str]:
    """Each occupation whose places for social organisations are taken, with who holds them [003 §7]."""
    return [_("%(occupation)s已有 %(count)s 家社会培训评价组织（上限 %(limit)s 家）：")
            % {"occupation": c["occupation"].name, "count": len(c["holders"]), "limit": c["limit"]}
            + "、".join(f.agency.name for f in c["holders"]) for c in conflicts]


def _details_problems(agency: Agency, details: dict) -> list[str]:
    probe = Agency.objects.get(pk=agency.pk)
    for name, value in details.items():
        if name in DETAIL_FIELDS:
            setattr(probe, name, value)
    try:
        probe.full_clean(validate_unique=False)
    except ValidationError as exc:
        return [f"{DETAIL_FIELDS.get(field, field)}：{'；'.join(msgs)}"
                for field, msgs in exc.message_dict.items() if field in DETAIL_FIELDS]
    return []


class _DryRun(Exception):
    pass


def _dry_run_scope(filing: Filing, proposal: dict) -> list[str]:
    """Apply the scope part in a savepoint, ask the rules, roll back: the very rules the filing was
    checked by, with the examiners the request brings, and nothing written."""
    problems: list[str] = []
    try:
        with transaction.atomic():
            problems = _apply_scope(filing, proposal)
            raise _DryRun
    except _DryRun:
        pass
    return problems


def _apply_scope(filing: Filing, proposal: dict) -> list[str]:
    """Add the examiners, add or re-range the occupations, remove the removed ones; return the
    problems of the rows added or changed (the caller rolls back if there are any)."""
    touched = []
    for row in proposal.get("add", []):
        for ex in row.get("examiners", []):
            Examiner.objects.create(filing=filing, occupation_id=row["occupation"], name=ex["name"],
                                    certificate_no=ex.get("certificate_no", ""),
                                    level=ex.get("level") or row["level_to"])
        item, _created = ScopeItem.objects.update_or_create(
            filing=filing, occupation_id=row["occupation"],
            defaults={"level_from": row["level_from"], "level_to": row["level_to"]})
        touched.append(item)
    ScopeItem.objects.filter(filing=filing, occupation_id__in=proposal.get("remove", [])).delete()
    problems = []
    for item in touched:
        item.filing = filing
        problems.extend(item.problems())
    return problems


def describe(change: ChangeRequest) -> dict:
    """The proposal in words, for screens and notifications."""
    proposal = change.proposal or {}
    ids = [row["occupation"] for row in proposal.get("add", [])] + list(proposal.get("remove", []))
    occupations = Occupation.objects.in_bulk(ids)

    def levels(lo, hi):
        lo, hi = SkillLevel(lo).label, SkillLevel(hi).label
        return lo if lo == hi else f"{lo}—{hi}"

    added, reranged = [], []
    for row in proposal.get("add", []):
        examiners = [{**ex, "level_label": SkillLevel(ex.get("level") or row["level_to"]).label}
                     for ex in row.get("examiners", [])]
        entry = {"occupation": occupations.get(row["occupation"]), "levels": levels(row["level_from"], row["level_to"]),
                 "examiners": examiners}
        if row.get("previous"):
            entry["previous"] = levels(*row["previous"])
            reranged.append(entry)
        else:
            added.append(entry)
    removed = [occupations.get(i) for i in proposal.get("remove", [])]
    joining = [{"occupation": entry["occupation"], **ex} for entry in added + reranged for ex in entry["examiners"]]
    details = [{"label": DETAIL_FIELDS.get(k, k), "value": v} for k, v in proposal.get("details", {}).items()]
    return {"added": added, "reranged": reranged, "removed": removed, "details": details, "examiners": joining}


# ----- writes ------------------------------------------------------------------------------------
def create_change_request(*, filing_id: int, actor, reason: str, add: list[dict] | None = None,
                          remove: list[int] | None = None, details: dict | None = None) -> ChangeRequest:
    """A draft change request on an in-force filing, refused with every problem listed at once."""
    reason = transitions.person_text(reason)
    with transaction.atomic():
        filing = Filing.objects.select_for_update().select_related("agency", "region").get(pk=filing_id)
        if not perm.is_agency_member(filing, actor):
            raise PermissionDenied
        if not filing.in_force:
            raise TransitionRefused(_("仅有效期内的备案可以申请变更 [002 §13]。"))
        if filing.change_requests.filter(state__in=OPEN_STATES).exists():
            raise TransitionRefused(_("该备案已有一件变更申请正在办理，请待其办结或撤回后再申请。"))
        if not reason:
            raise TransitionRefused(_("请填写变更理由。"))
        agency = filing.agency
        details = {k: (v or "").strip() for k, v in (details or {}).items()}
        details = {k: v for k, v in details.items() if getattr(agency, k, None) != v}
        current = {s.occupation_id: s for s in filing.scope.all()}
        add = [dict(row) for row in add or []]
        for row in add:
            if row.get("occupation") in current:  # a new level range for an occupation already filed
                was = current[row["occupation"]]
                row["previous"] = [was.level_from, was.level_to]
        proposal = {"add": add, "remove": sorted(set(remove or [])), "details": details}
        problems = proposal_problems(filing, proposal)
        if problems:
            raise TransitionRefused(_("变更申请未保存：") + "；".join(dict.fromkeys(problems)))
        change = ChangeRequest.objects.create(filing=filing, proposal=proposal, reason=reason, created_by=actor)
        record("change.create", change, actor=actor, comment=reason, data=proposal)
    return change


def upload_change_material(*, change_id: int, actor, material_type: str, upload: CheckedUpload) -> ChangeAttachment:
    """A material for the scope the change adds, while the change is a draft [002 §8, 003 §10]. The
    file it replaces is marked superseded and kept [002 §19, 003 §16]."""
    with transaction.atomic():
        change = ChangeRequest.objects.select_for_update().select_related("filing__agency").get(pk=change_id)
        if not perm.is_agency_member(change.filing, actor):
            raise PermissionDenied
        if change.state != CR.DRAFT:
            raise TransitionRefused(_("变更申请已提交，不能再更换材料。"))
        if material_type not in CHANGE_MATERIALS:
            raise TransitionRefused(_("变更申请无需提交该类材料。"))
        replaced = list(change.attachments.filter(type=material_type, superseded_at__isnull=True)
                        .values_list("pk", flat=True))
        ChangeAttachment.objects.filter(pk__in=replaced).update(superseded_at=timezone.now())
        attachment = ChangeAttachment(change=change, type=material_type, original_name=upload.original_name,
                                      content_type=upload.content_type, size=upload.size, sha256=upload.sha256,
                                      uploaded_by=actor)
        attachment.file.save(f"upload.{upload.extension}", upload.file, save=False)
        attachment.save()
        record("change.material_upload", change, actor=actor,
               data={"attachment": attachment.pk, "type": material_type, "sha256": upload.sha256,
                     "size": upload.size, "replaces": replaced})
    return attachment


def _lock_filing(change: ChangeRequest) -> None:
    """Approval changes the filing too: lock it with the change request."""
    change.filing = (Filing.objects.select_for_update().select_related("agency", "region")
                     .get(pk=change.filing_id))


def _effects(change: ChangeRequest, action: str, before: str, actor, comment: str, today) -> None:
    """Approval applies the change; approval where the policy publishes added scope puts it in the
    day's change notice for the policy's working days, as an initial filing's [002 §13, 003 §7]; the
    end of that notice applies it."""
    if action == "complete_notice":
        _lock_filing(change)  # the system's step (sweep or settle) comes without `prepare`
    if action in ("approve", "complete_notice"):
        _apply(change, actor=actor)
    if action == "approve_for_notice":
        if problems := _dry_run_scope(change.filing, change.proposal or {}):  # nothing published that cannot apply
            raise TransitionRefused(_("变更后的备案范围不符合规定，未予公示：") + "；".join(problems))
        add_to_notice(change.filing, actor=actor, today=today, purpose=PublicNotice.Purpose.CHANGE,
                      change=change, summary=notice_summary(change))


def notice_summary(change: ChangeRequest) -> str:
    """What the change notice publishes: the occupations and levels the change adds or re-ranges."""
    words = describe(change)
    parts = [f"新增{row['occupation'].name}（{row['levels']}）" for row in words["added"] if row["occupation"]]
    parts += [f"{row['occupation'].name}调整为{row['levels']}（原{row['previous']}）"
              for row in words["reranged"] if row["occupation"]]
    return ("变更备案：" + "；".join(parts))[:300]


def _notify(change: ChangeRequest, before: str, comment: str) -> None:
    filing = change.filing
    body = comment
    if change.state == CR.NOTICE and change.notice_ends_on:
        body = "\n".join(filter(None, [comment, f"新增范围公示至 {change.notice_ends_on:%Y-%m-%d}，"
                                                 "公示期满无异议后变更生效。"]))
    notify(parties(filing), subject=f"变更备案：{filing.agency.name} {CR(before).label} → {change.get_state_display()}",
           body=body, url=f"/changes/{change.pk}/")


def _refusal(change: ChangeRequest, action: str) -> str:
    if not change.filing.in_force:
        return _("备案已不在有效期内，不能办理变更 [002 §13]。")
    if action == "submit" and (missing := change.missing_materials()):
        return _("新增职业（工种）或等级须上传以下材料后再提交 [002 §8, 003 §10]：") + "、".join(missing)
    if action == "start_expert_review":
        return (_("专家组人数不足，请先指派专家（不得来自申请机构）") if change.adds_scope
                else _("仅新增职业（工种）或等级的变更需要专家评审。"))
    if action == "approve" and not change._reviewed_if_adding():
        return (_("新增职业（工种）或等级须经专家评审，请先指派专家组并开始评审 [002 §11]。")
                if change.state == CR.SUBMITTED else _("尚有专家未提交评审意见和评分"))
    if action in ("approve", "approve_for_notice") and not change._reviewed_if_adding():
        return _("尚有专家未提交评审意见和评分")
    if action in ("approve", "approve_for_notice") and (conflicts := change.selection_conflicts()):
        return _("新增职业（工种）超出择优遴选名额，不予变更 [003 §7]：") + "；".join(quota_problems(conflicts))
    if action == "approve" and change.notice_required():
        return _("按本地政策，新增职业（工种）或等级须经公示，请选择“同意变更，进入公示” [003 §7]。")
    if action == "approve_for_notice" and not change.notice_required():
        return _("按本地政策，该变更无需公示，请直接同意变更。")
    if action == "complete_notice" and not change.no_pending_objections():
        return _("尚有异议未核实")
    if action == "complete_notice" and (problems := change.scope_problems()):
        return _("变更后的备案范围不符合规定，未予变更：") + "；".join(problems)
    return _("当前条件下不能进行此操作。")


MACHINE = transitions.Machine(
    model=ChangeRequest,
    audit_prefix="change",
    noun=gettext_lazy("该变更申请"),
    actions=ACTIONS,
    system_actions=SYSTEM_ACTIONS,
    comment_required=frozenset(COMMENT_REQUIRED),
    passes_today=False,
    prepare=_lock_filing,
    refusal=lambda change, action, today: _refusal(change, action),
    effects=_effects,
    notify=_notify,
    audit_data=lambda change, action, before: {"filing": change.filing_id},
)


def available_actions(change: ChangeRequest, user) -> list[tuple[str, str]]:
    """No button that can never work: expert review only for added scope, whose approval waits
    for the review [002 §11]."""
    hidden = set()
    if change.state == CR.SUBMITTED:
        hidden = {"approve"} if change.adds_scope else {"start_expert_review"}
    elif change.state == CR.EXPERT_REVIEW:
        hidden = {"approve"} if change.notice_required() else {"approve_for_notice"}
    hidden.add("reopen_review")  # taken with the verdict on an objection (panel_services.resolve_objection)
    return [(name, label) for name, label in transitions.available_actions(MACHINE, change, user)
            if name not in hidden]


def act(*, change_id: int, action: str, actor, comment: str = "", expected_state: str | None = None,
        today=None) -> ChangeRequest:
    """One step of a change request. Approval applies the change and re-issues the receipt in the
    same transaction; if the change breaks a scope rule, nothing is applied and the city is told why.
    A notice that has run out is settled first (`TimeLimits`), as the sweep would."""
    if actor is None:
        raise PermissionDenied
    return transitions.perform(MACHINE, pk=change_id, action=action, actor=actor, comment=comment,
                               expected_state=expected_state, today=today)


def _apply(change: ChangeRequest, *, actor) -> None:
    """[002 §13] Scope rows added or removed (the scope rules still hold for additions), details
    updated on the agency, the receipt re-issued as a new version."""
    filing = change.filing
    proposal = change.proposal or {}
    problems = _apply_scope(filing, proposal)
    if problems:
        raise TransitionRefused(_("变更后的备案范围不符合规定，未予变更：") + "；".join(problems))
    details = {k: v for k, v in proposal.get("details", {}).items() if k in DETAIL_FIELDS}
    if details:
        agency = filing.agency
        for name, value in details.items():
            setattr(agency, name, value)
        try:
            agency.full_clean()
        except ValidationError as exc:
            raise TransitionRefused(_("变更后的机构信息有误：") + "；".join(
                f"{DETAIL_FIELDS.get(f, f)}：{'；'.join(m)}" for f, m in exc.message_dict.items())) from exc
        agency.save(update_fields=list(details))
    filing.save(update_fields=["updated_at"])
    issue_receipt(filing, reason="变更备案")
    record("filing.change", filing, actor=actor, comment=change.reason, data={"change": change.pk, **proposal})
