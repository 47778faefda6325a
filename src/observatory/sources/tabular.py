"""The reading layer: how any CSV or XLSX file is read, whatever its publisher.

It finds the encoding, the delimiter, the line endings and the header row (first, last, or none,
after any preamble), and hands back physical lines plus a record reader that knows each record's
line. It knows nothing about spend: callers pass the header vocabulary they recognise.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import AnyStr

from observatory.sources.receipt import LoadError

csv.field_size_limit(1 << 24)

DELIMITERS = (",", ";", "\t", "|")
DOUBLE_ENCODED_BOM = b"\xc3\xaf\xc2\xbb\xc2\xbf"  # a UTF-8 BOM read as cp1252 and saved as UTF-8
SAMPLE_HEAD = 3000  # lines parsed to find the header and the dialect
SAMPLE_TAIL = 60


def header_key(text: str) -> str:
    """How header cells are compared: lower case, letters and digits only."""
    return re.sub(r"[^a-z0-9]", "", text.lower())


def _cp1252_fallback(exc: UnicodeError) -> tuple[str, int]:
    # Files that are mostly UTF-8 carry stray single cp1252 bytes (0xA3 for £, 0x9C where £ was
    # meant); read just those bytes as cp1252 instead of giving up on the whole file.
    assert isinstance(exc, UnicodeDecodeError)
    chunk = exc.object[exc.start : exc.end]
    return chunk.decode("cp1252", errors="replace"), exc.end


codecs.register_error("observatory-cp1252", _cp1252_fallback)


@dataclass
class Decoded:
    text: str | None  # None when the bytes are plain UTF-8: decoded only if a caller needs it all
    encoding: str
    notes: list[str] = field(default_factory=list)
    utf8: bytes | None = None  # the bytes, when they are plain UTF-8


def is_utf8(data: bytes, block: int = 1 << 16) -> bool:
    """Whether ``data`` is valid UTF-8, without building the decoded text.

    Blocks end after a newline (never inside a character); a block that is all ASCII, as most of
    a spend file is, needs no decoding. Decoding the whole file instead costs ~8x as much: one
    '’' makes CPython store the entire text two bytes a character.
    """
    start, n = 0, len(data)
    while start < n:
        end = data.find(b"\n", start + block)
        end = n if end < 0 else end + 1
        chunk = data[start:end]
        if not chunk.isascii():
            try:
                chunk.decode("utf-8")
            except UnicodeDecodeError:
                return False
        start = end
    return True


def decode(data: bytes) -> Decoded:
    notes: list[str] = []
    if data.startswith(DOUBLE_ENCODED_BOM):
        data = data[len(DOUBLE_ENCODED_BOM) :]
        notes.append("double-encoded byte-order mark removed")
    if data.startswith(codecs.BOM_UTF16_LE) or data.startswith(codecs.BOM_UTF16_BE):
        return Decoded(data.decode("utf-16", errors="replace"), "utf-16", notes)
    encoding = "utf-8"
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
        encoding = "utf-8-sig"
    if is_utf8(data):
        return Decoded(None, encoding, notes, data)
    text = data.decode("utf-8", errors="observatory-cp1252")
    multibyte = re.search(rb"[\xc2-\xf4][\x80-\xbf]", data)
    if multibyte:
        notes.append("UTF-8 with stray cp1252 bytes (read as cp1252)")
        encoding = "utf-8+cp1252"
    else:
        encoding = "cp1252"
    if "\u0153" in text:  # œ: 0x9C, which some exports write where £ was meant
        notes.append("0x9C bytes (œ) found: read as £ in amounts and headers")
    return Decoded(text, encoding, notes)


def normalise_newlines(text: AnyStr) -> tuple[AnyStr, str, int]:
    """The text with every line ending as '\\n' and no final newline, the ending used, and the
    number of lines.

    Works on bytes too: a CSV's bytes are normalised before decoding because bytes are searched
    and replaced several times faster than a decoded string with a '£' in it.
    """
    cr, lf, crlf_ = ("\r", "\n", "\r\n") if isinstance(text, str) else (b"\r", b"\n", b"\r\n")
    ending = "\\n"
    # Each pass walks the whole text (60 MB for a year of Trafford), so as few as possible:
    # counts of one character are the fast kind, and when every CR starts a CRLF, deleting the
    # CRs (bytes.translate) is quicker than replacing pairs.
    newlines = text.count(lf)
    if cr in text:
        crs, crlf = text.count(cr), text.count(crlf_)
        bare, lf_only = crs - crlf, newlines - crlf
        newlines += bare
        if bare > crlf and bare > lf_only:
            ending = "\\r"
        elif crlf >= lf_only:
            ending = "\\r\\n"
        if bare:
            text = text.replace(crlf_, lf).replace(cr, lf)
        elif isinstance(text, bytes):
            text = text.translate(None, cr)
        else:
            text = text.replace(crlf_, lf)
    if text.endswith(lf):
        text = text[:-1]
        newlines -= 1
    return text, ending, newlines + 1 if text else 0


def head_lines(text: AnyStr, n: int) -> list[AnyStr]:
    """The first ``n`` lines of ``text``, without copying the rest as a limited split would."""
    lf = "\n" if isinstance(text, str) else b"\n"
    end = -1
    for _ in range(n):
        end = text.find(lf, end + 1)
        if end < 0:
            return text.split(lf)
    return text[:end].split(lf)


def tail_lines(text: AnyStr, n: int, end: int | None = None) -> list[AnyStr]:
    """The last ``n`` lines of ``text[:end]``, without copying the rest."""
    lf = "\n" if isinstance(text, str) else b"\n"
    end = len(text) if end is None else end
    begin = end
    for _ in range(n):
        begin = text.rfind(lf, 0, begin)
        if begin < 0:
            return text[:end].split(lf)[-n:]
    return text[begin + 1 : end].split(lf)


def is_blank(fields: Iterable[str]) -> bool:
    """A row with no letter or digit in any cell carries nothing and is not counted as read."""
    return not any(ch.isalnum() for f in fields for ch in f)


def sniff_delimiter(lines: list[str]) -> str:
    sample = [ln for ln in lines[:200] if ln.strip()]
    best, best_score = ",", -1.0
    for d in DELIMITERS:
        counts = [ln.count(d) for ln in sample]
        if not counts or max(counts) == 0:
            continue
        mode, freq = Counter(counts).most_common(1)[0]
        score = freq / len(counts) * (1 if mode else 0.1) + min(mode, 50) / 1000
        if score > best_score:
            best, best_score = d, score
    return best


@dataclass
class Record:
    line: int  # 1-based physical line where the record starts
    end_line: int
    fields: list[str]
    raw: str
    sheet: str = ""


def iter_records(
    lines: list[str],
    delimiter: str,
    start: int = 0,
    stop: int | None = None,
    sheet: str = "",
    offset: int = 0,
) -> Iterator[Record]:
    """Records from ``lines[start:stop]`` with the physical lines each came from (``lines[0]``
    being physical line ``offset + 1``)."""
    stop = len(lines) if stop is None else stop
    position = {"i": start}

    def feed() -> Iterator[str]:
        # With its line end, as from a file: a quoted cell that spans lines keeps its line break.
        while position["i"] < stop:
            position["i"] += 1
            yield lines[position["i"] - 1] + "\n"

    reader = csv.reader(feed(), delimiter=delimiter, strict=False)
    first = start
    for fields in reader:
        end = position["i"]
        raw = "\n".join(lines[first:end])
        yield Record(offset + first + 1, offset + end, fields, raw, sheet)
        first = end


def looks_numeric(text: str) -> bool:
    return bool(re.fullmatch(r"[£$€œ\s(+-]*[\d,]+(\.\d+)?\)?-?", text.strip()))


DATEISH = re.compile(r"\d{1,4}[-/. ]([A-Za-z]{3,9}|\d{1,2})[-/. ]\d{2,4}")


def header_score(fields: list[str], vocabulary: set[str]) -> float:
    cells = [f.strip() for f in fields if f.strip()]
    if len(cells) < 2:
        return 0.0
    known = sum(1 for c in cells if header_key(c) in vocabulary)
    texty = sum(1 for c in cells if not looks_numeric(c) and not DATEISH.search(c))
    distinct = len({header_key(c) for c in cells}) == len(cells)
    if texty < len(cells):  # a header has no money or dates in it
        return known * 0.5
    return known * 3 + (1 if distinct else 0) + texty / 100


class Sheet:
    """One table: a CSV file, or one sheet of a workbook.

    A CSV sheet splits its text into lines only when a caller needs them all: finding the layout
    reads just the first and last lines, and the loader hands the whole text to DuckDB to split.
    A plain UTF-8 file keeps its bytes and is decoded only when a caller needs the whole text.
    """

    def __init__(
        self,
        name: str,
        delimiter: str,
        text: str | None = "",
        records_hint: list[Record] | None = None,
        utf8: bytes | None = None,
        line_count: int | None = None,
        crlf: bool = False,
    ) -> None:
        self.name = name  # sheet name ('' for CSV)
        self.delimiter = delimiter
        self._text = text  # lines joined by '\n', no trailing newline; None: decode ``utf8``
        self.records_hint = records_hint  # pre-parsed records (workbooks)
        # The same lines as UTF-8, when the file was plain UTF-8: handed to DuckDB as they are,
        # line ends as published (CRLF when ``crlf``) and perhaps a final newline.
        self.utf8 = utf8
        self.crlf = crlf
        self._lines: list[str] | None = None
        self._line_count = line_count

    @property
    def text(self) -> str:
        if self._text is None:
            text = self.utf8.decode("utf-8") if self.utf8 else ""
            text = text.replace("\r\n", "\n") if self.crlf else text
            self._text = text[:-1] if text.endswith("\n") else text
        return self._text

    @property
    def lines(self) -> list[str]:
        if self._lines is None:
            self._lines = self.text.split("\n") if self.text else []
        return self._lines

    @property
    def line_count(self) -> int:
        if self._line_count is None:
            if self._lines is not None:
                self._line_count = len(self._lines)
            else:
                self._line_count = self.text.count("\n") + 1 if self.text else 0
        return self._line_count

    def window(self, start: int, stop: int) -> list[str]:
        """``lines[start:stop]``, without splitting the whole text for a short head or tail."""
        total = self.line_count
        if self._lines is None and stop - start < total // 2:
            if stop <= total // 2:
                return self._head(stop)[start:]
            if stop == total:
                return self._tail(stop - start)
        return self.lines[start:stop]

    def _head(self, n: int) -> list[str]:
        if self._text is None and self.utf8 is not None:
            return self._decoded(head_lines(self.utf8, n))
        return head_lines(self.text, n)

    def _tail(self, n: int) -> list[str]:
        if self._text is None and self.utf8 is not None:
            end = len(self.utf8) - (1 if self.utf8.endswith(b"\n") else 0)
            return self._decoded(tail_lines(self.utf8, n, end))
        return tail_lines(self.text, n)

    def _decoded(self, lines: list[bytes]) -> list[str]:
        text = [line.decode("utf-8") for line in lines]
        return [line.removesuffix("\r") for line in text] if self.crlf else text

    def records(self, start: int = 0, stop: int | None = None) -> Iterator[Record]:
        if self.records_hint is not None:
            for r in self.records_hint:
                if r.line > start and (stop is None or r.line <= stop):
                    yield r
            return
        stop = self.line_count if stop is None else min(stop, self.line_count)
        if stop <= start:
            return
        yield from iter_records(
            self.window(start, stop), self.delimiter, 0, None, self.name, offset=start
        )


@dataclass
class Layout:
    """Where a table's header is and what it says."""

    header: list[str]
    header_line: int | None  # 1-based; None when the file has no header row
    position: str  # first, last, none
    data_start: int  # 0-based line index where data begins
    data_stop: int  # 0-based line index (exclusive) where data ends
    preamble: list[str] = field(default_factory=list)


