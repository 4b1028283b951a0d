"""The ledger's daily fingerprints: the chain heads anchored outside the database.

Once a day (beat, or ``manage.py ledger_fingerprint``) every problem's chain head, its id, last
sequence number and last hash, is written to a file in LEDGER_FINGERPRINT_DIR, a directory the
database and its user cannot write: one file a day, created exclusively and made read-only,
never overwritten. The file lists the rows and their digest (SHA-256 over the lines
"id,seq,hash\\n" in id order); the digest is also kept in ``LedgerFingerprint`` and printed on
the weekly assignment report's cover.

Events appended later (new steps, imports with historical times) extend a chain past the seq
a fingerprint saw without changing it, so every fingerprint stays checkable: ``verify_ledger``
requires that each listed problem's event at the listed seq still has the listed hash.
"""

import hashlib
import os
import re
import uuid
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from django.conf import settings
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from .integrity import Finding
from .models import LedgerFingerprint, Problem, ProblemEvent

HEADER = "health-city-hq ledger fingerprint v1"
FILE_NAME = re.compile(r"ledger-fingerprint-(\d{4}-\d{2}-\d{2})\.txt")
ROW = re.compile(r"(\d+),(\d+),([0-9a-f]{64})")


class FingerprintUnreadable(Exception):
    """A fingerprint file that is not one (malformed, cut short)."""


@dataclass(frozen=True)
class Fingerprint:
    day: date
    taken_at: str
    digest: str
    rows: tuple[tuple[int, int, str], ...]
    path: Path

    @property
    def problems(self) -> int:
        return len(self.rows)


def file_name(day: date) -> str:
    return f"ledger-fingerprint-{day.isoformat()}.txt"


def digest_of(rows) -> str:
    digest = hashlib.sha256()
    for problem_id, seq, head in rows:
        digest.update(f"{problem_id},{seq},{head}\n".encode())
    return digest.hexdigest()


def chain_heads() -> list[tuple[int, int, str]]:
    """Every problem's (id, last seq, last hash), read from the events in one statement."""
    last = ProblemEvent.objects.filter(problem=OuterRef("pk")).order_by("-seq")
    rows = (Problem.objects.order_by("pk")
            .annotate(head_seq=Subquery(last.values("seq")[:1]), head_hash=Subquery(last.values("hash")[:1]))
            .values_list("pk", "head_seq", "head_hash"))
    return [row for row in rows.iterator(chunk_size=5000) if row[1] is not None]


def _render(day: date, taken_at: datetime, rows) -> str:
    lines = [HEADER, f"day: {day.isoformat()}", f"taken_at: {taken_at.isoformat()}", f"problems: {len(rows)}",
             f"digest: {digest_of(rows)}", "id,seq,hash"]
    lines.extend(f"{problem_id},{seq},{head}" for problem_id, seq, head in rows)
    return "\n".join(lines) + "\n"


def read_fingerprint(path: Path) -> Fingerprint:
    """Parse a fingerprint file; FingerprintUnreadable if it is not a whole one."""
    lines = path.read_text(encoding="utf-8").splitlines()
    try:
        if lines[0] != HEADER or lines[5] != "id,seq,hash":
            raise FingerprintUnreadable(f"{path.name}: not a ledger fingerprint")
        head = dict(line.split(": ", 1) for line in lines[1:5])
        rows = []
        for line in lines[6:]:
            found = ROW.fullmatch(line)
            if not found:
                raise FingerprintUnreadable(f"{path.name}: malformed row {line[:80]!r}")
            rows.append((int(found.group(1)), int(found.group(2)), found.group(3)))
        fingerprint = Fingerprint(day=date.fromisoformat(head["day"]), taken_at=head["taken_at"],
                                  digest=head["digest"], rows=tuple(rows), path=path)
        if int(head["problems"]) != len(rows):
            raise FingerprintUnreadable(f"{path.name}: lists {len(rows)} problems, says {head['problems']}")
    except (IndexError, KeyError, ValueError) as error:
        raise FingerprintUnreadable(f"{path.name}: not a ledger fingerprint ({error})") from None
    return fingerprint


