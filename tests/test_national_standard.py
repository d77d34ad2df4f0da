"""Social training evaluation organisations evaluate only occupations with a national occupational
skill standard [001 §2, 003 §5], on every path: the application's scope step, submission and the
additions of a change filing. Enterprises and schools evaluating their own people are not bound."""

from __future__ import annotations

import pytest

from filings.change_services import create_change_request
from filings.choices import FilingState as S
from filings.demo import draft_filing
from filings.models import ChangeRequest, Filing, ScopeItem
from filings.services import TransitionRefused, perform
from portal.models import AuditEntry, Occupation, SkillLevel

from .test_application_form import scope_post

NO_STANDARD = "国家职业技能标准"


@pytest.fixture
def salesperson(world):
    """营销员: in the catalogue, not entry-restricted, without a national standard."""
    occupation = Occupation.objects.get(code="4-01-02-01", work_type="")
    assert not occupation.has_standard and not occupation.restricted
    return occupation


def new_draft(client, clerk):
    client.force_login(clerk)
    response = client.post("/my/filings/new/")
    return Filing.objects.get(pk=response.url.rstrip("/").split("/")[-1])


def test_the_scope_step_refuses_an_occupation_without_a_standard_for_a_social_organisation(client, world, salesperson):
    """[001 §2, 003 §5] 社会培训评价组织应严格执行国家职业技能标准: the row is refused, nothing saved."""
    filing = new_draft(client, world.xuhui_clerk)
    response = client.post(f"/my/filings/{filing.pk}/scope/",
                           scope_post([(salesperson, SkillLevel.LEVEL_5, SkillLevel.LEVEL_4)]))
    assert response.status_code == 200
    assert "尚无国家职业技能标准" in response.content.decode()
    assert not ScopeItem.objects.filter(filing=filing).exists()


def test_an_enterprise_may_file_an_occupation_without_a_national_standard(client, world, salesperson):
    """[003 §5] 企业、技工院校对内开展评价，可依据国家职业技能标准或评价规范."""
    filing = new_draft(client, world.pudong_clerk)
    response = client.post(f"/my/filings/{filing.pk}/scope/",
                           scope_post([(salesperson, SkillLevel.LEVEL_5, SkillLevel.LEVEL_4)]))
    assert response.status_code == 302
    assert ScopeItem.objects.filter(filing=filing, occupation=salesperson).exists()


def test_submission_lists_an_occupation_without_a_standard_and_is_refused(world, salesperson):
    """[001 §2, 003 §5] checked again on submission (a scope saved before the rule, or by another path)."""
    filing = draft_filing(world.xuhui_social, world.xuhui_clerk, occupations=[world.carer, salesperson])
    problems = filing.completeness_problems()
    assert any(salesperson.name in p and NO_STANDARD in p for p in problems)
    assert not any(world.carer.name in p for p in problems)  # 养老护理员 has a standard
    with pytest.raises(TransitionRefused, match=NO_STANDARD):
        perform(filing_id=filing.pk, action="submit", actor=world.xuhui_clerk, expected_state=S.DRAFT)
    filing.refresh_from_db()
    assert filing.state == S.DRAFT
    assert not AuditEntry.objects.filter(action="filing.submit", outcome="succeeded").exists()


def test_a_city_association_evaluating_as_a_social_organisation_is_bound_too(world, salesperson):
    """[001 §1(1), §2]: a city association applying as a social training evaluation organisation."""
    filing = draft_filing(world.association, world.association_clerk, occupations=[salesperson])
    assert any(NO_STANDARD in p for p in filing.completeness_problems())


def test_a_change_filing_cannot_add_an_occupation_without_a_standard(world, salesperson):
    """[001 §2, 001 §5(3), 003 §5]: what a change adds meets the same scope rules."""
    filing = world.filing(agency=world.xuhui_social, state=S.ACTIVE, occupations=[world.carer])
    add = [{"occupation": salesperson.pk, "level_from": SkillLevel.LEVEL_5, "level_to": SkillLevel.LEVEL_4,
            "examiners": [{"name": f"考评员{i}", "certificate_no": f"YX{i:03d}", "level": SkillLevel.LEVEL_4}
                          for i in range(5)]}]
    with pytest.raises(TransitionRefused, match=NO_STANDARD):
        create_change_request(filing_id=filing.pk, actor=world.xuhui_clerk, reason="新增营销员评价", add=add)
    assert not ChangeRequest.objects.exists()
    assert list(filing.scope.values_list("occupation", flat=True)) == [world.carer.pk]
