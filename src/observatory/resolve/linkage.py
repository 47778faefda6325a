"""The probabilistic part of supplier resolution: splink's settings, training and scoring.

Everything splink needs is here, in one place, as plain settings (SQL text and numbers), so the
same model runs on DuckDB today and on Spark later. splink compares *name nodes* (one per
distinct cleaned name and identifier combination, built by ``supplier_nodes.sql``), never raw
spend lines. It runs on its own in-memory DuckDB connection so that its working tables never
land in the user's warehouse file.

Training (``score`` without a model), all from the names being resolved:

1. u probabilities of identifiers and postcodes from random pairs (splink's random sampling);
2. m probabilities of identifiers and postcodes by EM on pairs that share their first words;
3. m and u of each name level, and the prior, from the exact number of pairs at each level in
   this data and the share of such pairs a clerical review found to be one supplier
   (``_fit_name_levels``): with names alone EM cannot tell a match from a look-alike.
"""

from __future__ import annotations

import copy
import logging
import math
from dataclasses import dataclass, field
from typing import Any

import duckdb
import pyarrow as pa

# Links at or above this probability join entities; below it a pair is only kept as evidence.
LINK_THRESHOLD = 0.8
# Pairs scored below this are not worth keeping even as evidence.
EVIDENCE_THRESHOLD = 0.05
# Seeded sampling so that two runs over the same names train the same model.
SEED = 2024
U_SAMPLE_PAIRS = 2_000_000

# Digits must agree for any fuzzy name level: "A1 Plumbing" and "A2 Plumbing" are two firms.
_SAME_DIGITS = "name_digits_l = name_digits_r"
_SHARED = "len(list_intersect(name_tokens_l, name_tokens_r))"
# Two registered names (each ending in Ltd, plc, LLP, CIC) that differ by words are two
# companies of a group ('Pitney Bowes Ltd' / 'Pitney Bowes Finance Ltd'), not one cut short.
_NOT_TWO_REGISTERED = "(registered_form_l IS NULL OR registered_form_r IS NULL)"
# The one word of each name the other lacks (names with the same number of words, all but one
# shared): 'marston holdings' / 'marston holding' -> 'holdings', 'holding'.
# (A lambda, not a list comprehension: splink reads column names out of the SQL and skips only
# what is inside a lambda.)
_ODD_L = "list_filter(name_tokens_l, lambda t: NOT list_contains(name_tokens_r, t))[1]"
_ODD_R = "list_filter(name_tokens_r, lambda t: NOT list_contains(name_tokens_l, t))[1]"


def _level(sql: str, label: str, m: float, u: float, **extra: Any) -> dict[str, Any]:
    return {
        "sql_condition": sql,
        "label_for_charts": label,
        "m_probability": m,
        "u_probability": u,
        **extra,
    }


def _null(column: str, label: str) -> dict[str, Any]:
    return {
        "sql_condition": f"{column}_l IS NULL OR {column}_r IS NULL",
        "label_for_charts": label,
        "is_null_level": True,
    }


def _longer_starts_with(short: str, long: str, registered: bool = False) -> str:
    """The longer name (side ``long``) begins with every word of the shorter (two or more
    words). ``registered`` False: the longer is not a registered name, so its extra words are a
    site, branch or account ('Jigsaw Homes North - RENT'). True: the longer is a registered
    name and its extra words make another legal name, often the trading company of the charity
    the shorter names ('Turning Point' / 'Turning Point Services Ltd', 'Change Grow Live' /
    'Change Grow Live Services Ltd') or a sister company ('Pitney Bowes Finance Ltd'), though as
    often the shorter is the company's everyday name ('British Gas' / 'British Gas Trading
    Ltd'): a level of its own, with its own clerical precision. Words that go on with 'of' or
    'for' complete the name, they are no site: 'The Chartered Institute' is not 'Chartered
    Institute of Housing' any more than 'Chartered Institute of Environmental Health'."""
    # Two registered names that differ by words are two companies (see _NOT_TWO_REGISTERED).
    forms = (
        f"registered_form_{long} IS NOT NULL AND registered_form_{short} IS NULL"
        if registered
        else f"registered_form_{long} IS NULL"
    )
    return (
        f"(len(name_tokens_{short}) >= 2 AND {forms} "
        f"AND starts_with(name_core_{long}, name_core_{short} || ' ') "
        f"AND NOT {_goes_on_with_of(short, long)} AND NOT {_saint_alone(short)})"
    )


