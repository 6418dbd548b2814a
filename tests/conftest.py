"""Shared fixtures: the bundled Iran dataset, and small SYNTHETIC datasets written on demand.

Synthetic data lives only here, generated from a seed and labelled ``synthetic`` in its source
and names, so it can never be mistaken for real data.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import citykit.data

ROOT = Path(__file__).resolve().parents[1]
IRAN = ROOT / "datasets" / "iran"

SQUARE = "POLYGON (({x0} 0, {x1} 0, {x1} 1, {x0} 1, {x0} 0))"


@pytest.fixture(scope="session")
def iran():
    """The bundled Iran dataset, loaded and verified once per session."""
    return citykit.data.load_dataset("iran")


def write_synthetic(folder: Path, *, seed: int = 0, n_cities: int = 4, with_checksums=False,
                    fmt: str = "csv", with_centres: bool = False) -> Path:
    """Write a small, valid, SYNTHETIC dataset (two provinces, two counties) to `folder`.

    With ``with_centres=True`` (and ``n_cities=4``) it also has two SYNTHETIC urban centres:
    ``U1`` holds S0 (the capital, core) and S1 (a provincial capital, member); ``U2`` has S2 as
    core; S3 lies in none. Indicator ``x_centre`` has a value for each centre only.
    """
    import geopandas as gpd
    from shapely import wkt

    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    provinces = gpd.GeoDataFrame(
        {"province_code": ["P1", "P2"], "name_en": ["Synthetic North", "Synthetic South"],
         "name_fa": ["شمال آزمایشی", "جنوب آزمایشی"]},
        geometry=[wkt.loads(SQUARE.format(x0=0, x1=1)), wkt.loads(SQUARE.format(x0=1, x1=2))],
        crs="EPSG:4326")
    counties = pd.DataFrame({"county_code": ["C1", "C2"], "province_code": ["P1", "P2"],
                             "name_fa": ["شهرستان یک", "شهرستان دو"], "name_en": ["One", "Two"]})
    ids = [f"S{i}" for i in range(n_cities)]
    cities = pd.DataFrame({
        "city_id": ids, "name_en": [f"Synthetic city {i}" for i in range(n_cities)],
        "name_fa": [f"شهر {i}" for i in range(n_cities)],
        "latitude": rng.uniform(0.1, 0.9, n_cities).round(4),
        "longitude": np.where(np.arange(n_cities) % 2 == 0, 0.5, 1.5),
        "province_code": np.where(np.arange(n_cities) % 2 == 0, "P1", "P2"),
        "county_code": np.where(np.arange(n_cities) % 2 == 0, "C1", "C2"),
        "population": rng.integers(10_000, 2_000_000, n_cities),
        "population_year": 2020, "population_source": "synthetic",
        "is_national_capital": [i == 0 for i in range(n_cities)],
        "is_provincial_capital": [i < 2 for i in range(n_cities)],
        "is_metropolis": [i == 0 for i in range(n_cities)],
    })
    values = pd.concat([
        pd.DataFrame({"entity_id": ["P1", "P2"], "level": "province", "indicator": "x_prov",
                      "year": 2020, "value": rng.normal(50, 10, 2).round(3), "source": "synthetic",
                      "flag": "official"}),
        pd.DataFrame({"entity_id": ["C1", "C2"], "level": "county", "indicator": "x_county",
                      "year": 2016, "value": rng.normal(5, 1, 2).round(3), "source": "synthetic",
                      "flag": "derived"}),
        pd.DataFrame({"entity_id": ["S1"], "level": "city", "indicator": "x_county", "year": 2016,
                      "value": [7.0], "source": "synthetic", "flag": "official"}),
    ], ignore_index=True)
    indicators = pd.DataFrame({
        "code": ["x_prov", "x_county"], "name_en": ["Synthetic A", "Synthetic B"],
        "name_fa": ["آزمایشی الف", "آزمایشی ب"], "unit": ["%", "count"],
        "direction": ["max", "min"], "level": ["province", "county"], "topic": "test",
        "definition": "synthetic test indicator", "source": "synthetic"})
    sources = pd.DataFrame({"id": ["synthetic"], "title": ["SYNTHETIC test data, seed "
                                                           f"{seed}"],
                            "publisher": ["citykit tests"], "year": ["2026"],
                            "origin": ["tests/conftest.py"], "licence": ["CC0-1.0"]})
    tables = {"counties": counties, "cities": cities, "values": values,
              "indicators": indicators, "sources": sources}
    if with_centres:
        cities["urban_centre_id"] = ["U1", "U1", "U2", None]
        cities["centre_role"] = ["core", "member", "core", None]
        tables["urban_centres"] = pd.DataFrame({
            "centre_id": ["U1", "U2"], "name_en": ["Synthetic centre 1", "Synthetic centre 2"],
            "core_city_id": ["S0", "S2"], "member_city_ids": ["S1", ""],
            "population": [3_000_000, 400_000]})
        tables["values"] = pd.concat([values, pd.DataFrame({
            "entity_id": ["U1", "U2"], "level": "urban_centre", "indicator": "x_centre",
            "year": 2015, "value": rng.normal(20, 5, 2).round(3), "source": "synthetic",
            "flag": "derived"})], ignore_index=True)
        tables["indicators"] = pd.concat([indicators, pd.DataFrame({
            "code": ["x_centre"], "name_en": ["Synthetic C"], "name_fa": ["آزمایشی ج"],
            "unit": ["ratio"], "direction": ["max"], "level": ["urban_centre"],
            "topic": "test", "definition": "synthetic test indicator",
            "source": "synthetic"})], ignore_index=True)
    if fmt == "xlsx":
        book = folder / "synthetic.xlsx"
        with pd.ExcelWriter(book) as writer:
            provinces.to_wkt().to_excel(writer, sheet_name="provinces", index=False)
            for name, frame in tables.items():
                frame.to_excel(writer, sheet_name=name, index=False)
        return book
    manifest = {"name": folder.name, "title": f"SYNTHETIC test dataset (seed {seed})"}
    (folder / "dataset.json").write_text(json.dumps(manifest), encoding="utf-8")
    provinces.to_file(folder / "provinces.geojson", driver="GeoJSON")
    for name, frame in tables.items():
        frame.to_csv(folder / f"{name}.csv", index=False)
    if with_checksums:
        from citykit.integrity import write_manifest

        write_manifest(folder)
    return folder


@pytest.fixture
def synthetic(tmp_path):
    """Factory: ``synthetic(**kw)`` writes a SYNTHETIC dataset and returns its path."""
    counter = iter(range(1000))

    def make(**kw) -> Path:
        return write_synthetic(tmp_path / f"ds{next(counter)}", **kw)

    return make


# --- browser tests: fixtures shared by tests/test_e2e*.py -------------------------------------

@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium driven by Playwright (never a downloaded browser)."""
    from playwright.sync_api import sync_playwright

    from .test_e2e import CHROME_ARGS, CHROMIUM

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROME_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture(scope="module")
def data_folder(tmp_path_factory) -> Path:
    """A fresh ``$CITYKIT_DATA`` (workshops) for one module's server."""
    return tmp_path_factory.mktemp("citykit-data")


@pytest.fixture(scope="module")
def server(tmp_path_factory, data_folder):
    """The app on a free loopback port, workshops in `data_folder`; stopped in teardown.
    (tests/test_e2e.py has its own, without a data folder.)"""
    from .test_e2e import start_app, stop_app

    url, proc = start_app(tmp_path_factory.mktemp("home"), CITYKIT_DATA=str(data_folder))
    try:
        yield url
    finally:
        stop_app(proc)


@pytest.fixture
def workshop_data(tmp_path, monkeypatch):
    """A fresh ``$CITYKIT_DATA`` for the app's workshop store, and the library's view of it."""
    from citykit.ui import workshop as wv
    from citykit.workshop import WorkshopStore

    monkeypatch.setenv("CITYKIT_DATA", str(tmp_path))
    wv._store.clear()
    yield WorkshopStore(tmp_path)
    wv._store.clear()
