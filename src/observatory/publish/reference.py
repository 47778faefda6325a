"""``observatory reference fetch``: install the OCDS schemas and the UK extension, once, online.

This is the only code in the project that goes online for reference material, and it runs only
when a user asks. It writes the folder ``publish.schemas`` reads (the layout of ../shared/schemas):
the standard's schema folder from its 1__1__5 tag, repackaged as ``standard-1__1__5-schema.zip``
for ``libcoveocds --standard-zip``; the UK extension and each extension it depends on.
"""

from __future__ import annotations

import io
import json
import shutil
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.error import HTTPError
from urllib.request import Request, urlopen

from observatory.publish.schemas import STANDARD, UK_EXTENSION, dependency_folder

STANDARD_TAG = "1__1__5"
STANDARD_ZIP = f"https://codeload.github.com/open-contracting/standard/zip/{STANDARD_TAG}"
UK_EXTENSION_ZIPS = (
    "https://codeload.github.com/cabinetoffice/ocds_uk_extension/zip/refs/heads/main",
    "https://codeload.github.com/cabinetoffice/ocds_uk_extension/zip/refs/heads/master",
)
TIMEOUT = 60

Fetcher = Callable[[str], bytes]


class FetchError(RuntimeError):
    """A download failed; the message names the address."""


def download(url: str) -> bytes:
    request = Request(url, headers={"User-Agent": "procurement-observatory reference fetch"})
    with urlopen(request, timeout=TIMEOUT) as response:  # noqa: S310 - fixed https addresses
        return bytes(response.read())


@dataclass
class FetchResult:
    directory: Path
    files: int = 0
    extensions: list[str] = field(default_factory=list)


def _members(data: bytes, prefix_depth: int = 1) -> dict[str, bytes]:
    """Files of a GitHub archive, keyed by path without the archive's top folder."""
    out = {}
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for info in archive.infolist():
            if info.is_dir():
                continue
            parts = info.filename.split("/")[prefix_depth:]
            if parts:
                out["/".join(parts)] = archive.read(info)
    return out


def _write(root: Path, relative: str, data: bytes) -> None:
    target = root / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)


def _extension_files(files: dict[str, bytes]) -> dict[str, bytes]:
    """An extension's metadata, schema patch, codelists and licence."""
    keep = ("extension.json", "release-schema.json", "LICENSE", "README.md")
    return {k: v for k, v in files.items() if k in keep or k.startswith("codelists/")}


def _first(fetch: Fetcher, urls: tuple[str, ...] | list[str]) -> bytes:
    errors = []
    for url in urls:
        try:
            return fetch(url)
        except (HTTPError, OSError) as exc:
            errors.append(f"{url}: {exc}")
    raise FetchError("could not download " + "; ".join(errors))


def fetch_reference(target: Path, fetch: Fetcher = download) -> FetchResult:
    """Download into a temporary folder, then replace ``target``'s contents (so a failed fetch
    leaves an earlier install as it was)."""
    result = FetchResult(target)
    with tempfile.TemporaryDirectory() as scratch:
        staging = Path(scratch) / "schemas"
        standard = _members(_first(fetch, [STANDARD_ZIP]))
        schema_files = {
            k[len("schema/") :]: v for k, v in standard.items() if k.startswith("schema/")
        }
        if "release-schema.json" not in schema_files:
            raise FetchError(f"{STANDARD_ZIP}: no schema/release-schema.json in the archive")
        for name, data in schema_files.items():
            _write(staging / STANDARD, name, data)
        if "LICENSE" in standard:
            _write(staging / STANDARD, "LICENSE", standard["LICENSE"])
        _repackage_standard(staging / STANDARD, schema_files, standard.get("LICENSE"))
        uk = _extension_files(_members(_first(fetch, UK_EXTENSION_ZIPS)))
        if "extension.json" not in uk:
            raise FetchError("the UK extension archive has no extension.json")
        for name, data in uk.items():
            _write(staging / UK_EXTENSION, name, data)
        metadata = json.loads(uk["extension.json"])
        for url in metadata.get("dependencies", []):
            name = dependency_folder(url)
            files = _extension_files(_members(_first(fetch, [_archive_url(url)])))
            for relative, data in files.items():
                _write(staging / UK_EXTENSION / "dependencies" / name, relative, data)
            result.extensions.append(name)
        result.extensions.append("ocds_uk_extension")
        result.files = sum(1 for p in staging.rglob("*") if p.is_file())
        target.mkdir(parents=True, exist_ok=True)
        for folder in (STANDARD, UK_EXTENSION):
            shutil.rmtree(target / folder, ignore_errors=True)
            shutil.copytree(staging / folder, target / folder)
    return result


def _archive_url(extension_url: str) -> str:
    """``raw.githubusercontent.com/OWNER/REPO/REF/extension.json`` → its codeload zip."""
    parts = extension_url.split("/")
    try:
        host = parts.index("raw.githubusercontent.com")
    except ValueError as exc:
        raise FetchError(f"{extension_url}: not a GitHub raw address") from exc
    owner, repo, ref = parts[host + 1 : host + 4]
    return f"https://codeload.github.com/{owner}/{repo}/zip/{ref}"


def _repackage_standard(
    folder: Path, schema_files: dict[str, bytes], licence: bytes | None
) -> None:
    """``standard-1__1__5-schema.zip``: the layout ``libcoveocds --standard-zip`` expects."""
    top = f"standard-{STANDARD_TAG}"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(f"{top}/", b"")
        if licence is not None:
            archive.writestr(f"{top}/LICENSE", licence)
        for name in sorted(schema_files):
            archive.writestr(f"{top}/schema/{name}", schema_files[name])
    (folder / f"standard-{STANDARD_TAG}-schema.zip").write_bytes(buffer.getvalue())
