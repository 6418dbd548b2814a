"""The pipeline rebuilds every derived file of datasets/iran from raw/ identically."""

import json

import geopandas as gpd
import pytest

from citykit.build import iran as pipeline
from citykit.integrity import read_manifest

from .conftest import IRAN

#: Geometry may differ across GEOS versions by rounding only: 1e-5 degrees is about 1 m.
GEOMETRY_TOLERANCE_DEG = 1e-5


@pytest.fixture(scope="module")
def rebuilt(tmp_path_factory):
    out = tmp_path_factory.mktemp("iran_rebuilt")
    pipeline.build(IRAN / "raw", out)
    return out


@pytest.mark.parametrize("name", [n for n in pipeline.DERIVED_FILES if not n.endswith(".geojson")])
def test_tables_rebuild_byte_for_byte(rebuilt, name):
    assert (rebuilt / name).read_bytes() == (IRAN / name).read_bytes(), (
        f"{name} differs from a fresh build: run `citykit build iran` and commit the result")


@pytest.mark.parametrize("name", ["provinces.geojson", "counties.geojson"])
def test_geometry_rebuilds_within_tolerance(rebuilt, name):
    fresh, bundled = gpd.read_file(rebuilt / name), gpd.read_file(IRAN / name)
    assert fresh.drop(columns="geometry").equals(bundled.drop(columns="geometry"))
    assert fresh.geometry.geom_equals_exact(bundled.geometry,
                                            tolerance=GEOMETRY_TOLERANCE_DEG).all()


def test_checksum_manifest_covers_every_bundled_file():
    listed = set(read_manifest(IRAN))
    on_disk = {p.relative_to(IRAN).as_posix() for p in IRAN.rglob("*")
               if p.is_file() and p.name != "checksums.sha256"}
    assert listed == on_disk
    assert set(pipeline.DERIVED_FILES) <= listed


def test_manifest_names_the_pipeline():
    manifest = json.loads((IRAN / "dataset.json").read_text(encoding="utf-8"))
    assert manifest["pipeline"] == "citykit.build.iran"
    assert manifest["name"] == "iran"
