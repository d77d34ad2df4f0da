"""Written decisions [002 §10-11]: acceptance (and deemed acceptance), the one-time supplement notice,
refusal of acceptance and refusal of filing each give the agency a numbered, dated notice from the
authority that decided, with the reasons, the legal basis and, for a refusal, the remedies. Issued
in the transaction of the decision (the filing machine's `after_save`, and the sweep's batch for
deemed acceptance); the PDF is rendered after commit (`decision_pdf`)."""

from __future__ import annotations

import datetime

from django.db import transaction

from filings.choices import Route
from filings.models import Filing, NumberSequence, WrittenNotice
from filings.tasks import render_decisions
from portal.models import Region
from portal.tasks import send_later

K = WrittenNotice.Kind

# Which transition issues which notice. Deemed acceptance gets a 受理通知书 too: the agency needs a
# dated record that its application stands accepted and from when the 90 days run [002 §10-11].
KINDS = {
    "accept": K.ACCEPTANCE,
    "deem_accepted": K.ACCEPTANCE,
    "request_supplement": K.SUPPLEMENT,
    "refuse_acceptance": K.REFUSAL_OF_ACCEPTANCE,
    "refuse": K.REFUSAL,
}
KIND_CODES = {K.ACCEPTANCE: "SL", K.SUPPLEMENT: "BZ", K.REFUSAL_OF_ACCEPTANCE: "BSL", K.REFUSAL: "BBA"}

# The rule each decision rests on, quoted from the measures the portal's rules come from. A
# deployment under another city's measures edits these lines.
MEASURES = "《重庆市职业技能等级评价机构管理办法》（渝人社发〔2020〕128号）"
BASIS = {
    "accept": MEASURES + "第十条：人力资源社会保障部门收到备案申请后，应对申请材料进行审核，作出是否受理的决定并告知申请人。",
    "deem_accepted": MEASURES + "第十条：逾期未作出不予受理决定的，视为受理。",
    "request_supplement": MEASURES + "第十条：申请材料不齐全或者不符合要求的，应在5个工作日内告知申请人需要补正的全部材料。"
                          "补正期限原则上不超过30日，补正完毕之日视为收到申请之日。逾期未补正的，视为放弃申请。",
    "refuse_acceptance": MEASURES + "第十条：人力资源社会保障部门收到备案申请后，应对申请材料进行审核，作出是否受理的决定并告知申请人。"
                         "决定不予受理的，应当说明理由和依据。",
    "refuse": MEASURES + "第十一条：人力资源社会保障部门受理备案申请后，应组织专家或委托具有相应资质的评估机构采取材料验核、"
              "专家论证、现场考察等方式进行技术评估，并在90日内作出是否给予备案的决定。决定不予备案的，应当书面告知申请人，"
              "并说明理由和依据。",
}


def _top(filing: Filing, cache: dict | None = None) -> Region | None:
    code = filing.region.top_path.strip("/")
    if cache is not None and code in cache:
        return cache[code]
    top = Region.objects.filter(code=code).first()
    if cache is not None:
        cache[code] = top
    return top


def deciding_authority(filing: Filing, action: str, cache: dict | None = None) -> tuple[str, str]:
    """(name, code) of the authority that takes `action`: the receiving authority for the
    completeness check — the city, the district's bureau or the industry department, by route
    [000 §4(1), 002 §6, 002 §10] — and the city for the filing decision [002 §11, 003 §7]."""
    top = _top(filing, cache)
    city_name = top.name if top else filing.region.name
    city_code = top.code if top else filing.region.code
    if action == "refuse" or filing.route in (Route.CITY, ""):
        return f"{city_name}人力资源和社会保障局", city_code
    if filing.route == Route.INDUSTRY and filing.industry_department_id:
        return filing.industry_department.name, f"{city_code}H{filing.industry_department_id}"
    return f"{city_name}{filing.region.name}人力资源和社会保障局", filing.region.code


def _prefix(code: str, kind: str, today: datetime.date) -> str:
    return f"{code}{today:%Y}{KIND_CODES[kind]}"


def _take_numbers(prefix: str, count: int) -> list[str]:
    """`count` serials of one prefix, under the sequence's row lock; never reused."""
    with transaction.atomic():
        seq, _ = NumberSequence.objects.select_for_update().get_or_create(prefix=f"notice:{prefix}")
        first = seq.last + 1
        seq.last += count
        seq.save(update_fields=["last"])
    return [f"{prefix}{n:04d}" for n in range(first, first + count)]


def _notice(filing: Filing, action: str, *, actor, comment: str, today: datetime.date, cache=None) -> WrittenNotice:
    kind = KINDS[action]
    authority, code = deciding_authority(filing, action, cache)
    notice = WrittenNotice(filing=filing, kind=kind, action=action, issued_on=today, authority=authority,
                           reasons="" if action == "deem_accepted" else comment, basis=BASIS[action],
                           issued_by=actor, received_on=filing.received_on,
                           due_on=filing.supplement_due if kind == K.SUPPLEMENT else
                           filing.decision_due if kind == K.ACCEPTANCE else None)
    notice._prefix = _prefix(code, kind, today)
    return notice


def issue(filing: Filing, action: str, *, actor=None, comment: str = "",
          today: datetime.date) -> WrittenNotice | None:
    """The notice a decision gives (None for a step that gives none); rendered after commit."""
    if action not in KINDS:
        return None
    notice = _notice(filing, action, actor=actor, comment=comment, today=today)
    notice.number = _take_numbers(notice._prefix, 1)[0]
    notice.save()
    transaction.on_commit(lambda: send_later(render_decisions, [notice.pk]))
    return notice


def issue_many(filings: list[Filing], action: str, *, today: datetime.date) -> list[WrittenNotice]:
    """`issue` for the sweep's batch: one lock per number prefix, one insert."""
    if action not in KINDS or not filings:
        return []
    cache: dict = {}
    notices = [_notice(f, action, actor=None, comment="", today=today, cache=cache) for f in filings]
    by_prefix: dict[str, list[WrittenNotice]] = {}
    for n in notices:
        by_prefix.setdefault(n._prefix, []).append(n)
    for prefix, members in by_prefix.items():
        for n, number in zip(members, _take_numbers(prefix, len(members))):
            n.number = number
    created = WrittenNotice.objects.bulk_create(notices)
    ids = [n.pk for n in created]
    transaction.on_commit(lambda: send_later(render_decisions, ids))
    return created
