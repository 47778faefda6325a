"""The real publishers' file layouts the generator writes, so the real loader reads them.

Each layout is a header (as the real publisher prints it) and a function from a month's generated
columns to that header's columns. Text is assembled with Arrow compute (no Python loop per line).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from observatory.demo.generator import CALDERDALE_HEADER, GROSS_HEADER

Columns = dict[str, pa.Array]


@dataclass(frozen=True)
class Layout:
    name: str
    like: str  # the real publisher whose header it copies
    header: tuple[str, ...]
    columns: Callable[[Columns], list[pa.Array]]
    missing: str = ""  # how an empty cell is written ('NA' in Trafford's files)


def _call(name: str, args: list, options: pc.FunctionOptions | None = None) -> pa.Array:
    # pyarrow.compute's generated wrappers retry a failing import on every call; calling the
    # functions by name skips that (a third of the generator's time at 50M lines).
    return pc.call_function(
        name, [_scalar(a) if isinstance(a, str | float) else a for a in args], options
    )


@functools.cache
def _scalar(value: str | float) -> pa.Scalar:
    # Made once: each pa.scalar() retries importing dateutil when it is not installed (~0.1 ms),
    # and the generator passes the same few constants a quarter of a million times at 1M lines.
    return pa.scalar(value)


def money(pence: np.ndarray) -> pa.Array:
    """Pounds with two decimals from integer pence ('-0.05', '1234.50')."""
    pounds = _call("divide", [pa.array(pence, pa.float64()), 100.0])
    return pounds.cast(pa.decimal128(20, 2)).cast(pa.string())


def _const(value: str, n: int) -> pa.Array:
    return pa.array(np.full(n, value, dtype=object), pa.string())


def _lga(c: Columns) -> list[pa.Array]:
    n = len(c["supplier"])
    return [
        _const(c["member_name"], n),
        _const(c["member_uri"], n),
        c["month_end"],
        c["service_area"],
        c["supplier"],
        c["supplier_ref"],
        c["date"],
        c["transaction"],
        c["amount"],
        _const("0.00", n),
        c["purpose"],
        c["proclass_label"],
        c["proclass_code"],
        c["invoice"],
        c["cost_centre"],
        c["vat_number"],
    ]


def _expenses(c: Columns) -> list[pa.Array]:
    n = len(c["supplier"])
    return [
        _const(c["member_name"], n),
        c["service_area"],
        c["expense_type"],
        c["date"],
        c["transaction"],
        c["amount"],
        c["supplier"],
    ]


def _gross_net(c: Columns) -> list[pa.Array]:
    n = len(c["supplier"])
    return [
        _const(c["member_name"], n),
        c["date"],
        c["transaction"],
        c["gross"],
        c["vat"],
        c["amount"],
        c["supplier"],
        c["service_area"],
        c["expense_type"],
    ]


def _lgtc(c: Columns) -> list[pa.Array]:
    n = len(c["supplier"])
    empty = pa.nulls(n, pa.string())
    return [
        _const(c["member_uri"], n),
        _const(c["member_name"], n),
        c["date"],
        c["transaction"],
        c["invoice"],
        c["amount"],
        _const("N/A", n),
        c["supplier"],
        c["company_number"],
        empty,
        c["supplier_ref"],
        empty,
        c["service_area"],
        c["expense_type"],
        c["cost_centre"],
        empty,
        empty,
        empty,
        _const("IV", n),
        _const("AP", n),
        _const("Accounts Payable Invoices", n),
        _const("Payment of accounts payable invoices", n),
        empty,
    ]


LAYOUTS = {
    "lga": Layout(
        "lga",
        "trafford",
        (
            "OrganisationLabel",
            "OrganisationURI",
            "EffectiveDate",
            "OrganisationalUnit",
            "BeneficiaryName",
            "BeneficiaryOtherID",
            "PaymentDate",
            "TransactionNumber",
            "Amount",
            "IrrecoverableVATAmount",
            "Purpose",
            "ProclassLabel",
            "ProclassCode",
            "InvoiceNumber",
            "ProfitCentre",
            "VATRegistrationNumber",
        ),
        _lga,
        missing="NA",
    ),
    "expenses": Layout(
        "expenses",
        "manchester",
        (
            "Body Name",
            "Service Area",
            "Expenses Type",
            "Invoice Payment Date",
            "Transaction Number",
            "Net Amount",
            "Supplier Name",
        ),
        _expenses,
    ),
    "gross_net": Layout(
        "gross_net",
        "salford",
        tuple(GROSS_HEADER),
        _gross_net,
    ),
    "lgtc": Layout(
        "lgtc",
        "calderdale",
        tuple(CALDERDALE_HEADER),
        _lgtc,
    ),
}


def _cell(values: pa.Array, missing: str) -> pa.Array:
    """CSV text of one column: quoted only where the value holds a comma or a quote."""
    text = values if values.type == pa.string() else values.cast(pa.string())
    needs = _call("match_substring_regex", [text], pc.MatchSubstringOptions('[,"\\n]'))
    doubled = _call("replace_substring", [text], pc.ReplaceSubstringOptions('"', '""'))
    quoted = _call("binary_join_element_wise", ['"', doubled, '"', ""])
    return _call("coalesce", [_call("if_else", [needs, quoted, text]), missing])


def csv_bytes(
    layout: Layout, columns: Columns, trailing_comma: bool = False, footer: str | None = None
) -> bytes:
    """The file's bytes: header, one line per row (Salford's trailing comma when asked), and an
    optional footer line."""
    cells = [_cell(a, layout.missing) for a in layout.columns(columns)]
    lines = _call("binary_join_element_wise", [*cells, ","])
    if trailing_comma:
        lines = _call("binary_join_element_wise", [lines, ",", ""])
    rows = pa.ListArray.from_arrays(pa.array([0, len(lines)], pa.int32()), lines)
    body = _call("binary_join", [rows, "\n"])
    text = ",".join(layout.header) + "\n" + body[0].as_py() + "\n"
    if footer is not None:
        text += footer + "\n"
    return text.encode("utf-8")
