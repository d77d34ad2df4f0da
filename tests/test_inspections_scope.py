"""The inspector's scope: only their own inspections, and that agency's filings read-only while the
inspection is open [SPEC §1: an inspector is drawn for inspections, 002 §25]."""

import pytest
from django.urls import reverse

from filings.choices import FilingState
from filings.models import Filing
from supervision.models import Inspection

from ._inspections_helpers import concluded, open_one, outsider_inspector

pytestmark = pytest.mark.django_db


def test_inspector_on_no_team_sees_no_filing(client, world):
    filing = world.filing(agency=world.pudong_enterprise, state=FilingState.ACTIVE)
    open_one(world, filing=filing)
    client.force_login(outsider_inspector(world))
    assert client.get(reverse("filings:detail", args=[filing.pk])).status_code == 404


def test_team_member_reads_the_filing_while_open_but_cannot_act(client, world):
    filing = world.filing(agency=world.pudong_enterprise, state=FilingState.ACTIVE)
    other = world.filing(agency=world.xuhui_social, state=FilingState.ACTIVE)
    open_one(world, filing=filing)
    client.force_login(world.inspector)
    assert client.get(reverse("filings:detail", args=[filing.pk])).status_code == 200
    assert client.get(reverse("filings:detail", args=[other.pk])).status_code == 404
    before = Filing.objects.get(pk=filing.pk).state
    response = client.post(reverse("filings:act", args=[filing.pk]), {"action": "refuse", "comment": "x"})
    assert response.status_code in (400, 403, 404)
    assert Filing.objects.get(pk=filing.pk).state == before


def test_after_conclusion_the_filing_is_out_of_scope_again(client, world):
    filing = world.filing(agency=world.pudong_enterprise, state=FilingState.ACTIVE)
    concluded(world)
    assert Inspection.objects.get().state == Inspection.State.CONCLUDED
    client.force_login(world.inspector)
    assert client.get(reverse("filings:detail", args=[filing.pk])).status_code == 404
    # their own concluded inspection they still read
    assert client.get(reverse("supervision:inspection_detail", args=[Inspection.objects.get().pk])).status_code == 200


def test_inspector_sees_only_own_inspections(client, world):
    mine = open_one(world)
    client.force_login(outsider_inspector(world))
    assert client.get(reverse("supervision:inspection_detail", args=[mine.pk])).status_code == 404
    assert mine.number not in client.get(reverse("supervision:inspection_list")).content.decode()
