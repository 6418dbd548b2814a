"""Checksum manifests: prove that a dataset's files are the ones its pipeline wrote.

A dataset folder holds ``checksums.sha256`` in the format of the ``sha256sum`` tool
(``<64 hex digits>  <relative path>`` per line), so anyone can check it without citykit:
``cd datasets/iran && sha256sum -c checksums.sha256``.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from .exceptions import Problem

__all__ = ["MANIFEST_NAME", "file_sha256", "read_manifest", "verify_manifest", "write_manifest"]

MANIFEST_NAME = "checksums.sha256"
_IGNORED_NAMES = {MANIFEST_NAME, ".DS_Store"}
_IGNORED_DIRS = {"__pycache__", ".ipynb_checkpoints"}


def file_sha256(path: Path) -> str:
    """Return the hex SHA-256 digest of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _dataset_files(folder: Path) -> list[Path]:
    return sorted(
        p for p in folder.rglob("*")
        if p.is_file() and p.name not in _IGNORED_NAMES
        and not _IGNORED_DIRS.intersection(p.relative_to(folder).parts)
    )


def write_manifest(folder: Path) -> Path:
    """Write ``checksums.sha256`` listing every file under `folder`, sorted by path.

    Returns
    -------
    pathlib.Path
        The manifest's path.
    """
    folder = Path(folder)
    lines = [f"{file_sha256(p)}  {p.relative_to(folder).as_posix()}" for p in _dataset_files(folder)]
    path = folder / MANIFEST_NAME
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def read_manifest(folder: Path) -> dict[str, str]:
    """Read ``checksums.sha256`` into ``{relative path: hex digest}``.

    Raises
    ------
    ValueError
        If a line is not ``<64 hex digits>  <path>``.
    """
    path = Path(folder) / MANIFEST_NAME
    entries: dict[str, str] = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        digest, sep, name = line.partition("  ")
        if not sep or len(digest) != 64 or not all(c in "0123456789abcdef" for c in digest):
            raise ValueError(
                f"{path}, line {number}: expected '<64 hex digits>  <path>', got {line[:80]!r}"
            )
        entries[name.lstrip("*")] = digest
    return entries


def verify_manifest(folder: Path) -> list[Problem]:
    """Compare every file under `folder` with the manifest; return one problem per mismatch.

    A file whose digest differs, a listed file that is missing and a file that is not listed are
    all problems: an unlisted file could change what the loader reads.
    """
    folder = Path(folder)
    try:
        expected = read_manifest(folder)
    except ValueError as err:
        return [Problem(MANIFEST_NAME, str(err))]
    problems = []
    present = {p.relative_to(folder).as_posix(): p for p in _dataset_files(folder)}
    for name, digest in sorted(expected.items()):
        if name not in present:
            problems.append(Problem(name, "file is listed in checksums.sha256 but missing"))
            continue
        got = file_sha256(present[name])
        if got != digest:
            problems.append(Problem(
                name, f"file was modified: SHA-256 expected {digest[:12]}…, got {got[:12]}…"))
    for name in sorted(set(present) - set(expected)):
        problems.append(Problem(name, "file is not listed in checksums.sha256"))
    return problems
