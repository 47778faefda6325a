"""Seeded generator of the demonstration network's files.

Nothing here is copied from a real publisher's file. The generator reproduces the *shapes* and the
*quirks* of the files real publishers put out (LGA-style CSV, Gross/VAT/Net with trailing commas,
a 23-column Transparency Code layout, a cp1252 file whose header may come last, an xlsx workbook
with one sheet per month, a report with a preamble and a Total footer, a contracts register and an
accounts-payable extract), so that the loaders meet the same difficulties on a machine that has
none of the real files. Every name is invented; see docs/demo-network.md.

Determinism: one ``random.Random`` per purpose, seeded from ``f"{seed}/{purpose}"`` (``random``
hashes string seeds with SHA-512, so they do not depend on PYTHONHASHSEED). Nothing iterates over
a set, and the xlsx archive is written with fixed timestamps, so a seed always gives the same
bytes.
"""

from __future__ import annotations

import csv
import io
import math
import random
import zipfile
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from importlib import resources
from itertools import accumulate
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.writer.excel import ExcelWriter

from observatory.demo import reference

__all__ = ["DemoFile", "DemoNetwork", "write_demo_network", "KINDS", "FIRST_MONTH"]

KINDS = ("spend", "contracts", "payments")

# The demo's first month. Fixed rather than "today" so that a seed always gives the same bytes;
# April 2025 makes the two six-month payment periods end 30 Sep 2025 and 31 Mar 2026.
FIRST_MONTH = date(2025, 4, 1)

NETWORK_NAME = "Wyndale Anchor Network"
PARTNERSHIP = "Wyndale Procurement Partnership"

BRI, CAS, NHS, FIRE, HOU = "brindleford", "castlemoor", "bcnhs", "wyndalefire", "greenacre"
MEMBER_ORDER = (BRI, CAS, NHS, FIRE, HOU)
ALL = MEMBER_ORDER

MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)

# Mild seasonality: spend rises at the financial year end (March) and dips in April and December.
SEASON = {4: 0.92, 5: 0.97, 6: 1.0, 7: 1.02, 8: 0.95, 9: 1.0, 10: 1.04, 11: 1.02, 12: 0.93}
SEASON.update({1: 1.0, 2: 1.0, 3: 1.15})


# ---------------------------------------------------------------------------------------------
# Public result types


@dataclass(frozen=True)
class DemoFile:
    path: Path
    organisation: str
    kind: str  # spend, contracts, payments


@dataclass
class DemoNetwork:
    organisations_file: Path
    files: list[DemoFile]
    manifest_file: Path | None = None
    # Reference files installed with the demo (observatory.demo.reference): the ProClass headings
    # its files use, and a postcode lookup for the postcodes it invents.
    category_list: Path | None = None
    postcode_lookup: Path | None = None

    def of_kind(self, kind: str) -> list[DemoFile]:
        return [f for f in self.files if f.kind == kind]


# ---------------------------------------------------------------------------------------------
# Spend categories: ProClass codes (the public classification) with labels in the short style
# councils print in their own files. The assignment of categories to lines is the generator's own.

ADULT = "Social Community Care Supplies & Services - Adult"
CHILD = "Social Community Care Supplies & Services - Children"
WORKS = "Works - Construction, Repair & Maintenance"


@dataclass(frozen=True)
class Category:
    key: str
    code: str  # ProClass code
    label: str  # short label as an LGA-style file prints it
    register_label: str  # ProClass level-1 description, as registers print it
    domain: str  # picks the department/service area in each member's own vocabulary
    unit: str  # cost-centre name in the LGA-style member's files
    expense: str  # ledger expense type (GL Description, Account Detail, Expense Type)
    purposes: tuple[str, ...]
    median: float  # typical line amount, pounds
    spread: float  # log-normal sigma: how far line amounts scatter
    vat: bool  # standard rated, so Gross/VAT/Net layouts show 20% VAT
    trades: tuple[str, ...]  # words that end invented supplier names in this category


def _c(*args: object) -> Category:
    return Category(*args)  # type: ignore[arg-type]


# fmt: off
_CATEGORY_LIST: tuple[Category, ...] = (
    _c("domcare", "321014", "SOCIAL CARE : Domiciliary Care", ADULT, "adults", "EXT DOM CARE SPOT",
       "Ext Dom Care Spot", ("Home care spot hours {mon}", "Domiciliary care package {ref}",
                             "Homecare w/e {week}"), 1400, 0.9, False,
       ("Home Care", "Care Services", "Homecare", "Care at Home", "Community Care")),
    _c("rescare", "321017", "SOCIAL CARE : Residential Care", ADULT, "adults", "EXT RES CARE FEES",
       "Ext Res Care Fees", ("Residential placement {mon}", "Care home fees {period}"), 3600, 0.5,
       False, ("Care Home", "Nursing Home", "Residential Care", "Lodge")),
    _c("supliving", "321800", "SOCIAL CARE : Supported Living", ADULT, "adults",
       "LD SUPPORTED LIVING", "Supp Living Cont", ("Supported living {mon}",
                                                  "Tenancy support hours {period}"), 2800, 0.7,
       False, ("Supported Living", "Support Services", "Living Options")),
    _c("daycare", "321013", "SOCIAL CARE : Day Care", ADULT, "adults", "EXT DAY CARE",
       "Ext Day Care", ("Day opportunities {mon}", "Day centre sessions {period}"), 900, 0.7, False,
       ("Day Services", "Activity Centre")),
    _c("mentalhealth", "322001", "SOCIAL CARE : Mental Health", ADULT, "adults",
       "MH COMMUNITY TEAM", "Community Care Servi", ("Community mental health support {mon}",
                                                     "Recovery service {period}"), 1800, 0.8,
       False, ("Wellbeing", "Recovery Services")),
    _c("directpay", "321500", "SOCIAL CARE : Direct Payments", ADULT, "adults",
       "ASC DIRECT PAYMENTS", "Direct Payments",
       ("Direct payment {mon}", "Personal budget {period}"), 1100, 0.8, False, ()),
    _c("childres", "321117", "SC : Children Residential Care", CHILD, "children",
       "CHILDRENS PLACEMENTS", "Ext Res Care Children", ("Placement fees {period}",
                                                        "Residential placement {ref}"), 5200, 0.5,
       False, ("Children's Homes", "Residential Childcare", "Fostering")),
    _c("agency", "261400", "HR : Temporary & Agency Staff", "Human Resources", "workforce",
       "AGENCY STAFF", "Agency Pay", ("Temp staff w/e {week}", "Agency worker timesheet {ref}",
                                      "Locum cover w/e {week}"), 1100, 0.7, True,
       ("Recruitment", "Staffing", "Personnel", "Resourcing")),
    _c("training", "261500", "HR : Training & Conferences", "Human Resources", "workforce",
       "WORKFORCE DEVELOPMENT", "Training", ("Training course {ref}", "Course fees {mon}",
                                              "Conference places"), 850, 0.8, True,
       ("Training", "Learning", "Skills Academy")),
    _c("interp", "261100", "Interpretation & Translation", "Human Resources", "workforce",
       "TRANSLATOR FEES", "Translator Fees",
       ("Interpreting {mon}", "Translation of documents {ref}"), 320, 0.8, True,
       ("Language Services", "Translations", "Interpreting")),
    _c("software", "271440", "ICT : Software", "Information Communication Technology", "ict",
       "ICT APPLICATIONS", "Software Licences",
       ("Annual licence {ref}", "Support & maintenance {mon}", "Hosting {period}"), 4200, 1.1, True,
       ("Software", "Systems", "Digital", "Technologies")),
    _c("telecoms", "271699", "ICT : Telecommunications", "Information Communication Technology",
       "ict", "ICT NETWORKS", "Telephones", ("Mobile airtime {mon}", "Line rental {period}"), 1300,
       1.0, True, ("Communications", "Telecom", "Networks")),
    _c("hardware", "271200", "ICT : Hardware", "Information Communication Technology", "ict",
       "ICT DEVICES", "Computer Equipment", ("Laptops x{n}", "Monitors and docks", "Toner {ref}"),
       1600, 0.9, True, ("Computer Supplies", "IT Solutions", "Technology")),
    _c("electricity", "371000", "UTILITIES : Electricity", "Utilities", "utilities", "ELECTRICITY",
       "Electricity", ("Electricity {period}", "Supply account {ref} {mon}"), 1500, 1.1, True,
       ("Energy", "Power")),
    _c("gas", "371100", "UTILITIES : Gas", "Utilities", "utilities", "MAINS GAS", "Mains Gas",
       ("Gas supply {period}", "Gas account {ref}"), 1100, 1.0, True, ("Gas Services", "Energy")),
    _c("water", "371300", "UTILITIES : Water", "Utilities", "utilities", "METERED WATER CHAR",
       "Metered Water Charges", ("Water charges {period}", "Water account {ref}"), 420, 1.0, False,
       ("Water Services",)),
    _c("fuel", "381100", "VEHICLES : Fuel", "Vehicle Management", "fleet", "FLEET FUEL", "Fuel",
       ("Fuel card statement {mon}", "Bulk diesel delivery {ref}"), 2200, 0.7, True,
       ("Fuels", "Oil Supplies")),
    _c("fleetmaint", "381400", "VEHICLES : Maintenance", "Vehicle Management", "fleet",
       "FLEET MTCE", "Vehicle Repairs & Maint", ("Service and MOT {ref}", "Repairs to {reg}",
                                                 "Tyres {ref}"), 780, 0.9, True,
       ("Motors", "Commercials", "Vehicle Services", "Auto Repairs", "Tyres")),
    _c("leasing", "381600", "VEHICLES : Vehicle Leasing", "Vehicle Management", "fleet",
       "FLEET LEASING", "Vehicle Leasing", ("Lease rental {mon}", "Contract hire {reg}"), 1900, 0.5,
       True, ("Vehicle Leasing", "Contract Hire")),
    _c("taxi", "361450", "TRANSPORT : Taxi Services", "Passenger Transport", "fleet",
       "HOME TO SCHOOL TRANSPORT", "Taxi Fares", ("School transport route {n} {mon}",
                                                  "Taxi journeys {period}"), 640, 0.8, False,
       ("Taxis", "Private Hire", "Travel", "Minibus Hire")),
    _c("cleaning", "131310", "CLEANING : Cleaning Services", "Cleaning & Janitorial", "facilities",
       "CLEANING CONTRACTS", "Cleaning Contract", ("Cleaning services {mon}", "Deep clean {ref}",
                                                   "Window cleaning"), 1700, 0.9, True,
       ("Cleaning Services", "Hygiene", "Cleaning Co")),
    _c("laundry", "131311", "CLEANING : Laundry Service", "Cleaning & Janitorial", "facilities",
       "LAUNDRY", "Laundry", ("Linen hire {mon}", "Laundry service {period}"), 900, 0.6, True,
       ("Laundry", "Linen Services")),
    _c("security", "192200", "FM : Security", "Facilities & Management Services", "facilities",
       "SECURITY SERVICES", "Security Services", ("Manned guarding {period}", "Keyholding {mon}",
                                                  "Alarm maintenance {ref}"), 1500, 0.8, True,
       ("Security", "Alarms", "Locksmiths")),
    _c("property", "191700", "FM : Property Management", "Facilities & Management Services",
       "repairs", "BUILDING REPAIRS & MTCE", "Repairs & Maintenance",
       ("Responsive repair job {ref}", "Void works {ref}", "Boiler repair {ref}", "Roof repair"),
       950, 1.0, True, ("Building Services", "Plumbing & Heating", "Electrical Contractors",
                        "Roofing", "Joinery", "Property Maintenance", "Glazing")),
    _c("food", "111200", "CATERING : Food & Beverages", "Catering", "facilities", "CATERING",
       "Provisions", ("Provisions w/e {week}", "Fresh produce {ref}", "Dry goods {mon}"), 720, 0.8,
       False, ("Foods", "Catering Supplies", "Butchers", "Bakery", "Fresh Produce")),
    _c("waste", "182000", "ENVIRONMENT : Waste Management", "Environmental Services", "facilities",
       "WASTE DISPOSAL", "Waste Disposal", ("Waste disposal {period}", "Skip hire {ref}",
                                            "Clinical waste collections {mon}"), 2600, 1.0, True,
       ("Waste Services", "Recycling", "Skip Hire")),
    _c("grounds", "391300", "WORKS : Open Spaces", WORKS, "facilities", "PARKS & OPEN SPACES",
       "Grounds Maintenance", ("Grass cutting {mon}", "Tree works {ref}", "Fencing repairs"), 1300,
       0.8, True, ("Landscapes", "Tree Services", "Grounds Maintenance")),
    _c("construction", "391110", "CONSTRUCTION: Bld Construction", WORKS, "works",
       "Capital Schemes", "Capital Works", ("Valuation {n} {ref}", "Retention release {ref}",
                                            "Interim payment {n}"), 9000, 1.1, True,
       ("Construction", "Builders", "Contractors", "Civil Engineering")),
    _c("roads", "391400", "CONSTRUCTION: Roads", WORKS, "works", "HIGHWAYS MTCE", "Highways Works",
       ("Carriageway resurfacing {ref}", "Pothole repairs {mon}", "Gully cleansing"), 6000, 1.0,
       True, ("Surfacing", "Highways")),
    _c("insurance", "201800", "FINANCIAL SERVICES : Insurance", "Financial Services", "corporate",
       "INSURANCE", "Insurance Premiums", ("Premium instalment {n}", "Policy {ref} renewal"), 8000,
       1.3, False, ("Insurance Brokers", "Underwriting")),
    _c("legal", "281400", "LEGAL SERVICES : Specialist", "Legal Services", "corporate",
       "LEGAL FEES", "Legal Fees", ("Counsel fees {ref}", "Legal advice matter {ref}"), 1600, 1.0,
       True, ("Solicitors", "Legal Services", "Chambers")),
    _c("consultancy", "151000", "CONSULTANCY : Business", "Consultancy", "corporate",
       "PROFESSIONAL FEES", "Professional Fees", ("Consultancy days {mon}", "Review stage {n}"),
       4500, 0.9, True, ("Consulting", "Associates", "Advisory")),
    _c("stationery", "341000", "STATIONERY : Paper", "Stationery", "corporate", "STATIONERY",
       "Stationery", ("Office supplies {ref}", "Paper {mon}"), 380, 0.8, True,
       ("Office Supplies", "Stationers")),
    _c("printing", "191600", "FM : Printing", "Facilities & Management Services", "corporate",
       "PRINT UNIT", "Printing", ("Leaflets {ref}", "Print run {ref}"), 900, 0.8, True,
       ("Print", "Printers", "Design & Print")),
    _c("archiving", "191200", "FM : Document Storage", "Facilities & Management Services",
       "corporate", "RECORDS MANAGEMENT", "Document Storage", ("Confidential shredding {mon}",
                                                              "Archive boxes storage {period}"),
       600, 0.7, True, ("Archive Services", "Records Management")),
    _c("postage", "301200", "MAIL SERVICES : Postage", "Mail Services", "corporate", "POSTAGE",
       "Postage", ("Franking {mon}", "Bulk mail {ref}"), 1200, 0.9, False,
       ("Mailing Services", "Couriers")),
    _c("grants", "201700", "FINANCIAL SERVICES : Grants", "Financial Services", "corporate",
       "COMMUNITY GRANTS", "Grants to Vol Orgs", ("Community grant {ref}", "Grant instalment {n}"),
       2500, 1.0, False, ()),
    _c("housing", "250005", "HOUSING : Temporary Accommodation", "Housing Management", "housing",
       "HOMELESSNESS", "Temporary Accommodation", ("Temporary accommodation {period}",
                                                   "Nightly rate {ref}"), 1300, 0.7, False,
       ("Lettings", "Property Lettings")),
    _c("ppe", "221000", "H&S : Products", "Health & Safety", "clinical", "HEALTH & SAFETY",
       "Protective Clothing", ("PPE order {ref}", "Workwear {ref}", "Structural fire kit x{n}"),
       1100, 0.9, True, ("Safety Supplies", "Workwear", "Protective Equipment")),
    _c("medical", "311000", "MEDICAL : Consumables", "Healthcare", "clinical", "MEDICAL SUPPLIES",
       "Medical Supplies", ("Consumables order {ref}", "Wound care {ref}", "Dressings {mon}"), 1500,
       1.0, True, ("Medical", "Healthcare Supplies", "Surgical")),
    _c("drugs", "311200", "MEDICAL : Drugs & Pharmacy", "Healthcare", "clinical", "PHARMACY",
       "Drugs", ("Drugs order {ref}", "Homecare medicines {mon}"), 3800, 1.1, False,
       ("Pharmaceuticals", "Pharma")),
    _c("fireequip", "221100", "H&S : Maintenance", "Health & Safety", "clinical",
       "FIRE SAFETY MTCE", "Fire Equipment Maint", ("Breathing apparatus service {ref}",
                                                    "Extinguisher service {mon}",
                                                    "Fire alarm testing {ref}"), 1800, 1.0, True,
       ("Fire Protection", "Fire & Safety")),
)
# fmt: on
CATEGORIES: dict[str, Category] = {c.key: c for c in _CATEGORY_LIST}

