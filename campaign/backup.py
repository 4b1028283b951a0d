"""One archive holds everything needed to bring the city back: the database, the uploaded files
and the ledger's fingerprints, with a manifest of versions and checksums.

Consistency: the database is dumped first, in one snapshot (pg_dump runs in a single
repeatable-read transaction; SQLite's online backup API copies one consistent state). Files are
copied after it: photos and workbooks are written to storage *before* the rows that name them
are committed, so every file the dumped rows refer to already exists when the files are copied
(files newer than the dump are extra, never missing). Files are read through Django's default
storage, so another storage backend is backed up and restored the same way.

Archive layout (a plain tar; photos and the dump are compressed already):
  database.pgdump | database.sqlite3   the database
  media/<name>                         every file in the default storage, under its storage name
  fingerprints/<name>                  the ledger's fingerprint files, when that folder exists
  manifest.json                        written last: time, versions, and each member's size and SHA-256
"""

import datetime as dt
import hashlib
import io
import json
import os
import platform
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from pathlib import Path

import django
from django.conf import settings
from django.core.files.base import File
from django.core.files.storage import default_storage
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

from .context_processors import forget_current_campaign

FORMAT = "healthcity-backup/1"
CHUNK = 1024 * 1024


class BackupError(Exception):
    """The backup or the restore cannot go on; the message says why."""


def _pg_env() -> dict:
    db = settings.DATABASES["default"]
    env = {**os.environ, "PGDATABASE": db["NAME"], "PGUSER": db.get("USER") or "",
           "PGHOST": db.get("HOST") or "", "PGPORT": str(db.get("PORT") or "")}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = db["PASSWORD"]
    return {key: value for key, value in env.items() if value != ""}


def _run(command: list[str], env: dict | None = None) -> str:
    try:
        done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    except FileNotFoundError as error:
        raise BackupError(f"{command[0]} is not installed (PostgreSQL's client tools are needed)") from error
    if done.returncode != 0:
        raise BackupError(f"{command[0]} failed: {done.stderr.strip() or done.stdout.strip()}")
    return done.stdout


def _migration_heads() -> dict[str, str]:
    heads: dict[str, str] = {}
    for app, name in MigrationRecorder(connection).applied_migrations():
        heads[app] = max(heads.get(app, ""), name)
    return dict(sorted(heads.items()))


def _storage_names(folder: str = "") -> list[str]:
    """Every file name in the default storage, walked through the storage API."""
    try:
        folders, files = default_storage.listdir(folder)
    except FileNotFoundError:
        return []
    names = [f"{folder}/{name}" if folder else name for name in files]
    for sub in folders:
        names += _storage_names(f"{folder}/{sub}" if folder else sub)
    return sorted(names)


class _Hashing(io.RawIOBase):
    """Reads through to ``handle`` and hashes what passes."""

    def __init__(self, handle):
        self.handle, self.sha256, self.size = handle, hashlib.sha256(), 0

    def readable(self):
        return True

    def read(self, n=-1):
        data = self.handle.read(n)
        self.sha256.update(data)
        self.size += len(data)
        return data


def _add(archive: tarfile.TarFile, member: str, handle, size: int, manifest: dict) -> None:
    info = tarfile.TarInfo(member)
    info.size, info.mtime, info.mode = size, int(timezone.now().timestamp()), 0o600
    reader = _Hashing(handle)
    archive.addfile(info, reader)
    manifest["files"][member] = {"size": reader.size, "sha256": reader.sha256.hexdigest()}


def _dump_database(scratch: Path) -> tuple[Path, dict]:
    vendor = connection.vendor
    if vendor == "postgresql":
        target = scratch / "database.pgdump"
        env = _pg_env()
        _run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--file={target}"], env)
        tools = _run(["pg_dump", "--version"]).strip()
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            server = cursor.fetchone()[0]
        return target, {"vendor": vendor, "server_version": server, "dump_tool": tools}
    if vendor == "sqlite":
        target = scratch / "database.sqlite3"
        source = sqlite3.connect(settings.DATABASES["default"]["NAME"])
        copy = sqlite3.connect(target)
        try:
            with copy:
                source.backup(copy)
        finally:
            copy.close()
            source.close()
        return target, {"vendor": vendor, "server_version": sqlite3.sqlite_version}
    raise BackupError(f"no backup for the {vendor} database")


def fingerprint_dir() -> Path | None:
    folder = getattr(settings, "LEDGER_FINGERPRINT_DIR", None)
    return Path(folder) if folder else None


