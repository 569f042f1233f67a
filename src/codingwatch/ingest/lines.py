"""Physical line numbers for the messages of the CSV readers.

A reject names the line a person finds in an editor: the file's physical line, counting every
newline, not the record number a CSV parser reports (a quoted field holding a newline makes a
record span two lines; a blank line is no record). The parsers we use (DuckDB, pandas) count
records, so the line of a record is recovered here: cheaply when each record is one line (the
usual case: one pass counting newlines), otherwise by reading the file once with Python's csv
module, whose `line_num` counts physical lines.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

_CHUNK = 1 << 20


def physical_line_count(path: Path) -> int:
    """Lines in the file, a last line without a newline included."""
    count = 0
    last = b"\n"
    with open(path, "rb") as handle:
        while chunk := handle.read(_CHUNK):
            count += chunk.count(b"\n")
            last = chunk[-1:]
    return count + (0 if last == b"\n" else 1)


def record_starts(path: Path, encoding: str = "utf-8-sig") -> list[int]:
    """The physical line on which each CSV record begins (header first), blank lines included
    as records of their own (DuckDB counts them when it names a line)."""
    starts = []
    previous_limit = csv.field_size_limit()
    csv.field_size_limit(sys.maxsize)  # a huge field is reported by the reader, not here
    try:
        with open(path, newline="", encoding=encoding, errors="replace") as handle:
            reader = csv.reader(handle)
            begin = 1
            for _ in reader:
                starts.append(begin)
                begin = reader.line_num + 1
    except csv.Error:
        pass  # a malformed tail: the lines up to it are still right
    finally:
        csv.field_size_limit(previous_limit)
    return starts


def data_row_lines(path: Path, rows: int) -> list[int] | None:
    """Physical line of each data row (the non-blank records after the header), or None when
    row i is simply on line i + 2 (every record one line, no blank line)."""
    if physical_line_count(path) == rows + 1:
        return None
    with open(path, newline="", encoding="utf-8-sig", errors="replace") as handle:
        blank = _blank_records(handle)
    starts = record_starts(path)
    lines = [line for line, empty in zip(starts, blank, strict=False) if not empty][1:]
    return lines if len(lines) == rows else None


def _blank_records(handle) -> list[bool]:
    previous_limit = csv.field_size_limit()
    csv.field_size_limit(sys.maxsize)
    try:
        return [not record for record in csv.reader(handle)]
    except csv.Error:
        return []
    finally:
        csv.field_size_limit(previous_limit)


def record_line(path: Path, record: int) -> int:
    """Physical line of the `record`-th record (1-based, header = 1, blank lines counted), as a
    parser that counts records names it."""
    starts = record_starts(path)
    return starts[record - 1] if 0 < record <= len(starts) else record


def first_bad_utf8(path: Path) -> tuple[int, int] | None:
    """(line, byte in that line, both 1-based) of the first byte that is not UTF-8, or None."""
    base = 0  # file offset of data[0]
    pending = b""
    with open(path, "rb") as handle:
        while True:
            chunk = handle.read(_CHUNK)
            data = pending + chunk
            try:
                data.decode("utf-8")
                pending = b""
            except UnicodeDecodeError as exc:
                if chunk and exc.reason == "unexpected end of data" and exc.start >= len(data) - 3:
                    pending = data[exc.start:]  # a character cut by the chunk boundary
                else:
                    return _locate(path, base + exc.start)
            if not chunk:
                return None
            base += len(data) - len(pending)


def _locate(path: Path, position: int) -> tuple[int, int]:
    """(line, byte in line) of byte `position` of the file."""
    line, seen, line_start = 1, 0, 0
    with open(path, "rb") as handle:
        while seen < position:
            chunk = handle.read(min(_CHUNK, position - seen))
            if not chunk:
                break
            newlines = chunk.count(b"\n")
            if newlines:
                line += newlines
                line_start = seen + chunk.rfind(b"\n") + 1
            seen += len(chunk)
    return line, position - line_start + 1


def first_csv_problem(path: Path) -> tuple[int, str] | None:
    """(physical line, reason) of the first record that breaks the CSV structure: a field count
    other than the header's, or a quoted field still open at the end of the file."""
    previous_limit = csv.field_size_limit()
    csv.field_size_limit(sys.maxsize)
    try:
        with open(path, newline="", encoding="utf-8-sig", errors="replace") as handle:
            reader = csv.reader(handle, strict=True)
            width = None
            begin = 1
            try:
                for record in reader:
                    if record:
                        if width is None:
                            width = len(record)
                        elif len(record) != width:
                            return begin, f"expected {width} fields, found {len(record)}"
                    begin = reader.line_num + 1
            except csv.Error as exc:
                if "end of data" in str(exc) or "EOF" in str(exc):
                    return begin, "a quoted field is not closed before the end of the file: the file looks truncated"
                return reader.line_num, f"malformed CSV ({exc})"
    finally:
        csv.field_size_limit(previous_limit)
    return None
