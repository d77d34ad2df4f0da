"""备案编号: from the policy's pattern, unique by a database constraint, assigned once, never reused
[002 §12, 003 §7]."""

from django.db import transaction

from filings.models import Filing, NumberSequence
from portal.models import PolicyProfile

KIND_CODES = {"enterprise": "E", "school": "S", "social": "P"}


def assign_number(filing: Filing) -> str:
    """Give the filing its number if it has none. Must run inside the transition's transaction."""
    if filing.number:
        return filing.number
    pattern = PolicyProfile.active().filing_number_pattern
    top = filing.region.top_path.strip("/")
    fields = {"region": top, "year": f"{filing.valid_from or filing.decided_on:%Y}",
              "kind": KIND_CODES.get(filing.agency.kind, "X")}
    prefix = pattern.split("{seq")[0].format(**fields)
    with transaction.atomic():
        seq, _ = NumberSequence.objects.select_for_update().get_or_create(prefix=prefix)
        seq.last += 1
        seq.save(update_fields=["last"])
    filing.number = pattern.format(seq=seq.last, **fields)
    return filing.number
