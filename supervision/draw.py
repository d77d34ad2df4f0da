"""The random draw of 双随机、一公开 [002 §25, 003 §21]: pure, deterministic, versioned; no database.

Anyone holding a draw's published inputs (the candidate list, the revealed seed, the algorithm's
version, the recusals, the pool of inspectors, the sample size and the team size) recomputes its
result with these functions; docs/supervision-draw.md states the algorithm in words.

Algorithm "hmac-sha256-expkeys", version 1:

1. The candidates are sorted by their canonical key (the agency's id, as a decimal string, zero
   padded to 12 digits) and serialised one per line as ``key|weight`` (weight with 6 decimals),
   lines joined by ``\\n``; the candidate hash is the SHA-256 of that text in UTF-8.
2. The seed is 32 random bytes written as 64 lowercase hex digits; the commitment is the SHA-256 of
   the seed's hex text. A seed is accepted only if it matches the commitment published before.
3. For each candidate, ``h = HMAC-SHA256(key=seed hex text, msg="v1|agency|" + canonical key)``;
   ``u = (int(first 8 bytes of h, big endian) + 0.5) / 2**64`` lies in (0, 1); the sort value is
   ``-ln(u) / weight`` (exponential keys: weighted sampling without replacement, Efraimidis–Spirakis).
   The sample is the ``n`` candidates with the smallest sort values, ties by canonical key, in that
   order (position 1, 2, …).
4. Teams, in the sample's order, from a queue of inspectors. The queue starts empty; whenever it
   is needed and holds too few usable inspectors, round r (r = 1, 2, …) is appended: every inspector
   of the pool, ordered by ``HMAC-SHA256(seed, "v1|round|" + r + "|" + inspector key)`` as hex.
   For an agency, the team is the first ``team_size`` inspectors of the queue, scanning from its
   front, skipping those recused from the agency and those already in this team; they leave the
   queue, the skipped ones keep their place (balanced workload, random pairings). Inspector keys are
   the user's id zero padded to 12 digits. Fewer eligible inspectors than the team size is an error:
   the draw cannot be made.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

ALGORITHM = "hmac-sha256-expkeys"
VERSION = 1

__all__ = ["ALGORITHM", "VERSION", "Candidate", "DrawError", "Placement", "agency_key", "candidate_hash",
           "canonical_candidates", "commit", "draw", "draw_team", "inspector_key", "new_seed", "sample_size",
           "seed_matches", "sort_value"]


class DrawError(ValueError):
    """The inputs do not allow a draw (too few inspectors, bad seed…)."""


@dataclass(frozen=True)
class Candidate:
    agency_id: int
    weight: float = 1.0

    @property
    def key(self) -> str:
        return agency_key(self.agency_id)


@dataclass(frozen=True)
class Placement:
    position: int
    agency_id: int
    team: tuple[int, ...]


def agency_key(agency_id: int) -> str:
    return f"{int(agency_id):012d}"


def inspector_key(user_id: int) -> str:
    return f"{int(user_id):012d}"


def new_seed() -> str:
    return secrets.token_hex(32)


def commit(seed: str) -> str:
    """The commitment published before the candidates are fixed: SHA-256 of the seed's hex text."""
    return hashlib.sha256(seed.encode("ascii")).hexdigest()


def seed_matches(seed: str, commitment: str) -> bool:
    if not isinstance(seed, str) or len(seed) != 64 or any(c not in "0123456789abcdef" for c in seed):
        return False
    return hmac.compare_digest(commit(seed), commitment)


def canonical_candidates(candidates: Iterable[Candidate]) -> str:
    rows = sorted(((agency_key(c.agency_id), c.weight) for c in candidates), key=lambda row: row[0])
    if len({key for key, _weight in rows}) != len(rows):
        raise DrawError("候选机构重复。")
    for _key, weight in rows:
        if not (weight > 0 and math.isfinite(weight)):
            raise DrawError("候选机构的权重须为正数。")
    return "\n".join(f"{key}|{weight:.6f}" for key, weight in rows)


def candidate_hash(candidates: Iterable[Candidate]) -> str:
    return hashlib.sha256(canonical_candidates(candidates).encode("utf-8")).hexdigest()


def _mac(seed: str, message: str) -> bytes:
    return hmac.digest(seed.encode("ascii"), message.encode("utf-8"), "sha256")


def sort_value(seed: str, candidate: Candidate) -> float:
    weight = float(f"{candidate.weight:.6f}")  # exactly the weight that was serialised and hashed
    u = (int.from_bytes(_mac(seed, f"v1|agency|{candidate.key}")[:8], "big") + 0.5) / 2 ** 64
    return -math.log(u) / weight


