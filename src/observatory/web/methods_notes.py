"""Method notes (docs/methods/*.md) rendered at /methods.

The notes ship inside the package: ``observatory/web/methods`` is a symbolic link to the
repository's ``docs/methods`` folder, and setuptools copies the files it points at into wheels
(package data ``web/methods/*.md``), so an installed package serves the same notes as a checkout.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

from markdown_it import MarkdownIt


@dataclass(frozen=True)
class MethodNote:
    name: str
    title: str
    html: str
    summary: str


def _folder() -> object:
    return resources.files("observatory.web").joinpath("methods")


def _render(text: str) -> str:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")
    html = md.render(text)
    # Links between notes (loading.md, ../cli.md#x) become links to pages of this app.
    html = re.sub(r'href="(?:\./)?([a-z0-9-]+)\.md(#[^"]*)?"', r'href="/methods/\1\2"', html)
    # Other documents are not served: name them instead of linking to a page that is not there.
    html = re.sub(
        r'<a href="(?:\.\./)+([^"#]+\.md)[^"]*">(.*?)</a>', r"\2 (<code>docs/\1</code>)", html
    )
    # Headings get ids, so figures can link to the paragraph that explains them.
    return re.sub(
        r"<h([23])>(.*?)</h\1>",
        lambda m: f'<h{m[1]} id="{slug(m[2])}">{m[2]}</h{m[1]}>',
        html,
    )


def slug(text: str) -> str:
    plain = re.sub(r"<[^>]+>", "", text).lower()
    return re.sub(r"[^a-z0-9]+", "-", plain).strip("-")


@cache
def _notes() -> dict[str, MethodNote]:
    notes: dict[str, MethodNote] = {}
    folder = _folder()
    try:
        entries = sorted(folder.iterdir(), key=lambda p: p.name)  # type: ignore[attr-defined]
    except (FileNotFoundError, NotADirectoryError):
        return notes
    for entry in entries:
        if not entry.name.endswith(".md"):
            continue
        text = entry.read_text("utf-8")
        title = next(
            (ln[2:].strip() for ln in text.splitlines() if ln.startswith("# ")), entry.name
        )
        paragraph = next(
            (p.strip() for p in text.split("\n\n")[1:] if p.strip() and not p.startswith("#")), ""
        )
        summary = re.sub(r"[`*_]|\[([^\]]+)\]\([^)]+\)", r"\1", " ".join(paragraph.split()))
        name = entry.name.removesuffix(".md")
        notes[name] = MethodNote(name, title, _render(text), summary[:300])
    return notes


def all_notes() -> list[MethodNote]:
    return list(_notes().values())


def note(name: str) -> MethodNote | None:
    return _notes().get(name)


def exists(name: str) -> bool:
    return name in _notes()
