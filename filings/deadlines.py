"""The filings' timed transitions [002 §10, 003 §7]. One query per rule finds what is due (an
indexed range on the due date); each due filing then goes through the same `perform` a person's
action does. Running it twice changes nothing the second time: a moved filing no longer matches."""

from __future__ import annotations

import datetime

from filings.choices import FilingState
from filings.models import Filing, Objection
from filings.services import TransitionRefused, perform

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


def sweep(today: datetime.date) -> int:
    done = 0
    for action, queryset in due(today):
        for pk in queryset.order_by("pk").values_list("pk", flat=True).iterator(chunk_size=2000):
            try:
                perform(filing_id=pk, action=action, today=today)
            except TransitionRefused:
                continue  # moved by a person meanwhile
            done += 1
    return done
