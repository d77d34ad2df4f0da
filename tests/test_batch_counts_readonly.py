"""The renewal application's certificate counts come from the reported batches, not typing
[004 Annex 1]: the form shows them read-only and a POST cannot change them."""

import datetime

from django.utils import timezone

from assessments.services import open_renewal
from filings.choices import FilingState
from supervision.demo_batches import build_batch, drive_batch, people
from supervision.models.batches import BatchState


def test_counts_from_reported_batches_are_read_only_on_the_renewal_form(client, world):
    """[004 Annex 1] 本期发证人次 from the batches: disabled fields, posted figures ignored."""
    today = timezone.localdate()
    f = world.filing(state=FilingState.ACTIVE, today=today.replace(year=today.year - 3) + datetime.timedelta(days=60))
    exam = today - datetime.timedelta(days=90)
    while exam.weekday() >= 5:
        exam -= datetime.timedelta(days=1)
    batch = build_batch(f, world.pudong_clerk, exam_on=exam, persons=people(16),
                        today=exam - datetime.timedelta(days=40))
    batch = drive_batch(batch, world.pudong_clerk, BatchState.REPORTED, submit_on=exam - datetime.timedelta(days=40))
    field = {3: "certs_level4", 4: "certs_level3", 5: "certs_level2"}[batch.groups.get().level]
    renewal = open_renewal(filing_id=f.pk, actor=world.pudong_clerk, today=today)
    assert getattr(renewal, field) == 14  # every 8th of the demo sheet fails
    client.force_login(world.pudong_clerk)
    url = f"/renewals/{renewal.pk}/application/"
    page = client.get(url).content.decode()
    tag = page.split(f'id="id_{field}"')[0].rsplit("<input", 1)[1] + page.split(f'id="id_{field}"')[1].split(">")[0]
    assert "disabled" in tag
    assert "来自已报备的认定批次" in page
    form = client.get(url).context["form"]
    data = {k: ("" if v is None else v) for k, v in form.initial.items() if k in form.fields}
    data.update({field: "999", "certs_uploaded": "500", "certified_holders": "10", "employees": "100",
                 "contact_name": "王五", "contact_phone": "13800000000", "address": "浦东新区某路 1 号",
                 "entity_changed": "0", "credit_good": "1", "evaluations_carried_out": "1",
                 "commissioned_evaluations": "0", "wants_to_continue": "1"})
    response = client.post(url, data)
    assert response.status_code == 302  # saved, the typed counts ignored
    renewal.refresh_from_db()
    assert renewal.contact_name == "王五"
    assert getattr(renewal, field) == 14 and renewal.certs_uploaded == 13