def _saint_alone(side: str) -> str:
    """The name is a saint's name and nothing else ('ST JOSEPHS', 'ST GEORGES': Newcastle's care
    homes). Hundreds of schools, churches, care homes and clubs carry each one, so such a name
    never joins a longer one by its words: 'St Josephs Accrington' (a school) and 'St George's
    Playgroup' would otherwise meet in it, across members."""
    return f"(len(name_sequence_{side}) = 2 AND name_sequence_{side}[1] IN ('st', 'saint'))"


def _goes_on_with_of(short: str, long: str) -> str:
    """The longer name goes on from the shorter with 'of' or 'for': those words complete a
    body's name ('Chartered Institute of Housing'), they are no site or branch."""
    padded = f"' ' || name_core_{long} || ' '"
    return (
        f"(contains({padded}, ' ' || name_core_{short} || ' of ') "
        f"OR contains({padded}, ' ' || name_core_{short} || ' for '))"
    )


def _longer_starts_with_typo(short: str, long: str) -> str:
    """As ``_longer_starts_with`` (the longer not registered) with one of the shorter's words
    (three or more) mistyped by one letter: 'Aspris Childrens Sevices CAMHS' / 'Aspris Childrens
    Svcs Ltd'. Two-word names and abbreviations are left out: 'Foster Cares' / 'Foster Care
    Associates', 'Whalley Rangers' / 'Whalley Range High School' are other organisations."""
    s, lg = f"name_sequence_{short}", f"name_sequence_{long}"
    mismatch = f"list_filter(range(1, len({s}) + 1), lambda i: {s}[i] <> {lg}[i])"
    a, b = f"{s}[{mismatch}[1]]", f"{lg}[{mismatch}[1]]"
    return (
        f"(len({s}) >= 3 AND len({lg}) > len({s}) AND registered_form_{long} IS NULL "
        f"AND len({mismatch}) = 1 AND least(length({a}), length({b})) >= 4 "
        f"AND left({a}, 1) = left({b}, 1) AND levenshtein({a}, {b}) <= 1)"
    )


def _longer_holds(short: str, long: str) -> str:
    """The longer name holds the shorter (two or more words) as a whole, words in order, and is
    not a registered name: a site or payee written before it ('Rossendale Sch - Aspris Child
    Svcs' / 'Aspris Child Svcs', 'c/o Doughty Street Chambers'), unless it goes on with 'of'."""
    return (
        f"(len(name_tokens_{short}) >= 2 AND registered_form_{long} IS NULL "
        f"AND length(name_core_{long}) > length(name_core_{short}) "
        f"AND contains(' ' || name_core_{long} || ' ', ' ' || name_core_{short} || ' ') "
        f"AND NOT {_goes_on_with_of(short, long)} AND NOT {_saint_alone(short)})"
    )


