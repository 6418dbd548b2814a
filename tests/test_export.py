"""The decision dossier: every file, formula escaping, an offline brief, a reproducible manifest.

The Iran dossier is exported once per module (in English with robustness, in Persian without);
formula injection and a given shortlist use a small SYNTHETIC dataset from ``conftest``.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import re
import shutil
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

import geopandas as gpd
import openpyxl
import pandas as pd
import pyogrio
import pytest

from citykit.cli import main
from citykit.eligibility import preset_rules
from citykit.exceptions import ExportError
from citykit.export import (
    MANIFEST,
    OUTPUTS,
    SHEETS,
    escape_cell,
    export_dossier,
    methodology,
    unescape_cell,
    verify_dossier,
)
from citykit.integrity import read_manifest, write_manifest
from citykit.scenario import Scenario, run

from .conftest import IRAN, write_synthetic

INJECTION = '=HYPERLINK("http://x")'
CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture(scope="module")
def iran_result():
    return run(Scenario())


@pytest.fixture(scope="module")
def dossier_en(iran_result, tmp_path_factory):
    return export_dossier(iran_result, tmp_path_factory.mktemp("en"), k=5)


@pytest.fixture(scope="module")
def dossier_fa(iran_result, tmp_path_factory):
    return export_dossier(iran_result, tmp_path_factory.mktemp("fa"), k=5, lang="fa",
                          robustness=None)


@pytest.fixture(scope="module")
def injected(tmp_path_factory):
    """A SYNTHETIC dataset in which one city is named like a spreadsheet formula."""
    folder = write_synthetic(tmp_path_factory.mktemp("syn") / "ds", n_cities=6)
    cities = pd.read_csv(folder / "cities.csv", dtype={"city_id": str})
    cities.loc[cities["city_id"] == "S2", ["name_en", "name_fa"]] = [INJECTION, "@SUM(1+1)"]
    cities.to_csv(folder / "cities.csv", index=False)
    write_manifest(folder)
    # every city but the capital is a candidate: the default (metropolises) leaves none here,
    # and the capital-area rule would drop the hostile S2 (it shares the capital's county)
    scenario = Scenario(dataset=str(folder), framework=None, weights="equal",
                        eligibility=preset_rules("all-cities"))
    result = run(scenario)
    assert "S2" in result.ranking.scores.index
    return result


# --------------------------------------------------------------------------- files

def test_every_output_is_written(dossier_en):
    names = sorted(p.name for p in dossier_en.paths.values())
    assert names == sorted([*OUTPUTS.values(), MANIFEST])
    assert all(p.stat().st_size > 0 for p in dossier_en.paths.values())
    assert not list(dossier_en.folder.glob(".*.tmp*")), "temporary files left behind"


def test_workbook_opens_with_every_sheet(dossier_en, iran_result):
    book = openpyxl.load_workbook(dossier_en.paths["workbook"], read_only=True)
    assert book.sheetnames == list(SHEETS)
    ranking = list(book["ranking"].iter_rows(values_only=True))
    assert len(ranking) == 1 + len(iran_result.ranking.scores)
    assert {"rank", "city_id", "score", "p_top_k", "rank_low", "rank_high"} <= set(ranking[0])
    steps = [row[1] for row in book["methodology"].iter_rows(min_row=2, values_only=True)]
    assert steps[:3] == ["Data", "Framework and criteria", "Candidates and eligibility"]
    excluded = list(book["excluded"].iter_rows(min_row=2, values_only=True))
    audit = iran_result.audit.excluded()
    assert [(r[0], r[4]) for r in excluded] == list(zip(audit["id"], audit["rule"], strict=True))
    assert (excluded[0][0], excluded[0][4]) == ("112931", "exclude-capital")     # Tehran
    # the default (metropolises): Tehran, then its county and urban centre, then the rest
    assert Counter(r[4] for r in excluded) == {"exclude-capital": 1,
                                               "exclude-capital-area": 23,
                                               "metropolis-only": 382}
    assert len(excluded) + len(iran_result.ranking.scores) == 414
    indicators = list(book["indicators"].iter_rows(values_only=True))
    assert {"criterion", "value", "unit", "year", "source", "provenance"} <= set(indicators[0])
    assert len(indicators) - 1 == iran_result.ranking.matrix.values.size
    gaps = list(book["data_gaps"].iter_rows(min_row=2, values_only=True))
    assert any(row[0] == "gov_abroad_services" for row in gaps)


def test_ranking_and_shortlist_csv(dossier_en, iran_result):
    table = pd.read_csv(dossier_en.paths["ranking"], dtype={"city_id": str},
                        encoding="utf-8-sig")
    ranks = iran_result.ranking.ranks
    assert table["rank"].tolist() == ranks[table["city_id"]].tolist()
    assert table["rank"].is_monotonic_increasing and int(table["pilot"].sum()) == 5
    assert table["p_top_k"].between(0, 1).all()
    short = pd.read_csv(dossier_en.paths["shortlist"], dtype={"city_id": str},
                        encoding="utf-8-sig")
    assert short["city_id"].tolist() == table["city_id"].head(5).tolist()
    # each strength names where its value comes from: the city's own value reads bare, an
    # urban centre's, county's or province's value says so
    notes = {"urban-centre": "urban-centre value", "proxy-county": "county value",
             "proxy-province": "province value"}
    provenance = iran_result.ranking.matrix.provenance
    seen = set()
    for city, text in zip(short["city_id"], short["strengths"], strict=True):
        rows = iran_result.ranking.strengths_weaknesses(city)
        kinds = [str(provenance.at[city, c]) for c in rows.loc[rows["kind"] == "strength",
                                                                "criterion"]]
        assert kinds and len(text.split(" than most candidates")) - 1 == len(kinds)
        for kind, note in notes.items():
            assert text.count(note) == kinds.count(kind), (city, kind)
        seen.update(kinds)
    assert {"own", "urban-centre", "proxy-county", "proxy-province"} <= seen
    # need signals have their own columns, and never appear among strengths or weaknesses
    assert {"more_need", "less_need"} <= set(short.columns)
    assert short["more_need"].fillna("").str.contains("more need").any()
    for column in ("strengths", "weaknesses"):
        assert not short[column].fillna("").str.contains("more need|less need").any()


def test_top_k_tie_at_the_cut_is_named(injected, dossier_en, tmp_path):
    """SYNTHETIC S2 and S4 share their province and county (and so every value): a tie."""
    ranks = injected.ranking.ranks
    assert ranks["S2"] == ranks["S4"] == 4 and (ranks < 4).sum() == 3
    dossier = export_dossier(injected, tmp_path, k=4, robustness=None)
    assert dossier.manifest["shortlist"]["tied_left_out"] == ["S4"]
    steps = dict(methodology(injected, k=4))
    assert "The cut falls inside a tie: Synthetic city 4 share rank 4" in steps["Shortlist"]
    assert "inside a tie" not in dict(methodology(injected, k=3))["Shortlist"]
    # the default Iran ranking has no tie at its cut
    assert dossier_en.manifest["shortlist"]["tied_left_out"] == []


def test_geo_outputs(dossier_en, iran_result):
    assert sorted(name for name, _ in pyogrio.list_layers(dossier_en.paths["geopackage"])) == \
        ["candidates", "pilots"]
    pilots = gpd.read_file(dossier_en.paths["geopackage"], layer="pilots")
    assert len(pilots) == 5 and pilots.geometry.geom_type.eq("Point").all()
    geo = json.loads(dossier_en.paths["geojson"].read_text(encoding="utf-8"))
    assert len(geo["features"]) == len(iran_result.ranking.scores)
    assert {"score", "rank", "pilot", "subindex_readiness"} <= set(geo["features"][0]["properties"])


# --------------------------------------------------------------------------- escaping

@pytest.mark.parametrize(("value", "expected"), [
    ("=1+2", "'=1+2"), ("+1", "'+1"), ("-cmd", "'-cmd"), ("@SUM(A1)", "'@SUM(A1)"),
    ("\tx", "'\tx"), ("\rx", "'\rx"), ("Karaj", "Karaj"), ("", ""), (-3.5, -3.5), (7, 7),
    (None, None)])
def test_escape_cell(value, expected):
    assert escape_cell(value) == expected
    assert unescape_cell(escape_cell(value)) == value


def test_formula_city_name_is_text_in_csv_and_xlsx(injected, tmp_path):
    dossier = export_dossier(injected, tmp_path, k=3)
    text = dossier.paths["ranking"].read_text(encoding="utf-8-sig")
    assert f"'{INJECTION}".replace('"', '""') in text      # CSV-quoted, escaped
    assert not re.search(r'(^|,)"?=HYPERLINK', text, flags=re.M)
    assert "'@SUM(1+1)" in text
    book = openpyxl.load_workbook(dossier.paths["workbook"])
    found = [cell for name in book.sheetnames for row in book[name].iter_rows()
             for cell in row if isinstance(cell.value, str) and "HYPERLINK" in cell.value]
    assert found, "the city name should appear in the workbook"
    assert all(c.data_type == "s" and not c.value.startswith(("=", "+", "-", "@"))
               for c in found)                            # sentences may quote the name
    assert any(c.value.startswith("'=HYPERLINK") for c in found)
    assert not [c for name in book.sheetnames for row in book[name].iter_rows()
                for c in row if c.data_type == "f"]
    assert verify_dossier(tmp_path) == []                     # unescaped when read back


# --------------------------------------------------------------------------- the brief

class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.links += [value or "" for name, value in attrs if name in ("src", "href")]


def _markup(html: str) -> str:
    """The page without the bodies of its scripts (plotly.js holds URLs in string literals)."""
    return re.sub(r"(<script\b[^>]*>).*?(</script>)", r"\1\2", html, flags=re.S | re.I)


@pytest.mark.parametrize("which", ["dossier_en", "dossier_fa"])
def test_brief_has_no_external_src_or_href(which, request):
    html = request.getfixturevalue(which).paths["brief"].read_text(encoding="utf-8")
    parser = _Links()
    parser.feed(html)
    assert parser.links, "the brief should have links (its table of contents)"
    assert [u for u in parser.links if not u.startswith(("#", "data:"))] == []
    markup = _markup(html)
    attrs = re.findall(r"""\b(?:src|href)\s*=\s*["']?([^"'\s>]*)""", markup, flags=re.I)
    assert attrs and all(u.startswith(("#", "data:")) for u in attrs)
    assert all(u.startswith("data:") for u in re.findall(r"url\(\s*['\"]?([^'\")]+)", markup))
    assert html.count("plotly.js v") == 1, "plotly.js should be inlined exactly once"
    assert "<script src" not in html and "<link" not in html


def test_brief_english_names_the_pilots_and_shows_robustness(dossier_en, iran_result):
    html = dossier_en.paths["brief"].read_text(encoding="utf-8")
    assert '<html lang="en" dir="ltr">' in html
    names = iran_result.ranking.matrix.names("en")
    for city in dossier_en.manifest["shortlist"]["pilots"]:
        assert names[city] in html
    assert 'id="citykit-map"' in html and 'id="citykit-robustness"' in html
    assert "province value" in html and "Methodology" in html
    for heading in ("Readiness: strengths", "Readiness: weaknesses",
                    "Need: more than most candidates", "Need: less than most candidates"):
        assert f"<h4>{heading}</h4>" in html
    assert "<h4>Strengths</h4>" not in html     # need signals are not strengths


def test_brief_persian_is_right_to_left_with_persian_digits(dossier_fa, iran_result):
    html = dossier_fa.paths["brief"].read_text(encoding="utf-8")
    assert '<html lang="fa" dir="rtl">' in html
    names = iran_result.ranking.matrix.names("fa")
    for city in dossier_fa.manifest["shortlist"]["pilots"]:
        assert names[city] in html
    assert re.search("رتبهٔ [۰-۹]+ · امتیاز [۰-۹]٫[۰-۹]{3}", html)
    assert "font/woff2;base64," in html and "Vazirmatn" in html and "SIL Open Font" in html
    assert "پایداری رتبه‌ها برای این گزارش محاسبه نشده است" in html   # robustness=None
    assert 'id="citykit-robustness"' not in html
    assert "مقدار استان" in html                                        # proxy flags, in Persian
    assert "<h4>نیاز: بیشتر از بیشتر نامزدها</h4>" in html and "نیاز بیشتر" in html


# --------------------------------------------------------------------------- reproducibility

def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_manifest_records_scenario_checksums_and_hashes(dossier_en, iran_result):
    manifest = json.loads(dossier_en.paths["manifest"].read_text(encoding="utf-8"))
    assert manifest == dossier_en.manifest
    assert Scenario.from_dict(manifest["scenario"]) == iran_result.scenario
    assert manifest["dataset"]["checksums"] == read_manifest(IRAN)
    assert manifest["citykit_version"] and manifest["framework"]["sha256"]
    assert set(manifest["outputs"]) == set(OUTPUTS.values())
    for name, entry in manifest["outputs"].items():
        assert _sha(dossier_en.folder / name) == entry["sha256"]
    assert manifest["robustness"]["settings"]["source"] == "scenario"


def test_scenario_round_trips_and_reruns_identically(dossier_en, iran_result):
    scenario = Scenario.from_json(dossier_en.paths["scenario"])
    assert scenario == iran_result.scenario
    again = run(scenario).ranking
    pd.testing.assert_series_equal(again.scores, iran_result.ranking.scores)
    pd.testing.assert_series_equal(again.ranks, iran_result.ranking.ranks)


def test_brief_is_byte_identical_on_a_re_export(dossier_en, iran_result, tmp_path):
    again = export_dossier(iran_result, tmp_path, k=5)
    for role in ("ranking", "shortlist", "geojson", "brief", "scenario"):
        assert _sha(again.paths[role]) == _sha(dossier_en.paths[role]), role


def test_verify_dossier_passes_then_catches_tampering(dossier_en, tmp_path):
    folder = tmp_path / "copy"
    shutil.copytree(dossier_en.folder, folder)
    assert verify_dossier(folder) == []
    ranking = folder / OUTPUTS["ranking"]
    header, first = csv.reader(ranking.read_text(encoding="utf-8-sig").splitlines()[:2])
    score = first[header.index("score")]                      # the top city's score
    assert float(score) != 0.99
    ranking.write_bytes(ranking.read_bytes().replace(score.encode(), b"0.99", 1))
    problems = [str(p) for p in verify_dossier(folder)]
    assert any(p.startswith("ranking.csv") and "modified" in p for p in problems)
    assert any("other scores" in p for p in problems)    # the re-run disagrees too
    (folder / OUTPUTS["brief"]).unlink()
    assert any("brief.html" in str(p) and "missing" in str(p) for p in verify_dossier(folder))


def test_given_shortlist_is_exported_and_verified(injected, tmp_path):
    ids = list(injected.ranking.scores.index[-2:])
    dossier = export_dossier(injected, tmp_path, shortlist=ids, robustness=None)
    short = pd.read_csv(dossier.paths["shortlist"], dtype={"city_id": str}, encoding="utf-8-sig")
    assert short["city_id"].tolist() == ids
    assert dossier.manifest["shortlist"]["mode"] == "given"
    assert sorted(gpd.read_file(dossier.paths["geopackage"], layer="pilots")["city_id"]) == \
        sorted(ids)
    assert verify_dossier(tmp_path) == []


def test_robustness_table_is_recognised(injected, tmp_path):
    ids = injected.ranking.scores.index
    table = pd.DataFrame({"p_top_3": 0.5, "rank_p5": 1, "rank_p95": len(ids)}, index=ids)
    dossier = export_dossier(injected, tmp_path, k=3, robustness=table)
    ranking = pd.read_csv(dossier.paths["ranking"], encoding="utf-8-sig")
    assert ranking[["p_top_k", "rank_low", "rank_high"]].notna().all().all()
    assert dossier.manifest["robustness"]["settings"]["columns"] == {
        "p_top_k": "p_top_3", "rank_low": "rank_p5", "rank_high": "rank_p95"}
    assert 'id="citykit-robustness"' in dossier.paths["brief"].read_text(encoding="utf-8")


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"lang": "de"}, "lang must be 'en' or 'fa'"),
    ({"k": 0}, "k must be a whole number from 1"),
    ({"shortlist": ["nope"]}, r"unknown ids \['nope'\]"),
    ({"shortlist": []}, "it is empty"),
    ({"robustness": "maybe"}, "robustness must be 'scenario'"),
])
def test_bad_options_raise_export_error(injected, tmp_path, kwargs, match):
    with pytest.raises(ExportError, match=match):
        export_dossier(injected, tmp_path, **kwargs)