# Categories where members' contracts are made to end within months of each other, so that the
# collaboration analysis has joint-commissioning windows to find.
# fmt: off
COLLABORATION = ("cleaning", "agency", "fleetmaint", "electricity", "gas", "insurance", "software",
                 "security", "fuel", "training", "waste")
# fmt: on


# ---------------------------------------------------------------------------------------------
# Members


@dataclass(frozen=True)
class Member:
    org_id: str
    name: str
    file_name: str  # how it names itself inside its own files
    layout: str
    lines_per_year: int
    threshold: int  # pence: lines below it are not published
    pay_weekdays: tuple[int, ...]  # payment-run days (Monday = 0)
    redacted: str  # what it prints in place of a person's name
    name_style: str
    credit_rate: float
    duplicate_rate: float  # share of lines printed twice (separate payments, identical rows)
    tail_size: int  # invented local suppliers beyond the shared ones
    mix: Mapping[str, float]  # category -> share of lines
    departments: Mapping[str, tuple[str, ...]]  # domain -> department/service names
    districts: tuple[str, ...]


# fmt: off
_COUNCIL_MIX = {
    "domcare": 20, "rescare": 8, "supliving": 5, "daycare": 3, "childres": 4, "mentalhealth": 2,
    "directpay": 7, "agency": 5, "training": 2, "interp": 2, "software": 2, "telecoms": 1,
    "hardware": 1, "electricity": 3, "gas": 2, "water": 3, "fuel": 1, "fleetmaint": 2,
    "leasing": 1, "taxi": 4, "cleaning": 2, "security": 1, "property": 3, "food": 3, "waste": 2,
    "grounds": 2, "construction": 4, "roads": 2, "insurance": 0.5, "legal": 2, "consultancy": 1.5,
    "stationery": 1.5, "printing": 1, "postage": 1, "grants": 2, "housing": 2, "ppe": 0.5,
    "medical": 0.5, "fireequip": 0.5,
}
# fmt: on

# fmt: off
MEMBERS: dict[str, Member] = {
    BRI: Member(
        BRI, "Brindleford Metropolitan Borough Council", "Brindleford Council", "lga", 3300, 1,
        (1, 3), "Redacted", "registered", 0.015, 0.10, 110, _COUNCIL_MIX,
        {},  # LGA-style files name the cost centre from the category (Category.unit)
        ("BL0", "BL8", "BL9"),
    ),
    CAS: Member(
        CAS, "Castlemoor City Council", "Castlemoor City Council", "gross_vat_net", 2800, 50000,
        (0, 3), "Redacted Personal Information", "title", 0.02, 0.0, 90,
        {**_COUNCIL_MIX, "domcare": 15, "rescare": 9, "housing": 4, "archiving": 0.5},
        {
            "adults": ("People (Adults) Service Group",),
            "children": ("People (Childrens) Service Group",),
            "workforce": ("Service Reform (Corp Bus & Transform)",),
            "ict": ("Service Reform (Corp Bus & Transform)",),
            "utilities": ("Place Directorate",),
            "fleet": ("Place Directorate",),
            "facilities": ("Place Directorate", "Public Health"),
            "repairs": ("Place Directorate",),
            "works": ("Place Directorate", "Regeneration"),
            "corporate": ("Service Reform (Corp Bus & Transform)",),
            "clinical": ("Public Health",),
            "housing": ("Place Directorate",),
        },
        ("OL10", "OL11", "OL12", "OL16"),
    ),
    NHS: Member(
        NHS, "Brindleford and Castlemoor Hospitals NHS Foundation Trust",
        "Brindleford and Castlemoor Hospitals NHS Foundation Trust", "workbook", 2600, 50000,
        (2,), "Redacted Personal Information", "and", 0.02, 0.0, 70,
        {
            "medical": 20, "drugs": 12, "agency": 12, "food": 5, "cleaning": 4, "laundry": 3,
            "software": 5, "hardware": 4, "telecoms": 2, "electricity": 2, "gas": 2, "water": 1,
            "waste": 4, "security": 2, "interp": 2, "training": 3, "consultancy": 2, "legal": 1,
            "leasing": 1, "printing": 1, "archiving": 1, "mentalhealth": 3, "property": 4,
            "construction": 1.5, "insurance": 0.5, "stationery": 2, "postage": 1, "ppe": 2,
        },
        {
            "adults": ("Community Services",),
            "children": ("Women & Children",),
            "workforce": ("Workforce & OD",),
            "ict": ("Digital Services",),
            "utilities": ("Estates & Facilities",),
            "fleet": ("Estates & Facilities",),
            "facilities": ("Estates & Facilities",),
            "repairs": ("Estates & Facilities",),
            "works": ("Capital Projects",),
            "corporate": ("Corporate Services",),
            "clinical": ("Medicine Division", "Surgery Division", "Pharmacy", "Theatres"),
            "housing": ("Corporate Services",),
        },
        ("BL9", "OL11", "OL12"),
    ),
    FIRE: Member(
        FIRE, "Wyndale Fire and Rescue Service", "Wyndale Fire and Rescue Service", "cp1252", 2000,
        25000, (3,), "REDACTED", "upper", 0.025, 0.02, 50,
        {
            "fleetmaint": 12, "fuel": 8, "leasing": 4, "ppe": 10, "fireequip": 10, "training": 8,
            "agency": 3, "software": 5, "hardware": 4, "telecoms": 4, "electricity": 3, "gas": 3,
            "water": 2, "property": 8, "construction": 4, "cleaning": 4, "laundry": 3, "food": 3,
            "security": 1, "insurance": 1, "legal": 2, "consultancy": 2, "medical": 2,
            "stationery": 2, "printing": 1,
        },
        {
            "adults": ("PREVENTION",),
            "children": ("PREVENTION",),
            "workforce": ("HR & TRAINING",),
            "ict": ("ICT",),
            "utilities": ("ESTATES",),
            "fleet": ("FLEET & WORKSHOPS",),
            "facilities": ("ESTATES", "TRAINING CENTRE"),
            "repairs": ("ESTATES",),
            "works": ("ESTATES - CAPITAL",),
            "corporate": ("FINANCE & CORPORATE",),
            "clinical": ("OPERATIONAL EQUIPMENT", "OCCUPATIONAL HEALTH"),
            "housing": ("ESTATES",),
        },
        ("OL16", "OL11", "BL9"),
    ),
    HOU: Member(
        HOU, "Greenacre Homes Group", "Greenacre Homes Group", "transparency23", 2400, 50000, (4,),
        "", "limited", 0.02, 0.0, 60,
        {
            "property": 25, "construction": 10, "grounds": 6, "cleaning": 5, "electricity": 3,
            "gas": 3, "water": 2, "security": 3, "supliving": 6, "daycare": 2, "domcare": 3,
            "agency": 4, "software": 4, "telecoms": 2, "hardware": 2, "legal": 3, "consultancy": 2,
            "insurance": 1, "fleetmaint": 2, "fuel": 2, "leasing": 1, "waste": 3, "fireequip": 3,
            "grants": 1, "directpay": 3, "training": 2, "stationery": 1, "housing": 1,
        },
        {
            "adults": ("Care and Support-Supported Housing", "Care and Support-Extra Care Schemes"),
            "children": ("Care and Support-Young People",),
            "workforce": ("People Services-HR",),
            "ict": ("Corporate Services-ICT",),
            "utilities": ("Property Services-Communal Utilities",),
            "fleet": ("Property Services-Fleet",),
            "facilities": ("Property Services-Estate Services",),
            "repairs": ("Property Services-Responsive Repairs", "Property Services-Voids"),
            "works": ("Development-New Build Programme", "Property Services-Planned Investment"),
            "corporate": ("Corporate Services-Finance", "Communities-Community Investment"),
            "clinical": ("Property Services-Fire Safety",),
            "housing": ("Housing Services-Tenancy Management",),
        },
        ("OL11", "OL12", "BL9"),
    ),
}
# fmt: on


# ---------------------------------------------------------------------------------------------
# Suppliers: a fixed cast of shared suppliers (the collaboration story) plus an invented long
# tail of local ones per member.


@dataclass(frozen=True)
class Supplier:
    key: str
    stem: str  # "Harbottle & Finch Facilities"
    form: str  # Ltd, Limited, LLP, plc, CIC or "" (charity, partnership, sole trader)
    category: str
    postcode: str
    sme: bool
    vcse: bool
    company_number: str | None
    vat_number: str | None
    charity_number: str | None
    trading_as: str | None = None
    overrides: Mapping[str, str] = field(default_factory=dict)  # member -> name it prints
    alternates: Mapping[str, str] = field(
        default_factory=dict
    )  # member -> 2nd spelling, some lines
    anchor: bool = False
    strip_zeros: bool = False  # publishers print its company number without leading zeros
    vat_in_ledger: bool = False  # the LGA-style member's vendor master holds its VAT number
    coh_in_ledger: bool = False  # the 23-column member's vendor master holds its company number
    proclass_known: bool = True  # the LGA-style member has classified it
    vendor_id: int = 0
    invoice_style: int = 0

    @property
    def registered_name(self) -> str:
        name = f"{self.stem} {self.form}".strip()
        return f"{name} t/a {self.trading_as}" if self.trading_as else name


