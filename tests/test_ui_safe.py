"""The one escaping rule (citykit.ui.safe) and every view model that puts data names into text.

Names that did not come from the code (cities, provinces, indicators, framework labels, workshop
titles, participants, saved scenarios) must reach Streamlit's markdown inert: no live image, link,
LaTeX or HTML. A property test draws hostile names, puts them into the data and checks each entry
point's text: every ASCII punctuation character of a name is backslash-escaped (so the markdown
reader shows it as itself), and plotly text carries no raw tag.
"""

from __future__ import annotations

import copy
import re
import string
from types import SimpleNamespace

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from citykit.scenario import Scenario, run
from citykit.ui import compare, home
from citykit.ui import data as data_view
from citykit.ui import weights as wt
from citykit.ui import workshop as wv
from citykit.ui.safe import WJ, escape_hover, is_md_safe, md, md_frame, unescape_md

HOSTILE = (
    "![x](http://203.0.113.9/r.png)",
    "[Re-login here](http://evil.example/login)",
    "$x^2$",
    "$$\\frac{1}{2}$$",
    "<img src=x onerror=alert(1)>",
    "**b**",
    "#h",
    "<http://203.0.113.9/a>",
    "www.evil.example",
    "http://203.0.113.9/p",
    "user@evil.example",
    ":red[alarm] :material/home:",
    "`code`",
    "> quote | cell |",
    "line\n# heading\n\n![y](//203.0.113.9/y.png)",
    "\\![x](http://203.0.113.9/r.png)",
    "کرج ![x](http://203.0.113.9/r.png)",
)

#: A hostile name: one of the known attacks, or any text around one.
names = st.one_of(
    st.sampled_from(HOSTILE),
    st.builds(lambda a, h, b: a + h + b, st.text(max_size=8), st.sampled_from(HOSTILE),
              st.text(max_size=8)),
    st.text(min_size=1, max_size=30),
)

# Live syntax that must never survive md(): an unescaped "](", "$", "<", "!" "[" …
_LIVE = re.compile(r"(?<!\\)(?:\\\\)*(?:\]\(|\$|<|!\[|\[|www\.|://|@)")


def live_markdown(text: str) -> bool:
    """Whether `text` holds an image, link, autolink, LaTeX or HTML opener not escaped."""
    return bool(_LIVE.search(text))


def assert_inert(text: str, name: str) -> None:
    """`name` appears in `text` only as md(name): escaped, so nothing in it is live."""
    assert md(name) in text, (text, name)
    # with every occurrence of the escaped name removed, the rest is the code's own text
    rest = text.replace(md(name), "")
    assert not live_markdown(rest), (rest, name)


# --------------------------------------------------------------------------- the rule itself

@given(st.text())
def test_md_escapes_every_punctuation_and_reads_back(text):
    out = md(text)
    assert is_md_safe(out)
    assert not live_markdown(out)
    expected = re.sub("[\x00-\x1f\x7f-\x9f\u2028\u2029]+", " ", text)
    # the reader sees the name as it was (but for invisible word joiners)
    assert unescape_md(out).replace(WJ, "") == expected.replace(WJ, "")


@given(names)
def test_hostile_names_are_inert(name):
    out = md(name)
    assert is_md_safe(out) and "\n" not in out
    for c in string.punctuation:
        assert out.count("\\" + c) >= name.count(c) if c != "\\" else True


def test_known_attacks():
    assert md("![x](http://203.0.113.9/r.png)") == \
        "\\!\\[x\\]\\(http\\:\\/" + WJ + "\\/203\\.0\\.113\\.9\\/r\\.png\\)"
    # GFM autolink literals (found after escapes are resolved) are broken by a word joiner
    assert md("www.evil.org a@b.c") == "www" + WJ + "\\.evil\\.org a" + WJ + "\\@b\\.c"
    assert md("$x^2$") == "\\$x\\^2\\$"
    assert md("<img src=x>") == "\\<img src\\=x\\>"
    assert md("کرج") == "کرج" and md(None) == "" and md(3) == "3"
    assert escape_hover("<a href='http://evil'>x</a>").startswith("&lt;a")