def test_out_dir_that_is_a_file_raises(injected, tmp_path):
    file = tmp_path / "f.txt"
    file.write_text("x")
    with pytest.raises(ExportError, match="is a file; give a folder"):
        export_dossier(injected, file)


# --------------------------------------------------------------------------- CLI

def test_cli_scenario_new_then_export(injected, tmp_path, capsys):
    path = tmp_path / "s.json"
    assert main(["scenario", "new", "--out", str(path)]) == 0
    assert Scenario.from_json(path) == Scenario()
    assert main(["scenario", "new", "--out", str(path)]) == 2          # no silent overwrite
    assert "already exists" in capsys.readouterr().err
    injected.scenario.to_json(path)
    out = tmp_path / "dossier"
    assert main(["export", "--scenario", str(path), "--out", str(out), "--lang", "fa",
                 "-k", "2"]) == 0
    printed = capsys.readouterr().out
    assert all(f"wrote {out / name}" in printed for name in [*OUTPUTS.values(), MANIFEST])
    assert verify_dossier(out) == []


@pytest.mark.parametrize(("content", "match"), [
    (None, "no scenario file"),
    ("{not json", "not valid JSON"),
    ('{"colour": 1}', "unknown scenario keys"),
])
def test_cli_export_bad_scenario_exits_2(tmp_path, capsys, content, match):
    path = tmp_path / "s.json"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    assert main(["export", "--scenario", str(path), "--out", str(tmp_path / "d")]) == 2
    err = capsys.readouterr().err
    assert match in err and "Traceback" not in err