@dataclass(frozen=True)
class AnchorSpec:
    key: str
    stem: str
    form: str
    category: str
    members: tuple[str, ...]
    district: str
    sme: bool = True
    vcse: bool = False
    trading_as: str | None = None
    overrides: Mapping[str, str] = field(default_factory=dict)
    alternates: Mapping[str, str] = field(default_factory=dict)


# fmt: off
ANCHORS: tuple[AnchorSpec, ...] = (
    AnchorSpec("harbottle", "Harbottle & Finch Facilities", "Limited", "cleaning", ALL, "BL9",
               overrides={FIRE: "HARBOTTLE AND FINCH FACILITIES LTD",
                          NHS: "Harbottle & Finch Facilities LTD."},
               alternates={CAS: "Harbottle And Finch Facilities Ltd"}),
    AnchorSpec("kestrel", "Kestrel Mobility Services", "Ltd", "domcare", (BRI, CAS, HOU), "OL11",
               trading_as="Kestrel Care at Home", overrides={CAS: "Kestrel Care At Home"}),
    AnchorSpec("northernfleet", "Northern Fleet Solutions", "Ltd", "fleetmaint",
               (BRI, CAS, FIRE, HOU), "M17",
               overrides={FIRE: "NORTHERN FLEET SOLUTIONS LTD (ref 4411)"}),
    AnchorSpec("brightwater", "Brightwater Energy Supply", "Limited", "electricity", ALL, "RG2",
               sme=False),
    AnchorSpec("albion", "Albion Gas Trading", "Ltd", "gas", ALL, "LS11", sme=False),
    AnchorSpec("wyndalewater", "Wyndale Water Business Services (National Accounts)", "Ltd",
               "water", (BRI, CAS, NHS, FIRE, HOU), "WA1", sme=False,
               overrides={CAS: "Wyndale Water Business Services",
                          FIRE: "WYNDALE WATER BUSINESS SVCS"}),
    AnchorSpec("pinnacle", "Pinnacle People Recruitment", "Limited", "agency", ALL, "M2",
               sme=False, overrides={FIRE: "PINNACLE PEOPLE RECRUITMENT LIMITED"},
               alternates={HOU: "Pinnacle People Recruitment Ltd"}),
    AnchorSpec("sentinel", "Sentinel Guarding Services", "Ltd", "security", (BRI, CAS, NHS, HOU),
               "M12"),
    AnchorSpec("meridian", "Meridian Software Systems", "Limited", "software", ALL, "MK9",
               sme=False, overrides={NHS: "Meridian Software Systems Ltd"}),
    AnchorSpec("carraway", "Carraway Telecom", "plc", "telecoms", ALL, "EC2A", sme=False,
               overrides={BRI: "CARRAWAY TELECOM PLC", FIRE: "CARRAWAY TELECOM"}),
    AnchorSpec("ashworth", "Ashworth Mutual Insurance", "Ltd", "insurance", ALL, "LS1", sme=False,
               overrides={FIRE: "ASHWORTH MUTUAL INSURANCE CO LTD"}),
    AnchorSpec("bramley", "Bramley Hart & Co", "LLP", "legal", (BRI, CAS, FIRE, HOU), "M3",
               overrides={HOU: "Bramley Hart and Co LLP"}),
    AnchorSpec("fenwick", "Fenwick Fuel Cards", "Ltd", "fuel", (BRI, CAS, FIRE, HOU), "NG1",
               sme=False),
    AnchorSpec("greystone", "Greystone Waste Management", "Limited", "waste", (BRI, CAS, NHS, HOU),
               "WN5", sme=False),
    AnchorSpec("lantern", "Lantern Interpreting Services", "Ltd", "interp", (BRI, CAS, NHS), "M14"),
    AnchorSpec("oakleaf", "Oakleaf Community Trust", "", "daycare", (BRI, CAS, HOU), "OL12",
               vcse=True),
    AnchorSpec("moorside", "Moorside Catering Supplies", "Ltd", "food", (BRI, CAS, NHS, FIRE),
               "OL10"),
    AnchorSpec("tarnvalley", "Tarn Valley Construction", "Limited", "construction", (BRI, CAS, HOU),
               "BL8", sme=False, alternates={BRI: "TARN VALLEY CONSTRUCTION LTD."}),
    AnchorSpec("cobalt", "Cobalt Medical Supplies", "Ltd", "medical", (NHS, FIRE, BRI), "B3",
               sme=False),
    AnchorSpec("redwing", "Redwing Private Hire", "Ltd", "taxi", (BRI, CAS), "OL11",
               alternates={BRI: "REDWING PRIVATE HIRE LTD"}),
    AnchorSpec("heron", "Heron Training Academy", "Ltd", "training", ALL, "M50"),
    AnchorSpec("elmstead", "Elmstead Care Homes", "Limited", "rescare", (BRI, CAS), "BL0",
               sme=False),
    AnchorSpec("safeguard", "SafeGuard PPE Supplies", "Ltd", "ppe", (FIRE, NHS, BRI, HOU), "CV1",
               sme=False),
    AnchorSpec("castleton", "Castleton Vehicle Leasing", "Ltd", "leasing", (BRI, CAS, FIRE, NHS),
               "M17"),
    AnchorSpec("printworks", "Printworks Digital", "Ltd", "printing", (BRI, CAS, NHS), "OL16"),
    AnchorSpec("hollins", "Hollins Property Maintenance", "Ltd", "property", (HOU, BRI, CAS),
               "OL12"),
    AnchorSpec("stonebridge", "Stonebridge Consulting", "LLP", "consultancy", ALL, "EC4A",
               sme=False),
    AnchorSpec("kingfisher", "Kingfisher Laundry Services", "Ltd", "laundry", (NHS, FIRE), "BL9"),
    AnchorSpec("greenway", "Greenway Grounds Maintenance", "Ltd", "grounds", (BRI, CAS, HOU),
               "OL11"),
    AnchorSpec("riverside", "Riverside Minds", "CIC", "mentalhealth", (BRI, CAS, NHS), "OL16",
               vcse=True),
    # A real-sounding business whose name starts like a redaction marker: a naive
    # "starts with Redact" rule would hide it.
    AnchorSpec("redacta", "Redacta Document Services", "Ltd", "archiving", (CAS, NHS), "M4"),
    # Accented letters test the cp1252 member's encoding (È is 0xC8 there).
    AnchorSpec("creme", "Crème de la Crème Catering", "Ltd", "food", (FIRE, NHS), "BL9",
               overrides={NHS: "Creme de la Creme Catering Ltd"}),
    AnchorSpec("fellgate", "Fellgate Fire Engineering", "Ltd", "fireequip", (FIRE, HOU, BRI),
               "BL0"),
    AnchorSpec("cornerstone", "Cornerstone Temporary Homes", "Ltd", "housing", (BRI, CAS), "OL10"),
)
# fmt: on

# Shared suppliers whose company number starts with 0, and whether publishers drop that zero:
# pinned rather than drawn, so that every seed shows both forms in the same member's files.
LEADING_ZERO_ANCHORS = {"tarnvalley": True, "northernfleet": True, "hollins": False}

# fmt: off
SURNAMES = (
    "Ackroyd", "Ainsworth", "Barraclough", "Bamford", "Birtwistle", "Brearley", "Buckley",
    "Cheetham", "Clegg", "Crabtree", "Dewhurst", "Duckworth", "Entwistle", "Fairclough",
    "Fletcher", "Greenhalgh", "Grimshaw", "Haworth", "Heywood", "Hindle", "Holden", "Horrocks",
    "Ingham", "Kenyon", "Kershaw", "Lomax", "Marsden", "Mellor", "Nuttall", "Ormerod", "Pilling",
    "Pickup", "Rostron", "Schofield", "Shackleton", "Sutcliffe", "Tattersall", "Threlfall",
    "Tootell", "Walmsley", "Whittaker", "Wolstenholme", "Okafor", "Patel", "Khan", "Nowak",
    "Mensah", "Hussain", "Kowalski", "Chaudhry", "Adeyemi", "O'Hara", "McAllister", "Doyle",
    "Gallagher", "Ramsbottom", "Hargreaves", "Openshaw", "Butterworth", "Lees",
)
PLACES = (
    "Brindleford", "Castlemoor", "Wyndale", "Greenacre", "Tarnbrook", "Holmeside", "Fellgate",
    "Kettleshaw", "Ravensclough", "Birchenlee", "Stonecross", "Mereside", "Underhill",
    "Hollinbank", "Scarrow", "Thornedge",
)
ADJECTIVES = (
    "Premier", "Apex", "Evergreen", "Sterling", "Summit", "Bluebell", "Compass", "Beacon",
    "Keystone", "Lighthouse", "Horizon", "Unity", "Willow", "Maple", "Clearview", "Brightside",
    "Trueline", "Northgate", "Silverline", "Redbrick",
)
VCSE_WORDS = (
    "Carers Centre", "Community Association", "Youth Project", "Foodbank", "Advice Centre",
    "Disability Forum", "Women's Centre", "Men's Shed", "Community Transport",
    "Befriending Service",
)
REGIONAL_DISTRICTS = (
    "M1", "M2", "M3", "M4", "M12", "M14", "M17", "M30", "M33", "M50", "SK1", "SK4", "SK8", "WN1",
    "WN5", "WA1", "BL1", "OL1", "OL9",
)
NATIONAL_DISTRICTS = (
    "B1", "B3", "LS1", "LS11", "EC2A", "EC4A", "BS1", "RG1", "RG2", "MK9", "NG1", "NE1", "CV1",
    "S1", "L3", "G2", "CF10",
)
INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"  # letters the Royal Mail uses in inward codes
# fmt: on

# National-brand-style card merchants (invented), with a merchant category as card statements
# print it and a descriptor cut short as card schemes do.
# fmt: off
CARD_MERCHANTS = (
    ("PARCELFOX MKTPLACE", "Misc General Merchandise", "Office sundries"),
    ("OFFICEWORLD DIRECT", "Stationery Stores", "Stationery"),
    ("RAILWISE TICKETS", "Railroads", "Rail travel - training course"),
    ("BUDGETSTAY HOTELS", "Hotels/Motels", "Accommodation - conference"),
    ("QUIKPARK CAR PARKS", "Parking Lots", "Parking - site visit"),
    ("ZOOMLINE MEETINGS", "Computer Software Stores", "Video conferencing licence"),
    ("TECHCENTRAL ONLINE", "Electronics Stores", "Headsets"),
    ("FRESHWAYS SUPERMKT", "Grocery Stores", "Refreshments - event"),
    ("POSTHASTE POSTAGE", "Postal Services", "Special delivery"),
    ("HERON TRAINING ACAD", "Schools/Educational", "First aid course"),
    ("SKYHOP AIRWAYS", "Airlines", "Flight - national conference"),
    ("CORNER HARDWARE", "Hardware Stores", "Keys cut and padlocks"),
)
# fmt: on


def _postcode(rng: random.Random, district: str) -> str:
    # Real districts, random inward codes: the address is as fictional as the supplier.
    return f"{district} {rng.randint(1, 9)}{rng.choice(INWARD_LETTERS)}{rng.choice(INWARD_LETTERS)}"


def _company_number(rng: random.Random) -> str:
    # Older companies have a leading zero that publishers often drop (04417723 -> 4417723).
    if rng.random() < 0.55:
        return f"0{rng.randint(1_000_000, 9_999_999)}"
    return str(rng.randint(10_000_000, 15_999_999))


def _vat_number(rng: random.Random) -> str:
    # Nine digits whose last two make the weighted sum of the first seven divisible by 97, the
    # classic UK check, so validators accept them.
    body = [rng.randint(0, 9) for _ in range(7)]
    body[0] = rng.randint(1, 9)
    total = sum(d * w for d, w in zip(body, range(8, 1, -1), strict=True))
    check = (-total) % 97
    return "GB" + "".join(map(str, body)) + f"{check:02d}"


def _supplier(
    rng: random.Random,
    key: str,
    stem: str,
    form: str,
    category: str,
    postcode: str,
    sme: bool,
    vcse: bool,
    **extra: object,
) -> Supplier:
    is_company = form in ("Ltd", "Limited", "plc", "LLP", "CIC")
    company = _company_number(rng) if is_company and rng.random() < 0.9 else None
    if form == "LLP" and company:
        company = f"OC{rng.randint(300_000, 449_999)}"
    return Supplier(
        key=key,
        stem=stem,
        form=form,
        category=category,
        postcode=postcode,
        sme=sme,
        vcse=vcse,
        company_number=company,
        vat_number=_vat_number(rng) if not vcse and rng.random() < 0.75 else None,
        charity_number=str(rng.randint(1_050_000, 1_199_999)) if vcse and not form else None,
        strip_zeros=rng.random() < 0.5,
        vat_in_ledger=rng.random() < 0.45,
        coh_in_ledger=rng.random() < 0.2,
        proclass_known=rng.random() < 0.82,
        vendor_id=rng.randint(100, 64_999),
        invoice_style=rng.randint(0, 4),
        **extra,  # type: ignore[arg-type]
    )


