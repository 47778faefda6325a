"""Community wealth building: how much of each member's spend goes to suppliers in its own local
authority, its combined authority or region, elsewhere, or somewhere unknown; SME and VCSE shares
with how each flag was known; leakage; and an LM3-style multiplier from the user's assumptions.

The SQL is store/sql/wealth_lines.sql over outcome_lines. docs/methods/community-wealth.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from observatory.insight import outcomes_reference as ref
from observatory.store import Warehouse

ZONES = ("local", "region", "elsewhere", "unknown")
NETWORK = "network"


def build(
    warehouse: Warehouse, boundaries: Path | None = None, exclude_public_bodies: bool = False
) -> None:
    """(Re)build the temporary ``wealth_lines`` table for this connection. With
    ``exclude_public_bodies``, payments to public bodies and public funds (HMRC, NHS, councils,
    combined authorities, pension funds: taxes, levies, contributions) are left out of every
    figure, as a procurement-only view."""
    bounds = ref.boundaries(boundaries)
    ref.prepare(warehouse)
    members = warehouse.fetch("SELECT org_id, ons_code FROM organisations")
    rows = []
    for m in members:
        region = bounds.region_of(m["org_id"])
        rows.append(
            (
                m["org_id"],
                m["ons_code"],
                region.key if region else None,
                region.name if region else None,
            )
        )
    text = ref.TEXT
    ref.temp_table(
        warehouse,
        "ref_member",
        {"org_id": text, "ons_code": text, "region_key": text, "region_name": text},
        rows,
    )
    pairs = [(r.key, d) for r in bounds.regions.values() for d in r.districts]
    ref.temp_table(
        warehouse, "ref_region_district", {"region_key": text, "district_code": text}, pairs
    )
    ref.run_script(warehouse, "wealth_lines")
    if exclude_public_bodies:
        warehouse.execute("DELETE FROM wealth_lines WHERE coalesce(public_body, false)")


def _scope(organisation: str | None) -> tuple[str, list[Any]]:
    return ("WHERE organisation = ?", [organisation]) if organisation else ("", [])


@dataclass(frozen=True)
class LocationShares:
    """One member's (or the network's) spend by where its suppliers are."""

    organisation: str
    region: str | None
    spend: float
    local: float
    region_spend: float  # in the region but outside the member's own district
    elsewhere: float
    unknown: float
    suppliers: int
    suppliers_unlocated: int
    fallback_spend: float  # located only through the postcode-district fallback

    def share(self, zone: str) -> float | None:
        value = {
            "local": self.local,
            "region": self.region_spend,
            "elsewhere": self.elsewhere,
            "unknown": self.unknown,
        }[zone]
        return value / self.spend if self.spend else None

    @property
    def within_region_share(self) -> float | None:
        """Local plus the rest of the region (the Preston-style 'within Lancashire' figure)."""
        return (self.local + self.region_spend) / self.spend if self.spend else None

    def as_json(self) -> dict[str, Any]:
        return {
            "organisation": self.organisation,
            "region": self.region,
            "spend": round(self.spend, 2),
            "local": round(self.local, 2),
            "region_outside_member": round(self.region_spend, 2),
            "elsewhere": round(self.elsewhere, 2),
            "unknown": round(self.unknown, 2),
            "shares": {z: _round(self.share(z)) for z in ZONES},
            "within_region_share": _round(self.within_region_share),
            "suppliers": self.suppliers,
            "suppliers_without_location": self.suppliers_unlocated,
            "spend_located_by_postcode_district_fallback": round(self.fallback_spend, 2),
        }


def _round(x: float | None, places: int = 4) -> float | None:
    return None if x is None else round(x, places)


def location_shares(
    warehouse: Warehouse,
    boundaries: Path | None = None,
    rebuild: bool = True,
    exclude_public_bodies: bool = False,
) -> list[LocationShares]:
    """Each member's shares, then the network's (the sum of members' own-district spend etc.)."""
    if rebuild:
        build(warehouse, boundaries, exclude_public_bodies)
    rows = warehouse.fetch(
        """
        SELECT coalesce(organisation, 'network') AS organisation, region, spend, local,
               region_spend, elsewhere, unknown, suppliers, unlocated, fallback
        FROM (
        SELECT organisation, grouping(organisation) AS total_row,
               CASE WHEN grouping(organisation) = 0 THEN min(region_name) END AS region,
               sum(net_amount)::DOUBLE AS spend,
               coalesce(sum(net_amount) FILTER (WHERE zone = 'local'), 0)::DOUBLE AS local,
               coalesce(sum(net_amount) FILTER (WHERE zone = 'region'), 0)::DOUBLE AS region_spend,
               coalesce(sum(net_amount) FILTER (WHERE zone = 'elsewhere'), 0)::DOUBLE AS elsewhere,
               coalesce(sum(net_amount) FILTER (WHERE zone = 'unknown'), 0)::DOUBLE AS unknown,
               count(DISTINCT supplier_key) FILTER (WHERE supplier_key <> 'redacted') AS suppliers,
               count(DISTINCT supplier_key)
                   FILTER (WHERE supplier_key <> 'redacted' AND zone = 'unknown') AS unlocated,
               coalesce(sum(net_amount) FILTER (WHERE location_basis LIKE 'postcode-district%'), 0)
                   ::DOUBLE AS fallback
        FROM wealth_lines
        GROUP BY GROUPING SETS ((organisation), ())
        ) AS shares
        -- (the network row named in an outer query: Spark cannot group by a column an alias
        -- of the same name hides)
        ORDER BY total_row, organisation
        """
    )
    return [
        LocationShares(
            organisation=r["organisation"],
            region=r["region"],
            spend=r["spend"] or 0.0,
            local=r["local"],
            region_spend=r["region_spend"],
            elsewhere=r["elsewhere"],
            unknown=r["unknown"],
            suppliers=int(r["suppliers"]),
            suppliers_unlocated=int(r["unlocated"]),
            fallback_spend=r["fallback"],
        )
        for r in rows
    ]


@dataclass(frozen=True)
class UnknownReason:
    """A slice of the unknown-location spend and the step that would locate it."""

    organisation: str
    reason: str
    remedy: str
    spend: float
    suppliers: int


# Why a supplier could not be placed, and what would place it (first match wins).
UNKNOWN_REASONS = (
    (
        "is_redacted OR supplier_key = 'redacted'",
        "payee redacted (payments to individuals)",
        "cannot be located from published data; exclude or report separately",
    ),
    (
        "postcode IS NOT NULL",
        "postcode known but not in the installed postcode lookup",
        "import the full ONS postcode directory: observatory reference import-postcodes ONSPD.csv",
    ),
    (
        "supplier_company_number IS NOT NULL",
        "Companies House number published, no address yet",
        "import the Companies House register: observatory suppliers import-companies-house",
    ),
    (
        "supplier_charity_number IS NOT NULL",
        "charity number published, no address yet",
        "import the charity register: observatory suppliers import-charities",
    ),
    (
        "true",
        "name only",
        "import the Companies House and charity registers and run observatory resolve "
        "(it matches names to them and to contract addresses), or record the supplier's postcode",
    ),
)


def unknown_reasons(
    warehouse: Warehouse, organisation: str | None = None, rebuild: bool = False
) -> list[UnknownReason]:
    """What the unknown-location spend is made of, and what would shrink it."""
    if rebuild:
        build(warehouse)
    case = (
        "CASE "
        + " ".join(f"WHEN {cond} THEN {i}" for i, (cond, _, _) in enumerate(UNKNOWN_REASONS))
        + " END"
    )
    where, params = _scope(organisation)
    where = (where + " AND " if where else "WHERE ") + "zone = 'unknown'"
    rows = warehouse.fetch(
        f"""
        SELECT coalesce(organisation, 'network') AS organisation, reason, spend, suppliers
        FROM (
            SELECT organisation, {case} AS reason,
                   sum(net_amount)::DOUBLE AS spend, count(DISTINCT supplier_key) AS suppliers
            FROM wealth_lines {where}
            GROUP BY GROUPING SETS ((organisation, {case}){"" if organisation else f", ({case})"})
        ) AS reasons
        ORDER BY organisation, spend DESC
        """,
        params,
    )
    return [
        UnknownReason(
            r["organisation"],
            UNKNOWN_REASONS[r["reason"]][1],
            UNKNOWN_REASONS[r["reason"]][2],
            r["spend"] or 0.0,
            int(r["suppliers"]),
        )
        for r in rows
    ]


@dataclass(frozen=True)
class UnlocatedSupplier:
    supplier_key: str
    supplier_name: str
    spend: float
    cumulative_share_of_unknown: float  # locating this one and all above it covers this share
    company_number: str | None


def top_unlocated(
    warehouse: Warehouse, organisation: str | None = None, top: int = 20
) -> list[UnlocatedSupplier]:
    """The suppliers whose location would shrink 'unknown' the most."""
    where, params = _scope(organisation)
    where = (
        where + " AND " if where else "WHERE "
    ) + "zone = 'unknown' AND supplier_key <> 'redacted'"
    rows = warehouse.fetch(
        f"""
        WITH s AS (
            SELECT supplier_key, min(supplier_name) AS name, sum(net_amount)::DOUBLE AS spend,
                   min(supplier_company_number) AS company_number
            FROM wealth_lines {where} GROUP BY supplier_key
        )
        SELECT *, sum(spend) OVER (ORDER BY spend DESC ROWS UNBOUNDED PRECEDING)
                  / sum(spend) OVER () AS cumulative
        FROM s ORDER BY spend DESC LIMIT {int(top)}
        """,
        params,
    )
    return [
        UnlocatedSupplier(
            r["supplier_key"], r["name"], r["spend"], float(r["cumulative"]), r["company_number"]
        )
        for r in rows
    ]


@dataclass(frozen=True)
class FlagShare:
    """Spend by what is known of one flag (SME or VCSE) and how it was known."""

    organisation: str
    flag: str  # sme, vcse
    value: str  # yes, no, unknown
    basis: str
    spend: float
    share: float
    suppliers: int


def flag_shares(
    warehouse: Warehouse, organisation: str | None = None, rebuild: bool = False
) -> list[FlagShare]:
    if rebuild:
        build(warehouse)
    where, params = _scope(organisation)
    out: list[FlagShare] = []
    extra = "" if organisation else ", (value, basis)"
    for flag in ("sme", "vcse"):
        rows = warehouse.fetch(
            f"""
            WITH t AS (
                SELECT coalesce(organisation, 'network') AS organisation,
                       CASE is_{flag} WHEN true THEN 'yes' WHEN false THEN 'no' ELSE 'unknown' END
                           AS value,
                       {flag}_basis AS basis, sum(net_amount)::DOUBLE AS spend,
                       count(DISTINCT supplier_key) AS suppliers
                FROM wealth_lines {where}
                GROUP BY GROUPING SETS ((organisation, value, basis){extra})
            )
            SELECT *, spend / sum(spend) OVER (PARTITION BY organisation) AS share
            FROM t ORDER BY organisation, value DESC, spend DESC
            """,
            params,
        )
        out += [
            FlagShare(
                r["organisation"],
                flag,
                r["value"],
                r["basis"],
                r["spend"] or 0.0,
                float(r["share"] or 0),
                int(r["suppliers"]),
            )
            for r in rows
        ]
    return out


@dataclass(frozen=True)
class Leakage:
    """A category where spend leaves the member's region although suppliers located in the region
    are paid for that category somewhere in the network's data."""

    organisation: str
    category: str
    category_label: str
    spend_outside_region: float
    spend_in_region: float
    regional_suppliers: int  # suppliers in the member's region seen in this category (any member)
    example_suppliers: list[str]


def leakage(
    warehouse: Warehouse, organisation: str | None = None, top: int = 20, rebuild: bool = False
) -> list[Leakage]:
    if rebuild:
        build(warehouse)
    where, params = _scope(organisation)
    rows = warehouse.fetch(
        f"""
        WITH located AS (
            SELECT DISTINCT category, supplier_key, supplier_name, district_code
            FROM wealth_lines WHERE category IS NOT NULL AND district_code IS NOT NULL
        ),
        member_cat AS (
            SELECT organisation, region_key, category, min(category_label) AS label,
                   coalesce(sum(net_amount) FILTER (WHERE zone = 'elsewhere'), 0)::DOUBLE
                       AS outside,
                   coalesce(sum(net_amount) FILTER (WHERE zone IN ('local', 'region')), 0)::DOUBLE
                       AS inside
            FROM wealth_lines {where}
            GROUP BY organisation, region_key, category
        ),
        regional AS (
            SELECT m.organisation, m.category, count(DISTINCT l.supplier_key) AS n,
                   list(DISTINCT l.supplier_name)[1:3] AS examples
            FROM member_cat m
            JOIN located l ON l.category = m.category
            JOIN ref_region_district rd
                ON rd.region_key = m.region_key AND rd.district_code = l.district_code
            GROUP BY m.organisation, m.category
        )
        SELECT m.*, r.n, r.examples
        FROM member_cat m JOIN regional r USING (organisation, category)
        WHERE m.outside > 0
        ORDER BY m.outside DESC LIMIT {int(top)}
        """,
        params,
    )
    return [
        Leakage(
            r["organisation"],
            r["category"],
            r["label"] or r["category"],
            r["outside"],
            r["inside"],
            int(r["n"]),
            list(r["examples"] or []),
        )
        for r in rows
    ]


LEAKAGE_REMEDY = (
    "supplier locations: import the full ONS postcode directory "
    "(observatory reference import-postcodes ONSPD.csv) and the Companies House register, then "
    "run observatory resolve; and categories (observatory categories import, observatory classify)"
)


@dataclass(frozen=True)
class LeakageCoverage:
    """Why leakage has the rows it has, per member (and the network): how many of its categories
    were looked at and how many passed each of the two tests, and what the installed postcode
    lookup can place inside and outside its region."""

    organisation: str
    region: str | None
    categories: int  # categories the member paid for
    with_spend_outside_region: int  # ... some of it to suppliers located outside its region
    with_regional_suppliers: int  # ... in which suppliers located in its region are paid
    qualifying: int  # both: the leakage rows
    spend: float
    spend_without_category: float
    spend_without_location: float
    lookup_districts_in_region: int  # districts of the installed postcode lookup in its region
    lookup_districts_outside_region: int  # ... and outside it

    @property
    def reason(self) -> str:
        """In words: why no category qualified (empty when some did)."""
        if self.qualifying:
            return ""
        whose = "a member's" if self.organisation == NETWORK else "its"
        unknown = self.spend_without_location / self.spend if self.spend else 0.0
        if self.region is None:
            return "the member has no region in the boundaries file"
        if not self.categories:
            return "no spend line has a category"
        lookup = ""
        if self.organisation != NETWORK and not self.lookup_districts_outside_region:
            lookup = (
                "; the installed postcode lookup has no district outside its region, so no "
                "supplier can be placed outside it"
            )
        elif self.organisation != NETWORK and not self.lookup_districts_in_region:
            lookup = (
                "; the installed postcode lookup has no district inside its region, so no "
                "supplier can be placed inside it"
            )
        if not self.with_spend_outside_region:
            return (
                f"none of {whose} {self.categories} categories has spend with a supplier located "
                f"outside {whose} region; {unknown:.1%} of the spend has no supplier location"
                + lookup
            )
        return (
            f"{self.with_spend_outside_region} categories have spend outside {whose} region, but "
            f"in none of them is a supplier located inside that region paid in the network's data"
            + lookup
        )

    def as_json(self) -> dict[str, Any]:
        return {**self.__dict__, "reason": self.reason, "what_would_fill_it": LEAKAGE_REMEDY}


def leakage_coverage(
    warehouse: Warehouse, organisation: str | None = None, rebuild: bool = False
) -> list[LeakageCoverage]:
    """The two tests of ``leakage`` counted per member, then summed for the network."""
    if rebuild:
        build(warehouse)
    # Named, as the member filter appears twice.
    where = "WHERE organisation = $org" if organisation else ""
    params = {"org": organisation} if organisation else {}
    categorised = (where + " AND " if where else "WHERE ") + "category IS NOT NULL"
    rows = warehouse.fetch(
        f"""
        WITH located AS (
            SELECT DISTINCT category, supplier_key, district_code
            FROM wealth_lines WHERE category IS NOT NULL AND district_code IS NOT NULL
        ),
        member_cat AS (
            SELECT organisation, region_key, category,
                   coalesce(sum(net_amount) FILTER (WHERE zone = 'elsewhere'), 0) AS outside
            FROM wealth_lines {categorised}
            GROUP BY organisation, region_key, category
        ),
        regional AS (
            SELECT DISTINCT m.organisation, m.category
            FROM member_cat m
            JOIN located l ON l.category = m.category
            JOIN ref_region_district rd
                ON rd.region_key = m.region_key AND rd.district_code = l.district_code
        ),
        tests AS (
            SELECT m.organisation, count(*) AS categories,
                   count(*) FILTER (WHERE m.outside > 0) AS outside,
                   count(r.category) AS regional,
                   count(r.category) FILTER (WHERE m.outside > 0) AS qualifying
            FROM member_cat m LEFT JOIN regional r USING (organisation, category)
            GROUP BY m.organisation
        ),
        spend AS (
            SELECT organisation, min(region_name) AS region,
                   sum(net_amount)::DOUBLE AS spend,
                   coalesce(sum(net_amount) FILTER (WHERE category IS NULL), 0)::DOUBLE AS uncat,
                   coalesce(sum(net_amount) FILTER (WHERE zone = 'unknown'), 0)::DOUBLE AS unknown
            FROM wealth_lines {where}
            GROUP BY organisation
        )
        SELECT s.*, coalesce(t.categories, 0) AS categories, coalesce(t.outside, 0) AS outside,
               coalesce(t.regional, 0) AS regional, coalesce(t.qualifying, 0) AS qualifying
        FROM spend s LEFT JOIN tests t USING (organisation)
        ORDER BY organisation
        """,
        params,
    )
    districts = {
        r["district_code"]
        for r in warehouse.fetch(
            "SELECT DISTINCT district_code FROM reference_postcodes WHERE district_code IS NOT NULL"
        )
    }
    regions: dict[str, set[str]] = {}
    for r in warehouse.fetch(
        "SELECT m.org_id, rd.district_code FROM ref_member m "
        "JOIN ref_region_district rd USING (region_key)"
    ):
        regions.setdefault(r["org_id"], set()).add(r["district_code"])
    members = [
        LeakageCoverage(
            r["organisation"],
            r["region"],
            int(r["categories"]),
            int(r["outside"]),
            int(r["regional"]),
            int(r["qualifying"]),
            r["spend"] or 0.0,
            r["uncat"],
            r["unknown"],
            len(districts & regions.get(r["organisation"], set())),
            len(districts - regions.get(r["organisation"], set())),
        )
        for r in rows
    ]
    if organisation or not members:
        return members
    network = LeakageCoverage(
        NETWORK,
        "each member's region",
        sum(m.categories for m in members),
        sum(m.with_spend_outside_region for m in members),
        sum(m.with_regional_suppliers for m in members),
        sum(m.qualifying for m in members),
        sum(m.spend for m in members),
        sum(m.spend_without_category for m in members),
        sum(m.spend_without_location for m in members),
        len(districts),
        len(districts),
    )
    return [*members, network]


@dataclass(frozen=True)
class Lm3Assumptions:
    """The user's assumptions (no supplier survey data): shares re-spent in the area."""

    local_supplier_respend: float  # share of a local supplier's income it spends locally (round 2)
    other_supplier_respend: float  # the same for suppliers elsewhere
    round3_respend: float  # share of round-2 income its recipients re-spend locally
    unknown_as_local: bool = False  # unknown-location spend counted as local (default: not)

    def check(self) -> None:
        for name in ("local_supplier_respend", "other_supplier_respend", "round3_respend"):
            value = getattr(self, name)
            if not 0 <= value <= 1:
                raise ValueError(f"{name} must be a share between 0 and 1, not {value}")


@dataclass(frozen=True)
class Lm3Estimate:
    organisation: str
    boundary: str  # the area 'local' means here: the member's region
    round1: float
    round2: float
    round3: float
    assumptions: Lm3Assumptions

    @property
    def lm3(self) -> float | None:
        return (self.round1 + self.round2 + self.round3) / self.round1 if self.round1 else None

    def as_json(self) -> dict[str, Any]:
        return {
            "organisation": self.organisation,
            "boundary": self.boundary,
            "round1": round(self.round1, 2),
            "round2": round(self.round2, 2),
            "round3": round(self.round3, 2),
            "lm3": _round(self.lm3, 3),
            "assumptions": self.assumptions.__dict__,
            "note": "an estimate from the assumptions above, not from supplier survey data",
        }


def lm3(
    warehouse: Warehouse, assumptions: Lm3Assumptions, rebuild: bool = False
) -> list[Lm3Estimate]:
    """LM3 (New Economics Foundation) per member and for the network: round 1 = spend; round 2 =
    spend with suppliers in the region x their assumed local re-spend (plus the rest x the other
    suppliers' share); round 3 = round 2 x the assumed re-spend of its recipients."""
    assumptions.check()
    out = []
    for s in location_shares(warehouse, rebuild=rebuild):
        inside = s.local + s.region_spend + (s.unknown if assumptions.unknown_as_local else 0)
        outside = s.spend - inside
        r2 = (
            inside * assumptions.local_supplier_respend
            + outside * assumptions.other_supplier_respend
        )
        out.append(
            Lm3Estimate(
                s.organisation,
                s.region or ("each member's region" if s.organisation == NETWORK else "unknown"),
                s.spend,
                r2,
                r2 * assumptions.round3_respend,
                assumptions,
            )
        )
    return out
