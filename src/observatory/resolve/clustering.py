"""Entities from links: union-find that refuses any union joining conflicting identifiers.

Links are applied strongest first (people's merges, shared identifiers, same cleaned name, then
splink's links by falling probability). A union is refused when the two groups hold different
values of a *conflict key*: company number, charity number, PPON, or the side of a person's
split. Connected components alone would chain "X Ltd (01234567)" — "X" — "X Ltd (07654321)" into
one supplier; this greedy order keeps the best-supported links and drops the one that conflicts.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

# A group's conflict keys: key name -> the values its records carry.
Keys = dict[str, frozenset[str]]


def _conflict(a: Keys | None, b: Keys | None) -> str | None:
    """The first key on which the two groups disagree (None when they can join)."""
    if not a or not b:
        return None
    for name in a.keys() & b.keys():
        if a[name].isdisjoint(b[name]):
            return name
    return None


def _merge_keys(a: Keys | None, b: Keys | None) -> Keys | None:
    if not a:
        return b
    if not b:
        return a
    out = dict(a)
    for name, values in b.items():
        out[name] = out.get(name, frozenset()) | values
    return out


@dataclass
class Entities:
    """Records 0..n-1 joined into groups; ``refused`` says why a link was not used."""

    size: int
    parent: list[int] = field(init=False)
    keys: dict[int, Keys] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.parent = list(range(self.size))
        self._rank = [0] * self.size

    def find(self, x: int) -> int:
        parent = self.parent
        root = x
        while parent[root] != root:
            root = parent[root]
        while parent[x] != root:  # path compression
            parent[x], x = root, parent[x]
        return root

    def set_keys(self, record: int, keys: Keys) -> None:
        root = self.find(record)
        self.keys[root] = _merge_keys(self.keys.get(root), keys) or {}

    def join(self, a: int, b: int, forced: bool = False) -> str | None:
        """Join the groups of a and b; returns the conflicting key when refused."""
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return None
        ka, kb = self.keys.get(ra), self.keys.get(rb)
        if not forced:
            clash = _conflict(ka, kb)
            if clash:
                return clash
        if self._rank[ra] < self._rank[rb]:
            ra, rb = rb, ra
        self.parent[rb] = ra
        if self._rank[ra] == self._rank[rb]:
            self._rank[ra] += 1
        merged = _merge_keys(ka, kb)
        self.keys.pop(rb, None)
        if merged:
            self.keys[ra] = merged
        return None

    def join_all(self, group: Sequence[int], forced: bool = False) -> None:
        for other in group[1:]:
            self.join(group[0], other, forced=forced)

    def roots(self) -> list[int]:
        return [self.find(i) for i in range(self.size)]


@dataclass(frozen=True)
class Override:
    """A person's decision, replayed in the order it was made."""

    action: str  # merge, split
    records: frozenset[int]  # merge: the other entity's records; split: those moved out
    kept: frozenset[int]  # merge: the kept entity's records; split: those left behind
    override_id: int = 0


def forced_groups_and_tags(
    overrides: Iterable[Override],
) -> tuple[list[list[int]], dict[int, Keys]]:
    """Groups people joined (merges, and each split's moved side) and the split tags that keep
    each split's sides apart. A later split undoes an earlier merge across its line."""
    groups: list[set[int]] = []
    tags: dict[int, Keys] = {}
    for o in overrides:
        if o.action == "merge":
            groups.append(set(o.records | o.kept))
        elif o.action == "split":
            moved, kept = o.records, o.kept
            cut: list[set[int]] = []
            for g in groups:
                if g & moved and g & kept:
                    cut += [g - moved, g & moved]
                else:
                    cut.append(g)
            groups = [g for g in cut if len(g) > 1]
            groups.append(set(moved))
            name = f"split {o.override_id}"
            for r in moved:
                tags[r] = _merge_keys(tags.get(r), {name: frozenset({"moved"})}) or {}
            for r in kept:
                tags[r] = _merge_keys(tags.get(r), {name: frozenset({"kept"})}) or {}
    return [sorted(g) for g in groups if len(g) > 1], tags