@dataclass
class Cast:
    suppliers: dict[str, Supplier]
    # member -> category -> [(supplier key, weight)], in a fixed order
    relationships: dict[str, dict[str, list[tuple[str, float]]]]


def _build_cast(seed: int) -> Cast:
    rng = random.Random(f"{seed}/suppliers")
    suppliers: dict[str, Supplier] = {}
    rel: dict[str, dict[str, list[tuple[str, float]]]] = {m: defaultdict(list) for m in MEMBERS}
    for spec in ANCHORS:
        s = _supplier(
            rng,
            spec.key,
            spec.stem,
            spec.form,
            spec.category,
            _postcode(rng, spec.district),
            spec.sme,
            spec.vcse,
            trading_as=spec.trading_as,
            overrides=dict(spec.overrides),
            alternates=dict(spec.alternates),
            anchor=True,
        )
        if spec.key in LEADING_ZERO_ANCHORS:
            s = replace(
                s,
                company_number=f"0{rng.randint(1_000_000, 9_999_999)}",
                strip_zeros=LEADING_ZERO_ANCHORS[spec.key],
                coh_in_ledger=True,
            )
        suppliers[s.key] = s
        for m in spec.members:
            if MEMBERS[m].mix.get(spec.category):
                # Shared suppliers are the big ones in their category: that is why they are shared.
                rel[m][spec.category].append((s.key, 3.0 + rng.random()))

    used_names = {s.registered_name.lower() for s in suppliers.values()}
    for member in MEMBERS.values():
        mix = {k: w for k, w in member.mix.items() if CATEGORIES[k].trades or k == "grants"}
        total = sum(mix.values())
        for cat_key, weight in mix.items():
            n = max(1, round(member.tail_size * weight / total))
            for rank in range(n):
                s = _invent_supplier(rng, member, cat_key, len(suppliers), used_names)
                suppliers[s.key] = s
                tail_weight = 1.0 / (rank + 1) ** 0.7
                rel[member.org_id][cat_key].append((s.key, tail_weight))
                # A fifth of local suppliers also work for a neighbour: more shared spend to find.
                if rng.random() < 0.2:
                    others = [
                        o
                        for o in MEMBER_ORDER
                        if o != member.org_id and MEMBERS[o].mix.get(cat_key)
                    ]
                    if others:
                        rel[rng.choice(others)][cat_key].append((s.key, tail_weight * 0.6))
    return Cast(suppliers, {m: dict(v) for m, v in rel.items()})


def _invent_supplier(
    rng: random.Random, member: Member, cat_key: str, index: int, used: set[str]
) -> Supplier:
    cat = CATEGORIES[cat_key]
    where = rng.random()
    if where < 0.7:
        district = rng.choice(member.districts)
    elif where < 0.93:
        district = rng.choice(REGIONAL_DISTRICTS)
    else:
        district = rng.choice(NATIONAL_DISTRICTS)
    for _ in range(50):
        vcse = cat_key == "grants" or (cat.domain == "adults" and rng.random() < 0.15)
        trading_as = None
        if vcse:
            stem = f"{rng.choice(PLACES)} {rng.choice(VCSE_WORDS)}"
            form = rng.choice(("", "", "CIC"))
        else:
            trade = rng.choice(cat.trades)
            p = rng.random()
            if p < 0.33:
                stem = f"{rng.choice(SURNAMES)} {trade}"
            elif p < 0.5:
                stem = f"{rng.choice(SURNAMES)} & {rng.choice(SURNAMES)} {trade}"
            elif p < 0.75:
                stem = f"{rng.choice(PLACES)} {trade}"
            elif p < 0.93:
                stem = f"{rng.choice(ADJECTIVES)} {trade}"
            else:
                surname = rng.choice(SURNAMES)
                stem = f"{rng.choice('ABCDEGJKMPRST')} {surname}"
                trading_as = f"{surname} {trade}"
            if trading_as:
                form = ""
            elif cat_key in ("legal", "consultancy") and rng.random() < 0.4:
                form = "LLP"
            else:
                form = rng.choice(("Ltd", "Ltd", "Ltd", "Limited", "Limited", ""))
        candidate = f"{stem} {form}".strip().lower()
        if candidate not in used:
            used.add(candidate)
            break
    sme = vcse or rng.random() < 0.85
    return _supplier(
        rng,
        f"s{index:04d}",
        stem,
        form,
        cat_key,
        _postcode(rng, district),
        sme,
        vcse,
        trading_as=trading_as,
    )


def published_name(supplier: Supplier, member: str, rng: random.Random | None = None) -> str:
    """The name ``member`` prints for ``supplier``; each member has its own house style."""
    if rng is not None and member in supplier.alternates and rng.random() < 0.25:
        return supplier.alternates[member]
    if member in supplier.overrides:
        return supplier.overrides[member]
    style = MEMBERS[member].name_style
    stem, form, ta = supplier.stem, supplier.form, supplier.trading_as
    if style == "title":
        # Castlemoor's finance system title-cases names: "Bramley Hart & Co Llp", "Mcallister".
        form = "Ltd" if form == "Limited" else form
        return f"{stem} {form}".strip().title() + (f" T/A {ta.title()}" if ta else "")
    if style == "upper":
        form = "LTD" if form in ("Ltd", "Limited") else form.upper()
        return (f"{stem} {form}".strip() + (f" T/A {ta}" if ta else "")).upper()
    if style == "limited":
        form = "Limited" if form == "Ltd" else form
    elif style == "and":
        stem = stem.replace(" & ", " and ")
    return f"{stem} {form}".strip() + (f" t/a {ta}" if ta else "")


# ---------------------------------------------------------------------------------------------
# Spend lines


@dataclass(frozen=True)
class SpendLine:
    member: str
    month_index: int
    paid: date
    supplier: str | None  # supplier key; None for a redacted payee
    payee: str  # the name as this member prints it on this line
    category: str
    pence: int  # net amount; negative for credit notes and discounts
    vat_pence: int
    kind: str  # invoice, credit, discount
    transaction: str
    invoice: str
    department: str
    purpose: str
    repeat: bool = False  # printed a second time as a separate payment (identical row)


def _add_months(d: date, n: int) -> date:
    y, m = divmod(d.month - 1 + n, 12)
    return date(d.year + y, m + 1, 1)


def _month_end(d: date) -> date:
    return _add_months(d, 1) - timedelta(days=1)


def _pay_days(month: date, weekdays: Sequence[int]) -> list[date]:
    holidays = {(12, 25), (12, 26), (1, 1)}
    days = []
    d = month
    while d.month == month.month:
        if d.weekday() in weekdays and (d.month, d.day) not in holidays:
            days.append(d)
        d += timedelta(days=1)
    return days


def _amount(rng: random.Random, cat: Category, floor: int) -> int:
    pence = 0
    for _ in range(6):
        pence = round(rng.lognormvariate(math.log(cat.median), cat.spread) * 100)
        if pence >= floor:
            break
    else:
        pence = round(floor * (1 + rng.random() * 0.6))
    if cat.key in ("grants", "directpay", "rescare") and rng.random() < 0.4:
        pence = max(round(pence, -3), 1000)  # whole tens of pounds, as grants and fees often are
    elif rng.random() < 0.08:
        pence = max(round(pence, -2), 100)
    return max(1, min(pence, 75_000_000))


def _purpose(rng: random.Random, cat: Category, paid: date) -> str:
    template = rng.choice(cat.purposes)
    # Only the placeholders the template uses are drawn: this runs for every line.
    values: dict[str, object] = {}
    if "{mon}" in template or "{period}" in template:
        service = _add_months(date(paid.year, paid.month, 1), -1)
        values["mon"] = f"{MONTHS[service.month - 1][:3]} {service.year % 100:02d}"
        values["period"] = f"{service:%d/%m/%y}-{_month_end(service):%d/%m/%y}"
    if "{week}" in template:
        values["week"] = f"{paid - timedelta(days=rng.randint(4, 12)):%d.%m.%y}"
    if "{ref}" in template:
        values["ref"] = rng.randint(10_000, 99_999)
    if "{n}" in template:
        values["n"] = rng.randint(1, 12)
    if "{reg}" in template:
        letters = "".join(rng.choice("ABCDEFGHJKLMNPRSTUVWXYZ") for _ in range(3))
        values["reg"] = (
            f"{rng.choice('BCDFMPSY')}{rng.choice('DFKLNPRSUVXY')}{rng.randint(15, 25)} {letters}"
        )
    return template.format(**values)


def _invoice_number(supplier: Supplier, counter: int) -> str:
    style = supplier.invoice_style
    if style == 0:
        return f"INV{counter:06d}"
    if style == 1:
        return str(counter)
    if style == 2:
        return f"SI-{counter}"
    if style == 3:
        return f"{counter}/{supplier.vendor_id % 100:02d}"
    return f"{supplier.stem[:3].upper()}{counter:05d}"


class _Ledger:
    """Per-member sequences: transaction numbers and each supplier's invoice numbering."""

    def __init__(self, rng: random.Random, member: str) -> None:
        self.member = member
        self.txn = {BRI: 5100480000, CAS: 1600660000, NHS: 4012000, FIRE: 21000, HOU: 30490000}[
            member
        ] + rng.randint(0, 9999)
        self.discount_txn = 1700078000 + rng.randint(0, 999)
        self.invoice_counters: dict[str, int] = {}
        self.rng = rng

    def next_txn(self) -> str:
        self.txn += 1
        return str(self.txn)

    def next_invoice(self, supplier: Supplier) -> str:
        n = self.invoice_counters.get(supplier.key)
        if n is None:
            n = self.rng.randint(1_000, 90_000)
        n += self.rng.randint(1, 40)
        self.invoice_counters[supplier.key] = n
        return _invoice_number(supplier, n)


def _department(rng: random.Random, member: Member, cat: Category) -> str:
    if not member.departments:
        return cat.unit
    return rng.choice(member.departments[cat.domain])


def _member_lines(
    member: Member, cast: Cast, seed: int, months: int, scale: float
) -> list[list[SpendLine]]:
    """Spend lines for each month, before any layout is applied."""
    rng = random.Random(f"{seed}/{member.org_id}/spend")
    ledger = _Ledger(rng, member.org_id)
    rels = cast.relationships[member.org_id]
    cats = [k for k in member.mix if k == "directpay" or rels.get(k)]
    cat_cum = list(accumulate(member.mix[k] for k in cats))
    # Cumulative weights once per member, not once per line: this loop makes every line.
    choice_of: dict[str, tuple[list[str], list[float]]] = {
        k: ([key for key, _ in options], list(accumulate(w for _, w in options)))
        for k, options in rels.items()
    }
    by_month: list[list[SpendLine]] = []
    for mi in range(months):
        month = _add_months(FIRST_MONTH, mi)
        days = _pay_days(month, member.pay_weekdays)
        n = max(1, round(member.lines_per_year / 12 * SEASON[month.month] * scale))
        lines: list[SpendLine] = []
        for _ in range(n):
            cat = CATEGORIES[rng.choices(cats, cum_weights=cat_cum)[0]]
            paid = rng.choice(days)
            pence = _amount(rng, cat, member.threshold)
            # Payments to people: direct payments always, some care placements, and the odd
            # compensation or relocation payment in any category.
            redacted = (
                cat.key == "directpay"
                or (cat.domain in ("adults", "children") and rng.random() < 0.05)
                or rng.random() < (0.02 if member.org_id == FIRE else 0.004)
            )
            purpose = _purpose(rng, cat, paid)
            dept = _department(rng, member, cat)
            if redacted:
                if cat.domain not in ("adults", "children"):
                    purpose = rng.choice(
                        (
                            "Compensation payment",
                            "Relocation expenses",
                            "Refund of charges",
                            "Settlement",
                        )
                    )
                lines.append(
                    SpendLine(
                        member.org_id,
                        mi,
                        paid,
                        None,
                        member.redacted,
                        cat.key,
                        pence,
                        0,
                        "invoice",
                        ledger.next_txn(),
                        "REDACTED PERSONAL DATA",
                        dept,
                        purpose,
                    )
                )
                continue
            keys, cum = choice_of[cat.key]
            key = rng.choices(keys, cum_weights=cum)[0]
            supplier = cast.suppliers[key]
            kind = "invoice"
            if rng.random() < member.credit_rate:
                kind = "credit"
                pence = -max(1, round(pence * rng.uniform(0.05, 1.0)))
                purpose = rng.choice(("Credit note", "CREDIT NOTE - overcharge", "Refund"))
            vat = round(pence * 0.2) if cat.vat else 0
            line = SpendLine(
                member.org_id,
                mi,
                paid,
                key,
                published_name(supplier, member.org_id, rng),
                cat.key,
                pence,
                vat,
                kind,
                ledger.next_txn(),
                ledger.next_invoice(supplier),
                dept,
                purpose,
            )
            lines.append(line)
            if kind == "invoice" and rng.random() < member.duplicate_rate:
                lines.append(replace(line, repeat=True))
            if (
                member.org_id == BRI
                and kind == "invoice"
                and cat.key in ("construction", "roads", "property")
                and rng.random() < 0.35
            ):
                lines.append(_cash_discount(rng, ledger, line))
        _ensure_month_quirks(rng, member, ledger, lines)
        by_month.append(lines)
    return by_month