# Name levels, strongest first; a pair takes the first level it meets. m is the share of true
# links at each level (fixed: see the module docstring), u a starting value that training
# replaces with the exact share of all pairs.
NAME_LEVELS: list[dict[str, Any]] = [
    _null("name_core", "name missing"),
    _level("name_core_l = name_core_r", "same cleaned name", 0.35, 1e-6, fix_m_probability=True),
    # 'L&Q T/A London & Quadrant Housing T' (cut at 35 characters) / 'London & Quadrant Housing
    # Trust': the trading name may itself be cut short.
    _level(
        "trading_core_l = name_core_r OR name_core_l = trading_core_r "
        "OR trading_core_l = trading_core_r "
        "OR (length(trading_core_l) >= 20 AND starts_with(name_core_r, trading_core_l)) "
        "OR (length(trading_core_r) >= 20 AND starts_with(name_core_l, trading_core_r))",
        "one trades as the other",
        0.04,
        1e-7,
        fix_m_probability=True,
    ),
    _level(
        "name_words_l = name_words_r "
        "OR replace(name_core_l, ' ', '') = replace(name_core_r, ' ', '')",
        "same words, other order or spacing",
        0.03,
        1e-7,
        fix_m_probability=True,
    ),
    _level(
        f"{_SAME_DIGITS} AND len(name_tokens_l) = len(name_tokens_r) "
        f"AND {_SHARED} = len(name_tokens_l) - 1 "
        f"AND least(length({_ODD_L}), length({_ODD_R})) >= 4 "
        f"AND left({_ODD_L}, 1) = left({_ODD_R}, 1) "
        f"AND (jaro_winkler_similarity({_ODD_L}, {_ODD_R}) >= 0.9 "
        f"OR starts_with({_ODD_L}, {_ODD_R}) OR starts_with({_ODD_R}, {_ODD_L}))",
        "one word spelt differently",
        0.08,
        1e-6,
        fix_m_probability=True,
    ),
    # Exports that cut names at 35 characters ('Askews and Holts Library Services L').
    # Not before 'of'/'for': 'The Association Of Directors' is of adult, children's or public
    # health services.
    _level(
        f"{_NOT_TWO_REGISTERED} AND least(length(name_core_l), length(name_core_r)) >= 20 "
        "AND (starts_with(name_core_l, name_core_r) OR starts_with(name_core_r, name_core_l)) "
        f"AND NOT {_goes_on_with_of('l', 'r')} AND NOT {_goes_on_with_of('r', 'l')}",
        "one is the other cut short",
        0.07,
        1e-6,
        fix_m_probability=True,
    ),
    # 'Jigsaw Homes North' / 'Jigsaw Homes North - RENT': a name of two or more words that
    # another name starts with (one word alone is too often a different firm: 'Capita …').
    _level(
        f"{_SAME_DIGITS} AND ({_longer_starts_with('l', 'r')} OR {_longer_starts_with('r', 'l')})",
        "the other starts with all its words",
        0.08,
        1e-5,
        fix_m_probability=True,
    ),
    _level(
        f"{_SAME_DIGITS} AND ({_longer_starts_with_typo('l', 'r')} "
        f"OR {_longer_starts_with_typo('r', 'l')})",
        "the other starts with all its words, one mistyped",
        0.02,
        1e-6,
        fix_m_probability=True,
    ),
    # A term-frequency signal: a rare word shared ('aspris') says more than a common one.
    _level(
        f"{_SAME_DIGITS} AND len(list_intersect(rare_words_l, rare_words_r)) >= 1 "
        f"AND ({_longer_holds('l', 'r')} OR {_longer_holds('r', 'l')})",
        "the other holds its whole name, a rare word among it",
        0.02,
        1e-6,
        fix_m_probability=True,
    ),
    _level(
        f"{_SAME_DIGITS} AND ({_longer_starts_with('l', 'r', True)} "
        f"OR {_longer_starts_with('r', 'l', True)})",
        "a registered name starts with all its words",
        0.02,
        1e-6,
        fix_m_probability=True,
    ),
    _level(
        f"{_SHARED} = least(len(name_tokens_l), len(name_tokens_r))",
        "every word of one is in the other",
        0.08,
        1e-5,
        fix_m_probability=True,
    ),
    _level(
        f"{_SAME_DIGITS} AND jaro_winkler_similarity(name_core_l, name_core_r) >= 0.92",
        "spelt alike (Jaro-Winkler >= 0.92)",
        0.05,
        1e-5,
        fix_m_probability=True,
    ),
    _level(
        f"{_SHARED} / len(list_distinct(list_concat(name_tokens_l, name_tokens_r))) >= 0.5",
        "half the words shared",
        0.05,
        1e-5,
        fix_m_probability=True,
    ),
    _level("ELSE", "different", 0.25, 0.9999, fix_m_probability=True),
]


def _identifier(
    column: str, label: str, m_same: float, u_same: float, fixed: bool = False
) -> dict[str, Any]:
    fix = {"fix_m_probability": True} if fixed else {}
    return {
        "output_column_name": column,
        "comparison_description": label,
        "comparison_levels": [
            _null(column, f"{label} missing"),
            _level(f"{column}_l = {column}_r", f"same {label}", m_same, u_same, **fix),
            _level("ELSE", f"different {label}", 1 - m_same, 1 - u_same, **fix),
        ],
    }