def sample_size(population: int, *, share_percent: float | None, count: int | None) -> int:
    """How many agencies to draw: the share (rounded up) and/or the count, whichever is larger, at
    least 1, never more than the population."""
    if population <= 0:
        return 0
    wanted = 0
    if share_percent:
        wanted = math.ceil(population * float(share_percent) / 100 - 1e-9)
    if count:
        wanted = max(wanted, int(count))
    return min(population, max(1, wanted))


def draw(*, seed: str, candidates: Sequence[Candidate], n: int, inspectors: Sequence[int], team_size: int,
         recusals: Iterable[tuple[int, int]] = (), version: int = VERSION) -> list[Placement]:
    """The result of a draw: `n` agencies in order, each with its team of inspector ids.
    `recusals` are (inspector id, agency id) pairs."""
    if version != VERSION:
        raise DrawError(f"不支持的算法版本：{version}")
    if len(seed) != 64:
        raise DrawError("种子格式不正确。")
    ranked = []
    seen = set()
    key_bytes = seed.encode("ascii")
    fixed: dict[float, float] = {}  # weight -> the weight as serialised (few distinct weights)
    digest, log, scale = hmac.digest, math.log, 2 ** 64
    for c in candidates:
        key = agency_key(c.agency_id)
        if key in seen:
            raise DrawError("候选机构重复。")
        seen.add(key)
        weight = fixed.get(c.weight)
        if weight is None:
            weight = fixed[c.weight] = float(f"{c.weight:.6f}")  # exactly the weight serialised and hashed
        if not (weight > 0 and math.isfinite(weight)):
            raise DrawError("候选机构的权重须为正数。")
        h = digest(key_bytes, f"v1|agency|{key}".encode("ascii"), "sha256")
        u = (int.from_bytes(h[:8], "big") + 0.5) / scale
        ranked.append((-log(u) / weight, key, c))
    ranked.sort(key=lambda row: (row[0], row[1]))
    ordered = [row[2] for row in ranked[:max(0, n)]]
    barred = {(int(i), int(a)) for i, a in recusals}
    pool = sorted({int(i) for i in inspectors})
    members = set(pool)
    recused: dict[int, int] = {}
    for i, a in barred:
        if i in members:
            recused[a] = recused.get(a, 0) + 1
    queue: list[int] = []
    rounds = 0
    out = []
    for position, cand in enumerate(ordered, start=1):
        if len(pool) - recused.get(cand.agency_id, 0) < team_size:
            raise DrawError(f"机构 {cand.agency_id} 可派检查人员不足 {team_size} 名（回避后）。")
        team: list[int] = []
        taken: list[int] = []
        index = 0
        while len(team) < team_size:
            if index == len(queue):
                rounds += 1
                queue.extend(sorted(pool, key=lambda i: _mac(seed, f"v1|round|{rounds}|{inspector_key(i)}").hex()))
            i = queue[index]
            if (i, cand.agency_id) not in barred and i not in team:
                team.append(i)
                taken.append(index)
            index += 1
        for k in reversed(taken):
            del queue[k]
        out.append(Placement(position=position, agency_id=cand.agency_id, team=tuple(sorted(team))))
    return out


def draw_experts(*, seed: str, experts: Sequence[int], n: int, workload: dict[int, int] | None = None,
                 subject: str = "") -> list[int]:
    """An expert panel by the same hash stream: experts ranked by (open assignments, HMAC of
    "v1|expert|" + subject + "|" + expert key); the first `n`."""
    workload = workload or {}
    ranked = sorted({int(e) for e in experts},
                    key=lambda e: (workload.get(e, 0), _mac(seed, f"v1|expert|{subject}|{inspector_key(e)}").hex()))
    return ranked[:n]


def draw_team(*, seed: str, inspectors: Sequence[int], n: int, subject: str) -> list[int]:
    """A spot-check team by the same hash stream (a batch's supervisors [003 §15(2)]): the pool's
    inspectors, the conflicted already left out, ranked by HMAC(seed, "v1|inspector|" + subject +
    "|" + inspector key) as hex; the first `n`, in rank order. Too small a pool is an error."""
    if len(seed) != 64:
        raise DrawError("种子格式不正确。")
    pool = sorted({int(i) for i in inspectors})
    if n < 1 or len(pool) < n:
        raise DrawError(f"可抽取的检查人员 {len(pool)} 名，不足 {n} 名（回避后）。")
    ranked = sorted(pool, key=lambda i: _mac(seed, f"v1|inspector|{subject}|{inspector_key(i)}").hex())
    return ranked[:n]