def _cash_discount(rng: random.Random, ledger: _Ledger, line: SpendLine) -> SpendLine:
    # Prompt-payment discount the payer takes back, printed as its own negative line.
    ledger.discount_txn += 1
    return replace(
        line,
        pence=-max(1, round(line.pence * rng.uniform(0.01, 0.025))),
        vat_pence=0,
        kind="discount",
        transaction=str(ledger.discount_txn),
        department="FI:Cash Disc Taken",
        purpose=f"CASH DISCOUNT TAKEN - {line.transaction}",
    )


def _ensure_month_quirks(
    rng: random.Random, member: Member, ledger: _Ledger, lines: list[SpendLine]
) -> None:
    """Make the promised quirks certain, not merely likely, whatever the scale."""
    invoices = [ln for ln in lines if ln.kind == "invoice" and ln.supplier]
    if not invoices:
        return
    if member.duplicate_rate and not any(ln.repeat for ln in lines):
        lines.append(replace(invoices[0], repeat=True))
    if member.org_id == BRI and not any(ln.kind == "discount" for ln in lines):
        lines.append(_cash_discount(rng, ledger, max(invoices, key=lambda ln: ln.pence)))
    # The cp1252 member prints credits with a trailing minus; one of at least £1,000 a month
    # shows the thousands separator too ("1,996.00-").
    big_credit = member.org_id == FIRE and not any(ln.pence <= -100_000 for ln in lines)
    if big_credit or not any(ln.kind == "credit" for ln in lines):
        base = invoices[-1]
        pence = -rng.randint(100_000, 450_000) if member.org_id == FIRE else -base.pence
        lines.append(
            replace(
                base,
                pence=pence,
                vat_pence=round(pence * 0.2) if base.vat_pence else 0,
                kind="credit",
                transaction=ledger.next_txn(),
                purpose="Credit note",
            )
        )


# ---------------------------------------------------------------------------------------------
# Formatting


def _money(pence: int) -> str:
    sign = "-" if pence < 0 else ""
    p = abs(pence)
    return f"{sign}{p // 100}.{p % 100:02d}"


def _money_trimmed(pence: int) -> str:
    # Castlemoor's export drops ".00" from whole-pound amounts in some months: "700,0,700".
    return _money(pence)[:-3] if pence % 100 == 0 else _money(pence)


def _money_thousands(pence: int, trailing_minus: bool = False) -> str:
    p = abs(pence)
    text = f"{p // 100:,}.{p % 100:02d}"
    if pence < 0:
        return f"{text}-" if trailing_minus else f"-{text}"
    return text


def _csv_bytes(
    rows: Sequence[Sequence[object]], encoding: str = "utf-8", newline: str = "\r\n"
) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator=newline)
    writer.writerows(rows)
    return buf.getvalue().encode(encoding)


@dataclass
class _Written:
    file: DemoFile
    relpath: str
    layout: str
    rows: int
    quirks: list[str]


# ---------------------------------------------------------------------------------------------
# Spend layouts

LGA_HEADER = [
    "OrganisationLabel",
    "EffectiveDate",
    "OrganisationalUnit",
    "BeneficiaryName",
    "PaymentDate",
    "TransactionNumber",
    "Amount",
    "IrrecoverableVATAmount",
    "Purpose",
    "ProclassLabel",
    "ProclassCode",
    "VATRegistrationNumber",
]


def _write_lga(out: Path, months: list[list[SpendLine]], cast: Cast) -> list[_Written]:
    member = MEMBERS[BRI]
    written = []
    for mi, lines in enumerate(months):
        month = _add_months(FIRST_MONTH, mi)
        rows: list[list[object]] = [LGA_HEADER]
        # The publisher sorts newest payment first.
        for ln in sorted(
            lines, key=lambda x: (-x.paid.toordinal(), x.payee.lower(), x.transaction)
        ):
            cat = CATEGORIES[ln.category]
            s = cast.suppliers[ln.supplier] if ln.supplier else None
            known = s is None or s.proclass_known
            rows.append(
                [
                    member.file_name,
                    _month_end(month).isoformat(),
                    ln.department,
                    ln.payee[:35],  # the export truncates names at 35 characters
                    ln.paid.isoformat(),
                    ln.transaction,
                    _money(ln.pence),
                    "0.00",
                    ln.purpose,
                    cat.label if known else "NA",
                    cat.code if known else "NA",
                    s.vat_number if s and s.vat_in_ledger and s.vat_number else "NA",
                ]
            )
        rel = f"{BRI}/spend/{month:%Y-%m}.csv"
        (out / rel).write_bytes(_csv_bytes(rows))
        quirks = [
            "all payments published (no £500 floor)",
            "names cut at 35 characters",
            "`NA` for missing values",
            "identical rows (separate payments)",
            "`CASH DISCOUNT TAKEN` negative lines",
            "payee `Redacted`",
        ]
        written.append(
            _Written(
                DemoFile(out / rel, BRI, "spend"),
                rel,
                "LGA-style CSV (UTF-8)",
                len(rows) - 1,
                quirks if mi == 0 else ["same layout as the first month"],
            )
        )
    return written


GROSS_HEADER = [
    "Authority Name",
    "Date of Payment",
    "DocumentNo",
    "Gross",
    "VAT",
    "Net",
    "Vendor Name",
    "Service Area",
    "GL Description",
]


def _trailing_comma_months(months: int) -> set[int]:
    chosen = {i for i in (2, 8, 11) if i < months}
    return chosen or {months - 1}


def _write_gross_net(out: Path, months: list[list[SpendLine]]) -> list[_Written]:
    member = MEMBERS[CAS]
    trailing = _trailing_comma_months(len(months))
    written = []
    for mi, lines in enumerate(months):
        month = _add_months(FIRST_MONTH, mi)
        header = list(GROSS_HEADER)
        if mi == 1:
            header[2] = "Document Number"  # one month's export renamed a column
        fmt = _money if mi in trailing else _money_trimmed
        rows: list[list[object]] = [header]
        for ln in sorted(lines, key=lambda x: (x.paid, x.payee.lower(), x.transaction)):
            row: list[object] = [
                member.file_name,
                ln.paid.isoformat(),
                ln.transaction,
                fmt(ln.pence + ln.vat_pence),
                fmt(ln.vat_pence),
                fmt(ln.pence),
                ln.payee,
                ln.department,
                CATEGORIES[ln.category].expense,
            ]
            if mi in trailing:
                row.append("")  # a trailing comma on every data row, not on the header
            rows.append(row)
        rel = f"{CAS}/spend/{month:%Y-%m}.csv"
        (out / rel).write_bytes(_csv_bytes(rows))
        quirks = []
        if mi == 0:
            quirks += [
                "Gross/VAT/Net columns",
                "whole pounds without decimals (`700`)",
                "names title-cased (`Bramley Hart & Co Llp`)",
                "`Redacted Personal Information`",
                "`Redacta Document Services` is real",
            ]
        if mi == 1:
            quirks.append("`Document Number` instead of `DocumentNo`")
        if mi in trailing:
            quirks.append("trailing comma on every data row")
        written.append(
            _Written(
                DemoFile(out / rel, CAS, "spend"),
                rel,
                "Gross/VAT/Net CSV (UTF-8)",
                len(rows) - 1,
                quirks or ["same layout as the first month"],
            )
        )
    return written


def _write_card_report(out: Path, seed: int, months: int, scale: float) -> list[_Written]:
    """Castlemoor's purchase-card report: 3-line preamble, header, lines, blank line, Total."""
    rng = random.Random(f"{seed}/{CAS}/cards")
    written = []
    years = sorted({_fy_start(_add_months(FIRST_MONTH, i)) for i in range(months)})
    for fy in years:
        month_indexes = [i for i in range(months) if _fy_start(_add_months(FIRST_MONTH, i)) == fy]
        lines: list[tuple[date, list[object], int]] = []
        for mi in month_indexes:
            month = _add_months(FIRST_MONTH, mi)
            last = _month_end(month).day
            for _ in range(max(1, round(20 * scale))):
                merchant, mcc, desc = rng.choice(CARD_MERCHANTS)
                pence = max(99, round(rng.lognormvariate(math.log(45), 1.0) * 100))
                pence = min(pence, 250_000)
                if rng.random() < 0.04:
                    pence, desc = -pence, f"Refund - {desc.lower()}"
                day = date(month.year, month.month, rng.randint(1, last))
                directorate = rng.choice(("People", "Place", "Service Reform", "Public Health"))
                # Card statements print dd-Mon-yy dates.
                when = f"{day.day:02d}-{MONTHS[day.month - 1][:3]}-{day.year % 100:02d}"
                lines.append((day, [directorate, when, merchant, mcc, _money(pence), desc], pence))
        lines.sort(key=lambda t: (t[0], t[1][2]))
        start, end = (
            _add_months(FIRST_MONTH, month_indexes[0]),
            _month_end(_add_months(FIRST_MONTH, month_indexes[-1])),
        )
        total = sum(p for _, _, p in lines)
        rows: list[list[object]] = [
            ["Castlemoor City Council - Purchase Card Transactions", "", "", "", "", ""],
            [
                f"Report run: {_add_months(end, 1) + timedelta(days=13):%d/%m/%Y} 09:12:44",
                "",
                "",
                "",
                "",
                "",
            ],
            [f"Period: {start:%d/%m/%Y} to {end:%d/%m/%Y}", "", "", "", "", ""],
            [
                "Directorate",
                "Transaction Date",
                "Merchant Name",
                "Merchant Category",
                "Amount",
                "Description",
            ],
            *[row for _, row, _ in lines],
            ["", "", "", "", "", ""],
            ["Total", "", "", "", _money(total), ""],
        ]
        rel = f"{CAS}/spend/purchase-cards-{fy.year}-{(fy.year + 1) % 100:02d}.csv"
        (out / rel).write_bytes(_csv_bytes(rows))
        written.append(
            _Written(
                DemoFile(out / rel, CAS, "spend"),
                rel,
                "card report CSV (UTF-8)",
                len(lines),
                [
                    "3-line report preamble",
                    "blank line then a `Total` footer equal to the sum",
                    "`dd-Mon-yy` dates",
                    "no £500 floor (card spend)",
                    "refunds negative",
                ],
            )
        )
    return written


def _fy_start(d: date) -> date:
    return date(d.year if d.month >= 4 else d.year - 1, 4, 1)


CALDERDALE_HEADER = [
    "Body",
    "Organisation Name",
    "Date",
    "Internal Ref Number",
    "Invoice Number",
    "Net Amount",
    "Irrecoverable VAT",
    "Supplier(Beneficiary) Name",
    "Supplier Registered Company Number",
    "Supplier Registered Charity Number",
    "Supplier ID",
    "VAT Registration Number",
    "Expense Area",
    "Procurement Classification: Council's Procurement Category Name",
    "Expense Code",
    "BVACOP",
    "Proclass",
    "Extended Description",
    "Source",
    "Subsource",
    "Definition",
    "Purpose of Spend (Summary)",
    "Voluntary Community and Social Enterprise Supplier",
]
LEDGER_GROUP = {
    "adults": "Private Contractors",
    "children": "Private Contractors",
    "workforce": "Agency Costs",
    "ict": "Equipment Furniture And Materials",
    "utilities": "Energy Costs",
    "fleet": "Transport Related Expenditure",
    "facilities": "Services",
    "works": "Construction & Conversion",
    "corporate": "Services",
    "clinical": "Equipment Furniture And Materials",
    "housing": "Private Contractors",
    "repairs": "Private Contractors",
}