def find_layout(sheet: Sheet, vocabulary: set[str]) -> Layout:
    total = sheet.line_count
    head = list(sheet.records(0, min(total, SAMPLE_HEAD)))
    tail_start = max(total - SAMPLE_TAIL, head[-1].end_line if head else 0)
    tail = list(sheet.records(tail_start)) if sheet.records_hint is None else []
    candidates = [r for r in head[:40] if not is_blank(r.fields)]
    candidates += [r for r in (tail or head)[-8:] if not is_blank(r.fields)]
    best: Record | None = None
    best_score = 0.0
    for r in candidates:
        score = header_score(r.fields, vocabulary)
        if score > best_score + 1e-9:
            best, best_score = r, score
    if best is None or best_score < 3:
        best = _plain_header(candidates[:2])
        if best is None:
            return Layout([], None, "none", 0, total)
    nonblank_after = [
        r for r in (*head, *tail) if r.line > best.end_line and not is_blank(r.fields)
    ]
    if not nonblank_after:  # header comes last: everything before it is data
        return Layout(best.fields, best.line, "last", 0, best.line - 1)
    preamble = [r.raw for r in head if r.end_line < best.line and not is_blank(r.fields)]
    return Layout(best.fields, best.line, "first", best.end_line, total, preamble)


def _plain_header(first_rows: list[Record]) -> Record | None:
    """A header none of whose names we know: a first row of distinct text cells above a row
    that has a number or a date where the header has text."""
    if len(first_rows) < 2:
        return None
    top, below = first_rows
    cells = [c.strip() for c in top.fields]
    if not all(cells) or len(set(cells)) != len(cells):
        return None
    if any(looks_numeric(c) or DATEISH.search(c) for c in cells):
        return None
    typed = [c for c in below.fields if looks_numeric(c) or DATEISH.search(c)]
    return top if typed else None


