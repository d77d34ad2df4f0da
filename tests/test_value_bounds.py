"""Counts and scores bounded by what the rubric can mean, on the model and in the database, not only
on the form (issue #11 item 6) [004 Annex 1, Annex 2]."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from assessments import services
from assessments.demo import active_filing
from assessments.models import ItemScore, RenewalAssessment
from portal.demo import DEMO_PASSWORD
from portal.models import AuditEntry

TODAY = datetime.date(2026, 11, 23)


@pytest.fixture
def renewal(world):
    filing = active_filing(world.pudong_enterprise, world.pudong_clerk, expires_on=TODAY + datetime.timedelta(days=60),
                           actors=world.actors, experts=world.experts[:3], occupations=[world.electrician])
    return services.open_renewal(filing_id=filing.pk, actor=world.pudong_clerk, today=TODAY)


@pytest.fixture
def deduction(renewal):
    return renewal.rubric.items.get(code="5.1")


def test_the_deduction_cap_is_what_takes_a_hundred_points_to_zero(deduction):
    """[004 Annex 2 五] −10 per verified incident: 10 incidents already take all 100 points."""
    assert deduction.max_deductions == 10
    assert deduction.check_value(10) == 10
    with pytest.raises(ValidationError, match="最多为 10 次"):
        deduction.check_value(11)


def test_a_deduction_count_of_999_is_refused_on_the_page_and_nothing_changes(world, client, renewal, deduction):
    """[004 Annex 2 五] 999 would be −9,990 points."""
    client.login(username=world.pudong_clerk.username, password=DEMO_PASSWORD)
    before = (renewal.self_total, AuditEntry.objects.count())
    response = client.post(reverse("assessments:self_assessment", args=[renewal.pk]), {f"self_{deduction.pk}": "999"})
    assert response.status_code == 200
    assert "5.1 的查实次数最多为 10 次" in response.content.decode()
    renewal.refresh_from_db()
    assert not renewal.scores.exists()
    assert (renewal.self_total, AuditEntry.objects.count()) == before


def test_a_deduction_count_of_999_is_refused_by_the_model_and_by_the_database(renewal, deduction):
    score = ItemScore(assessment=renewal, item=deduction, self_value=999)
    with pytest.raises(ValidationError) as refused:
        score.full_clean()
    assert "最多为 10 次" in str(refused.value.message_dict["self_value"])
    with pytest.raises(IntegrityError), transaction.atomic():
        score.save()  # past full_clean, as a careless script would
    assert not renewal.scores.exists()


def test_a_score_above_the_items_maximum_is_refused_by_the_model(renewal):
    item = renewal.rubric.items.get(code="1.1")
    with pytest.raises(ValidationError, match="0 至 5 分"):
        ItemScore(assessment=renewal, item=item, review_value=6).full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        ItemScore(assessment=renewal, item=item, review_value=-1).save()


def test_an_over_large_certificate_count_gets_a_limit_a_person_understands(world, client, renewal):
    """[004 Annex 1] not 9223372036854775807: at most 1,000,000."""
    client.login(username=world.pudong_clerk.username, password=DEMO_PASSWORD)
    before = RenewalAssessment.objects.filter(pk=renewal.pk).values().get()
    data = {"contact_name": "李四", "contact_phone": "021-12345678", "address": "浦东新区", "entity_changed": "0",
            "credit_good": "1", "evaluations_carried_out": "1", "commissioned_evaluations": "0",
            "wants_to_continue": "1", "certs_apprentice": 0, "certs_level5": 10 ** 12, "certs_level4": 0,
            "certs_level3": 0, "certs_level2": 0, "certs_level1": 0, "certs_principal": 0, "certs_chief": 0,
            "certs_uploaded": 0, "certified_holders": 50, "employees": 200}
    html = client.post(reverse("assessments:application", args=[renewal.pk]), data).content.decode()
    assert "不能超过 1,000,000" in html and "9223372036854775807" not in html
    assert RenewalAssessment.objects.filter(pk=renewal.pk).values().get() == before


def test_the_service_refuses_counts_the_form_would_and_saves_nothing(world, renewal):
    for data, field in [({"certs_level5": 2_000_000}, "certs_level5"),
                        ({"certs_level5": 10, "certs_uploaded": 11}, "certs_uploaded"),
                        ({"certified_holders": 201, "employees": 200}, "certified_holders")]:
        with pytest.raises(ValidationError) as refused:
            services.update_application(assessment_id=renewal.pk, actor=world.pudong_clerk, data=data)
        assert field in refused.value.message_dict
    renewal.refresh_from_db()
    assert (renewal.certs_level5, renewal.certs_uploaded) == (0, 0)
    assert not AuditEntry.objects.filter(action="renewal.application").exists()


@pytest.mark.parametrize("changes", [{"certs_level5": 1_000_001}, {"certs_uploaded": 1},
                                     {"certified_holders": 3, "employees": 2}])
def test_the_database_refuses_contradictory_counts_whatever_path_wrote_them(renewal, changes):
    with pytest.raises(IntegrityError), transaction.atomic():
        RenewalAssessment.objects.filter(pk=renewal.pk).update(**changes)
