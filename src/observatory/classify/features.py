"""What the classifier sees of a spend line or a contract: a bag of named evidence tokens.

Each token carries its family before ``=`` (supplier, purpose words, service area …) so that a
prediction's reason can name the evidence that carried it. Columns that only mean something
inside one publisher (service area, cost centre) are prefixed with the organisation; supplier
keys and words are shared, which is how members that publish no labels are classified.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

# Legal-form words and filler that publishers add or drop ("Ltd", "Limited", "The").
_LEGAL = re.compile(r"\b(LIMITED|LTD|PLC|LLP|LLC|CIC|CIO|INC|THE|CO|COMPANY|GROUP|UK|T A|AND)\b")
_NON_ALNUM = re.compile(r"[^A-Z0-9 ]+")
_WORD = re.compile(r"[a-z]{2,}")
_DIGITS = re.compile(r"\d+")

# Words that say nothing about what was bought (Trafford purposes end in invoice numbers and
# month names; contracts in procedure words).
_STOP_TEXT = """the and for of to in on at by with from a an or is be as are this that will which
jan feb mar apr may jun jul aug sep sept oct nov dec january february march april june july
august september october november december inv invoice ref no nr qtr"""
STOP_WORDS = frozenset(_STOP_TEXT.split())

REDACTED = "redacted"


def supplier_name_key(name: str | None) -> str | None:
    """A supplier name reduced to what identifies it: upper case, no punctuation, no legal form.
    Used while supplier resolution has not given the line a supplier_id."""
    if not name:
        return None
    text = _NON_ALNUM.sub(" ", name.upper().replace("&", " AND "))
    text = " ".join(_LEGAL.sub(" ", text).split())
    return f"name:{text}" if text else None


def supplier_key(supplier_id: str | None, name: str | None, is_redacted: bool) -> str | None:
    """The supplier as the classifier knows it: the resolved entity, else the normalised name.
    Redacted payees share one key, which carries only what redacted lines usually are."""
    if is_redacted:
        return REDACTED
    return supplier_id or supplier_name_key(name)


def words(text: str | None) -> list[str]:
    if not text:
        return []
    return [w for w in _WORD.findall(text.lower()) if w not in STOP_WORDS]


def purpose_head(purpose: str | None) -> str:
    """Trafford-style purposes put the account description first: 'STATIONERY - Q-Connect…'."""
    return _DIGITS.sub("0", (purpose or "").split(" - ")[0].strip().upper())


def amount_band(amount: float | None) -> str:
    if amount is None:
        return "none"
    sign = "-" if amount < 0 else "+"
    return f"{sign}{int(math.log10(abs(amount) + 1))}"


@dataclass(frozen=True)
class Evidence:
    """One distinct combination of what a line or contract shows (many lines share one)."""

    organisation: str
    supplier: str | None  # supplier_key()
    purpose: str | None  # spend purpose, or contract title and description
    expense_type: str | None
    service_area: str | None  # service area, department, directorate
    cost_centre: str | None
    supplier_ref: str | None  # the publisher's own supplier number
    merchant_category: str | None
    band: str  # amount_band()

    def tokens(self) -> list[str]:
        org = self.organisation
        head = purpose_head(self.purpose)
        area = (self.service_area or "").strip().upper()
        out = [f"m={self.band}"]
        if self.supplier:
            s = self.supplier
            out += [f"s={s}", f"sh={s}|{head}", f"sa={s}|{org}|{area}"]
            out.append(f"t={s}|{head}|{org}|{area}|{self.cost_centre or ''}")
        if head:
            out += [f"h={head}", f"ha={org}|{area}|{head}"]
        if area:
            out.append(f"a={org}|{area}")
        if self.cost_centre:
            out.append(f"c={org}|{self.cost_centre}")
        if self.supplier_ref and self.supplier != REDACTED:
            out.append(f"r={org}|{self.supplier_ref}")
        if self.expense_type:
            out.append(f"x={self.expense_type.strip().upper()}")
        if self.merchant_category:
            out.append(f"mc={self.merchant_category.strip()}")
        text = words(self.purpose) + words(self.expense_type)
        out += [f"w={w}" for w in text]
        out += [f"b={a} {b}" for a, b in zip(text, text[1:], strict=False)]
        out += [f"aw={w}" for w in words(self.service_area)]
        return out


# Token family -> how a reason names it.
FAMILIES = {
    "s": "supplier",
    "sh": "supplier and purpose",
    "sa": "supplier and service area",
    "t": "supplier, purpose and service area",
    "h": "purpose",
    "ha": "purpose and service area",
    "a": "service area",
    "c": "cost centre",
    "r": "supplier number",
    "x": "expense type",
    "mc": "merchant category",
    "w": "purpose text",
    "b": "purpose text",
    "aw": "service area text",
    "m": "amount",
}


def tokens(evidence: Evidence) -> list[str]:
    """The analyzer scikit-learn's vectoriser calls (a module-level function, so it pickles)."""
    return evidence.tokens()