def test_md_lines_keeps_one_line_per_problem():
    out = md("2 problems:\n  - cities.csv [x](http://e)", lines=True)
    assert out.split("  \n") == [md("2 problems:"), md("  - cities.csv [x](http://e)")]
    assert all(is_md_safe(line) for line in out.split("  \n"))


def test_md_frame_escapes_text_cells_and_keeps_numbers():
    frame = pd.DataFrame({"Name": ["[a](http://b)", None], "n": [1, 2]})
    out = md_frame(frame)
    assert out.at[0, "Name"] == md("[a](http://b)") and pd.isna(out.at[1, "Name"])
    assert out["n"].tolist() == [1, 2]


# --------------------------------------------------------------------------- the entry points

@pytest.fixture(scope="module")
def base():
    return copy.deepcopy(run(Scenario()))


def _rename(result, city_names: list[str], indicator_name: str):
    """A copy of `result` whose cities and criteria carry the hostile names."""
    result = copy.deepcopy(result)
    ids = list(result.ranking.scores.index)
    cities = result.dataset.cities
    for i, cid in enumerate(ids):
        cities.loc[cid, ["name_en", "name_fa"]] = city_names[i % len(city_names)]
    for frame in (result.ranking.matrix.criteria, result.matrix.criteria):
        frame.loc[:, ["name_en", "name_fa"]] = indicator_name
    return result


SLOW = settings(max_examples=12, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])


@SLOW
@given(city=names, indicator=names, lang=st.sampled_from(["en", "fa"]))
def test_compare_texts_escape_names(base, city, indicator, lang):
    result = _rename(base, [city, city + "2"], indicator)
    ids = list(result.ranking.ranks.sort_values().index)
    best, worst = ids[0], ids[-1]
    for _heading, lines in compare.sw_sections(result, worst, lang):
        for line in lines:
            assert_inert(line, indicator)
    table, full = compare.gap_table(result, worst, lang)
    for line in compare.gap_caption(result, full, lang):
        assert not live_markdown(line.replace(md(city), "").replace(md(city + "2"), ""))
    fig = compare.radar_figure(result, [best, worst], lang)
    for trace in fig.data:
        assert "<" not in trace.name and all("<" not in str(t) for t in trace.theta)


@SLOW
@given(city=names, lang=st.sampled_from(["en", "fa"]))
def test_home_notes_and_figures_escape_names(base, city, lang):
    result = _rename(base, [city], "x")
    capital = "112931"  # Tehran: not a candidate under the default
    result.dataset.cities.loc[capital, ["name_en", "name_fa"]] = city
    _, note = home.click_outcome(result, capital, [], limit=5, lang=lang)
    assert_inert(note, city)
    ranked = list(result.ranking.scores.index)
    _, full = home.click_outcome(result, ranked[0], ranked[1:6], limit=5, lang=lang)
    assert_inert(full, city)
    fig = home.readiness_need_figure(result, lang=lang)
    assert all("<" not in t for t in fig.data[0].text)


@SLOW
@given(city=names.filter(lambda s: "\0" not in s),  # NUL marks the hover template's slots
       component=names.filter(lambda s: "\0" not in s), lang=st.sampled_from(["en", "fa"]))
def test_coverage_figure_escapes_names(city, component, lang):
    flags = pd.DataFrame([["own", "missing"]], index=["c"], columns=["A", "B"])
    comps = pd.DataFrame({"name_en": [component], "name_fa": [component], "group_en": [""],
                          "group_fa": [""]}, index=["c"])
    fig = data_view.coverage_figure(data_view.CoverageGrid(flags, comps),
                                    pd.Series({"A": city, "B": "<b>"}), lang=lang)
    layout = fig.layout
    for text in [*layout.xaxis.ticktext, *layout.yaxis.ticktext]:
        assert "<" not in text
    cell = fig.data[0].text[0][0]  # component "c" of city "A"
    assert escape_hover(city) in cell and escape_hover(component) in cell
    for row in fig.data[0].text:
        for cell in row:
            assert "<" not in re.sub("</?b>|<br>", "", cell)


