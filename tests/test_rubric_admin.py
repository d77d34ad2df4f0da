"""Administrators publish a new rubric version without code [SPEC §4.3, §1]."""

from django.urls import reverse

from assessments.models import Rubric
from portal.demo import DEMO_PASSWORD


def test_an_administrator_copies_edits_and_publishes_a_new_version(world, client):
    client.login(username="admin", password=DEMO_PASSWORD)
    shandong = Rubric.current()
    url = reverse("admin:assessments_rubric_changelist")
    client.post(url, {"action": "copy_as_new_version", "_selected_action": [shandong.pk]})
    draft = Rubric.objects.get(name=shandong.name, version=2)
    assert draft.published_at is None and draft.items.count() == shandong.items.count()
    assert Rubric.current() == shandong  # a draft is not used
    page = client.get(reverse("admin:assessments_rubric_change", args=[draft.pk])).content.decode()
    assert "评估项" in page
    client.post(url, {"action": "publish", "_selected_action": [draft.pk]})
    assert Rubric.current() == Rubric.objects.get(pk=draft.pk)


def test_a_published_rubric_cannot_be_edited(world, client):
    client.login(username="admin", password=DEMO_PASSWORD)
    shandong = Rubric.current()
    page = client.get(reverse("admin:assessments_rubric_change", args=[shandong.pk])).content.decode()
    assert 'name="items-0-max_score"' not in page
