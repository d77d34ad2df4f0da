"""备案编号: from the policy's pattern, unique by a database constraint, assigned once and never reused
[002 §12, 003 §7]."""

from __future__ import annotations

import datetime
import threading

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, connection, transaction

from filings.choices import FilingState as S
from filings.demo import draft_filing
from filings.models import Filing, NumberSequence
from filings.numbering import assign_number
from filings.services import perform
from portal.models import PolicyProfile


def _set_pattern(pattern: str) -> None:
    profile = PolicyProfile.active()
    profile.filing_number_pattern = pattern
    profile.save()


def test_the_number_follows_the_default_pattern_region_year_kind_serial(world):
    """[002 §12]: the filing number is assigned by the coding scheme when the filing is made."""
    filing = world.filing(state=S.ACTIVE)
    assert filing.number == f"310000{filing.valid_from:%Y}E0001"


def test_the_bureau_configures_its_own_pattern(world):
    """The pattern is a policy setting (PolicyProfile.filing_number_pattern)."""
    _set_pattern("沪技评备{year}-{kind}{seq:05d}")
    enterprise = world.filing(state=S.ACTIVE)
    school = world.filing(agency=world.school, state=S.ACTIVE)
    assert enterprise.number == f"沪技评备{enterprise.valid_from:%Y}-E00001"
    assert school.number == f"沪技评备{school.valid_from:%Y}-S00001"


def test_a_number_is_assigned_once(world):
    filing = world.filing(state=S.ACTIVE)
    sequence = NumberSequence.objects.filter(prefix=filing.number[:-4])
    before = sequence.get().last
    assert assign_number(filing) == filing.number
    assert sequence.get().last == before


def test_a_number_is_never_reused_after_its_filing_ends(world):
    """[002 §12]: the cancelled filing keeps its number and the next filing gets a new one."""
    first = world.filing(state=S.ACTIVE)
    perform(filing_id=first.pk, action="cancel", actor=world.city, comment="注销 [003 §22]")
    first.refresh_from_db()
    assert first.state == S.CANCELLED
    second = world.filing(agency=world.soe, state=S.ACTIVE)
    assert first.number.endswith("0001")
    assert second.number.endswith("0002")
    assert Filing.objects.filter(number=first.number).count() == 1


def test_an_edited_pattern_that_would_repeat_a_number_moves_on(world):
    """Changing the pattern starts a new sequence; a number it would produce that some filing
    (ended or not) already holds is skipped, never given twice."""
    first = world.filing(state=S.ACTIVE)
    year = first.valid_from.year
    assert first.number == f"310000{year}E0001"
    _set_pattern("{region}{year}{kind}0{seq:03d}")  # its first number would be ...E0001 again
    second = world.filing(agency=world.soe, state=S.ACTIVE)
    assert second.number == f"310000{year}E0002"


def test_a_pattern_without_a_serial_is_refused(world):
    _set_pattern("{region}{year}{kind}")
    filing = draft_filing(world.pudong_enterprise, world.pudong_clerk, occupations=[world.electrician],
                          complete=False)
    with pytest.raises(ImproperlyConfigured, match="流水号"):
        assign_number(filing)


def test_the_database_refuses_a_second_filing_with_the_same_number(world):
    """Unique by a database constraint, whatever the code above it does."""
    first = world.filing(state=S.ACTIVE)
    other = draft_filing(world.soe, world.soe_clerk, occupations=[world.electrician], complete=False)
    with pytest.raises(IntegrityError), transaction.atomic():
        Filing.objects.filter(pk=other.pk).update(number=first.number)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_filings_get_distinct_consecutive_numbers(world):
    """NumberSequence is locked with SELECT ... FOR UPDATE: eight filings numbered at the same moment
    get eight different, consecutive serials, including the race to create the sequence row."""
    filings = [draft_filing(world.pudong_enterprise, world.pudong_clerk, occupations=[world.electrician],
                            complete=False) for _ in range(8)]
    barrier = threading.Barrier(len(filings))
    errors = []

    def take(pk):
        try:
            barrier.wait()
            with transaction.atomic():
                filing = Filing.objects.select_related("agency", "region").get(pk=pk)
                filing.decided_on = datetime.date(2025, 6, 1)
                assign_number(filing)
                filing.save(update_fields=["number", "decided_on"])
        except Exception as exc:  # noqa: BLE001 - reported to the main thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=take, args=(f.pk,)) for f in filings]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    numbers = sorted(Filing.objects.filter(pk__in=[f.pk for f in filings]).values_list("number", flat=True))
    assert numbers == [f"3100002025E{i:04d}" for i in range(1, 9)]
    assert NumberSequence.objects.get(prefix="3100002025E").last == 8
