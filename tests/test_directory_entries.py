"""The directory's search rows on PostgreSQL [SPEC §7]: PostgreSQL keeps them in step with the
filings in the same statement, and a search over them finds exactly what the live query finds."""

import datetime
import itertools
import random

import pytest
from django.db import connection, transaction

from filings import directory
from filings.choices import IN_FORCE, AgencyKind
from filings.choices import FilingState as S
from filings.models import DirectoryEntry, DirectoryTotal, Filing, Material, ScopeItem
from filings.services import perform, perform_batch
from portal.models import SkillLevel
from tests.conftest import city

pytestmark = pytest.mark.postgres


def _end(filing, action):
    return perform(filing_id=filing.pk, action=action, actor=city(), comment="测试")


def _keys(filing) -> set[str]:
    return set(DirectoryEntry.objects.get(filing=filing).keys)


def _total() -> int:
    row = DirectoryTotal.objects.filter(pk=1).first()
    return row.listed if row else 0


def _listed_ids() -> set[int]:
    return set(DirectoryEntry.objects.values_list("filing_id", flat=True))


@pytest.fixture
def listed(world):
    w = world
    w.active = w.filing(state=S.ACTIVE, occupations=[w.electrician, w.lathe])
    w.suspended = _end(w.filing(agency=w.xuhui_social, state=S.ACTIVE, occupations=[w.carer],
                                level_from=SkillLevel.LEVEL_5, level_to=SkillLevel.LEVEL_4), "suspend")
    w.rectifying = _end(w.filing(agency=w.school, state=S.ACTIVE, occupations=[w.electrician],
                                 level_from=SkillLevel.LEVEL_4, level_to=SkillLevel.LEVEL_2), "order_rectification")
    w.association_filing = w.filing(agency=w.association, state=S.ACTIVE, occupations=[w.carer, w.lathe])
    w.under_review = w.filing(agency=w.soe, state=S.PUBLIC_NOTICE)
    return w


def test_a_filing_in_force_has_a_search_row_with_every_key(listed):
    """[SPEC §7]: the row carries the name's characters and pairs, kind, state, the region and every
    region above it, and each occupation at each level of its range."""
    keys = _keys(listed.active)
    assert {"浦", "江", "浦江", "电气", "k:enterprise", "s:active", "r:310000", "r:310115"} <= keys
    item = ScopeItem.objects.get(filing=listed.active, occupation=listed.electrician)
    for level in range(item.level_from, item.level_to + 1):
        assert {f"o:{listed.electrician.pk}:{level}", f"l:{level}"} <= keys
    assert f"o:{listed.electrician.pk}" in keys
    assert DirectoryEntry.objects.get(filing=listed.active).number == listed.active.number


def test_only_filings_in_force_have_search_rows(listed):
    """[SPEC §7]: active, suspended and rectifying filings are listed; one under review is not."""
    assert _listed_ids() == {listed.active.pk, listed.suspended.pk, listed.rectifying.pk,
                             listed.association_filing.pk}
    assert _total() == 4


@pytest.mark.parametrize("state", [s.value for s in S])
def test_the_triggers_list_exactly_the_states_in_force(listed, state):
    """[SPEC §7]: the triggers' list of states is `IN_FORCE` (migration 0005 spells it in SQL)."""
    Filing.objects.filter(pk=listed.active.pk).update(state=state)
    assert (listed.active.pk in _listed_ids()) == (state in IN_FORCE)
    assert _total() == len(_listed_ids())


@pytest.mark.parametrize("action", ["cancel", "expire", "terminate"])
def test_an_ended_filing_loses_its_row_in_the_transaction_that_ends_it(listed, action):
    """[001 §3(4), 003 §7]: the row goes with the state change, before anything else can read."""
    with transaction.atomic():
        _end(listed.active, action)
        assert listed.active.pk not in _listed_ids()
        assert _total() == 3


def test_suspending_changes_the_state_key(listed):
    """[SPEC §7, 002 §30]: a suspended agency is still listed, under its new state."""
    _end(listed.active, "suspend")
    assert {"s:suspended"} <= _keys(listed.active) and "s:active" not in _keys(listed.active)


def test_the_set_based_sweep_updates_the_rows_in_one_statement(listed):
    """[SPEC §7, 000 §5]: the sweep ends many filings with one UPDATE; their rows go with it."""
    today = listed.active.valid_until + datetime.timedelta(days=1)
    ids = [listed.active.pk, listed.association_filing.pk]
    Filing.objects.filter(pk__in=ids).update(valid_until=listed.active.valid_until)
    moved = perform_batch(action="expire", filing_ids=ids, today=today)
    assert moved == 2
    assert _listed_ids() == {listed.suspended.pk, listed.rectifying.pk}
    assert _total() == 2


