"""The initial filing workflow's transitions, allowed and refused [SPEC §3]."""

import pytest
from django.core.exceptions import PermissionDenied

from filings.choices import FilingState as S
from filings.services import AlreadyDecided, TransitionRefused, perform


def test_a_district_enterprise_is_routed_through_its_district(world):
    """[000 §4(1), 002 §6]: district enterprises go to their district for pre-review."""
    filing = world.filing(state=S.SUBMITTED)
    assert filing.route == "district"
    with pytest.raises(PermissionDenied):
        perform(filing_id=filing.pk, action="accept", actor=world.xuhui_reviewer)
    perform(filing_id=filing.pk, action="accept", actor=world.pudong_reviewer)
    filing.refresh_from_db()
    assert filing.state == S.PRE_REVIEW


def test_a_municipal_soe_goes_straight_to_the_city(world):
    """[000 §4(1)]"""
    filing = world.filing(agency=world.soe, state=S.SUBMITTED)
    assert filing.route == "city"
    perform(filing_id=filing.pk, action="accept", actor=world.city)
    filing.refresh_from_db()
    assert filing.state == S.ACCEPTED


def test_a_refusal_needs_a_reason(world):
    """[002 §11]: refusal in writing with reasons."""
    filing = world.filing(state=S.SUBMITTED)
    with pytest.raises(TransitionRefused, match="意见或理由"):
        perform(filing_id=filing.pk, action="refuse_acceptance", actor=world.pudong_reviewer)
    assert filing.state == S.SUBMITTED


def test_the_second_decision_is_told_someone_else_decided(world):
    filing = world.filing(state=S.SUBMITTED)
    perform(filing_id=filing.pk, action="accept", actor=world.pudong_reviewer, expected_state=S.SUBMITTED)
    with pytest.raises(AlreadyDecided, match="已由他人处理"):
        perform(filing_id=filing.pk, action="request_supplement", actor=world.pudong_reviewer,
                comment="缺信用报告", expected_state=S.SUBMITTED)


def test_the_whole_path_to_active_assigns_a_number_and_a_receipt(world):
    """[002 §12]"""
    filing = world.filing(state=S.ACTIVE)
    assert filing.state == S.ACTIVE
    assert filing.number.startswith("310000")
    assert filing.receipts.count() == 1


def test_only_the_city_cancels_a_filing_with_reasons_and_it_leaves_the_directory(world):
    """[003 §20, 003 §22]: the district proposes, the city decides; the decision carries its grounds,
    and the cancelled filing is gone from the directory in the same transaction."""
    from filings.models import Filing
    from filings.services import change_in_force

    filing = world.filing(state=S.ACTIVE)
    with pytest.raises(PermissionDenied):
        change_in_force(filing_id=filing.pk, action="cancel", actor=world.pudong_reviewer, comment="拟注销")
    with pytest.raises(TransitionRefused, match="意见或理由"):
        change_in_force(filing_id=filing.pk, action="cancel", actor=world.city)
    assert Filing.objects.in_force().filter(pk=filing.pk).exists()
    change_in_force(filing_id=filing.pk, action="cancel", actor=world.city, comment="自愿申请注销 [003 §22(1)]")
    filing.refresh_from_db()
    assert filing.state == S.CANCELLED and not Filing.objects.in_force().filter(pk=filing.pk).exists()
    with pytest.raises(AlreadyDecided, match="不能注销备案"):
        change_in_force(filing_id=filing.pk, action="cancel", actor=world.city, comment="再次注销")
