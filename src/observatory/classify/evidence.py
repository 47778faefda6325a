"""Spend lines and contracts turned into distinct evidence documents with their labels.

Most lines repeat evidence exactly (a care provider paid monthly under one purpose and service
area), so the classifier learns and predicts per distinct document and the warehouse joins the
result back to every line: that is what makes a year of lines take seconds.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from observatory.classify.features import Evidence, supplier_key, supplier_name_key
from observatory.store import Warehouse
from observatory.store.warehouse import sql_text

_EVIDENCE_COLUMNS = (
    "organisation, supplier_id, supplier_name, is_redacted, purpose, expense_type, service_area, "
    "cost_centre, supplier_ref, merchant_category, band"
)


@dataclass
class Documents:
    """Distinct evidence, and the labelled counts to learn from (weights are line counts)."""

    keys: list[int]  # doc hash, or row number for contracts
    evidence: list[Evidence]
    label_doc: list[int]  # index into evidence
    label_code: list[str]
    label_lines: list[int]
    label_holdout: list[bool]  # kept back to calibrate confidence
    name_keys: list[str | None]  # supplier_name_key() of each document, for people's decisions

    def __len__(self) -> int:
        return len(self.evidence)


def _evidence(row: dict[str, Any]) -> Evidence:
    return Evidence(
        organisation=row["organisation"],
        supplier=supplier_key(row["supplier_id"], row["supplier_name"], bool(row["is_redacted"])),
        purpose=row["purpose"],
        expense_type=row["expense_type"],
        service_area=row["service_area"],
        cost_centre=row["cost_centre"],
        supplier_ref=row["supplier_ref"],
        merchant_category=row["merchant_category"],
        band=row["band"],
    )


def stage_lines(warehouse: Warehouse, where: str = "", params: dict[str, Any] | None = None) -> int:
    """Build the temp table ``classify_lines`` (optionally only lines matching ``where``, written
    against ``spend_lines s``); returns its row count."""
    sql = sql_text("classify_lines").replace("/*where*/", f"WHERE {where}" if where else "")
    warehouse.execute(sql, params)
    return int(warehouse.fetch_value("SELECT count(*) FROM classify_lines"))


def holdout_date(
    warehouse: Warehouse,
    learn_where: str = "label IS NOT NULL",
    share: float = 0.15,
    params: dict[str, Any] | None = None,
) -> date | None:
    """The date after which the latest ``share`` of labelled lines falls: those lines calibrate
    confidence, as the model will be used forward in time."""
    return warehouse.fetch_value(
        f"SELECT quantile_disc(payment_date, $share) FROM classify_lines WHERE {learn_where}",
        {**(params or {}), "share": 1 - share},
    )


def _documents_sql(where: str = "") -> str:
    columns = ", ".join(f"any_value({c}) AS {c}" for c in _EVIDENCE_COLUMNS.split(", "))
    return (
        f"SELECT doc, {columns}, count(*) FILTER (WHERE label IS NULL) AS unlabelled "
        f"FROM classify_lines {where} GROUP BY doc ORDER BY doc"
    )


def line_documents(
    warehouse: Warehouse,
    learn_where: str = "label IS NOT NULL",
    holdout_from: date | None = None,
    label: str = "label",
    params: dict[str, Any] | None = None,
    labelled_only: bool = False,
    limit: int | None = None,
) -> Documents:
    """Distinct documents of ``classify_lines``, with the ``label`` column of the lines matching
    ``learn_where`` (evaluation learns from ``published_code`` only, so no decision leaks).
    ``labelled_only``: just the documents with a label (what a model learns from), which at
    national scale are a fraction of all of them; ``limit``: at most that many of them, the
    first by doc hash, which is a uniform random sample."""
    labelled = f"{label} IS NOT NULL AND {learn_where}"
    chosen = ""
    if labelled_only:
        chosen = (
            f"doc IN (SELECT DISTINCT doc FROM classify_lines WHERE {labelled} ORDER BY doc"
            + (f" LIMIT {int(limit)})" if limit else ")")
        )
    rows = warehouse.fetch(
        _documents_sql(f"WHERE {chosen}" if chosen else ""), params if labelled_only else None
    )
    index = {r["doc"]: i for i, r in enumerate(rows)}
    labels = warehouse.fetch(
        f"""
        SELECT doc, {label} AS label, coalesce(payment_date > $holdout, false) AS holdout,
               count(*) AS n
        FROM classify_lines WHERE {labelled} {f"AND {chosen}" if chosen else ""}
        GROUP BY ALL ORDER BY doc, label, holdout
        """,
        {**(params or {}), "holdout": holdout_from},
    )
    return Documents(
        keys=[r["doc"] for r in rows],
        evidence=[_evidence(r) for r in rows],
        label_doc=[index[r["doc"]] for r in labels],
        label_code=[r["label"] for r in labels],
        label_lines=[int(r["n"]) for r in labels],
        label_holdout=[bool(r["holdout"]) for r in labels],
        name_keys=[supplier_name_key(r["supplier_name"]) for r in rows],
    )


@dataclass
class DocumentChunk:
    keys: list[int]
    evidence: list[Evidence]
    name_keys: list[str | None]
    unlabelled: list[int]  # the document's lines without a label of their own


def document_chunks(warehouse: Warehouse, size: int = 200_000) -> Iterator[DocumentChunk]:
    """Every distinct document of ``classify_lines``, ``size`` at a time (in doc order): memory
    stays that of one chunk however many lines the warehouse holds. Each chunk is its own query
    (a streamed result would hold the connection, which the caller writes through between
    chunks)."""
    warehouse.execute(
        "CREATE OR REPLACE TEMP TABLE classify_documents AS "
        f"SELECT row_number() OVER (ORDER BY doc) AS k, * FROM ({_documents_sql()})"
    )
    total = int(warehouse.fetch_value("SELECT count(*) FROM classify_documents"))
    for start in range(0, total, size):
        rows = warehouse.fetch(
            "SELECT * FROM classify_documents WHERE k > $start AND k <= $stop ORDER BY k",
            {"start": start, "stop": start + size},
        )
        yield DocumentChunk(
            keys=[r["doc"] for r in rows],
            evidence=[_evidence(r) for r in rows],
            name_keys=[supplier_name_key(r["supplier_name"]) for r in rows],
            unlabelled=[int(r["unlabelled"]) for r in rows],
        )
    warehouse.execute("DROP TABLE classify_documents")


def stage_contracts(warehouse: Warehouse) -> list[dict[str, Any]]:
    """Build ``classify_contracts`` and return its rows (a few thousand at most)."""
    warehouse.execute(sql_text("classify_contracts"))
    return warehouse.fetch("SELECT * FROM classify_contracts ORDER BY contract_key")


def contract_evidence(row: dict[str, Any]) -> Evidence:
    return _evidence(row)
