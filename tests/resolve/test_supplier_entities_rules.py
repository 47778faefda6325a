"""The rules that turn links into suppliers: conflicting identifiers never merge, people's
merges and splits win and are replayed in order, and ids survive regrouping."""

from __future__ import annotations

from observatory.resolve.clustering import Entities, Override, forced_groups_and_tags
from observatory.resolve.stable_ids import assign, format_id


def test_conflicting_company_numbers_never_chain() -> None:
    # "X Ltd (01234567)" — "X" — "X Ltd (07654321)": the middle name links to the first, and
    # the second then cannot join (its number differs).
    e = Entities(3)
    e.set_keys(0, {"company_number": frozenset({"01234567"})})
    e.set_keys(2, {"company_number": frozenset({"07654321"})})
    assert e.join(0, 1) is None
    assert e.join(1, 2) == "company_number"
    roots = e.roots()
    assert roots[0] == roots[1] != roots[2]


def test_a_shared_number_joins_and_other_keys_must_agree() -> None:
    e = Entities(3)
    e.set_keys(0, {"company_number": frozenset({"01234567"}), "charity_number": frozenset({"1"})})
    e.set_keys(1, {"company_number": frozenset({"01234567"})})
    e.set_keys(2, {"charity_number": frozenset({"2"})})
    assert e.join(0, 1) is None
    assert e.join(1, 2) == "charity_number"


def test_a_persons_merge_overrides_a_conflict() -> None:
    e = Entities(2)
    e.set_keys(0, {"company_number": frozenset({"01234567"})})
    e.set_keys(1, {"company_number": frozenset({"07654321"})})
    assert e.join(0, 1, forced=True) is None
    assert e.find(0) == e.find(1)


def test_a_split_keeps_its_sides_apart_and_its_moved_names_together() -> None:
    groups, tags = forced_groups_and_tags(
        [Override("split", frozenset({2, 3}), frozenset({0, 1}), override_id=7)]
    )
    assert groups == [[2, 3]]
    e = Entities(5)
    for i, t in tags.items():
        e.set_keys(i, t)
    e.join_all(groups[0], forced=True)
    assert e.join(0, 1) is None
    assert e.join(1, 2) == "split 7"
    assert e.join(4, 2) is None  # a new name may join either side …
    assert e.join(4, 0) == "split 7"  # … but not bridge them


def test_a_later_split_undoes_an_earlier_merge_across_its_line() -> None:
    groups, _ = forced_groups_and_tags(
        [
            Override("merge", frozenset({2, 3}), frozenset({0, 1}), override_id=1),
            Override("split", frozenset({3}), frozenset({0, 1, 2}), override_id=2),
        ]
    )
    assert sorted(map(sorted, groups)) == [[0, 1, 2]]


def test_ids_survive_regrouping() -> None:
    # Last run: records 0-2 were SUP…1, 3-4 SUP…2. Now 0-1 stay, 2 joins 3-4, 5 is new.
    previous = [format_id(1)] * 3 + [format_id(2)] * 2 + [None]
    groups = [0, 0, 1, 1, 1, 2]
    keys = ["a", "b", "c", "d", "e", "f"]
    a = assign(groups, previous, keys)
    assert a.ids == [format_id(1)] * 2 + [format_id(2)] * 3 + [format_id(3)]
    assert (a.kept, a.new, a.retired) == (2, 1, [])


def test_a_merge_keeps_the_id_a_person_chose_and_retires_the_other() -> None:
    previous = [format_id(5)] * 3 + [format_id(9)]
    a = assign([0, 0, 0, 0], previous, ["a", "b", "c", "d"], preferred={format_id(9)})
    assert set(a.ids) == {format_id(9)}
    assert a.retired == [(format_id(5), format_id(9))]


def test_new_ids_never_reuse_retired_ones() -> None:
    a = assign([0], [None], ["a"], used_before=[format_id(41)])
    assert a.ids == [format_id(42)]
