"""The filings' timed transitions [002 §10, 003 §7]. One query per rule finds what is due (an
indexed range on the due date); the due filings then move in batches through `perform_batch`, which
calls the same transition methods a person's action does, with the same audit entries and
notifications. Running it twice changes nothing the second time: a moved filing no longer matches."""

from __future__ import annotations

import datetime

from filings.choices import FilingState
from filings.models import Filing, Objection
from filings.services import perform_batch

S = FilingState


def due(today: datetime.date) -> list[tuple[str, object]]:
    return [
        # No decision within the completeness period: deemed accepted [002 §10].
        ("deem_accepted", Filing.objects.filter(state=S.SUBMITTED, acceptance_due__lt=today)),
        # Not supplemented within the period: abandoned [002 §10].
        ("abandon", Filing.objects.filter(state=S.SUPPLEMENT_REQUESTED, supplement_due__lt=today)),
        # The notice ran its full working days with no objection pending: filed [003 §7].
        ("complete_notice", Filing.objects.filter(state=S.PUBLIC_NOTICE, notice_ends_on__lt=today)
         .exclude(notice_items__objections__state=Objection.State.PENDING)),
    ]


def sweep(today: datetime.date, batch_size: int = 500) -> int:
    done = 0
    for action, queryset in due(today):
        ids = list(queryset.order_by("pk").values_list("pk", flat=True))
        for start in range(0, len(ids), batch_size):
            done += perform_batch(action=action, filing_ids=ids[start:start + batch_size], today=today)
    return done
