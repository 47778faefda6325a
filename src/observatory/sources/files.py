"""Turn what a user names on the command line (files, folders, zips) into input files."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from observatory.sources.receipt import LoadError

TABLE_SUFFIXES = {".csv", ".tsv", ".txt", ".xlsx", ".xlsm", ".xls"}


@dataclass
class InputFile:
    display: str  # the path as given; a zip member is shown as 'archive.zip!member.csv'
    data: bytes


def _is_workbook_zip(data: bytes) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            return "[Content_Types].xml" in z.namelist()
    except zipfile.BadZipFile:
        return False


def _from_zip(display: str, data: bytes, suffixes: set[str]) -> Iterator[InputFile]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise LoadError(f"{display}: not a readable zip file ({exc})") from exc
    with archive:
        for info in sorted(archive.infolist(), key=lambda i: i.filename):
            if _wanted_member(info, suffixes):
                yield InputFile(f"{display}!{info.filename}", archive.read(info))


def _wanted_member(info: zipfile.ZipInfo, suffixes: set[str]) -> bool:
    name = info.filename
    if info.is_dir() or name.startswith("__MACOSX/") or Path(name).name.startswith("."):
        return False
    return Path(name).suffix.lower() in suffixes


def expand_inputs(inputs: Iterable[str], suffixes: set[str] | None = None) -> Iterator[InputFile]:
    wanted = suffixes or TABLE_SUFFIXES
    for given in inputs:
        path = Path(given)
        if path.is_dir():
            children = sorted(p for p in path.rglob("*") if p.is_file())
            for child in children:
                suffix = child.suffix.lower()
                if suffix in wanted or suffix == ".zip":
                    yield from expand_inputs([str(child)], wanted)
            continue
        if not path.exists():
            raise LoadError(f"{given}: no such file or folder")
        data = path.read_bytes()
        if path.suffix.lower() == ".zip" and not _is_workbook_zip(data):
            yield from _from_zip(given, data, wanted)
        else:
            yield InputFile(given, data)


def count_inputs(inputs: Iterable[str], suffixes: set[str] | None = None) -> int:
    """How many input files ``expand_inputs`` will give, read from the folders' listings and the
    zips' directories only (a national year is too big to read in advance)."""
    wanted = suffixes or TABLE_SUFFIXES
    total = 0
    for given in inputs:
        path = Path(given)
        if not path.exists():
            raise LoadError(f"{given}: no such file or folder")
        if path.is_dir():
            children = (p for p in path.rglob("*") if p.is_file())
            total += count_inputs(
                [str(c) for c in children if c.suffix.lower() in wanted | {".zip"}], wanted
            )
        elif path.suffix.lower() == ".zip":
            try:
                with zipfile.ZipFile(path) as archive:
                    names = archive.namelist()
                    if "[Content_Types].xml" in names:
                        total += 1
                    else:
                        total += sum(_wanted_member(i, wanted) for i in archive.infolist())
            except (zipfile.BadZipFile, OSError):
                total += 1  # expand_inputs reports it
        else:
            total += 1
    return total