def backup_create(*, path: Path) -> dict:
    """Write the archive to ``path`` (through a temporary name, so a half-written archive is
    never mistaken for a backup) and return its manifest."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    manifest = {
        "format": FORMAT,
        "created_at": timezone.now().isoformat(),
        "versions": {"python": platform.python_version(), "django": django.get_version(),
                     "migrations": _migration_heads()},
        "files": {},
    }
    partial = path.with_name(path.name + ".part")
    with tempfile.TemporaryDirectory(prefix="healthcity-backup-") as scratch:
        dump, database = _dump_database(Path(scratch))
        manifest["database"] = {**database, "member": dump.name}
        with tarfile.open(partial, "w") as archive:
            with dump.open("rb") as handle:
                _add(archive, dump.name, handle, dump.stat().st_size, manifest)
            dump.unlink()
            for name in _storage_names():
                with default_storage.open(name, "rb") as handle:
                    _add(archive, f"media/{name}", handle, default_storage.size(name), manifest)
            folder = fingerprint_dir()
            if folder and folder.is_dir():
                for file in sorted(p for p in folder.rglob("*") if p.is_file()):
                    with file.open("rb") as handle:
                        _add(archive, f"fingerprints/{file.relative_to(folder).as_posix()}", handle,
                             file.stat().st_size, manifest)
            body = json.dumps(manifest, indent=2, ensure_ascii=False).encode()
            info = tarfile.TarInfo("manifest.json")
            info.size, info.mtime, info.mode = len(body), int(timezone.now().timestamp()), 0o600
            archive.addfile(info, io.BytesIO(body))
    partial.replace(path)
    return manifest


# --- Restore ---------------------------------------------------------------------------------------


def backup_read_manifest(archive: tarfile.TarFile) -> dict:
    try:
        manifest = json.load(archive.extractfile("manifest.json"))
    except KeyError:
        raise BackupError("not a backup: the archive has no manifest.json") from None
    if manifest.get("format") != FORMAT:
        raise BackupError(f"unknown backup format {manifest.get('format')!r}")
    return manifest


def backup_verify(archive: tarfile.TarFile, manifest: dict) -> None:
    """Every member the manifest lists is there with its size and SHA-256."""
    for member, expected in manifest["files"].items():
        if member.startswith("/") or ".." in Path(member).parts:
            raise BackupError(f"unsafe name in the archive: {member}")
        try:
            handle = archive.extractfile(member)
        except KeyError:
            raise BackupError(f"{member} is missing from the archive") from None
        digest, size = hashlib.sha256(), 0
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
        if size != expected["size"] or digest.hexdigest() != expected["sha256"]:
            raise BackupError(f"{member} is damaged: its checksum does not match the manifest")


def _database_is_empty() -> bool:
    return not connection.introspection.table_names()


def _restore_database(archive: tarfile.TarFile, manifest: dict, scratch: Path) -> None:
    database = manifest["database"]
    if database["vendor"] != connection.vendor:
        raise BackupError(f"the backup is of a {database['vendor']} database, this is {connection.vendor}")
    if not _database_is_empty():
        raise BackupError("the target database is not empty: restore into a new, empty database")
    archive.extract(database["member"], scratch, filter="data")
    dump = scratch / database["member"]
    connection.close()
    if connection.vendor == "postgresql":
        _run(["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction",
              f"--dbname={settings.DATABASES['default']['NAME']}", str(dump)], _pg_env())
    else:
        source = sqlite3.connect(dump)
        target = sqlite3.connect(settings.DATABASES["default"]["NAME"])
        try:
            with target:
                source.backup(target)
        finally:
            target.close()
            source.close()


def _restore_media(archive: tarfile.TarFile, manifest: dict) -> int:
    restored = 0
    for member, expected in manifest["files"].items():
        if not member.startswith("media/"):
            continue
        name = member.removeprefix("media/")
        if default_storage.exists(name):
            with default_storage.open(name, "rb") as handle:
                if hashlib.sha256(handle.read()).hexdigest() == expected["sha256"]:
                    continue
            raise BackupError(f"the storage already holds a different {name}: restore into an empty storage")
        saved = default_storage.save(name, File(archive.extractfile(member), name=name))
        if saved != name:
            raise BackupError(f"the storage saved {name} as {saved}")
        restored += 1
    return restored


def _restore_fingerprints(archive: tarfile.TarFile, manifest: dict) -> int:
    members = [member for member in manifest["files"] if member.startswith("fingerprints/")]
    folder = fingerprint_dir()
    if not members:
        return 0
    if folder is None:
        raise BackupError("the backup has ledger fingerprints but LEDGER_FINGERPRINT_DIR is not set")
    for member in members:
        target = folder / member.removeprefix("fingerprints/")
        target.parent.mkdir(parents=True, exist_ok=True)
        with archive.extractfile(member) as source, target.open("xb") as handle:
            shutil.copyfileobj(source, handle)
    return len(members)


def backup_restore(*, path: Path) -> dict:
    """Check the archive, then load it into the configured (empty) database and storage.
    Returns the manifest and what was restored."""
    try:
        archive = tarfile.open(path, "r")
    except (OSError, tarfile.TarError) as error:
        raise BackupError(f"cannot read {path}: {error}") from error
    with archive, tempfile.TemporaryDirectory(prefix="healthcity-restore-") as scratch:
        manifest = backup_read_manifest(archive)
        backup_verify(archive, manifest)
        _restore_database(archive, manifest, Path(scratch))
        files = _restore_media(archive, manifest)
        fingerprints = _restore_fingerprints(archive, manifest)
    # The load fired no save signal: the header's kept "current campaign" (read while the
    # database was empty) is forgotten here.
    forget_current_campaign()
    return {"manifest": manifest, "files": files, "fingerprints": fingerprints,
            "created_at": dt.datetime.fromisoformat(manifest["created_at"])}
