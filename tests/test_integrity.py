"""Checksum manifests: written, read, verified; modified files refused by the loader."""

import shutil

import pytest

from citykit.data import load_dataset
from citykit.exceptions import CityKitWarning, IntegrityError
from citykit.integrity import MANIFEST_NAME, read_manifest, verify_manifest, write_manifest

from .conftest import IRAN


def test_manifest_lists_every_file(synthetic):
    folder = synthetic()
    write_manifest(folder)
    assert sorted(read_manifest(folder)) == sorted(
        p.name for p in folder.iterdir() if p.name != MANIFEST_NAME)
    assert verify_manifest(folder) == []


def test_modified_missing_and_unlisted_files_are_problems(synthetic):
    folder = synthetic(with_checksums=True)
    with open(folder / "values.csv", "ab") as handle:
        handle.write(b" ")
    (folder / "sources.csv").unlink()
    (folder / "extra.csv").write_text("x\n")
    messages = [str(p) for p in verify_manifest(folder)]
    assert any(m.startswith("values.csv: file was modified") for m in messages)
    assert "sources.csv: file is listed in checksums.sha256 but missing" in messages
    assert "extra.csv: file is not listed in checksums.sha256" in messages


def test_malformed_manifest_is_reported(synthetic):
    folder = synthetic(with_checksums=True)
    (folder / MANIFEST_NAME).write_text("not a checksum line\n")
    with pytest.raises(IntegrityError, match=r"line 1: expected '<64 hex digits>  <path>'"):
        load_dataset(folder)


def test_one_changed_byte_in_bundled_data_fails_with_the_file_name(tmp_path):
    copy = shutil.copytree(IRAN, tmp_path / "iran")
    path = copy / "values.csv"
    header, first, rest = path.read_text(encoding="utf-8").split("\n", 2)
    fields = first.split(",")
    column = header.split(",").index("value")
    last = fields[column][-1]
    fields[column] = fields[column][:-1] + ("8" if last == "9" else "9")  # one changed digit
    path.write_text("\n".join([header, ",".join(fields), rest]), encoding="utf-8")
    with pytest.raises(IntegrityError, match=r"values\.csv: file was modified"):
        load_dataset(copy)
    with pytest.warns(CityKitWarning, match=r"Loading modified data knowingly \(verify='warn'\): values\.csv: file was modified"):
        ds = load_dataset(copy, verify="warn")
    assert not ds.verified
    assert not load_dataset(copy, verify=False).verified


def test_bundled_dataset_is_verified(iran):
    assert iran.verified