COMPARISONS: list[dict[str, Any]] = [
    {
        "output_column_name": "name",
        "comparison_description": "supplier name",
        "comparison_levels": NAME_LEVELS,
    },
    # Company numbers decide on their own (a shared one links, different ones never join), so
    # too few pairs carry two numbers for EM; m is a prior (a number is mistyped 1 time in 20).
    _identifier("company_number", "company number", 0.95, 0.0001, fixed=True),
    # VAT numbers belong to VAT groups: a council's schools share its number, so a shared VAT
    # number is strong evidence, not proof (it never links on its own; see the method note).
    _identifier("vat_number", "VAT number", 0.85, 0.001),
    {
        "output_column_name": "postcode",
        "comparison_description": "postcode",
        "comparison_levels": [
            _null("postcode", "postcode missing"),
            _level("postcode_l = postcode_r", "same postcode", 0.7, 0.001),
            _level(
                "postcode_district_l = postcode_district_r", "same postcode district", 0.15, 0.01
            ),
            _level("ELSE", "different postcode", 0.15, 0.989),
        ],
    },
]

# Comparisons that corroborate a name but are shared by related suppliers (see _weight_sql).
CORROBORATING = ("vat_number", "postcode")

# Pairs splink scores. Nodes with the same cleaned name are already one entity (a deterministic
# rule), so the rules skip them; each rule targets one way real names of one supplier differ.
BLOCKING_RULES: list[str] = [
    "l.block_first_words = r.block_first_words AND l.name_core <> r.name_core",
    "l.block_rare_word = r.block_rare_word AND l.name_core <> r.name_core",
    "l.block_last_words = r.block_last_words AND l.name_core <> r.name_core",
    "l.block_last_three = r.block_last_three AND l.name_core <> r.name_core",
    "l.name_words = r.name_words AND l.name_core <> r.name_core",
    "l.block_squashed = r.block_squashed AND l.name_core <> r.name_core",
    "l.name_core = r.trading_core",
    "l.trading_core = r.name_core",
    "l.block_trading_words = r.block_first_words",
    "l.block_first_words = r.block_trading_words",
    "l.trading_core = r.trading_core AND l.name_core <> r.name_core",
    "l.vat_number = r.vat_number AND l.name_core <> r.name_core",
    "l.postcode = r.postcode AND l.name_core <> r.name_core",
]

# EM learns how often identifiers and postcodes agree among pairs sharing their first words.
EM_RULE = "l.block_first_words = r.block_first_words"
M_FLOOR = 0.01
# Share of true links whose names have nothing in common ('BT' / 'British Telecommunications'):
# only identifiers find them, so no count can estimate it; a prior.
M_UNSEEN = 0.05
# Clerical review: of the pairs at each name level in the real network (30 drawn at random per
# level, judged by hand against the published names, identifiers and postcodes), the share that
# are one supplier. See docs/methods/supplier-resolution.md for the review.
LEVEL_PRECISION: dict[str, float] = {
    "same cleaned name": 0.99,
    "one trades as the other": 0.95,
    "same words, other order or spacing": 0.97,
    "one word spelt differently": 0.95,
    "one is the other cut short": 0.93,
    "the other starts with all its words": 0.85,
    "the other starts with all its words, one mistyped": 0.90,
    "the other holds its whole name, a rare word among it": 0.84,
    "a registered name starts with all its words": 0.65,
    "every word of one is in the other": 0.55,
    "spelt alike (Jaro-Winkler >= 0.92)": 0.60,
    "half the words shared": 0.10,
}


def base_settings() -> dict[str, Any]:
    return {
        "link_type": "dedupe_only",
        "unique_id_column_name": "unique_id",
        "comparisons": copy.deepcopy(COMPARISONS),
        "blocking_rules_to_generate_predictions": BLOCKING_RULES,
        "retain_matching_columns": False,
        "retain_intermediate_calculation_columns": False,
        "probability_two_random_records_match": 1e-5,
        "em_convergence": 0.001,
        "max_iterations": 25,
    }


@dataclass
class Scored:
    model: dict[str, Any]
    pairs: pa.Table  # node_l, node_r, match_weight, match_probability, detail
    notes: list[str] = field(default_factory=list)


def _connection(threads: int | None) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(":memory:")
    if threads:
        con.execute(f"SET threads = {int(threads)}").fetchall()
    # splink's generated SQL may use the old single-arrow lambda that DuckDB 2 refuses.
    con.execute("SET lambda_syntax = 'ENABLE_SINGLE_ARROW'").fetchall()
    con.execute("SET preserve_insertion_order = false").fetchall()
    return con


def _linker(con: duckdb.DuckDBPyConnection, settings: dict[str, Any]) -> Any:
    from splink import DuckDBAPI, Linker

    logging.getLogger("splink").setLevel(logging.ERROR)
    db_api = DuckDBAPI(con)
    frame = db_api.register("supplier_nodes")
    return Linker(frame, settings, log_level=None)


