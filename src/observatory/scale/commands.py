"""`observatory scale …`: national-scale data for benchmarks and capacity planning."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from observatory.commandline import JsonOption, ProgressBar, out, print_json, sub_app


def generate_command(
    lines: Annotated[int, typer.Option("--lines", help="Spend lines to generate in all.")],
    out_dir: Annotated[Path, typer.Option("--out", help="Folder to write (created).")],
    seed: Annotated[int, typer.Option("--seed", help="Random seed: same seed, same bytes.")] = 2024,
    members: Annotated[int, typer.Option("--members", help="Members of the network.")] = 300,
    months: Annotated[
        int, typer.Option("--months", help="Monthly files per member (from April 2024).")
    ] = 12,
    data_dir: Annotated[
        Path | None,
        typer.Option(
            "--data-dir",
            help="Real files to learn from [default: ../shared/data; the built-in profile "
            "when absent].",
        ),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Generate a national-scale spend dataset from the real files' distributions: monthly
    Transparency Code CSV files per member in the real publishers' layouts, the members'
    organisations file and a manifest. Load it with
    `OBSERVATORY_ORGANISATIONS=DIR/organisations.toml observatory load spend DIR/spend`."""
    from observatory.demonstration import shared_data_dir
    from observatory.scale.generator import generate
    from observatory.scale.profile import profile_for

    profile = profile_for(data_dir or shared_data_dir())
    with ProgressBar("generating members") as bar:
        manifest = generate(out_dir, lines, profile, members, months, seed, progress=bar)
    summary = {k: v for k, v in manifest.as_json().items() if k != "by_member"}
    if as_json:
        print_json(summary)
        return
    source = "the built-in profile" if summary["profile"].get("builtin") else "the real files"
    out.print(
        f"wrote {summary['lines']:,} spend lines (£{float(summary['amount']):,.2f}) for "
        f"{summary['members']} members in {summary['files']:,} files under {out_dir / 'spend'}; "
        f"learnt from {source}."
    )


def register(app: typer.Typer) -> None:
    scale = sub_app(app, "scale", "National-scale generated data (benchmarks, capacity planning).")
    scale.command("generate")(generate_command)