# --------------------------------------------------------------------------- browser

@pytest.mark.e2e
@pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian chromium at /usr/bin/chromium")
def test_brief_draws_its_map_from_disk_offline(dossier_fa):
    """Opened as a file (no server): the map draws and nothing is fetched from outside."""
    import io

    import numpy as np
    from PIL import Image
    from playwright.sync_api import sync_playwright

    args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync"]
    outside, errors = [], []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=args)
        try:
            page = browser.new_page(viewport={"width": 1200, "height": 900})
            page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(
                ("file:", "data:", "blob:")) else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(dossier_fa.paths["brief"].as_uri())
            page.locator("#citykit-map canvas.maplibregl-canvas").wait_for(timeout=30000)
            drawn = 0.0
            for _ in range(40):          # MapLibre draws asynchronously
                page.wait_for_timeout(250)
                shot = page.locator("#citykit-map").screenshot()
                pixels = np.asarray(Image.open(io.BytesIO(shot)).convert("RGB"))
                drawn = float((pixels.sum(axis=2) < 740).mean())
                if drawn > 0.10:
                    break
            assert page.evaluate("document.documentElement.scrollWidth") <= 1200
        finally:
            browser.close()
    assert outside == [] and errors == []
    assert drawn > 0.10, f"the map drew only {drawn:.1%} of its pixels"