@given(label=names, lang=st.sampled_from(["en", "fa"]))
def test_subindex_caption_escapes_framework_labels(label, lang):
    criteria = pd.DataFrame({"subindex": ["need", "readiness"]}, index=["a", "b"])
    framework = SimpleNamespace(subindices={"need": {f"name_{lang}": label},
                                            "readiness": {f"name_{lang}": "R"}})
    text = wt.subindex_caption(pd.Series([0.4, 0.6], index=["a", "b"]), criteria, framework,
                               lang)
    assert_inert(text, label)


@SLOW
@given(participant=names, label=names, lang=st.sampled_from(["en", "fa"]))
def test_workshop_tables_and_figures_escape_names(tmp_path_factory, participant, label, lang):
    from citykit.workshop import WorkshopStore

    store = WorkshopStore(tmp_path_factory.mktemp("ws"))
    ws, _key = store.create_workshop("t", ["a", "b"], labels={
        "a": {"en": label, "fa": label}, "b": {"en": "B", "fa": "ب"}})
    me = store.join(ws.code, participant[:80].strip() or "x")
    store.submit_weights(ws.code, me.token, {"a": 0.5, "b": 0.5})
    group = store.group(ws.code)
    table = md_frame(wv.participants_table(group, lang), [wv.tr("ws_col_name", lang)])
    for cell in table.iloc[:, 1]:
        assert is_md_safe(cell)
    for fig in (wv.group_figure(group, lang), wv.spread_figure(group, lang)):
        for trace in fig.data:
            assert all("<" not in str(y) for y in trace.y)


# --------------------------------------------------------------------------- the real names

def _real_names() -> list[str]:
    """Every city, province and indicator name and unit of the bundled data, in both languages."""
    from citykit.data import load_dataset

    ds = load_dataset("iran")
    frames = [(ds.cities, ["name_en", "name_fa"]), (ds.provinces, ["name_en", "name_fa"]),
              (ds.indicators, ["name_en", "name_fa", "unit"])]
    return sorted({str(v) for frame, cols in frames for v in frame[cols].to_numpy().ravel()
                   if isinstance(v, str)})


def test_every_real_name_is_escaped_and_reads_back():
    """Issue 15, item 2: "PPP US$" and every other real name reaches markdown inert."""
    real = _real_names()
    assert len(real) > 1000 and "2011 PPP US$ per person" in real
    for name in real:
        assert is_md_safe(md(name)) and unescape_md(md(name)) == name, name


@pytest.fixture(scope="module")
def every_city():
    from citykit.eligibility import PRESETS

    return run(Scenario(eligibility=PRESETS["all-cities"]))


@pytest.mark.parametrize("lang", ["en", "fa"])
def test_compare_texts_of_every_real_city_hold_no_live_markdown(every_city, lang):
    """Issue 15, item 2: the Compare page's lines for the cities of the bundled data (every
    fifth of all 413, ranked among all: their names, the indicators' names and units) hold no
    unescaped "$", link, image or tag."""
    result = every_city
    names = result.ranking.matrix.criteria
    ids = list(result.ranking.ranks.sort_values().index)
    dollars = 0
    for city in ids[::5]:
        for heading, lines in compare.sw_sections(result, city, lang):
            for line in [heading, *lines]:
                assert not live_markdown(line), (city, line)
                dollars += line.count("\\$")
    _, full = compare.gap_table(result, ids[-1], lang)
    for line in compare.gap_caption(result, full, lang):
        assert not live_markdown(line), line
    if lang == "en" and (names["unit"].str.contains("$", regex=False)).any():
        assert dollars > 0  # the "US$" units were shown, escaped
