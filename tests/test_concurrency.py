"""Two reviewers deciding the same filing at the same moment: exactly one wins [SPEC §3]."""

import threading

import pytest
from django.db import connection, transaction
from django_fsm import ConcurrentTransition

from filings.choices import FilingState as S
from filings.models import Filing
from filings.services import AlreadyDecided, perform
from portal.models import AuditEntry


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_reviewers_deciding_at_once_on_two_connections_exactly_one_wins(world):
    """Two threads, two PostgreSQL connections, released together: one decision is applied, the
    other reviewer is told plainly that someone else already decided, and nothing else changed."""
    filing = world.filing(state=S.SUBMITTED)
    barrier = threading.Barrier(2)
    outcomes = {}

    def decide(name, action, comment):
        try:
            barrier.wait(timeout=10)
            perform(filing_id=filing.pk, action=action, actor=world.pudong_reviewer, comment=comment,
                    expected_state=S.SUBMITTED)
            outcomes[name] = "won"
        except AlreadyDecided as exc:
            outcomes[name] = str(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=decide, args=("accept", "accept", "")),
               threading.Thread(target=decide, args=("supplement", "request_supplement", "请补正信用报告"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)

    assert sorted(o == "won" for o in outcomes.values()) == [False, True]
    loser = next(o for o in outcomes.values() if o != "won")
    assert "已由他人处理" in loser
    filing.refresh_from_db()
    winner = next(k for k, o in outcomes.items() if o == "won")
    assert filing.state == (S.PRE_REVIEW if winner == "accept" else S.SUPPLEMENT_REQUESTED)
    decisions = AuditEntry.for_object(filing).filter(action__in=["filing.accept", "filing.request_supplement"],
                                                        outcome="succeeded")
    assert decisions.count() == 1


def test_a_stale_copy_cannot_overwrite_a_decision(world):
    """The optimistic guard under the lock: a save from a copy loaded before another decision
    raises instead of silently winning."""
    filing = world.filing(state=S.SUBMITTED)
    stale = Filing.objects.get(pk=filing.pk)
    perform(filing_id=filing.pk, action="accept", actor=world.pudong_reviewer)
    stale.request_supplement(filing.received_on)
    with pytest.raises(ConcurrentTransition), transaction.atomic():
        stale.save()
    filing.refresh_from_db()
    assert filing.state == S.PRE_REVIEW