def _write_transparency23(out: Path, months: list[list[SpendLine]], cast: Cast) -> list[_Written]:
    member = MEMBERS[HOU]
    written = []
    internal = 30490000
    for mi, lines in enumerate(months):
        month = _add_months(FIRST_MONTH, mi)
        rows: list[list[object]] = [CALDERDALE_HEADER]
        # This publisher sorts by supplier name; redacted (blank) names come first.
        for ln in sorted(lines, key=lambda x: (x.payee.lower(), x.paid, x.transaction)):
            internal += 1
            cat = CATEGORIES[ln.category]
            s = cast.suppliers[ln.supplier] if ln.supplier else None
            company = ""
            if s and s.company_number and s.coh_in_ledger:
                company = s.company_number.lstrip("0") if s.strip_zeros else s.company_number
            group = "Grants And Subscriptions" if cat.key == "grants" else LEDGER_GROUP[cat.domain]
            redacted = s is None
            rows.append(
                [
                    "https://greenacre-homes.example/",
                    member.file_name,
                    ln.paid.isoformat(),
                    str(internal),
                    ln.invoice,
                    _money(ln.pence),
                    "N/A",
                    ln.payee,
                    company,
                    (s.charity_number or "") if s else "",
                    f"S{s.vendor_id}" if s else "Personal Payments",
                    "",
                    ln.department,
                    group,
                    str(10_000_000 + (int(cat.code) * 7919) % 89_999_999),
                    "",
                    "",
                    "",
                    "CQ" if redacted else "IV",
                    "PP" if redacted else "AP",
                    "Personal Payments" if redacted else "Accounts Payable Invoices",
                    "Payments to individuals"
                    if redacted
                    else "Payment of accounts payable invoices",
                    "Y" if s and s.vcse else "",
                ]
            )
        rel = f"{HOU}/spend/{month:%Y-%m}.csv"
        # UTF-8 with a byte-order mark, as this layout's publishers save from Excel.
        (out / rel).write_bytes(_csv_bytes(rows, encoding="utf-8-sig"))
        quirks = [
            "UTF-8 with BOM",
            "company numbers on some lines, some without leading zeros",
            "charity numbers for VCSE suppliers",
            "VCSE flag column (`Y`/blank)",
            "blank payee with invoice `REDACTED PERSONAL DATA`",
            "empty BVACOP/Proclass",
        ]
        written.append(
            _Written(
                DemoFile(out / rel, HOU, "spend"),
                rel,
                "23-column Transparency Code CSV",
                len(rows) - 1,
                quirks if mi == 0 else ["same layout as the first month"],
            )
        )
    return written


FIRE_GEN1 = [
    "Service Cost Centre",
    "Account Detail",
    "Description",
    "Ref No",
    "Name",
    "Payment date",
    "Net Amount(£)",
]
FIRE_GEN2 = [
    "Department Area",
    "Service Area",
    "Description",
    "Line",
    "Ref No.",
    "Name:  ",
    "Payment Date",
    "Net Amount(£)",
]
FIRE_AREAS = {
    "PREVENTION": ("SDL - Service Delivery", "PRV - Prevention & Protection"),
    "HR & TRAINING": ("PEO - People", "HRT - HR & Training"),
    "ICT": ("COR - Corporate", "ICT - ICT"),
    "ESTATES": ("COR - Corporate", "EST - Estates"),
    "ESTATES - CAPITAL": ("COR - Corporate", "ESC - Estates Capital"),
    "FLEET & WORKSHOPS": ("SDL - Service Delivery", "FLT - Fleet & Workshops"),
    "TRAINING CENTRE": ("PEO - People", "TRC - Training Centre"),
    "FINANCE & CORPORATE": ("COR - Corporate", "FIN - Finance"),
    "OPERATIONAL EQUIPMENT": ("SDL - Service Delivery", "OPE - Operational Equipment"),
    "OCCUPATIONAL HEALTH": ("PEO - People", "OCH - Occupational Health"),
}
FIRE_FILE_NAMES = (
    "{Month}-{yyyy}.csv",
    "{Mon}-{yy}.csv",
    "{Month}-{yyyy}-csv.csv",
    "{Mon}{yy}.csv",
    "{Month}-{yy}-CSV.csv",
    "{yy}{mm}.csv",
)


def _fire_header_last_month(months: int) -> int:
    return 9 if months > 9 else months - 1


def _write_cp1252(out: Path, seed: int, months: list[list[SpendLine]]) -> list[_Written]:
    """Wyndale Fire: cp1252, two header generations, trailing-minus credits, a header-last file."""
    rng = random.Random(f"{seed}/{FIRE}/cards")
    header_last = _fire_header_last_month(len(months))
    written = []
    for mi, lines in enumerate(months):
        month = _add_months(FIRST_MONTH, mi)
        gen2 = mi >= 6  # a new finance system half way through the year
        lines = list(lines) + _fire_card_lines(rng, month, mi)
        body: list[list[object]] = []
        batch = 18_000 + mi * 40
        batches: dict[date, int] = {}
        for ln in sorted(lines, key=lambda x: (x.paid, x.payee, x.transaction)):
            if ln.paid not in batches:
                batches[ln.paid] = batch + len(batches)
            amount = _money_thousands(ln.pence, trailing_minus=True)
            if ln.kind == "card":
                ref = ln.transaction
            else:
                ref = f"B{batches[ln.paid]:09d}/{ln.transaction}"
            if gen2:
                dept_area, service_area = FIRE_AREAS[ln.department]
                body.append(
                    [
                        dept_area,
                        service_area,
                        ln.purpose,
                        1,
                        ref,
                        ln.payee,
                        f"{ln.paid:%d/%m/%y}",
                        amount,
                    ]
                )
            else:
                body.append(
                    [
                        ln.department,
                        CATEGORIES[ln.category].expense.upper(),
                        ln.purpose.upper(),
                        ref,
                        ln.payee,
                        f"{ln.paid:%d/%m/%Y}",
                        amount,
                    ]
                )
        header = FIRE_GEN2 if gen2 else FIRE_GEN1
        rows = [*body, header] if mi == header_last else [header, *body]
        pattern = FIRE_FILE_NAMES[mi % len(FIRE_FILE_NAMES)]
        name = pattern.format(
            Month=MONTHS[month.month - 1],
            Mon=MONTHS[month.month - 1][:3],
            yyyy=month.year,
            yy=f"{month.year % 100:02d}",
            mm=f"{month.month:02d}",
        )
        rel = f"{FIRE}/spend/{name}"
        (out / rel).write_bytes(_csv_bytes(rows, encoding="cp1252"))
        quirks = [f"header generation {2 if gen2 else 1}"]
        if mi == 0:
            quirks += [
                "cp1252: `Net Amount(£)` is byte 0xA3; `È` in a supplier name",
                "spend over £250",
                "thousands separators inside quotes",
                "trailing-minus negatives (`1,996.00-`)",
                "`REDACTED` payees",
                "purchase-card lines mixed in (`P-CARD - …` reference)",
                "`dd/mm/yyyy` dates",
                "file names in several styles",
            ]
        if mi == 6:
            quirks += ["second header generation (`Name:  `, `Line`)", "`dd/mm/yy` dates"]
        if mi == header_last:
            quirks.append("header row comes LAST")
        written.append(
            _Written(DemoFile(out / rel, FIRE, "spend"), rel, "cp1252 CSV, CRLF", len(body), quirks)
        )
    return written


def _fire_card_lines(rng: random.Random, month: date, mi: int) -> list[SpendLine]:
    days = _pay_days(month, (0, 1, 2, 3, 4))
    ref = f"P-CARD - {MONTHS[month.month - 1][:3].upper()} {month.year % 100:02d}"
    out = []
    for _ in range(rng.randint(2, 5)):
        merchant, _mcc, desc = rng.choice(CARD_MERCHANTS)
        pence = 25_000 + round(rng.lognormvariate(math.log(150), 0.9) * 100)
        line = SpendLine(
            FIRE,
            mi,
            rng.choice(days),
            None,
            merchant,
            "stationery",
            pence,
            0,
            "card",
            ref,
            "",
            rng.choice(("ESTATES", "FINANCE & CORPORATE", "TRAINING CENTRE")),
            desc.upper(),
        )
        out.append(line)
        if rng.random() < 0.15:
            out.append(line)  # card statements repeat identical lines for separate purchases
    return out


NHS_HEADER = [
    "Department Family",
    "Entity",
    "Date",
    "Expense Type",
    "Expense Area",
    "Supplier",
    "Transaction Number",
    "Amount",
    "Description",
    "Supplier Postcode",
]
SHEET_NAME_STYLES = (
    "{Mon} {yyyy}",
    "{Mon}-{yy}",
    "{Month} {yyyy}",
    "{MON}{yy}",
    "{Mon} {yy}",
    "{Month} {yyyy}",
    "{Mon}-{yy}",
    "{Mon} {yyyy}",
    "{Mon}{yy}",
    "{Month} {yyyy}",
    "{Mon} {yy}",
    "{Mon}-{yyyy}",
)
XLSX_TIME = (2026, 4, 14, 9, 0, 0)


def _write_workbook(out: Path, months: list[list[SpendLine]], cast: Cast) -> list[_Written]:
    """The trust's workbook: one sheet per month, sheet names in no consistent style."""
    member = MEMBERS[NHS]
    written = []
    years = sorted({_fy_start(_add_months(FIRST_MONTH, i)) for i in range(len(months))})
    for fy in years:
        wb = Workbook(write_only=True)  # streams rows: about twice as fast as the cell model
        count = 0
        quirks = [
            "one sheet per month",
            "sheet names in several styles (`Apr 2025`, `May-25`, `JUL25` …)",
            "real Excel dates",
            "numeric amounts",
            "title row and blank row above the header from October",
            "`Supplier Postcode` column",
            "`&` written as `and`, `LTD.`",
        ]
        for mi, lines in enumerate(months):
            month = _add_months(FIRST_MONTH, mi)
            if _fy_start(month) != fy:
                continue
            style = SHEET_NAME_STYLES[(month.month - 4) % 12]
            title = style.format(
                Mon=MONTHS[month.month - 1][:3],
                Month=MONTHS[month.month - 1],
                MON=MONTHS[month.month - 1][:3].upper(),
                yyyy=month.year,
                yy=f"{month.year % 100:02d}",
            )
            ws = wb.create_sheet(title)
            if month.month >= 10 or month.month <= 3:
                # A second template: a title row and a blank row before the header.
                ws.append(
                    [
                        f"{member.file_name} - Expenditure over £500 - "
                        f"{MONTHS[month.month - 1]} {month.year}"
                    ]
                )
                ws.append([])
            ws.append(NHS_HEADER)
            for ln in sorted(lines, key=lambda x: (x.paid, x.transaction)):
                s = cast.suppliers[ln.supplier] if ln.supplier else None
                when = WriteOnlyCell(ws, datetime(ln.paid.year, ln.paid.month, ln.paid.day))
                when.number_format = "dd/mm/yyyy"  # a real Excel date, shown the British way
                amount = WriteOnlyCell(ws, ln.pence / 100)
                amount.number_format = "#,##0.00"
                ws.append(
                    [
                        "Department of Health and Social Care",
                        member.file_name,
                        when,
                        CATEGORIES[ln.category].expense,
                        ln.department,
                        ln.payee,
                        int(ln.transaction),
                        amount,
                        ln.purpose,
                        s.postcode if s else "",
                    ]
                )
                count += 1
        rel = f"{NHS}/spend/expenditure-over-500-{fy.year}-{(fy.year + 1) % 100:02d}.xlsx"
        (out / rel).write_bytes(_xlsx_bytes(wb))
        written.append(
            _Written(DemoFile(out / rel, NHS, "spend"), rel, "xlsx workbook", count, quirks)
        )
    return written


