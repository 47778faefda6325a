"""`reference fetch` without a network: a fake fetcher serves GitHub-style archives built here from
../shared/schemas, and what is installed must read back as the same schema."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from urllib.error import HTTPError

import pytest

from observatory.publish.reference import (
    STANDARD_ZIP,
    UK_EXTENSION_ZIPS,
    FetchError,
    fetch_reference,
)
from observatory.publish.schemas import build_release_schema, load_schemas


def _archive(top: str, folder: Path, under: str = "", skip: tuple[str, ...] = ()) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in sorted(folder.rglob("*")):
            relative = path.relative_to(folder).as_posix()
            if path.is_file() and not relative.startswith(skip):
                archive.writestr(f"{top}/{under}{relative}", path.read_bytes())
    return buffer.getvalue()


def _served(shared: Path) -> dict[str, bytes]:
    standard = shared / "ocds-1.1.5"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("standard-1__1__5/LICENSE", (standard / "LICENSE").read_bytes())
        archive.writestr("standard-1__1__5/docs/index.md", b"not schema")
        for path in sorted(standard.rglob("*")):
            relative = path.relative_to(standard).as_posix()
            if path.is_file() and path.suffix in (".json", ".csv"):
                archive.writestr(f"standard-1__1__5/schema/{relative}", path.read_bytes())
    uk = shared / "ocds-uk-extension"
    served = {
        STANDARD_ZIP: buffer.getvalue(),
        UK_EXTENSION_ZIPS[0]: _archive(
            "ocds_uk_extension-main", uk, skip=("built/", "dependencies/")
        ),
    }
    for url in json.loads((uk / "extension.json").read_text())["dependencies"]:
        parts = url.split("/")
        owner, repo, ref = parts[3:6]
        zip_url = f"https://codeload.github.com/{owner}/{repo}/zip/{ref}"
        served[zip_url] = _archive(f"{repo}-{ref}", uk / "dependencies" / repo)
    return served


def test_fetch_installs_a_folder_that_reads_back_as_the_same_schema(
    schema_dir: Path, tmp_path: Path
) -> None:
    served = _served(schema_dir)
    asked: list[str] = []

    def fake(url: str) -> bytes:
        asked.append(url)
        if url not in served:
            raise HTTPError(url, 404, "Not Found", {}, None)  # type: ignore[arg-type]
        return served[url]

    target = tmp_path / "schemas"
    result = fetch_reference(target, fake)
    assert result.extensions[-1] == "ocds_uk_extension" and len(result.extensions) == 10
    assert build_release_schema(target) == build_release_schema(schema_dir)
    assert load_schemas(target).codelists == load_schemas(schema_dir).codelists
    assert set(asked) == set(served)
    with (
        zipfile.ZipFile(target / "ocds-1.1.5" / "standard-1__1__5-schema.zip") as made,
        zipfile.ZipFile(schema_dir / "ocds-1.1.5" / "standard-1__1__5-schema.zip") as shared,
    ):
        assert sorted(made.namelist()) == sorted(shared.namelist())


def test_a_failed_fetch_names_the_address_and_keeps_the_old_install(
    schema_dir: Path, tmp_path: Path
) -> None:
    target = tmp_path / "schemas"
    (target / "ocds-1.1.5").mkdir(parents=True)
    (target / "ocds-1.1.5" / "keep.txt").write_text("earlier install")

    def offline(url: str) -> bytes:
        raise OSError("Network is unreachable")

    with pytest.raises(FetchError, match="codeload.github.com/open-contracting/standard"):
        fetch_reference(target, offline)
    assert (target / "ocds-1.1.5" / "keep.txt").read_text() == "earlier install"
