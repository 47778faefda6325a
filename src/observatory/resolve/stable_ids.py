"""Supplier ids that survive re-runs.

A new run regroups records; each group takes the id most of its records had last time (an id
goes to one group only: the one holding most of its old records). A person's merge names the id
it keeps, and that id wins in its group. Groups with no old id get the next new number; ids
that no group takes are retired, pointing to where most of their records went.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

PREFIX = "SUP"


def format_id(number: int) -> str:
    return f"{PREFIX}{number:07d}"


def id_number(supplier_id: str) -> int:
    digits = supplier_id[len(PREFIX) :]
    return int(digits) if supplier_id.startswith(PREFIX) and digits.isdigit() else 0


@dataclass
class Assignment:
    ids: list[str]  # per record
    kept: int = 0  # groups that kept an old id
    new: int = 0  # groups given a new id
    retired: list[tuple[str, str | None]] = field(default_factory=list)  # (old id, new id)


def assign(
    groups: Sequence[int],
    previous: Sequence[str | None],
    order_keys: Sequence[str],
    preferred: Iterable[str] = (),
    used_before: Iterable[str] = (),
) -> Assignment:
    """``groups[i]`` is record i's group, ``previous[i]`` its id last run, ``order_keys[i]``
    a stable key (record key) that orders new groups deterministically."""
    preferred_ids = set(preferred)
    members: dict[int, list[int]] = defaultdict(list)
    for i, g in enumerate(groups):
        members[g].append(i)
    claims: list[tuple[bool, int, str, int]] = []
    for g, records in members.items():
        for old, n in Counter(previous[i] for i in records if previous[i]).items():
            claims.append((old in preferred_ids, n, old, g))
    # Preferred ids first, then the largest share; ties to the older (smaller) id.
    claims.sort(key=lambda c: (not c[0], -c[1], id_number(c[2]), c[2]))
    group_id: dict[int, str] = {}
    taken: set[str] = set()
    for _, _, old, g in claims:
        if g in group_id or old in taken:
            continue
        group_id[g] = old
        taken.add(old)
    kept = len(group_id)
    highest = max((id_number(x) for x in [*used_before, *(p for p in previous if p)]), default=0)
    fresh = sorted(
        (g for g in members if g not in group_id),
        key=lambda g: min(order_keys[i] for i in members[g]),
    )
    for g in fresh:
        highest += 1
        group_id[g] = format_id(highest)
    ids = [group_id[g] for g in groups]
    # Retired ids: where did most of their records go?
    went: dict[str, Counter[str]] = defaultdict(Counter)
    for i, old in enumerate(previous):
        if old and old not in taken:
            went[old][ids[i]] += 1
    retired = [(old, dest.most_common(1)[0][0]) for old, dest in sorted(went.items())]
    return Assignment(ids, kept=kept, new=len(fresh), retired=retired)