def _xlsx_bytes(wb: Workbook) -> bytes:
    """Workbook bytes that do not depend on the clock (zip entry times, document properties)."""
    fixed = datetime(*XLSX_TIME)
    wb.properties.created = fixed
    wb.properties.modified = fixed
    wb.properties.creator = "Finance Systems"
    raw = io.BytesIO()
    # ExcelWriter rather than Workbook.save, which stamps the current time as "modified".
    ExcelWriter(wb, zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED)).save()
    src = zipfile.ZipFile(io.BytesIO(raw.getvalue()))
    result = io.BytesIO()
    with zipfile.ZipFile(result, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=XLSX_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o600 << 16
            dst.writestr(entry, src.read(info.filename))
    return result.getvalue()


# ---------------------------------------------------------------------------------------------
# Contracts registers

REGISTER_HEADER = [
    "Directorate Name",
    "Process Used",
    "Purchasing Body",
    "Contract Reference",
    "Contract Title",
    "Contract Description",
    "Supplier Company Name",
    "Supplier Postcode",
    "Annual Value",
    "Total Contract Value (including extensions)",
    "OJEU/FTS?",
    "Start Date",
    "End Date",
    "Contract Duration (months)",
    "Option to extend (months)",
    "How many extensions",
    "Extension 1 Taken?",
    "Extension 2 Taken?",
    "Current Expiry Date",
    "SME Supplier?",
    "ProClass Classification",
    "ProClass Description",
    "Company Number",
    "Visibility",
]
REGISTER_MEMBERS = (BRI, CAS, FIRE)
DIRECTORATES = {
    BRI: {
        "adults": "Adults & Wellbeing",
        "children": "Children's Services",
        "works": "Place",
        "facilities": "Place",
        "fleet": "Place",
        "utilities": "Place",
        "repairs": "Place",
        "housing": "Place",
        "clinical": "Adults & Wellbeing",
    },
    CAS: {
        "adults": "People",
        "children": "People",
        "works": "Place",
        "facilities": "Place",
        "fleet": "Place",
        "utilities": "Place",
        "repairs": "Place",
        "housing": "Regeneration",
        "clinical": "Public Health",
    },
    FIRE: {
        "fleet": "Fleet & Engineering",
        "works": "Estates",
        "repairs": "Estates",
        "facilities": "Estates",
        "utilities": "Estates",
        "clinical": "Service Delivery",
    },
}
DEFAULT_DIRECTORATE = {
    BRI: "Corporate Resources",
    CAS: "Service Reform",
    FIRE: "Corporate Services",
}
CONTRACT_TITLES = {
    "cleaning": "Cleaning Services for Operational Buildings",
    "agency": "Managed Service for Temporary Agency Resource",
    "fleetmaint": "Fleet Maintenance and Repair",
    "electricity": "Supply of Electricity (Half-Hourly and Non-Half-Hourly)",
    "gas": "Supply of Natural Gas",
    "insurance": "Corporate Insurance Programme",
    "software": "Finance and HR System - Licences and Support",
    "security": "Manned Guarding, Keyholding and Alarm Response",
    "fuel": "Fuel Cards",
    "training": "Corporate Training Framework",
    "waste": "Commercial and Clinical Waste Collection and Disposal",
    "domcare": "Home Support Services",
    "rescare": "Residential Care Placements",
    "supliving": "Supported Living Services",
    "daycare": "Day Opportunities",
    "mentalhealth": "Community Mental Health Support",
    "childres": "Children's Residential Placements",
    "interp": "Interpretation and Translation Services",
    "telecoms": "Mobile Voice and Data",
    "hardware": "End User Devices",
    "water": "Water Retail Services",
    "leasing": "Vehicle Lease",
    "taxi": "Home to School Transport",
    "laundry": "Linen Hire and Laundry",
    "property": "Responsive Repairs",
    "food": "Provisions",
    "grounds": "Grounds Maintenance",
    "construction": "Building Works",
    "roads": "Highway Resurfacing",
    "legal": "Legal Services",
    "consultancy": "Consultancy Support",
    "stationery": "Office Supplies",
    "printing": "Print Management",
    "archiving": "Confidential Waste and Records Storage",
    "postage": "Postal Services",
    "grants": "Grant Agreement",
    "housing": "Temporary Accommodation",
    "ppe": "Personal Protective Equipment",
    "medical": "Occupational Health Service",
    "drugs": "Pharmacy Supplies",
    "fireequip": "Fire Safety Equipment Servicing",
}


@dataclass
class Contract:
    member: str
    category: str
    title: str
    description: str
    supplier: str | None  # supplier key; None for a multi-supplier framework
    annual: int | None  # pence; None prints "-"
    total: int | None
    start: date
    end: date
    duration: int
    option_months: int = 0
    extensions: int = 0
    ext_taken: int = 0
    process: str = ""
    purchasing_body: str = ""
    reference: str = ""
    collaboration: bool = False  # one of the contracts whose end dates line up across members
    overrides: dict[str, str] = field(default_factory=dict)  # column -> text (TBC, X …)


def _contracts(
    seed: int, cast: Cast, spend: dict[str, list[list[SpendLine]]], months: int
) -> dict[str, list[Contract]]:
    rng = random.Random(f"{seed}/contracts")
    as_at = _month_end(_add_months(FIRST_MONTH, months - 1))
    out: dict[str, list[Contract]] = {m: [] for m in REGISTER_MEMBERS}
    annual_spend: dict[str, dict[str, int]] = {}
    for m in REGISTER_MEMBERS:
        totals: dict[str, int] = defaultdict(int)
        for lines in spend[m]:
            for ln in lines:
                if ln.supplier and ln.kind == "invoice":
                    totals[ln.supplier] += ln.pence
        annual_spend[m] = {k: round(v * 12 / months) for k, v in totals.items()}

    def main_supplier(m: str, cat: str) -> str | None:
        options = cast.relationships[m].get(cat) or []
        return max(options, key=lambda kw: kw[1])[0] if options else None

    def value(m: str, key: str | None, floor: int = 1_000_000) -> int:
        spent = annual_spend[m].get(key, 0) if key else 0
        return max(floor, int(round(spent * rng.uniform(0.95, 1.25), -5)))  # whole £1,000s

    # Joint-commissioning windows: each member's contract in these categories ends within a few
    # months of the others'.
    for cat in COLLABORATION:
        base = _add_months(date(as_at.year, as_at.month, 1), rng.randint(6, 30))
        joint_ref = f"WPP-{rng.randint(10, 99):03d}"
        for m in REGISTER_MEMBERS:
            key = main_supplier(m, cat)
            if key is None:
                continue
            joint = cat == "agency" and m in (BRI, CAS)  # one collaborative contract, two registers
            end = _month_end(_add_months(base, 0 if joint else rng.randint(-3, 3)))
            duration = 48 if joint else rng.choice((24, 36, 48))
            annual = value(m, key)
            option = rng.choice((0, 12, 24))
            out[m].append(
                Contract(
                    m,
                    cat,
                    CONTRACT_TITLES[cat] + (" (Wyndale collaborative)" if joint else ""),
                    CONTRACT_TITLES[cat],
                    key,
                    annual,
                    annual * (duration + option) // 12,
                    _add_months(end, 1 - duration),
                    end,
                    duration,
                    option,
                    option // 12,
                    0,
                    purchasing_body=PARTNERSHIP if joint else "",
                    reference=joint_ref if joint else "",
                    collaboration=True,
                )
            )

    # Big contracts: two at or above £5m, more at or above £2m (Procurement Act thresholds).
    majors = (
        (
            BRI,
            "construction",
            "Brindleford Leisure Centre Redevelopment",
            "tarnvalley",
            312_000_000,
            24,
            date(2025, 6, 2),
        ),
        (
            BRI,
            "roads",
            "Highway Resurfacing Programme 2025-28",
            None,
            70_000_000,
            36,
            date(2025, 4, 1),
        ),
        (
            CAS,
            "domcare",
            "Home Support Services Framework",
            None,
            360_000_000,
            48,
            date(2024, 10, 1),
        ),
        (
            CAS,
            "construction",
            "Castlemoor Town Hall Refurbishment",
            "tarnvalley",
            137_500_000,
            24,
            date(2025, 9, 1),
        ),
        (
            FIRE,
            "leasing",
            "Fire Appliance Replacement Programme",
            "castleton",
            60_000_000,
            48,
            date(2025, 7, 1),
        ),
        (
            BRI,
            "supliving",
            "Supported Living Services Framework",
            None,
            45_000_000,
            48,
            date(2023, 4, 1),
        ),
        (
            FIRE,
            "ppe",
            "Operational PPE Framework (various suppliers)",
            None,
            9_000_000,
            36,
            date(2024, 4, 1),
        ),
    )
    for m, cat, title, key, annual, duration, start in majors:
        if key is None and cat == "roads":
            key = main_supplier(m, cat)
        end = _add_months(start, duration) - timedelta(days=1)
        out[m].append(
            Contract(
                m,
                cat,
                title,
                title,
                key,
                annual,
                annual * duration // 12,
                start,
                end,
                duration,
                12,
                1,
                0,
            )
        )

    # The rest: each member's other big suppliers, with end dates spread either side of today.
    for m, count in ((BRI, 45), (CAS, 40), (FIRE, 22)):
        taken = {c.supplier for c in out[m]}
        ranked = sorted(annual_spend[m].items(), key=lambda kv: (-kv[1], kv[0]))
        added = 0
        for key, spent in ranked:
            if added >= count:
                break
            if key in taken or spent < 500_000:  # registers list contracts over £5,000
                continue
            supplier = cast.suppliers[key]
            duration = rng.choice((12, 24, 36, 48, 60))
            # Already started (a register lists let contracts), some already past their end.
            offset = rng.randint(-10, min(40, duration - 1))
            end = _month_end(_add_months(date(as_at.year, as_at.month, 1), offset))
            option = rng.choice((0, 0, 12, 24))
            annual = max(500_000, int(round(spent * rng.uniform(0.8, 1.3), -4)))
            title = CONTRACT_TITLES[supplier.category]
            if supplier.category in ("construction", "property", "roads"):
                site = rng.choice(("Depot", "Library", "Estate", "Station", "Centre"))
                title = f"{title} - {rng.choice(PLACES)} {site}"
            out[m].append(
                Contract(
                    m,
                    supplier.category,
                    title,
                    title,
                    key,
                    annual,
                    annual * (duration + option) // 12,
                    _add_months(end, 1 - duration),
                    end,
                    duration,
                    option,
                    option // 12,
                    0,
                )
            )
            taken.add(key)
            added += 1

    # Concessions cost the member nothing, so their value columns read "-".
    for m in (BRI, CAS):
        start = date(2024, 4, 1)
        out[m].append(
            Contract(
                m,
                "legal",
                "Concession for Enforcement Agency Services",
                "Collection of unpaid council tax and parking penalties",
                "bramley",
                None,
                None,
                start,
                date(2027, 3, 31),
                36,
                12,
                1,
                0,
            )
        )

    for m, contracts in out.items():
        _finish_register(rng, m, contracts)
    return out


def _finish_register(rng: random.Random, member: str, contracts: list[Contract]) -> None:
    """Processes, references and the deliberate quirks (TBC, X, blank references)."""
    prefix = {BRI: "BMBC", CAS: "S", FIRE: "WFRS/"}[member]
    contracts.sort(key=lambda c: (c.title.lower(), c.supplier or ""))
    for i, c in enumerate(contracts):
        total = c.total or 0
        if total >= 21_490_400:
            c.process = c.process or rng.choice(("ITT", "Mini-Comp", "Direct Call-Off"))
        else:
            c.process = c.process or rng.choice(
                ("RFQ", "CSO Exception", "Other", "Direct Call-Off")
            )
        c.purchasing_body = c.purchasing_body or MEMBERS[member].file_name
        if not c.reference and rng.random() > 0.06:  # a few contracts have no reference
            c.reference = f"{prefix}{1000 + i * 7 + rng.randint(0, 6)}"
        if c.option_months and c.end < _add_months(FIRST_MONTH, 12) and rng.random() < 0.5:
            c.ext_taken = 1
    # Quirks chosen from the member's own smaller contracts, so the big ones stay well formed.
    small = [
        c
        for c in contracts
        if c.total and c.total < 20_000_000 and c.supplier and not c.collaboration
    ]
    picks = rng.sample(small, k=min(len(small), 3))
    tbc = picks[: 2 if member == BRI else 1]
    for c in tbc:
        c.overrides.update({"Start Date": "TBC", "End Date": "TBC", "Current Expiry Date": "TBC"})
        c.title = c.title + " (procurement in progress)"
    if member in (BRI, CAS) and len(picks) > 2:
        picks[2].overrides.update({"Start Date": "X", "Contract Duration (months)": "X"})


def _write_register(
    out: Path, member: str, contracts: list[Contract], cast: Cast, months: int
) -> _Written:
    iso = member == CAS
    rows: list[list[object]] = [REGISTER_HEADER]

    def d(x: date) -> str:
        return x.isoformat() if iso else f"{x:%d/%m/%Y}"

    for c in contracts:
        cat = CATEGORIES[c.category]
        s = cast.suppliers[c.supplier] if c.supplier else None
        expiry = _add_months(c.end + timedelta(days=1), 12 * c.ext_taken) - timedelta(days=1)
        company = "Various"
        if s:
            company = s.company_number or ""
            # Registers lose leading zeros: this one always (a number column), the others sometimes.
            if company.isdigit() and (member == CAS or s.strip_zeros):
                company = company.lstrip("0")
        label = cat.register_label
        if member == CAS and c.category in ("construction", "roads", "grounds") and len(rows) % 2:
            label = "Works Construction, Repair and Maintenance"  # the same class spelt twice
        ext = (
            ("N/A", "N/A")
            if not c.extensions
            else ("Yes" if c.ext_taken else "", "Yes" if c.ext_taken > 1 else "")
        )
        row = {
            "Directorate Name": DIRECTORATES[member].get(cat.domain, DEFAULT_DIRECTORATE[member]),
            "Process Used": c.process,
            "Purchasing Body": c.purchasing_body,
            "Contract Reference": c.reference,
            "Contract Title": c.title,
            "Contract Description": c.description,
            "Supplier Company Name": s.registered_name if s else "Various Providers",
            "Supplier Postcode": s.postcode if s else "Various",
            "Annual Value": _money(c.annual) if c.annual is not None else "-",
            "Total Contract Value (including extensions)": _money(c.total)
            if c.total is not None
            else "-",
            "OJEU/FTS?": "Yes" if (c.total or 0) >= 21_490_400 and c.process == "ITT" else "No",
            "Start Date": d(c.start),
            "End Date": d(c.end),
            "Contract Duration (months)": str(c.duration),
            "Option to extend (months)": str(c.option_months),
            "How many extensions": str(c.extensions),
            "Extension 1 Taken?": ext[0],
            "Extension 2 Taken?": ext[1],
            "Current Expiry Date": d(expiry),
            "SME Supplier?": ("Yes" if s.sme else "No") if s else "Various",
            "ProClass Classification": cat.code,
            "ProClass Description": label,
            "Company Number": company,
            "Visibility": "Public",
        }
        row.update(c.overrides)
        rows.append([row[h] for h in REGISTER_HEADER])
    as_at = _add_months(FIRST_MONTH, months - 1)
    rel = f"{member}/contracts/contracts-register-{as_at:%Y-%m}.csv"
    data = _csv_bytes(rows, newline="\n")
    quirks = [
        "`TBC` in date columns",
        "`Various` supplier, postcode, company number and SME flag",
        "`-` as the value of concessions",
        "company numbers without leading zeros",
        "some contracts without a reference",
    ]
    if member == CAS:
        # A byte-order mark that went through Latin-1 and back to UTF-8: bytes C3 AF C2 BB C2 BF.
        data = "\ufeff".encode().decode("latin-1").encode("utf-8") + data
        quirks += [
            "starts with a double-encoded BOM (`ï»¿`)",
            "ISO dates",
            "`X` in a date and a duration column",
            "one class spelt two ways",
        ]
    elif member == BRI:
        quirks += [
            "`dd/mm/yyyy` dates",
            "`X` in a date and a duration column",
            "a collaborative contract shared with castlemoor (same reference)",
        ]
    else:
        quirks += ["`dd/mm/yyyy` dates"]
    (out / rel).write_bytes(data)
    return _Written(
        DemoFile(out / rel, member, "contracts"),
        rel,
        "contracts register CSV",
        len(rows) - 1,
        quirks,
    )


# ---------------------------------------------------------------------------------------------
# Accounts-payable extracts (invoice and payment dates: what payment-time figures need)

PAYMENTS_HEADER = [
    "Invoice Number",
    "Supplier Name",
    "Invoice Date",
    "Invoice Received Date",
    "Payment Date",
    "Amount",
    "Disputed",
]
PAYMENT_MEMBERS = (BRI, CAS)


def _days_to_pay(rng: random.Random, disputed: bool) -> int:
    if disputed:
        return rng.randint(45, 160)
    u = rng.random()
    if u < 0.72:
        return rng.randint(2, 30)
    if u < 0.9:
        return rng.randint(31, 60)
    if u < 0.97:
        return rng.randint(61, 90)
    return rng.randint(91, 140)


def _periods(months: int) -> list[tuple[date, date]]:
    """Six-month reporting periods ending 31 March and 30 September, clipped to the demo span."""
    first, last = FIRST_MONTH, _month_end(_add_months(FIRST_MONTH, months - 1))
    periods = []
    start = date(first.year, 4 if first.month >= 4 and first.month < 10 else 10, 1)
    if first.month < 4:
        start = date(first.year - 1, 10, 1)
    while start <= last:
        end = _add_months(start, 6) - timedelta(days=1)
        periods.append((max(start, first), min(end, last)))
        start = _add_months(start, 6)
    return periods


def _write_payments(
    out: Path, seed: int, member: str, months: list[list[SpendLine]], cast: Cast
) -> list[_Written]:
    rng = random.Random(f"{seed}/{member}/payments")
    iso = member == CAS

    def d(x: date | None) -> str:
        if x is None:
            return ""
        return x.isoformat() if iso else f"{x:%d/%m/%Y}"

    invoices = [
        ln
        for lines in months
        for ln in lines
        if ln.kind == "invoice" and ln.supplier and not ln.repeat and ln.pence > 0
    ]
    written = []
    for start, end in _periods(len(months)):
        rows: list[tuple[date, str, list[object]]] = []
        for ln in invoices:
            if not start <= ln.paid <= end:
                continue
            s = cast.suppliers[ln.supplier or ""]
            disputed = rng.random() < 0.03
            received = ln.paid - timedelta(days=_days_to_pay(rng, disputed))
            issued = received - timedelta(
                days=rng.randint(0, 5) if rng.random() < 0.9 else rng.randint(6, 25)
            )
            amount = ln.pence + ln.vat_pence if member == CAS else ln.pence
            rows.append(
                (
                    ln.paid,
                    ln.invoice,
                    [
                        ln.invoice,
                        published_name(s, member),
                        d(issued),
                        d(received),
                        d(ln.paid),
                        _money(amount),
                        ("Yes" if disputed else "No") if iso else ("Y" if disputed else "N"),
                    ],
                )
            )
        # Invoices received in the period and still unpaid when it closed: blank Payment Date.
        keys = sorted({ln.supplier or "" for ln in invoices})
        unpaid = max(1, len(rows) // 60)
        for _ in range(unpaid):
            s = cast.suppliers[rng.choice(keys)]
            received = end - timedelta(days=rng.randint(0, 75))
            disputed = rng.random() < 0.2
            pence = _amount(rng, CATEGORIES[s.category], MEMBERS[member].threshold)
            number = _invoice_number(s, rng.randint(100_000, 999_999))
            rows.append(
                (
                    end + timedelta(days=1),
                    number,
                    [
                        number,
                        published_name(s, member),
                        d(received - timedelta(days=rng.randint(0, 6))),
                        d(received),
                        "",
                        _money(pence),
                        ("Yes" if disputed else "No") if iso else ("Y" if disputed else "N"),
                    ],
                )
            )
        rows.sort(key=lambda t: (t[0], t[1]))
        table: list[list[object]] = [PAYMENTS_HEADER, *[r for _, _, r in rows]]
        rel = f"{member}/payments/invoices-{start:%Y-%m}-to-{end:%Y-%m}.csv"
        (out / rel).write_bytes(_csv_bytes(table))
        written.append(
            _Written(
                DemoFile(out / rel, member, "payments"),
                rel,
                "accounts-payable extract CSV",
                len(rows),
                [
                    f"period {start:%d %b %Y} – {end:%d %b %Y}",
                    "ISO dates" if iso else "`dd/mm/yyyy` dates",
                    "`Yes`/`No` disputed flag" if iso else "`Y`/`N` disputed flag",
                    "most paid within 30 days, a tail past 90",
                    "unpaid invoices: blank Payment Date",
                    "Amount is gross" if member == CAS else "Amount as in the spend file (net)",
                ],
            )
        )
    return written


# ---------------------------------------------------------------------------------------------
# Manifest and entry point


def _manifest(
    written: list[_Written],
    cast: Cast,
    contracts: dict[str, list[Contract]],
    seed: int,
    months: int,
    scale: float,
) -> str:
    first, last = FIRST_MONTH, _add_months(FIRST_MONTH, months - 1)
    out = [
        f"# {NETWORK_NAME} — demonstration data",
        "",
        "**Everything here is fiction.** The members, suppliers, people, places and figures were "
        "made up by `observatory.demo` (seed "
        f"{seed}, {months} months from {MONTHS[first.month - 1]} {first.year} to "
        f"{MONTHS[last.month - 1]} {last.year}, scale {scale:g}). No row comes from a real file: "
        "the files copy the *shapes and quirks* of real publishers' files so that loading them "
        "shows what the product does with real data. Postcodes sit in real postcode districts "
        "but their inward codes are random; company and VAT numbers are random too (VAT numbers "
        "pass the check-digit test) and may belong to unrelated real companies: do not look them "
        "up.",
        "",
        "Load with the members in `organisations.toml` (pass it as the organisations file, or set "
        "`OBSERVATORY_ORGANISATIONS`).",
        "",
        "`reference/proclass-demo.csv` holds the ProClass v17 headings the files use (install with "
        "`observatory categories import`); `reference/postcodes.csv` gives each invented postcode "
        "the local-authority district its postcode district mostly lies in (install with "
        "`observatory reference import-postcodes`).",
        "",
        "## Members",
        "",
        "| org_id | name | spend layout | spend lines |",
        "|---|---|---|---|",
    ]
    for m in MEMBER_ORDER:
        lines = sum(w.rows for w in written if w.file.organisation == m and w.file.kind == "spend")
        layouts = sorted(
            {w.layout for w in written if w.file.organisation == m and w.file.kind == "spend"}
        )
        out.append(f"| {m} | {MEMBERS[m].name} | {'; '.join(layouts)} | {lines} |")
    out += [
        "",
        "## Files",
        "",
        "| file | member | kind | layout | data rows | quirks |",
        "|---|---|---|---|---|---|",
    ]
    for w in written:
        quirks = "; ".join(w.quirks).replace("|", "\\|")
        out.append(
            f"| `{w.relpath}` | {w.file.organisation} | {w.file.kind} | {w.layout} | "
            f"{w.rows} | {quirks} |"
        )
    out += [
        "",
        "## One supplier, many spellings",
        "",
        "Shared suppliers are printed in each member's house style (and sometimes two ways "
        "by the same member):",
        "",
    ]
    for key in ("harbottle", "kestrel", "northernfleet", "bramley", "creme"):
        s = cast.suppliers[key]
        names = []
        for m in MEMBER_ORDER:
            if any(k == key for k, _ in cast.relationships[m].get(s.category, [])):
                name = published_name(s, m)
                name = name[:35] if m == BRI else name
                names.append(f"{m}: `{name}`")
                if m in s.alternates:
                    names.append(f"{m} (some lines): `{s.alternates[m]}`")
        out.append(f"- {s.registered_name}: " + "; ".join(names))
    out += [
        "",
        "## Contracts ending close together (joint-commissioning windows)",
        "",
        "| category | " + " | ".join(REGISTER_MEMBERS) + " |",
        "|---|" + "---|" * len(REGISTER_MEMBERS),
    ]
    for cat in COLLABORATION:
        cells = []
        for m in REGISTER_MEMBERS:
            ends = [c.end for c in contracts[m] if c.category == cat and c.collaboration]
            cells.append(f"{min(ends):%b %Y}" if ends else "—")
        out.append(f"| {CATEGORIES[cat].label} | " + " | ".join(cells) + " |")
    big = [
        (c.total or 0, m, c.title)
        for m in REGISTER_MEMBERS
        for c in contracts[m]
        if (c.total or 0) >= 200_000_000
    ]
    out += ["", "## Contracts of £2m or more", ""]
    for total, m, title in sorted(big, reverse=True):
        out.append(f"- {m}: {title} — £{total / 100:,.0f}")
    out.append("")
    return "\n".join(out)


def write_demo_network(
    out_dir: Path, seed: int = 2024, months: int = 12, scale: float = 1.0
) -> DemoNetwork:
    """Write the fictional network's files into ``out_dir``; the same seed gives the same bytes.

    ``months`` counts from April 2025; ``scale`` multiplies the number of spend lines (1.0 gives
    2,000–4,000 lines per member per year). Existing files of the same names are overwritten;
    nothing else in ``out_dir`` is touched.
    """
    if months < 1:
        raise ValueError("months must be at least 1")
    if scale <= 0:
        raise ValueError("scale must be positive")
    out = Path(out_dir)
    for m in MEMBER_ORDER:
        for kind in KINDS:
            (out / m / kind).mkdir(parents=True, exist_ok=True)

    cast = _build_cast(seed)
    spend = {m: _member_lines(MEMBERS[m], cast, seed, months, scale) for m in MEMBER_ORDER}

    written: list[_Written] = []
    written += _write_lga(out, spend[BRI], cast)
    written += _write_gross_net(out, spend[CAS])
    written += _write_card_report(out, seed, months, scale)
    written += _write_workbook(out, spend[NHS], cast)
    written += _write_cp1252(out, seed, spend[FIRE])
    written += _write_transparency23(out, spend[HOU], cast)

    contracts = _contracts(seed, cast, spend, months)
    for m in REGISTER_MEMBERS:
        written.append(_write_register(out, m, contracts[m], cast, months))
    for m in PAYMENT_MEMBERS:
        written += _write_payments(out, seed, m, spend[m], cast)

    # Remove kind folders this member does not use, so the tree shows only what exists.
    for m in MEMBER_ORDER:
        for kind in KINDS:
            folder = out / m / kind
            if not any(folder.iterdir()):
                folder.rmdir()

    organisations = out / "organisations.toml"
    organisations.write_bytes(
        resources.files("observatory.demo").joinpath("organisations.toml").read_bytes()
    )
    (out / "reference").mkdir(exist_ok=True)
    category_list = reference.write_category_list(
        out / "reference" / "proclass-demo.csv", (c.code for c in _CATEGORY_LIST)
    )
    postcode_lookup = reference.write_postcode_lookup(
        out / "reference" / "postcodes.csv", (s.postcode for s in cast.suppliers.values())
    )
    manifest = out / "MANIFEST.md"
    manifest.write_text(_manifest(written, cast, contracts, seed, months, scale), encoding="utf-8")
    return DemoNetwork(
        organisations, [w.file for w in written], manifest, category_list, postcode_lookup
    )
