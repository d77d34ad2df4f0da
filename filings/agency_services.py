"""Writes on the agency's side of the filing workflow [SPEC §2–3, 002 §8-9, 003 §10].

Each function is keyword-only, runs in one transaction, checks who may do it on the object, validates
before it saves (bad input raises ValidationError in Chinese and changes nothing) and writes its audit
entry. State changes (submit, supplement, withdraw) are not here: they go through `services.perform`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from filings import services, supplements
from filings.choices import EDITABLE, FilingState, ManagingLevel, MaterialType
from filings.models import Agency, Examiner, Filing, Material, ScopeItem, required_material_types
from filings.models.agency import managing_level_for
from filings.models.scope import national_standard_problem
from filings.uploads import CheckedUpload
from portal.audit import record
from portal.models import ENTERPRISE_ONLY_LEVELS, Occupation, Role, SkillLevel, User

# The agency's registered details; the contacts may change at any time, the rest only until the first
# submission — afterwards through a change filing (变更备案) or a correction by city staff [002 §13].
AGENCY_FIELDS = ("name", "uscc", "kind", "ownership", "region", "industry_department", "address",
                 "legal_representative", "contact_name", "contact_phone", "contact_email")
CONTACT_FIELDS = ("contact_name", "contact_phone", "contact_email")

USCC_TAKEN = gettext_lazy("该统一社会信用代码已被“%(name)s”登记。一个机构只能登记一次；如属本机构，请联系本机构已有账号的经办人或市级审核人员。")


# ----- agencies -----------------------------------------------------------------------------------------

def agency_registered_details_locked(agency: Agency) -> bool:
    """Once a filing left the draft, the registered details are what the authority reviewed."""
    return agency.pk is not None and agency.filings.exclude(state=FilingState.DRAFT).exists()


def may_manage_agency(user: User, agency: Agency | None = None, region=None) -> bool:
    """City staff create and correct agencies within their jurisdiction; administrators anywhere."""
    if user.is_superuser or user.role == Role.ADMIN:
        return True
    if user.role != Role.CITY or not user.region_id:
        return False
    regions = [r for r in (region, agency.region if agency else None) if r is not None]
    return all(r.path.startswith(user.region.path) for r in regions)


def _save_agency(agency: Agency) -> Agency:
    try:
        agency.full_clean()
    except ValidationError as exc:
        if "uscc" in getattr(exc, "error_dict", {}):
            other = Agency.objects.filter(uscc=agency.uscc).exclude(pk=agency.pk).first()
            if other is not None:
                exc.error_dict["uscc"] = [ValidationError(USCC_TAKEN, code="uscc_taken", params={"name": other.name})]
        raise
    try:
        with transaction.atomic():
            agency.save()
    except IntegrityError as exc:  # two registrations of the same code at the same moment
        other = Agency.objects.filter(uscc=agency.uscc).first()
        raise ValidationError({"uscc": ValidationError(USCC_TAKEN, code="uscc_taken",
                                                       params={"name": other.name if other else ""})}) from exc
    return agency


@transaction.atomic
def register_agency(*, details: dict[str, Any], user: User | None = None, username: str = "",
                    password: str = "", full_name: str = "", phone: str = "", email: str = "") -> tuple[Agency, User]:
    """An agency user registers their agency [SPEC §1]: either a logged-in agency user who has none
    yet, or a new account created together with the agency (both or neither)."""
    if user is not None and (user.role != Role.AGENCY or user.agency_id):
        raise PermissionDenied
    agency = _save_agency(Agency(**{k: details[k] for k in AGENCY_FIELDS if k in details}))
    if user is None:
        if User.objects.filter(username__iexact=username).exists():
            raise ValidationError({"username": _("该用户名已被使用，请换一个。")})
        user = User(username=username, role=Role.AGENCY, full_name=full_name, phone=phone, email=email)
        user.set_password(password)
    user.agency = agency
    user.save()
    record("agency.register", agency, actor=user, data={"uscc": agency.uscc, "user": user.username})
    return agency, user


@transaction.atomic
def create_agency(*, actor: User, details: dict[str, Any]) -> Agency:
    """City staff register an agency on its behalf, within their jurisdiction."""
    if not may_manage_agency(actor, region=details.get("region")):
        raise PermissionDenied
    agency = _save_agency(Agency(**{k: details[k] for k in AGENCY_FIELDS if k in details}))
    record("agency.create", agency, actor=actor, data={"uscc": agency.uscc})
    return agency


@transaction.atomic
def update_agency(*, agency: Agency, actor: User, details: dict[str, Any]) -> Agency:
    """The agency keeps its details current; city staff correct them. An agency user may change its
    registered details only until the first submission, its contacts always [002 §13]."""
    agency = Agency.objects.select_for_update().get(pk=agency.pk)
    if actor.role == Role.AGENCY:
        if actor.agency_id != agency.pk:
            raise PermissionDenied
        allowed = CONTACT_FIELDS if agency_registered_details_locked(agency) else AGENCY_FIELDS
    elif may_manage_agency(actor, agency=agency, region=details.get("region")):
        allowed = AGENCY_FIELDS
    else:
        raise PermissionDenied
    changes = {}
    for field in allowed:
        if field not in details:
            continue
        old, new = getattr(agency, field), details[field]
        if old != new:
            changes[field] = [str(old or ""), str(new or "")]
            setattr(agency, field, new)
    if not changes:
        return agency
    _save_agency(agency)
    record("agency.correct" if actor.role != Role.AGENCY else "agency.update", agency, actor=actor,
           data={"changes": changes})
    return agency


# ----- the application ----------------------------------------------------------------------------------

def _editable_filing(filing: Filing, actor: User) -> Filing:
    """Lock the filing; only its own agency's users edit it, and only while it is theirs to edit."""
    locked = Filing.objects.select_for_update().select_related("agency").get(pk=filing.pk)
    if actor.role != Role.AGENCY or actor.agency_id != locked.agency_id:
        raise PermissionDenied
    if locked.state not in EDITABLE:
        raise ValidationError(_("该备案申请当前状态为“%(state)s”，不能修改。") % {"state": FilingState(locked.state).label})
    return locked


