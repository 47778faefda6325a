"""The network's priorities (CPC priorities 2023-24), one page each.

What each page shows is built in ``observatory.web.analysis_pages`` from the analyses in
``observatory.insight``; this module holds the pages' titles, questions and method notes.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Priority:
    slug: str
    title: str
    cpc: str  # the CPC priority numbers it serves
    question: str  # what the page answers for a member
    planned: tuple[str, ...]  # what the page will show once its analysis lands
    methods: tuple[str, ...]  # method notes (docs/methods/NAME.md)
    available: tuple[tuple[str, str], ...] = ()  # (label, url) of what can be used today
    built: str = ""  # what the page already shows, if anything


PRIORITIES: tuple[Priority, ...] = (
    Priority(
        "collaboration",
        "Co-commissioning opportunities",
        "1, 1.1, 1.3",
        "Where could members commission together: which suppliers and categories do several "
        "members buy from, and when do their contracts end?",
        (
            "Shared suppliers after supplier resolution (one supplier however each member spells "
            "it), with each member's spend",
            "Shared categories (ProClass/CPV) per member, and the spend in each",
            "Joint-commissioning windows: contracts in one category ending within months of each "
            "other",
        ),
        ("collaboration", "supplier-names", "savings"),
        (("Suppliers used by several members", "/suppliers?min_members=2"),),
        built="Suppliers used by at least two members, matched on the published name (case and "
        "spacing ignored) until supplier resolution lands.",
    ),
    Priority(
        "contracts",
        "Contracts and pipeline",
        "1.4, 2.3",
        "Which contracts end soon, what is being re-procured, and what do members plan to "
        "advertise?",
        (
            "Contract expiries by month and category, across members",
            "Pipeline notices (UK1) and members' own pipeline plans",
            "Spend under each contract, from the spend lines",
        ),
        ("contracts-pipeline", "contracts-ocds"),
        (
            ("Contracts", "/contracts"),
            ("Pipeline plans (member records)", "/records?kind=pipeline_plan"),
        ),
    ),
    Priority(
        "suppliers",
        "Suppliers",
        "1.4",
        "Who are the network's suppliers, how much does each member spend with them, and what "
        "do we know about them (company number, SME/VCSE status, evidence)?",
        (
            "One record per real-world supplier (entity resolution), with identifiers",
            "Supplier evidence members hold (accreditations, statements), where shared",
        ),
        ("suppliers-concentration", "red-flags", "supplier-names"),
        (
            ("Suppliers (published names)", "/suppliers"),
            ("Supplier evidence (member records)", "/records?kind=supplier_evidence"),
        ),
    ),
    Priority(
        "savings",
        "Savings register",
        "1, 1.2",
        "What savings and cost avoidance have members delivered, and from which procurements?",
        (
            "Savings by member, category and year, from members' own records",
            "Network totals from the records members share",
        ),
        ("savings", "member-records"),
        (("Savings records", "/records?kind=savings"),),
        built="Members can record savings now (member records, private unless shared).",
    ),
    Priority(
        "community-wealth",
        "Community wealth",
        "1.3, 2, 2.1",
        "How much of members' spend stays local, with SMEs and with the voluntary sector?",
        (
            "Local spend by boundary (district, combined authority) from supplier postcodes",
            "SME and VCSE spend",
            "LM3 estimate, with its assumptions stated",
        ),
        ("community-wealth",),
    ),
    Priority(
        "carbon",
        "Carbon",
        "2.2",
        "Roughly how much Scope 3 (purchased goods and services) carbon sits in members' spend, "
        "and where?",
        (
            "Spend-based estimate: spend (net, deflated) × DEFRA factor by SIC group",
            "Carbon Reduction Plans of the largest suppliers",
        ),
        ("carbon",),
    ),
    Priority(
        "modern-slavery",
        "Modern slavery risk",
        "2",
        "Which spend is in categories the government guidance treats as higher risk, and with "
        "which suppliers?",
        (
            "Spend by risk category (guidance list), per member",
            "Suppliers' modern slavery statements (s54) and shared assessment results",
        ),
        ("modern-slavery",),
        (("Supplier evidence (member records)", "/records?kind=supplier_evidence"),),
    ),
    Priority(
        "social-value",
        "Social value",
        "2, 2.1",
        "What social value did members' contracts deliver (TOMs measures, proxy values)?",
        (
            "Social value returns by member, theme and contract",
            "Network totals from the returns members share",
        ),
        ("social-value", "member-records"),
        (("Social value records", "/records?kind=social_value"),),
        built="Members can record social value returns now (member records, private unless "
        "shared).",
    ),
    Priority(
        "procurement-act",
        "Procurement Act duties",
        "2.3",
        "What does the Procurement Act 2023 ask of each member next: notices due, payment "
        "compliance, contract details for contracts over the thresholds?",
        (
            "Notices due per contract (UK6, UK7, UK9, UK11) from contracts and notices",
            "Payments compliance (UK17) figures from accounts-payable extracts",
            "Pipeline duty (UK1) check",
        ),
        ("notices", "prompt-payment", "payments", "contracts-ocds"),
        (("Contracts", "/contracts"),),
    ),
)

BY_SLUG = {p.slug: p for p in PRIORITIES}
