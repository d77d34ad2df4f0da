"""The rubric's wording comes with the bureau's preset — issue #10 item 19. Shandong keeps its Annex 2
[004 Annex 2] word for word; every other deployment (Shanghai's notice leaves the standard to be set
later [000 §2: 具体评估标准，届时将根据国家及本市有关要求另行研究制定]) scores the same items and points
in words that name no province's platform or regulations."""

import datetime

import pytest
from django.utils import timezone

from assessments import services
from assessments.demo import active_filing
from assessments.models import Rubric
from portal.models import PolicyProfile

PROVINCIAL = ("山东", "鲁人社", "省平台", "省职业技能")


def wording(rubric) -> str:
    return " ".join(f"{i.section} {i.title} {i.guidance}" for i in rubric.items.all())


@pytest.mark.parametrize("preset", ["shanghai", "chongqing", "chizhou"])
def test_other_bureaus_score_the_same_100_points_in_words_naming_no_province(world, preset):
    """[004 Annex 2, 000 §2] same items, kinds and points as Annex 2; no Shandong platform or rule."""
    PolicyProfile.ensure_presets(preset)
    rubric = Rubric.current()
    assert rubric.is_published and rubric.scored_maximum() == 100
    assert not any(word in wording(rubric) for word in PROVINCIAL)
    PolicyProfile.ensure_presets("shandong")
    shandong = Rubric.current()
    assert [(i.code, i.kind, i.max_score) for i in rubric.items.all()] == \
        [(i.code, i.kind, i.max_score) for i in shandong.items.all()]


def test_shandong_keeps_its_own_annex_2_text(world):
    """[004 Annex 2] 3.3 names 山东省职业技能综合评价信息管理平台; the source is 鲁人社函〔2024〕62号."""
    PolicyProfile.ensure_presets("shandong")
    rubric = Rubric.current()
    assert rubric.source == "鲁人社函〔2024〕62号 附件2"
    assert "山东省职业技能综合评价信息管理平台" in rubric.items.get(code="3.3").title


def test_a_shanghai_renewal_is_opened_on_the_shanghai_wording(world):
    """[000 §4(1)] the agency's self-assessment shows the deployment's own wording."""
    filing = active_filing(world.pudong_enterprise, world.pudong_clerk,
                           expires_on=timezone.localdate() + datetime.timedelta(days=60), actors=world.actors,
                           experts=world.experts[:3], occupations=[world.electrician])
    a = services.open_renewal(filing_id=filing.pk, actor=world.pudong_clerk)
    assert not any(word in wording(a.rubric) for word in PROVINCIAL)


def test_an_administrators_own_published_rubric_is_used_under_any_preset(world):
    """[SPEC §4.3] a bureau's own version (any name) wins over the shipped one once published."""
    own = Rubric.objects.create(name="上海市期满评估表", version=1, source="沪人社职〔2023〕21号",
                                published_at=timezone.now() + datetime.timedelta(seconds=1))
    own.items.create(section="一 主体存续", code="A1", title="主体存续", max_score=25, order=1)
    assert Rubric.current() == own