def open_filing(agency: Agency) -> Filing | None:
    """The application in progress (draft, returned, awaiting supplement or with the authorities)."""
    ended_or_in_force = [FilingState.ACTIVE, FilingState.SUSPENDED, FilingState.RECTIFYING, FilingState.REFUSED,
                         FilingState.ABANDONED, FilingState.WITHDRAWN, FilingState.EXPIRED, FilingState.TERMINATED,
                         FilingState.CANCELLED]
    return agency.filings.exclude(state__in=ended_or_in_force).order_by("-created_at").first()


@transaction.atomic
def create_filing(*, agency: Agency, actor: User, managing_level: str = ManagingLevel.DISTRICT) -> tuple[Filing, bool]:
    """Start a draft. An agency has one application in progress at a time, so a double-clicked
    "new application" opens the same draft instead of making a second one. Returns (filing, created)."""
    agency = Agency.objects.select_for_update().get(pk=agency.pk)
    if actor.role != Role.AGENCY or actor.agency_id != agency.pk:
        raise PermissionDenied
    existing = open_filing(agency)
    if existing is not None:
        return existing, False
    if managing_level not in ManagingLevel.values:
        raise ValidationError({"managing_level": _("请选择管理层级。")})
    # No full_clean(): it would assign the protected FSM field; the draft's fields come from the agency.
    filing = Filing.objects.create(agency=agency, region=agency.region,
                                   managing_level=managing_level_for(agency, managing_level),
                                   industry_department=agency.industry_department)
    record("filing.create", filing, actor=actor)
    return filing, True


