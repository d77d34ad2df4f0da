"""备案编号: from the policy's pattern, unique by a database constraint, assigned once, never reused
[002 §12, 003 §7]."""

from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils import timezone

from filings.models import Filing, NumberSequence
from portal.models import PolicyProfile

KIND_CODES = {"enterprise": "E", "school": "S", "social": "P"}


def assign_number(filing: Filing) -> str:
    """Give the filing its number if it has none. Must run inside the transition's transaction."""
    if filing.number:
        return filing.number
    pattern = PolicyProfile.active().filing_number_pattern
    if "{seq" not in pattern:
        raise ImproperlyConfigured("备案编号格式须包含流水号 {seq}，否则编号无法唯一。")
    top = filing.region.top_path.strip("/")
    year = filing.valid_from or filing.decided_on or timezone.localdate()
    fields = {"region": top, "year": f"{year:%Y}",
              "kind": KIND_CODES.get(filing.agency.kind, "X")}
    prefix = pattern.split("{seq")[0].format(**fields)
    with transaction.atomic():
        seq, _ = NumberSequence.objects.select_for_update().get_or_create(prefix=prefix)
        # A number once given stays with its filing, ended or not; if an edited pattern would
        # produce one already taken, the serial moves on rather than reuse it.
        while True:
            seq.last += 1
            number = pattern.format(seq=seq.last, **fields)
            if not Filing.objects.filter(number=number).exists():
                break
        seq.save(update_fields=["last"])
    filing.number = number
    return filing.number


def assign_numbers(filings: list[Filing]) -> None:
    """`assign_number` for a batch (the deadline sweep): one lock and one check per prefix."""
    pattern = PolicyProfile.active().filing_number_pattern
    if "{seq" not in pattern:
        raise ImproperlyConfigured("备案编号格式须包含流水号 {seq}，否则编号无法唯一。")
    by_prefix: dict[str, list[tuple[Filing, dict]]] = {}
    for filing in filings:
        if filing.number:
            continue
        year = filing.valid_from or filing.decided_on or timezone.localdate()
        fields = {"region": filing.region.top_path.strip("/"), "year": f"{year:%Y}",
                  "kind": KIND_CODES.get(filing.agency.kind, "X")}
        by_prefix.setdefault(pattern.split("{seq")[0].format(**fields), []).append((filing, fields))
    for prefix, members in by_prefix.items():
        with transaction.atomic():
            seq, _ = NumberSequence.objects.select_for_update().get_or_create(prefix=prefix)
            while True:
                candidates = [pattern.format(seq=seq.last + i, **fields) for i, (_, fields) in enumerate(members, 1)]
                if not Filing.objects.filter(number__in=candidates).exists():
                    break
                seq.last += len(members)  # an edited pattern collided with numbers given before: move on
            for (filing, _), number in zip(members, candidates):
                filing.number = number
            seq.last += len(members)
            seq.save(update_fields=["last"])