@dataclass
class TableFile:
    """A file opened by the reading layer: one or more sheets and how they were decoded."""

    name: str
    encoding: str
    line_ending: str
    sheets: list[Sheet]
    notes: list[str] = field(default_factory=list)


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return (
            value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
        )
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return repr(int(value)) if value.is_integer() else repr(value)
    return str(value)


def _workbook(name: str, data: bytes) -> TableFile:
    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    except Exception as exc:  # calamine raises its own error types for every kind of damage
        raise LoadError(f"{name}: not a readable spreadsheet ({exc})") from exc
    sheets = []
    for sheet_name in book.sheet_names:
        try:
            rows = book.get_sheet_by_name(sheet_name).to_python(skip_empty_area=False)
        except Exception as exc:
            raise LoadError(f"{name}: sheet {sheet_name!r} cannot be read ({exc})") from exc
        records, lines = [], []
        for i, row in enumerate(rows, 1):
            cells = [_cell_text(v) for v in row]
            buffer = io.StringIO()
            csv.writer(buffer, lineterminator="").writerow(cells)
            lines.append(buffer.getvalue())
            records.append(Record(i, i, cells, lines[-1], sheet_name))
        if any(not is_blank(r.fields) for r in records):
            sheets.append(Sheet(sheet_name, ",", "\n".join(lines), records))
    return TableFile(name, "xlsx", "", sheets)