@transaction.atomic
def save_details(*, filing: Filing, actor: User, managing_level: str) -> Filing:
    """Which authority manages the filing: the city or the district [002 §6]. Ownership and kind fix
    it [000 §4(1)]; the agency's choice counts only for a social training evaluation organisation
    (`chooses_managing_level`), so a district enterprise that ticks "city" stays with its district."""
    filing = _editable_filing(filing, actor)
    if managing_level not in ManagingLevel.values:
        raise ValidationError({"managing_level": _("请选择管理层级。")})
    managing_level = managing_level_for(filing.agency, managing_level)
    if filing.managing_level != managing_level:
        record("filing.details", filing, actor=actor,
               data={"managing_level": [filing.managing_level, managing_level]})
        filing.managing_level = managing_level
        filing.save(update_fields=["managing_level", "updated_at"])
    return filing


@dataclass(frozen=True)
class ScopeRow:
    occupation: Occupation
    level_from: int
    level_to: int


def scope_row_problems(agency: Agency, row: ScopeRow) -> list[str]:
    """The rules a scope row must meet before it is saved [003 §8(2), 003 §5, 001 §2]. (The examiner count of
    [003 §8(4)] is checked at submission, since examiners are entered after the scope.)"""
    problems = []
    if row.occupation.restricted:
        problems.append(_("“%(name)s”为准入类职业，不得纳入备案范围 [003 §8(2)]。") % {"name": row.occupation.name})
    if (no_standard := national_standard_problem(agency, row.occupation)):
        problems.append(no_standard)
    if row.level_from > row.level_to:
        problems.append(_("最低等级不能高于最高等级。"))
    elif not agency.is_enterprise:
        banned = [str(SkillLevel(v).label) for v in range(row.level_from, row.level_to + 1)
                  if SkillLevel(v) in ENTERPRISE_ONLY_LEVELS]
        if banned:
            problems.append(_("%(levels)s仅限用人单位（企业自主评价）开展，本机构不能申报 [003 §5]。") % {"levels": "、".join(banned)})
    return problems


@transaction.atomic
def save_scope(*, filing: Filing, actor: User, rows: list[ScopeRow]) -> Filing:
    """Replace the scope with `rows`: occupation × level ranges [SPEC §2, 003 §5, 003 §8(2)]."""
    filing = _editable_filing(filing, actor)
    problems = [p for row in rows for p in scope_row_problems(filing.agency, row)]
    codes = [row.occupation.pk for row in rows]
    if len(codes) != len(set(codes)):
        problems.append(_("同一职业（工种）只能填写一行，请合并等级范围。"))
    if not rows:
        problems.append(_("请至少填写一个职业（工种）。"))
    if problems:
        raise ValidationError(problems)
    before = [str(item) for item in filing.scope.select_related("occupation")]
    old_rows = {s.occupation_id: (s.level_from, s.level_to) for s in filing.scope.all()}
    filing.scope.all().delete()
    ScopeItem.objects.bulk_create(ScopeItem(filing=filing, occupation=row.occupation, level_from=row.level_from,
                                            level_to=row.level_to) for row in rows)
    after = [str(item) for item in filing.scope.select_related("occupation")]
    new_rows = {row.occupation.pk: (row.level_from, row.level_to) for row in rows}
    supplements.mark_changed(filing, occupation_ids=[pk for pk in old_rows.keys() | new_rows.keys()
                                                     if old_rows.get(pk) != new_rows.get(pk)])
    record("filing.scope", filing, actor=actor, data={"before": before, "after": after})
    return filing


@dataclass(frozen=True)
class ExaminerRow:
    name: str
    certificate_no: str
    level: int


