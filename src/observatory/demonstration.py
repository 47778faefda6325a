"""The demonstration network: generated files (default) or the real files under ../shared/data."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from observatory import organisations as orgs
from observatory.publish.records import seed_demo_records
from observatory.sources.contracts import load_contracts
from observatory.sources.files import expand_inputs
from observatory.sources.payments import load_payments
from observatory.sources.receipt import LoadError, Receipt
from observatory.sources.spend import load_spend
from observatory.sources.spend_layout import looks_like_contracts_register, vocabulary
from observatory.sources.tabular import find_layout, open_table
from observatory.store import Warehouse

if TYPE_CHECKING:
    from observatory.demo import DemoNetwork

Progress = Callable[[str, int], None]
DEMO_SEED = 2024


def shared_data_dir() -> Path | None:
    """Where the real published files are: $OBSERVATORY_SHARED_DATA, or ../shared/data."""
    candidates = [
        os.environ.get("OBSERVATORY_SHARED_DATA"),
        Path.cwd().parent / "shared" / "data",
        Path(__file__).resolve().parents[3] / "shared" / "data",
    ]
    for c in candidates:
        if c and Path(c).is_dir():
            return Path(c)
    return None


def _is_register(path: Path) -> bool:
    item = next(expand_inputs([str(path)]), None)
    if item is None:
        return False
    sheet = open_table(item.display, item.data).sheets[0]
    return looks_like_contracts_register(find_layout(sheet, vocabulary("contract_fields")).header)


def derive(warehouse: Warehouse) -> None:
    """What the analyses stand on: one supplier record across the network, then a category per
    line when a ProClass list is installed (the user's official file for real data; the
    generated network installs the headings its files use, see ``install_demo_reference``)."""
    from observatory.classify.categories import codes
    from observatory.classify.classification import classify
    from observatory.resolve.suppliers import resolve

    resolve(warehouse)
    if codes(warehouse, "proclass"):
        classify(warehouse)


def install_reference(warehouse: Warehouse, data_dir: Path) -> None:
    """The official code lists and postcode lookups the real data folder carries."""
    from observatory.classify.categories import import_code_list
    from observatory.resolve.registers import import_postcodes

    for name in ("proclass_17.csv", "cpv_codes.csv"):
        if (data_dir / "codelists" / name).exists():
            import_code_list(warehouse, data_dir / "codelists" / name)
    geography = data_dir / "geography"
    postcodes = [geography / n for n in ("gm_postcodes.csv", "trafford_postcodes.csv")]
    if all(p.exists() for p in postcodes):
        import_postcodes(warehouse, postcodes)


def install_demo_reference(warehouse: Warehouse, network: DemoNetwork) -> None:
    """The generated network's own reference files, installed as a user installs the official
    ones: its ProClass headings (so its lines are classified and carbon and modern-slavery risk
    have categories) and its postcode lookup (so its suppliers are placed for community wealth)."""
    from observatory.classify.categories import import_code_list
    from observatory.resolve.registers import import_postcodes

    if network.category_list is not None:
        import_code_list(warehouse, network.category_list)
    if network.postcode_lookup is not None:
        import_postcodes(warehouse, [network.postcode_lookup])


def load_real(
    warehouse: Warehouse, data_dir: Path, progress: Progress | None = None
) -> tuple[list[Receipt], list[str]]:
    """Every member folder's spend and registers, then the Contracts Finder packages."""
    receipts: list[Receipt] = []
    errors: list[str] = []
    for member in orgs.known(warehouse):
        folder = data_dir / member.org_id
        if not folder.is_dir():
            continue
        files = sorted(p for p in folder.iterdir() if p.suffix.lower() in {".csv", ".xlsx", ".zip"})
        registers = [p for p in files if p.suffix.lower() == ".csv" and _is_register(p)]
        spend = [str(p) for p in files if p not in registers]
        receipts += load_spend(warehouse, spend, member.org_id, progress=progress, errors=errors)
        if registers:
            receipts += load_contracts(
                warehouse,
                [str(p) for p in registers],
                member.org_id,
                progress=progress,
                errors=errors,
            )
    notices = data_dir / "ocds-contracts-finder"
    if notices.is_dir():
        receipts += load_contracts(warehouse, [str(notices)], progress=progress, errors=errors)
    install_reference(warehouse, data_dir)
    derive(warehouse)
    return receipts, errors


def load_generated(
    warehouse: Warehouse, out_dir: Path, seed: int = DEMO_SEED, progress: Progress | None = None
) -> tuple[list[Receipt], list[str]]:
    """Write the seeded demonstration files and load them."""
    from observatory.demo.generator import write_demo_network

    network = write_demo_network(out_dir, seed=seed)
    orgs.register(warehouse, orgs.read_config(network.organisations_file))
    receipts: list[Receipt] = []
    errors: list[str] = []
    by_kind: dict[tuple[str, str], list[str]] = {}
    for f in network.files:
        by_kind.setdefault((f.kind, f.organisation), []).append(str(f.path))
    for (kind, member), paths in by_kind.items():
        if kind == "spend":
            receipts += load_spend(warehouse, paths, member, progress=progress, errors=errors)
        elif kind == "contracts":
            receipts += load_contracts(warehouse, paths, member, progress=progress, errors=errors)
        elif kind == "payments":
            receipts += load_payments(warehouse, paths, member, progress=progress, errors=errors)
    seed_demo_records(warehouse)
    install_demo_reference(warehouse, network)
    derive(warehouse)
    return receipts, errors


def load_demo(
    warehouse: Warehouse,
    real: bool = False,
    data_dir: Path | None = None,
    progress: Progress | None = None,
) -> tuple[list[Receipt], list[str]]:
    if real:
        found = data_dir or shared_data_dir()
        if found is None or not found.is_dir():
            raise LoadError("the real data folder (../shared/data) was not found: pass --data-dir")
        return load_real(warehouse, found, progress)
    out_dir = (warehouse.path.parent if warehouse.path else Path.cwd()) / "demo-network"
    return load_generated(warehouse, out_dir, progress=progress)
