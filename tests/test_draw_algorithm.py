"""The draw algorithm itself: pure, deterministic, versioned [003 §21, docs/supervision-draw.md]."""

import pytest

from supervision import draw as algo

SEED = "ab" * 32


def cands(n, weight=1.0):
    return [algo.Candidate(i, weight) for i in range(1, n + 1)]


def test_same_inputs_same_result_whatever_the_order():
    """Anyone recomputes the same draw from the published inputs [003 §21 一公开]."""
    a = algo.draw(seed=SEED, candidates=cands(50), n=5, inspectors=[101, 102, 103, 104], team_size=2)
    b = algo.draw(seed=SEED, candidates=list(reversed(cands(50))), n=5, inspectors=[104, 103, 102, 101],
                  team_size=2)
    assert a == b and len(a) == 5
    assert [p.position for p in a] == [1, 2, 3, 4, 5]
    assert len({p.agency_id for p in a}) == 5


def test_another_seed_another_result():
    a = algo.draw(seed=SEED, candidates=cands(200), n=10, inspectors=[1, 2], team_size=2)
    b = algo.draw(seed="cd" * 32, candidates=cands(200), n=10, inspectors=[1, 2], team_size=2)
    assert [p.agency_id for p in a] != [p.agency_id for p in b]


def test_commitment_and_seed():
    assert algo.seed_matches(SEED, algo.commit(SEED))
    assert not algo.seed_matches("cd" * 32, algo.commit(SEED))
    assert not algo.seed_matches("AB" * 32, algo.commit("AB" * 32))  # lowercase hex only


def test_candidate_hash_is_canonical():
    assert algo.candidate_hash(cands(3)) == algo.candidate_hash(list(reversed(cands(3))))
    assert algo.canonical_candidates(cands(2)) == "000000000001|1.000000\n000000000002|1.000000"
    with pytest.raises(algo.DrawError):
        algo.candidate_hash([algo.Candidate(1), algo.Candidate(1)])


def test_recusal_keeps_an_inspector_off_the_agency():
    """An inspector with a conflict of interest is never on that agency's team [003 §21]."""
    placements = algo.draw(seed=SEED, candidates=cands(30), n=30, inspectors=[1, 2, 3], team_size=2,
                           recusals=[(1, a) for a in range(1, 16)])
    for p in placements:
        if p.agency_id <= 15:
            assert 1 not in p.team
        assert len(p.team) == 2


def test_too_few_inspectors_after_recusal():
    with pytest.raises(algo.DrawError):
        algo.draw(seed=SEED, candidates=cands(3), n=3, inspectors=[1, 2], team_size=2, recusals=[(1, 2)])


def test_teams_balance_the_workload():
    placements = algo.draw(seed=SEED, candidates=cands(40), n=20, inspectors=list(range(1, 11)), team_size=2)
    counts = {}
    for p in placements:
        for i in p.team:
            counts[i] = counts.get(i, 0) + 1
    assert set(counts.values()) == {4}


def test_weights_favour_risky_agencies():
    """Weighted by risk: a heavier agency is drawn more often over many seeds."""
    cs = [algo.Candidate(1, 10.0)] + [algo.Candidate(i, 1.0) for i in range(2, 11)]
    hits = sum(algo.draw(seed=f"{s:064x}", candidates=cs, n=1, inspectors=[1, 2], team_size=2)[0].agency_id == 1
               for s in range(300))
    assert hits > 100  # expected ≈ 300 × 10/19


def test_sample_size_at_least_one():
    assert algo.sample_size(20000, share_percent=5, count=None) == 1000
    assert algo.sample_size(3, share_percent=1, count=None) == 1
    assert algo.sample_size(10, share_percent=10, count=4) == 4
    assert algo.sample_size(3, share_percent=None, count=9) == 3
    assert algo.sample_size(0, share_percent=10, count=1) == 0


def test_unknown_version_refused():
    with pytest.raises(algo.DrawError):
        algo.draw(seed=SEED, candidates=cands(3), n=1, inspectors=[1, 2], team_size=2, version=2)