def test_pilot_reasons_put_need_apart_from_strengths():
    """SYNTHETIC matrix: fewer hospital beds than most (a need criterion, polarity '-') reads as
    more need, in both languages, never as a strength."""
    from citykit._brief import pilot_reasons
    from citykit.matrix import CityMatrix
    from citykit.ranking import rank

    frame = pd.DataFrame({"tertiary": [25.1, 19.2, 18.0], "beds": [14.1, 17.9, 20.0]},
                         index=["A", "B", "C"])
    crit = pd.DataFrame({"subindex": ["readiness", "need"], "name_en": ["Tertiary", "Beds"],
                         "name_fa": ["تحصیلات عالی", "تخت"], "unit": ["%", "per 10,000 people"]},
                        index=frame.columns)
    ranking = rank(CityMatrix.from_frame(frame, ["max", "min"], criteria=crit))
    en = {r["criterion"]: r for r in pilot_reasons(ranking, "A")}
    assert en["tertiary"]["kind"] == "strength" and en["tertiary"]["group"] == "readiness"
    assert en["tertiary"]["text"].endswith("higher than most candidates")
    assert en["beds"]["kind"] == "need" and en["beds"]["group"] == "need"
    assert "lower than most candidates — more need" in en["beds"]["text"]
    assert "median 17.9 per 10,000 people" in en["beds"]["text"]
    fa = {r["criterion"]: r for r in pilot_reasons(ranking, "A", lang="fa")}
    assert "نیاز بیشتر" in fa["beds"]["text"] and "۱۴٫۱" in fa["beds"]["text"]


