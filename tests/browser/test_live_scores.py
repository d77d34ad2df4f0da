"""The scoring screen recomputes the total and the one-vote veto while a person scores [SPEC §4.3]."""

import datetime

from django.utils import timezone

from assessments.demo import active_filing, drive_renewal
from tests.browser.conftest import login


def test_the_veto_mark_appears_only_when_a_veto_item_is_answered_yes(world, new_page):
    """[004 Annex 2 六] any "yes" fails the assessment regardless of score; an unanswered item is not a veto."""
    today = timezone.localdate()
    filing = active_filing(world.pudong_enterprise, world.pudong_clerk, expires_on=today + datetime.timedelta(days=60),
                           actors=world.actors, experts=world.experts[:3], occupations=[world.electrician])
    assessment = drive_renewal(filing, "expert_review", actors=world.actors, experts=world.experts[:3], today=today)
    page = new_page()
    login(page, world.experts[0].username)
    page.goto(f"/renewals/{assessment.pk}/review/")
    veto = page.locator("#live-veto")
    assert not veto.is_visible()
    page.get_by_label("6.1", exact=True).select_option("1")
    assert veto.is_visible()
    assert "一票否决" in page.locator("#live-verdict").inner_text()
    page.get_by_label("6.1", exact=True).select_option("0")
    assert not veto.is_visible()