def is_workbook(data: bytes) -> bool:
    return data[:4] == b"PK\x03\x04" or data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def open_table(name: str, data: bytes) -> TableFile:
    """Read bytes of a CSV/TSV/XLSX/XLS file into sheets of physical lines."""
    if is_workbook(data):
        return _workbook(name, data)
    if b"\x00" in data[:4096] and not data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise LoadError(f"{name}: a binary file, not CSV text or a spreadsheet")
    utf16 = data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
    if not utf16:
        crs, lfs = data.count(b"\r"), data.count(b"\n")
        # Every line ending LF, or every one CRLF: DuckDB can split the bytes as they are. (A
        # CRLF file with a lone LF, such as a line break inside a quoted cell, is normalised.)
        if crs == 0 or crs == lfs == data.count(b"\r\n"):
            decoded = decode(data)
            if decoded.utf8 is not None:  # plain UTF-8: no copy of the bytes
                sheet, ending = _utf8_sheet(decoded.utf8, crs, lfs)
                return TableFile(name, decoded.encoding, ending, [sheet], decoded.notes)
    if utf16:
        decoded = decode(data)
        decoded.text, ending, line_count = normalise_newlines(decoded.text or "")
    else:
        data, ending, line_count = normalise_newlines(data)
        decoded = decode(data)
    sheet = Sheet("", "", decoded.text, utf8=decoded.utf8, line_count=line_count)
    sheet.delimiter = sniff_delimiter(sheet.window(0, 200))
    return TableFile(name, decoded.encoding, ending, [sheet], decoded.notes)


def _utf8_sheet(utf8: bytes, crlfs: int, newlines: int) -> tuple[Sheet, str]:
    """A sheet over UTF-8 bytes whose lines all end in LF, or all in CRLF, kept as published:
    rewriting a year's file to drop its CRs costs more than DuckDB's split of it into lines."""
    ending = "\\r\\n" if crlfs else "\\n"
    final = 2 if utf8.endswith(b"\r\n") else 1 if utf8.endswith(b"\n") else 0
    line_count = 0 if len(utf8) == final else newlines + (0 if final else 1)
    sheet = Sheet("", "", None, utf8=utf8, line_count=line_count, crlf=crlfs > 0)
    sheet.delimiter = sniff_delimiter(sheet.window(0, 200))
    return sheet, ending


def open_path(path: Path) -> TableFile:
    return open_table(str(path), path.read_bytes())
