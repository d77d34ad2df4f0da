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
    """Each time limit of `Filing.TIME_LIMITS` as one query: no decision within the completeness
    period, deemed accepted; not supplemented in time, abandoned [002 §10]; the notice ran its full
    working days with no objection pending, filed [003 §7]. A person's action meets the same rules
    (portal.transitions.settle_overdue)."""
    pending = {"complete_notice": {"notice_items__objections__state": Objection.State.PENDING}}
    return [(action, Filing.objects.filter(**Filing.overdue_filter(action, today)).exclude(**pending.get(action, {})))
            for action, _state, _field in Filing.TIME_LIMITS]


def sweep(today: datetime.date, batch_size: int = 500) -> int:
    done = 0
    for action, queryset in due(today):
        ids = list(queryset.order_by("pk").values_list("pk", flat=True))
        for start in range(0, len(ids), batch_size):
            done += perform_batch(action=action, filing_ids=ids[start:start + batch_size], today=today)
    return done