def _load(nodes: pa.Table, threads: int | None) -> duckdb.DuckDBPyConnection:
    con = _connection(threads)
    con.register("supplier_nodes_arrow", nodes)
    con.execute("CREATE TABLE supplier_nodes AS SELECT * FROM supplier_nodes_arrow").fetchall()
    con.unregister("supplier_nodes_arrow")
    return con


def score(
    nodes: pa.Table,
    model: dict[str, Any] | None = None,
    threads: int | None = None,
    keep_below: float = EVIDENCE_THRESHOLD,
) -> Scored:
    """Score every blocked pair of nodes; train the model first when none is given."""
    notes: list[str] = []
    con = _load(nodes, threads)
    trained = model is None
    settings = base_settings() if model is None else copy.deepcopy(model)
    settings["blocking_rules_to_generate_predictions"] = BLOCKING_RULES
    # gamma (the level each pair reached) is only kept with the matching columns.
    settings["retain_matching_columns"] = True
    settings["retain_intermediate_calculation_columns"] = True
    linker = _linker(con, settings)
    n = nodes.num_rows
    total_pairs = max(n * (n - 1) / 2, 1.0)
    if trained and n >= 2:
        train_sampled(linker, con, total_pairs, notes)
    predictions = linker.inference.predict(warning_mode="never")
    table = predictions.physical_name
    model_now = linker.misc.save_model_to_json()
    if trained:
        _floor_m(model_now)
        _fit_name_levels(con, table, model_now, total_pairs, notes)
    sql = _rescore_sql(model_now, table, keep_below)
    pairs = con.sql(sql).to_arrow_table()
    con.close()
    return Scored(model_now, pairs, notes)


def train_sampled(
    linker: Any, con: duckdb.DuckDBPyConnection, total_pairs: float, notes: list[str]
) -> None:
    """Training's sampled steps (on DuckDB, whichever engine scores): u from seeded random
    pairs, then EM on pairs sharing their first words."""
    linker.training.estimate_u_using_random_sampling(
        max_pairs=min(U_SAMPLE_PAIRS, total_pairs), seed=SEED
    )
    em_pairs = _count_pairs(con, EM_RULE)
    if em_pairs < 50:
        notes.append(f"EM skipped: only {em_pairs} pairs share their first words")
        return
    try:
        linker.training.estimate_parameters_using_expectation_maximisation(
            EM_RULE, fix_probability_two_random_records_match=True
        )
        notes.append(f"EM on pairs sharing their first words ({em_pairs:,} pairs)")
    except Exception as exc:  # splink refuses populations it cannot learn from
        notes.append(f"EM skipped: {exc}")


def score_between(
    names: pa.Table,
    network: pa.Table,
    model: dict[str, Any],
    threads: int | None = None,
    keep_below: float = EVIDENCE_THRESHOLD,
) -> pa.Table:
    """Score names from outside (a user's list) against the network's nodes with a trained
    model: node_l is always the outside name, node_r the network's node."""
    con = _connection(threads)
    for name, table in (("outside_names", names), ("network_nodes", network)):
        con.register(f"{name}_arrow", table)
        con.execute(f"CREATE TABLE {name} AS SELECT * FROM {name}_arrow").fetchall()
        con.unregister(f"{name}_arrow")
    settings = copy.deepcopy(model)
    settings["link_type"] = "link_only"
    settings["blocking_rules_to_generate_predictions"] = BLOCKING_RULES
    settings["retain_matching_columns"] = True
    settings["retain_intermediate_calculation_columns"] = True
    from splink import DuckDBAPI, Linker

    logging.getLogger("splink").setLevel(logging.ERROR)
    db_api = DuckDBAPI(con)
    frames = [
        db_api.register("outside_names", dataset_display_name="outside"),
        db_api.register("network_nodes", dataset_display_name="network"),
    ]
    linker = Linker(frames, settings, log_level=None)
    predictions = linker.inference.predict(warning_mode="never")
    scored = _rescore_sql(model, predictions.physical_name, keep_below, with_sources=True)
    # splink puts either dataset on the left: turn every pair to (outside, network).
    pairs = con.sql(
        f"SELECT CASE WHEN source_dataset_l = 'outside' THEN node_l ELSE node_r END AS node_l, "
        f"CASE WHEN source_dataset_l = 'outside' THEN node_r ELSE node_l END AS node_r, "
        f"match_weight, match_probability, detail FROM ({scored}) s"
    ).to_arrow_table()
    con.close()
    return pairs