@transaction.atomic
def add_examiners(*, filing: Filing, actor: User, occupation: Occupation, rows: list[ExaminerRow],
                  replace: bool = False) -> Filing:
    """The agency's own examiners for one occupation [003 §8(4), §9(4)(3)]; `replace=True` makes
    `rows` the whole list for that occupation (the form shows the current list for editing)."""
    filing = _editable_filing(filing, actor)
    if not filing.scope.filter(occupation=occupation).exists():
        raise ValidationError(_("“%(name)s”不在申报范围内，请先在申报范围中添加。") % {"name": occupation.name})
    before = sorted(filing.examiners.filter(occupation=occupation).values_list("name", "certificate_no", "level"))
    if replace:
        filing.examiners.filter(occupation=occupation).delete()
    Examiner.objects.bulk_create(Examiner(filing=filing, occupation=occupation, name=r.name,
                                          certificate_no=r.certificate_no, level=r.level) for r in rows)
    if sorted(filing.examiners.filter(occupation=occupation).values_list("name", "certificate_no", "level")) != before:
        supplements.mark_changed(filing, occupation_ids=[occupation.pk])  # the row's examiners changed
    record("filing.examiners", filing, actor=actor,
           data={"occupation": occupation.code, "count": len(rows), "replace": replace})
    return filing


@transaction.atomic
def save_facilities(*, filing: Filing, actor: User, facilities: str) -> Filing:
    """场地设备设施: exam rooms, practical sites and equipment, video surveillance [002 §8, 003 §10]."""
    filing = _editable_filing(filing, actor)
    facilities = (facilities or "").strip()
    if not facilities:
        raise ValidationError({"facilities": _("请填写场地设备设施情况。")})
    if facilities != filing.facilities:
        filing.facilities = facilities
        filing.save(update_fields=["facilities", "updated_at"])
        record("filing.facilities", filing, actor=actor)
    return filing


@transaction.atomic
def upload_material(*, filing: Filing, actor: User, material_type: str, upload: CheckedUpload) -> Material:
    """One file of a required type [002 §8, 003 §10]. The file it replaces is marked superseded and
    kept, never deleted [002 §19, 003 §16]."""
    filing = _editable_filing(filing, actor)
    if material_type not in required_material_types(filing.agency):
        raise ValidationError({"type": _("本机构无需提交该类材料。")})
    now = timezone.now()
    replaced = list(filing.materials.filter(type=material_type, superseded_at__isnull=True)
                    .values_list("pk", flat=True))
    Material.objects.filter(pk__in=replaced).update(superseded_at=now)
    material = Material(filing=filing, type=material_type, original_name=upload.original_name,
                        content_type=upload.content_type, size=upload.size, sha256=upload.sha256, uploaded_by=actor)
    material.file.save(f"upload.{upload.extension}", upload.file, save=False)
    material.save()
    supplements.mark_changed(filing, material_type=material_type)
    record("material.upload", material, actor=actor,
           data={"filing": filing.pk, "type": material_type, "sha256": upload.sha256, "size": upload.size,
                 "content_type": upload.content_type, "replaces": replaced})
    return material


@transaction.atomic
def sign_pledge(*, filing: Filing, actor: User) -> Filing:
    """The truthfulness pledge (申请材料真实性承诺), signed by a named person at a recorded time
    [002 §8, 003 §10]; a false pledge is a one-vote veto later [004 Annex 2 §6.1]."""
    filing = _editable_filing(filing, actor)
    filing.pledge_signed_at, filing.pledge_signed_by = timezone.now(), actor
    filing.save(update_fields=["pledge_signed_at", "pledge_signed_by", "updated_at"])
    record("filing.pledge", filing, actor=actor)
    return filing


@transaction.atomic
def submit_application(*, filing_id: int, actor: User, action: str, agree: bool,
                       expected_state: str | None = None) -> Filing:
    """One press signs the truthfulness pledge (if it is not signed yet) and submits the application,
    or sends the supplement [002 §8-10, 003 §10]. If the submission is refused (something is still
    missing) the pledge is not kept either: nothing changes."""
    if action not in ("submit", "supplement"):
        raise PermissionDenied
    filing = Filing.objects.get(pk=filing_id)
    if agree and filing.pledge_signed_at is None and filing.state in EDITABLE:
        sign_pledge(filing=filing, actor=actor)
    # Unticked, the refusal lists the unsigned pledge with everything else missing, at once [002 §10].
    return services.perform(filing_id=filing_id, action=action, actor=actor, expected_state=expected_state)


def material_label(material_type: str) -> str:
    return str(MaterialType(material_type).label)
