"""Where uploaded images live on disk and how their addresses look.

A file is named by the SHA-256 of its bytes, ``<var_dir>/uploads/<sha[:2]>/<sha>.<ext>``, and
served at ``/uploads/<sha>.<ext>``. Only names of that exact form are ever turned into a path,
so no address can reach outside the directory. A file is written under a temporary name in its
final directory and renamed into place: readers see all of it or nothing.
"""

import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

EXTENSIONS = {"image/png": "png", "image/jpeg": "jpg", "image/webp": "webp"}
URL_PREFIX = "/uploads/"
NAME = re.compile(r"(?P<sha256>[0-9a-f]{64})\.(?P<extension>png|jpg|webp)")
URL = re.compile(re.escape(URL_PREFIX) + NAME.pattern)


@dataclass(frozen=True)
class StoredName:
    sha256: str
    extension: str

    @property
    def url(self) -> str:
        return f"{URL_PREFIX}{self.sha256}.{self.extension}"


def name_for(sha256: str, content_type: str) -> StoredName:
    return StoredName(sha256=sha256, extension=EXTENSIONS[content_type])


def parse_name(name: str) -> StoredName | None:
    """The stored name ``name`` (``<sha256>.<ext>``) spells, or None for anything else."""
    match = NAME.fullmatch(name)
    return StoredName(**match.groupdict()) if match else None


def parse_url(url: str) -> StoredName | None:
    """The upload an address of this site (``/uploads/<sha256>.<ext>``) names, else None."""
    match = URL.fullmatch(url)
    return StoredName(**match.groupdict()) if match else None


def directory(var_dir: Path) -> Path:
    return var_dir / "uploads"


def path_of(var_dir: Path, name: StoredName) -> Path:
    return directory(var_dir) / name.sha256[:2] / f"{name.sha256}.{name.extension}"


def write(var_dir: Path, name: StoredName, data: bytes) -> bool:
    """Store ``data`` under ``name`` unless that file is there already (the same bytes, by its
    name); True when this call wrote it."""
    target = path_of(var_dir, name)
    if target.exists():
        return False
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".incoming-")
    try:
        os.fchmod(handle, 0o644)  # public images; mkstemp makes them private to the owner
        with os.fdopen(handle, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return True


def remove(var_dir: Path, name: StoredName) -> None:
    path_of(var_dir, name).unlink(missing_ok=True)
