"""URLs of the app's pages, built in one place so templates and tables agree."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import quote, urlencode


def url(path: str, params: Mapping[str, Any] | None = None, **more: Any) -> str:
    merged = {**(params or {}), **more}
    query = {k: v for k, v in merged.items() if v not in (None, "")}
    return path + ("?" + urlencode(query) if query else "")


def spend(**filters: Any) -> str:
    return url("/spend", filters)


def supplier(key: str) -> str:
    return "/suppliers/" + quote(key, safe="")


def contract(key: str) -> str:
    return "/contracts/" + quote(key, safe="")


def method(name: str, anchor: str = "") -> str:
    return f"/methods/{quote(name)}" + (f"#{anchor}" if anchor else "")


def record(record_id: int) -> str:
    return f"/records/{int(record_id)}"