def _count_pairs(con: duckdb.DuckDBPyConnection, rule: str) -> int:
    return con.execute(
        f"SELECT count(*) FROM supplier_nodes l JOIN supplier_nodes r "
        f"ON l.unique_id < r.unique_id AND {rule}"
    ).fetchall()[0][0]


def _name_levels(model: dict[str, Any]) -> list[dict[str, Any]]:
    comparison = next(c for c in model["comparisons"] if c["output_column_name"] == "name")
    return [lv for lv in comparison["comparison_levels"] if not lv.get("is_null_level")]


def _fit_name_levels(
    con: duckdb.DuckDBPyConnection,
    table: str,
    model: dict[str, Any],
    total_pairs: float,
    notes: list[str],
) -> None:
    """m and u of each name level, and the prior, from this data's own pair counts.

    Every name level but 'different' needs the two names to share a word or a trading name, and
    the blocking rules enumerate all such pairs, so the number of pairs at each level (c) is
    known exactly; a clerical review gave the share of them that are one supplier (P, in
    ``LEVEL_PRECISION``). Then m ∝ P·c, u = (1 − P)·c / all pairs and λ = Σ P·c / all pairs,
    which makes a pair with nothing but its name score exactly P: the posterior is the precision
    a person found at that level, and identifiers and postcodes move it from there.
    """
    levels = _name_levels(model)
    top = len(levels) - 1
    counts = dict(con.execute(f"SELECT gamma_name, count(*) FROM {table} GROUP BY 1").fetchall())
    # Same cleaned names never reach splink (they are one entity already): count them directly.
    counts[top] = con.execute(
        "SELECT coalesce(sum(n * (n - 1) / 2), 0) FROM "
        "(SELECT count(*) AS n FROM supplier_nodes GROUP BY name_core)"
    ).fetchall()[0][0]
    matched: list[float] = []
    for i, level in enumerate(levels[:-1]):
        # One pseudo-pair per level keeps a small data set from zeroing a level it lacks.
        c = float(counts.get(top - i, 0)) + 1.0
        p = LEVEL_PRECISION[level["label_for_charts"]]
        matched.append(p * c)
        level["u_probability"] = (1 - p) * c / total_pairs
    links = sum(matched) / (1 - M_UNSEEN)
    for level, share in zip(levels[:-1], matched, strict=True):
        level["m_probability"] = share / links
    levels[-1]["m_probability"] = M_UNSEEN
    # In a handful of names the pseudo-pairs alone can outweigh all pairs: keep u a distribution.
    seen = sum(lv["u_probability"] for lv in levels[:-1])
    if seen > 0.5:
        for lv in levels[:-1]:
            lv["u_probability"] *= 0.5 / seen
        seen = 0.5
    levels[-1]["u_probability"] = 1 - seen
    prior = min(links / total_pairs, 0.5)
    model["probability_two_random_records_match"] = prior
    notes.append(
        f"prior: {links:,.0f} expected links among {total_pairs:,.0f} pairs (λ = {prior:.3g}); "
        "pairs per name level: "
        + ", ".join(
            f"{lv['label_for_charts']} {counts.get(top - i, 0):,}"
            for i, lv in enumerate(levels[:-1])
        )
    )


def _floor_m(model: dict[str, Any]) -> None:
    """Identifier and postcode m from EM, floored: one noisy estimate (m('different VAT') = 0)
    must not veto every link."""
    for comparison in model["comparisons"]:
        if comparison["output_column_name"] == "name":
            continue
        levels = [lv for lv in comparison["comparison_levels"] if not lv.get("is_null_level")]
        for lv in levels:
            lv["m_probability"] = max(lv.get("m_probability") or M_FLOOR, M_FLOOR)
        total = sum(lv["m_probability"] for lv in levels)
        for lv in levels:
            lv["m_probability"] /= total


def _weights(model: dict[str, Any]) -> dict[str, dict[int, float]]:
    """comparison -> gamma -> log2(m/u); null levels weigh 0."""
    out: dict[str, dict[int, float]] = {}
    for comparison in model["comparisons"]:
        levels = [lv for lv in comparison["comparison_levels"] if not lv.get("is_null_level")]
        top = len(levels) - 1
        out[comparison["output_column_name"]] = {-1: 0.0} | {
            top - i: math.log2(lv["m_probability"] / lv["u_probability"])
            for i, lv in enumerate(levels)
        }
    return out