# --- issue 14, item 9: a killed re-export leaves the previous dossier intact -------------------

def _snapshot(folder: Path) -> dict[str, str]:
    return {p.name: _sha(p) for p in sorted(folder.iterdir()) if p.is_file()}


def test_an_export_that_dies_while_writing_leaves_the_previous_dossier(injected, tmp_path,
                                                                       monkeypatch):
    import citykit.export as export

    folder = tmp_path / "dossier"
    export_dossier(injected, folder, k=3, robustness=None)
    before = _snapshot(folder)

    def killed(*args, **kwargs):  # the process dies while the workbook is being written
        raise KeyboardInterrupt

    monkeypatch.setattr(export, "_write_xlsx", killed)
    with pytest.raises(KeyboardInterrupt):
        export_dossier(injected, folder, k=4, robustness=None)
    assert _snapshot(folder) == before            # nothing new beside the old manifest
    assert [p.name for p in folder.iterdir() if p.name.startswith(".")] == []
    assert verify_dossier(folder) == []


def test_a_staging_folder_left_by_a_killed_process_is_removed_by_the_next_export(injected,
                                                                                  tmp_path):
    from citykit.export import STAGING_PREFIX

    folder = tmp_path / "dossier"
    export_dossier(injected, folder, k=3, robustness=None)
    stale = folder / f"{STAGING_PREFIX}deadbeef0000"   # what SIGKILL leaves: no cleanup ran
    stale.mkdir()
    (stale / "ranking.csv").write_text("half,written\n")
    (stale / ".dossier.1234.tmp.xlsx").write_bytes(b"PK")
    export_dossier(injected, folder, k=4, robustness=None)
    assert not stale.exists()
    assert verify_dossier(folder) == []


