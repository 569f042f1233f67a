"""X12 interchanges: delimiters from each ISA, segments, and the envelope checks.

oxedi (our 835 reader) checks envelopes itself, but it ships only an 835 structure; the 837
reader walks segments itself, so it needs this tokenizer. It is plain `str.split` on the
delimiters each ISA declares (the ISA is fixed-width: the element separator is its 4th
character, the component separator its 16th element, the segment terminator the character
after it, the repetition separator ISA11 in 5010). Every interchange of a file may declare
its own delimiters.

Positions are 1-based segment numbers counted from the first ISA of the file, the way pyx12
numbers them, so that a reject names the segment a person finds by counting.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from codingwatch.errors import CodingwatchError

# Widths of ISA01..ISA16 (X12 5010 interchange control header, fixed length).
ISA_WIDTHS = (2, 10, 2, 10, 2, 15, 2, 15, 6, 4, 1, 5, 9, 1, 1, 1)


class X12Reject(CodingwatchError):
    """A file that cannot load: `segment` is its 1-based position (0 = the file as a whole)."""

    def __init__(self, segment: int, reason: str) -> None:
        super().__init__(f"segment {segment}: {reason}")
        self.segment = segment
        self.reason = reason


@dataclass(frozen=True)
class Delimiters:
    element: str
    component: str
    segment: str
    repetition: str | None


@dataclass
class Segment:
    position: int  # 1-based in the file
    id: str
    elements: list[str]  # elements[0] is XX01
    delimiters: Delimiters

    def get(self, index: int) -> str:
        """Element XXnn (1-based), '' when absent."""
        return self.elements[index - 1] if 0 < index <= len(self.elements) else ""

    def component(self, index: int, sub: int) -> str:
        value = self.get(index)
        if not value:
            return ""
        parts = value.split(self.delimiters.component)
        return parts[sub - 1] if sub <= len(parts) else ""

    def components(self, index: int) -> list[str]:
        value = self.get(index)
        return value.split(self.delimiters.component) if value else []


@dataclass
class Transaction:
    set_id: str  # ST01
    control: str  # ST02
    version: str  # GS08 (implementation guide)
    segments: list[Segment] = field(default_factory=list)  # ST .. SE inclusive


@dataclass
class Interchange:
    delimiters: Delimiters
    control: str
    transactions: list[Transaction] = field(default_factory=list)


def read_delimiters(text: str, start: int, position: int) -> tuple[Delimiters, int]:
    """The delimiters the ISA at `start` declares, and the index just past its terminator."""
    if text[start : start + 3] != "ISA":
        found = text[start : start + 20].split("\n")[0]
        raise X12Reject(position, f"expected an ISA interchange header, found {found!r}")
    if len(text) < start + 4:
        raise X12Reject(position, "the ISA interchange header is truncated")
    element = text[start + 3]
    if element.isalnum() or element.isspace():
        raise X12Reject(position, f"ISA element separator {element!r} is not a delimiter")
    index = start + 3
    for count in range(16):
        index = text.find(element, index + 1) if count else index
        if index == -1:
            raise X12Reject(position, f"the ISA interchange header is truncated: {count} of 16 elements")
    # index is at the 16th separator; ISA16 is one character, then the segment terminator.
    if len(text) < index + 3:
        raise X12Reject(position, "the ISA interchange header is truncated")
    component = text[index + 1]
    terminator = text[index + 2]
    fields = text[start + 4 : index + 2].split(element)
    for number, (value, width) in enumerate(zip(fields, ISA_WIDTHS, strict=True), start=1):
        if len(value) != width:
            raise X12Reject(
                position,
                f"ISA{number:02d} is {len(value)} characters where the fixed-width ISA needs {width}: "
                "the header is malformed, so its delimiters cannot be trusted",
            )
    repetition = fields[10]
    if fields[11] < "00501" or repetition.isalnum() or repetition == " ":
        repetition = None
    if len({element, component, terminator}) != 3:
        raise X12Reject(position, "ISA declares the same character for two different delimiters")
    return Delimiters(element, component, terminator, repetition), index + 3


def _split(text: str, start: int, delimiters: Delimiters, first: int) -> tuple[list[Segment], int]:
    """Segments from `start` up to and including the first IEA; returns them and the next index."""
    terminator = delimiters.segment
    element = delimiters.element
    segments: list[Segment] = []
    position = first
    index = start
    length = len(text)
    controls = _controls(delimiters)
    while index < length:
        end = text.find(terminator, index)
        if end == -1:
            rest = text[index:].strip()
            if rest:
                raise X12Reject(position, f"the file ends inside a segment ({rest[:20]!r}): truncated")
            break
        raw = text[index:end].strip("\r\n\t ")
        index = end + 1
        if not raw:
            continue
        parts = raw.split(element)
        if controls.search(raw):
            _reject_control(position, parts, controls)
        segments.append(Segment(position, parts[0], parts[1:], delimiters))
        position += 1
        if parts[0] == "IEA":
            break
    return segments, index


def _controls(delimiters: Delimiters) -> re.Pattern:
    """Control characters (NUL and the like) that no X12 element may hold: X12 data elements
    are drawn from the basic and extended character sets, which have none. CR, LF and tab
    are left to the segment splitter (files wrapped at a fixed width carry them), and a
    control character the ISA declares as a delimiter is a delimiter."""
    allowed = {"\r", "\n", "\t", delimiters.element, delimiters.component, delimiters.segment,
               delimiters.repetition or ""}
    chars = "".join(re.escape(chr(c)) for c in [*range(0x20), 0x7F] if chr(c) not in allowed)
    return re.compile(f"[{chars}]")


def _reject_control(position: int, parts: list[str], controls: re.Pattern) -> None:
    for number, value in enumerate(parts):
        found = controls.search(value)
        if found:
            where = f"{parts[0]}{number:02d}" if number else "the segment id"
            raise X12Reject(position, f"{where} holds the control character {ord(found.group()):#04x} at "
                            f"character {found.start() + 1}: X12 elements are printable text")


def read_interchanges(
    data: bytes, *, warnings: list | None = None, lenient_counts: bool = False, lenient_controls: bool = False
) -> list[Interchange]:
    """Every interchange of a file, envelope checked; raises X12Reject on the first fault.

    Checked: ISA fixed width, IEA/GE/SE present, IEA01 = number of groups, IEA02 = ISA13,
    GE01 = number of transactions, GE02 = GS06, SE01 = segments ST..SE, SE02 = ST02,
    nothing outside an ST..SE but envelope segments, nothing after the last IEA.
    With `lenient_counts`, a count (SE01, GE01, IEA01) that disagrees with what is there is
    appended to `warnings` as (segment, reason) instead of rejecting the file; with
    `lenient_controls`, so is a control number (SE02, GE02, IEA02) that does not match its
    header's. A file whose composites use another component separator than
    the one ISA16 declares is read with the one it uses, with a warning.
    """
    warnings = [] if warnings is None else warnings
    text = data.decode("latin-1")
    if text.startswith("\ufeff") or text.startswith("ï»¿"):
        text = text[3:] if text.startswith("ï»¿") else text[1:]
    index = len(text) - len(text.lstrip())
    if index >= len(text):
        raise X12Reject(0, "the file is empty")
    if text[index : index + 3] != "ISA":
        raise X12Reject(1, "not an X12 file: it does not begin with an ISA interchange header")
    interchanges: list[Interchange] = []
    position = 1
    while index < len(text):
        delimiters, body = read_delimiters(text, index, position)
        header = text[index:body].rstrip(delimiters.segment + "\r\n")
        isa = Segment(position, "ISA", header.split(delimiters.element)[1:], delimiters)
        rest, index = _split(text, body, delimiters, position + 1)
        _fix_component_separator(rest, warnings)
        interchange = _check_interchange([isa, *rest], warnings if lenient_counts else None,
                                         warnings if lenient_controls else None)
        interchanges.append(interchange)
        position += 1 + len(rest)
        while index < len(text) and text[index] in "\r\n\t ":
            index += 1
        if index < len(text) and text[index : index + 3] != "ISA":
            raise X12Reject(position, f"unexpected data after IEA: {text[index:index + 20]!r}")
    return interchanges


COMPOSITE_PROBES = {"CLM": 5, "SV1": 1, "SV2": 2, "HI": 1, "SVC": 1}


def _fix_component_separator(segments: list[Segment], warnings: list) -> None:
    """Some senders declare ':' in ISA16 and write '>' (or the reverse): read what they write."""
    if not segments:
        return
    declared = segments[0].delimiters
    seen_declared = False
    candidate = None
    for segment in segments:
        index = COMPOSITE_PROBES.get(segment.id)
        if index is None or len(segment.elements) < index:
            continue
        value = segment.elements[index - 1]
        if declared.component in value:
            seen_declared = True
            break
        others = {c for c in value if not c.isalnum() and c not in " .-"}
        if len(others) == 1 and candidate is None:
            candidate = (others.pop(), segment)
    if seen_declared or candidate is None:
        return
    char, probe = candidate
    if char in (declared.element, declared.segment, declared.repetition):
        return
    fixed = Delimiters(declared.element, char, declared.segment, declared.repetition)
    for segment in segments:
        segment.delimiters = fixed
    warnings.append((probe.position, f"ISA16 declares component separator {declared.component!r} "
                     f"but the composites use {char!r}: read with {char!r}"))


def _check_interchange(segments: list[Segment], count_warnings: list | None,
                       control_warnings: list | None = None) -> Interchange:
    isa = segments[0]
    interchange = Interchange(isa.delimiters, isa.get(13))
    last = segments[-1]
    if last.id != "IEA":
        raise X12Reject(last.position + 1, "the file ends before the IEA interchange trailer: truncated")
    groups = 0
    group: Segment | None = None
    in_group = 0
    transaction: Transaction | None = None
    for segment in segments[1:]:
        sid = segment.id
        if transaction is not None:
            transaction.segments.append(segment)
            if sid == "SE":
                count = len(transaction.segments)
                if segment.get(2) != transaction.control:
                    _count(control_warnings, segment.position,
                           f"SE02 {segment.get(2)!r} does not match ST02 {transaction.control!r}")
                if segment.get(1) != str(count):
                    _count(count_warnings, segment.position,
                           f"SE01 declares {segment.get(1)!r} segments but the transaction has {count}")
                transaction = None
            elif sid in ("ST", "GS", "GE", "ISA", "IEA"):
                raise X12Reject(segment.position, f"{sid} inside a transaction: SE trailer missing")
            continue
        if sid == "GS":
            if group is not None:
                raise X12Reject(segment.position, "GS inside a functional group: GE trailer missing")
            group, in_group = segment, 0
            groups += 1
        elif sid == "ST":
            if group is None:
                raise X12Reject(segment.position, "ST outside a functional group (no GS before it)")
            transaction = Transaction(segment.get(1), segment.get(2), group.get(8), [segment])
            interchange.transactions.append(transaction)
            in_group += 1
        elif sid == "GE":
            if group is None:
                raise X12Reject(segment.position, "GE without a GS")
            if segment.get(2) != group.get(6):
                _count(control_warnings, segment.position,
                       f"GE02 {segment.get(2)!r} does not match GS06 {group.get(6)!r}")
            if segment.get(1) != str(in_group):
                _count(count_warnings, segment.position, f"GE01 declares {segment.get(1)!r} transactions but the group has {in_group}")
            group = None
        elif sid == "IEA":
            if group is not None:
                raise X12Reject(segment.position, "IEA inside a functional group: GE trailer missing")
            if segment.get(2) != isa.get(13):
                _count(control_warnings, segment.position,
                       f"IEA02 {segment.get(2)!r} does not match ISA13 {isa.get(13)!r}")
            if segment.get(1) != str(groups):
                _count(count_warnings, segment.position, f"IEA01 declares {segment.get(1)!r} groups but the interchange has {groups}")
        elif sid == "TA1":
            continue
        else:
            raise X12Reject(segment.position, f"segment {sid!r} outside a transaction (ST..SE)")
    if transaction is not None or group is not None:
        raise X12Reject(last.position, "the interchange ends inside a group or transaction: truncated")
    return interchange


def _count(warnings: list | None, position: int, reason: str) -> None:
    if warnings is None:
        raise X12Reject(position, reason + " (an envelope count or control number: --lenient loads the file "
                        "with a warning)")
    warnings.append((position, reason))


def split_simple(data: bytes) -> list[list[str]]:
    """Segments split on the first ISA's delimiters, no checks: for tests and tools."""
    text = data.decode("latin-1").lstrip()
    delimiters, _ = read_delimiters(text, 0, 1)
    out = []
    for raw in text.split(delimiters.segment):
        raw = raw.strip("\r\n\t ")
        if raw:
            out.append(raw.split(delimiters.element))
    return out


def check_control_characters(data: bytes) -> None:
    """Raise X12Reject naming the segment and element of the first control character (NUL and
    the like) in a file whose reader does not check it itself (the 835's oxedi keeps them).
    One regular-expression scan of the whole file; segments are counted only when one is found."""
    text = data.decode("latin-1")
    start = text.find("ISA")
    if start == -1 or _ANY_CONTROL.search(text) is None:
        return
    delimiters, _ = read_delimiters(text, start, 1)
    controls = _controls(delimiters)
    if controls.search(text) is None:
        return
    position = 0
    for raw in text[start:].split(delimiters.segment):
        raw = raw.strip("\r\n\t ")
        if not raw:
            continue
        position += 1
        if controls.search(raw):
            _reject_control(position, raw.split(delimiters.element), controls)


_ANY_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