def _write_once(path: Path, text: str) -> None:
    """Write ``path`` whole and read-only, unless it exists: a file already there stands."""
    scratch = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    try:
        with open(scratch, "x", encoding="utf-8") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        scratch.chmod(0o444)
        try:
            os.link(scratch, path)  # atomic, and never replaces a file already there
        except FileExistsError:
            pass  # taken meanwhile by another run: that one stands
        except OSError:  # a file system without hard links: exclusive creation, still never replacing
            with open(path, "x", encoding="utf-8") as stream:
                stream.write(text)
            path.chmod(0o444)
    finally:
        scratch.unlink(missing_ok=True)


def fingerprint_take(*, now: datetime | None = None) -> LedgerFingerprint:
    """Take today's fingerprint, once a day: the file first (created exclusively, then made
    read-only; an existing one is never touched), then its copy in the table. The file decides:
    a row in the table alone does not stop the file being written."""
    now = now or timezone.now()
    day = timezone.localdate(now)
    directory = Path(settings.LEDGER_FINGERPRINT_DIR)
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / file_name(day)
    if not path.exists():
        _write_once(path, _render(day, now, chain_heads()))
    fingerprint = read_fingerprint(path)
    record, _created = LedgerFingerprint.objects.get_or_create(day=day, defaults={
        "taken_at": now, "problems": fingerprint.problems, "digest": fingerprint.digest, "file_name": path.name,
    })
    return record


def fingerprint_files(*, until: date | None = None) -> list[Path]:
    """The fingerprint files in LEDGER_FINGERPRINT_DIR, oldest first, up to ``until``."""
    directory = Path(settings.LEDGER_FINGERPRINT_DIR)
    try:
        names = list(directory.iterdir())
    except OSError:  # none, or not readable here: nothing to check against
        return []
    found = []
    for path in names:
        match = FILE_NAME.fullmatch(path.name)
        if match and (until is None or date.fromisoformat(match.group(1)) <= until):
            found.append(path)
    return sorted(found)


@dataclass
class Anchors:
    """What the readable fingerprints require of the chains."""

    heads: dict  # (problem id, seq) -> (hash, day)
    fingerprints: list[Fingerprint]
    findings: list[Finding]


def anchors_until(until: date | None = None) -> Anchors:
    """Read every fingerprint file up to ``until``: each must give its own digest, agree with
    its copy in the table and with the other files on the events they share."""
    anchors = Anchors(heads={}, fingerprints=[], findings=[])
    kept = dict(LedgerFingerprint.objects.values_list("day", "digest"))
    for path in fingerprint_files(until=until):
        try:
            fingerprint = read_fingerprint(path)
        except FingerprintUnreadable as error:
            anchors.findings.append(Finding("—", f"fingerprint file {error}"))
            continue
        except OSError as error:
            anchors.findings.append(Finding("—", f"fingerprint file {path.name} cannot be read ({error.strerror})"))
            continue
        day = fingerprint.day
        if path.name != file_name(day):
            anchors.findings.append(Finding("—", f"fingerprint file {path.name} holds the fingerprint of {day}"))
            continue
        if digest_of(fingerprint.rows) != fingerprint.digest:
            anchors.findings.append(Finding("—", f"the fingerprint file of {day} does not give its own digest"))
            continue
        if day in kept and kept[day] != fingerprint.digest:
            anchors.findings.append(Finding("—", f"the fingerprint of {day} in the database differs from its file"))
        anchors.fingerprints.append(fingerprint)
        for problem_id, seq, head in fingerprint.rows:
            earlier = anchors.heads.setdefault((problem_id, seq), (head, day))
            if earlier[0] != head:
                anchors.findings.append(Finding(f"#{problem_id}", f"the fingerprints of {earlier[1]} and {day} "
                                                                  f"disagree on event {seq}"))
    return anchors


def latest_fingerprint(*, until: date | None = None) -> dict | None:
    """The newest fingerprint (up to ``until``) as a report keeps it (day, digest, problems), or None."""
    kept = LedgerFingerprint.objects.all() if until is None else LedgerFingerprint.objects.filter(day__lte=until)
    newest = kept.order_by("-day").first()
    if newest is None:
        return None
    return {"day": newest.day.isoformat(), "digest": newest.digest, "problems": newest.problems}