def test_an_export_killed_while_moving_files_in_is_reported_then_completed(injected, tmp_path,
                                                                           monkeypatch):
    import citykit.export as export
    from citykit.export import JOURNAL, recover

    folder = tmp_path / "dossier"
    export_dossier(injected, folder, k=3, robustness=None)
    real, moved = os.replace, []

    def dies_after_two(src, dst):   # staged files moving into the dossier folder
        into_folder = Path(dst).parent == folder and Path(dst).name != JOURNAL
        if into_folder and len(moved) == 2:
            raise OSError("killed")
        if into_folder:
            moved.append(dst)
        real(src, dst)

    monkeypatch.setattr(export.os, "replace", dies_after_two)
    with pytest.raises(ExportError, match="cannot write the dossier"):
        export_dossier(injected, folder, k=4, robustness=None)
    monkeypatch.setattr(export.os, "replace", real)
    assert (folder / JOURNAL).exists()
    problems = verify_dossier(folder)
    assert len(problems) == 1 and "interrupted" in problems[0].message
    assert recover(folder) == "completed an interrupted export"
    assert verify_dossier(folder) == []
    assert json.loads((folder / "manifest.json").read_text(encoding="utf-8"))["shortlist"]["k"] == 4


@pytest.mark.parametrize("lang, heading, claim", [
    ("en", "What can be said with confidence",
     "Ahvaz and Isfahan are in the top 5 under at least 90% of 2,000 weight draws"),
    ("fa", "آنچه با اطمینان می‌توان گفت", "اهواز و اصفهان در دست‌کم ۹۰٪ از ۲٬۰۰۰"),
])
def test_the_brief_and_the_methodology_sheet_say_the_conclusions(dossier_en, iran_result,
                                                                 tmp_path, lang, heading, claim):
    """Issue 15, item 3: the same sentences as the app's, in the brief and the workbook; a
    dossier without robustness draws says none."""
    dossier = dossier_en if lang == "en" else export_dossier(iran_result, tmp_path, lang="fa")
    html = dossier.paths["brief"].read_text(encoding="utf-8")
    assert f"<h3>{heading}</h3>" in html and claim in html
    sheet = openpyxl.load_workbook(dossier.paths["workbook"])["methodology"]
    rows = {row[1]: row[2] for row in sheet.iter_rows(values_only=True)}
    assert heading in rows and claim in rows[heading]
    without = export_dossier(iran_result, tmp_path / "none", lang=lang, robustness=None)
    assert heading not in without.paths["brief"].read_text(encoding="utf-8")


def test_the_brief_map_names_the_pilots_in_its_legend(iran_result):
    """Issue 15, item 6: each pilot in its own colour, named with its number; no "Metropolis"."""
    from citykit._brief import _map_figure

    pilots = list(iran_result.ranking.ranks.sort_values().index[:5])
    for lang, first in (("en", "1. Ahvaz"), ("fa", "۱. اهواز")):
        fig = _map_figure(iran_result, pilots, lang)
        names = [t.name for t in fig.data if t.type == "scattermap"]
        assert names[-5:][0] == first and len(set(names[-5:])) == 5
        assert not any("etropolis" in (n or "") or "کلان‌شهر" in (n or "") for n in names)
        colours = {t.marker.color for t in fig.data[-5:]}
        assert len(colours) == 5