def level_labels(model: dict[str, Any]) -> dict[str, dict[int, str]]:
    """comparison -> gamma -> label (splink numbers levels from the top; null is -1)."""
    labels: dict[str, dict[int, str]] = {}
    for comparison in model["comparisons"]:
        levels = comparison["comparison_levels"]
        non_null = [lv for lv in levels if not lv.get("is_null_level")]
        top = len(non_null) - 1
        out = {-1: next((lv["label_for_charts"] for lv in levels if lv.get("is_null_level")), "")}
        out |= {top - i: lv["label_for_charts"] for i, lv in enumerate(non_null)}
        labels[comparison["output_column_name"]] = out
    return labels


def _literal(value: Any) -> str:
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    return repr(float(value))


def _case(column: str, values: dict[int, Any]) -> str:
    cases = " ".join(f"WHEN {g} THEN {_literal(v)}" for g, v in values.items())
    return f"CASE gamma_{column} {cases} END"


def _loose_name(model: dict[str, Any]) -> str:
    """SQL: the pair's names are at a level that cannot link on its own (clerical P below
    LINK_THRESHOLD, or 'different')."""
    loose = [
        g
        for g, label in level_labels(model)["name"].items()
        if g >= 0 and LEVEL_PRECISION.get(label, 0.0) < LINK_THRESHOLD
    ]
    return f"gamma_name IN ({', '.join(map(str, loose))})" if loose else "false"


def _weight_sql(column: str, weights: dict[int, float], loose: str) -> str:
    """log2(m/u) of one comparison for each pair. A shared VAT number or postcode counts for
    nothing when the names are only loosely alike: the companies of one group share a VAT
    number and an address and are named alike ('Cygnet Health Care' / 'Cygnet Care Services
    Limited'), as a town's GP practices share a postcode district and the words 'medical
    practice'. On the real network 6 of 18 such links were one supplier (method note).
    ``loose``: the SQL of _loose_name."""
    plain = _case(column, weights)
    if column not in CORROBORATING:
        return plain
    return f"CASE WHEN {loose} THEN least({plain}, 0.0) ELSE {plain} END"


def _label_sql(column: str, labels: dict[int, str], weights: dict[int, float], loose: str) -> str:
    """The level's label, saying so where _weight_sql did not count it."""
    plain = _case(column, labels)
    if column not in CORROBORATING:
        return plain
    return (
        f"CASE WHEN {loose} AND {_case(column, weights)} > 0 "
        f"THEN {plain} || ', not counted: the names are only loosely alike' ELSE {plain} END"
    )


def _rescore_sql(
    model: dict[str, Any], table: str, keep_below: float, with_sources: bool = False
) -> str:
    """Weights from the (re)trained model, and each pair's evidence in words:
    'name: one word spelt differently (+16.2); vat_number: VAT number missing (+0.0); …'."""
    prior = model["probability_two_random_records_match"]
    prior_w = math.log2(prior / (1 - prior))
    weights = _weights(model)
    labels = level_labels(model)
    loose = _loose_name(model)
    detail = " || '; ' || ".join(
        f"'{c}: ' || {_label_sql(c, labels[c], weights[c], loose)} || ' (' || "
        f"printf('%+.1f', {_weight_sql(c, weights[c], loose)}) || ')'"
        for c in weights
    )
    # Σ log2(m/u) over comparisons, from each pair's gammas, plus the prior.
    pair_weight = " + ".join(_weight_sql(c, weights[c], loose) for c in weights)
    weight = f"({prior_w!r} + {pair_weight})"
    keep_w = math.log2(keep_below / (1 - keep_below))
    sources = "source_dataset_l, source_dataset_r, " if with_sources else ""
    return (
        f"SELECT {sources}unique_id_l AS node_l, unique_id_r AS node_r, {weight} AS match_weight, "
        f"1 / (1 + pow(2, -{weight})) AS match_probability, {detail} AS detail "
        f"FROM {table} WHERE {weight} >= {keep_w!r}"
    )


def weight_of(probability: float) -> float:
    """The match weight of a probability (for links that are not splink's)."""
    p = min(max(probability, 1e-12), 1 - 1e-12)
    return math.log2(p / (1 - p))