def test_a_changed_name_scope_or_region_is_searchable_at_once(listed):
    """[SPEC §7, 002 §13]: after a change filing the directory finds the agency by what it is now."""
    agency = listed.active.agency
    agency.name = "上海临港智造有限公司"
    agency.save(update_fields=["name"])
    keys = _keys(listed.active)
    assert "临港" in keys and "浦江" not in keys
    assert DirectoryEntry.objects.get(filing=listed.active).name == "上海临港智造有限公司"

    ScopeItem.objects.filter(filing=listed.active, occupation=listed.lathe).delete()
    ScopeItem.objects.create(filing=listed.active, occupation=listed.carer, level_from=3, level_to=3)
    keys = _keys(listed.active)
    assert f"o:{listed.lathe.pk}" not in keys and f"o:{listed.carer.pk}:3" in keys

    Filing.objects.filter(pk=listed.active.pk).update(region=listed.xuhui)
    keys = _keys(listed.active)
    assert "r:310104" in keys and "r:310115" not in keys


def test_a_deleted_filing_loses_its_row(listed):
    """The rows never outlive their filings (their foreign key would refuse the commit). The
    portal deletes no filing in force; one forced into force by an UPDATE shows the trigger."""
    draft = listed.filing(agency=listed.soe)
    Material.objects.filter(filing=draft).delete()
    Filing.objects.filter(pk=draft.pk).update(state=S.ACTIVE, number="TEST-DELETE-1")
    assert draft.pk in _listed_ids() and _total() == 5
    Filing.objects.get(pk=draft.pk).delete()
    assert draft.pk not in _listed_ids() and _total() == 4


def _queries(world) -> list[dict]:
    xuhui = world.xuhui.code
    grid = {
        "q": ["", "浦江", "上", "学校", "浦东新区技工", "电气有限", "%", "_", "a", "不存在"],
        "occupation": ["", "6-31", "6-31-01-03", "电工", "养老", "车工", "不存在的职业", "%"],
        "level": ["", "2", "4", "5", "8"],
        "region": ["", "310000", "310115", xuhui],
        "kind": ["", *AgencyKind.values],
        "status": ["", *[s.value for s in IN_FORCE]],
        "sort": list(directory.SORTS),
    }
    combinations = list(itertools.product(*grid.values()))
    return [dict(zip(grid, values)) for values in random.Random(7).sample(combinations, 400)]


def test_the_search_rows_find_what_the_live_query_finds(listed):
    """[SPEC §7]: for 400 combinations of every filter and sort, the PostgreSQL search and the
    live query over the filings (what SQLite runs) give the same count and the same pages."""
    for params in _queries(listed):
        query = directory.DirectoryQuery.from_params(params)
        assert not query.errors, params
        for page in (1, 2):
            fast = directory._find_in_entries(query, page, 2)
            live = directory._find_live(query, page, 2)
            assert (fast.count, fast.entries) == (live.count, live.entries), (params, page)


def test_the_directory_total_counts_the_rows(listed):
    """The unfiltered count comes from `DirectoryTotal`; it agrees with the rows after changes."""
    _end(listed.active, "suspend")
    _end(listed.suspended, "terminate")
    assert _total() == DirectoryEntry.objects.count() == 3
    found = directory.find(directory.DirectoryQuery.from_params({}), page=1, page_size=20)
    assert found.count == 3


def test_a_truncate_of_the_search_rows_empties_the_total_too(listed):
    """A TRUNCATE fires no DELETE trigger: the total must not go on counting filings that are gone
    (a reload after it once showed the directory twice its size)."""
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the test's open transaction has deferred checks
        cursor.execute("TRUNCATE filings_directoryentry")
        assert _total() == 0
        assert directory.find(directory.DirectoryQuery.from_params({}), page=1, page_size=20).count == 0
        cursor.execute("SELECT directory_refresh(ARRAY(SELECT id FROM filings_filing))")
    assert _total() == DirectoryEntry.objects.count() == 4


def test_the_search_statement_is_prepared_once_with_a_generic_plan(listed):
    """docs/benchmarks.md: the search statement is planned once per connection, with a generic
    plan, which keeps the search rows on their GIN index whatever the filter matches."""
    for level in ("4", "5", "4"):
        directory.find(directory.DirectoryQuery.from_params({"level": level}), page=1, page_size=20)
    with connection.cursor() as cursor:
        cursor.execute("SELECT generic_plans, custom_plans FROM pg_prepared_statements"
                       " WHERE statement LIKE %s", ["%filings_directoryentry%"])
        plans = cursor.fetchall()
    assert plans and all(custom == 0 for _, custom in plans)
    assert sum(generic for generic, _ in plans) >= 3


def test_occupations_are_looked_up_in_the_same_statement(listed, django_assert_num_queries):
    """One statement per search page: the occupations are looked up inside it."""
    query = directory.DirectoryQuery.from_params({"occupation": "电工", "level": "4"})
    with django_assert_num_queries(1):
        found = directory.find(query, page=1, page_size=20)
    assert {e["filing_number"] for e in found.entries} == {listed.active.number, listed.rectifying.number}
