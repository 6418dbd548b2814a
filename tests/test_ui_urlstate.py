"""The scenario token of the app's URL: exact round trips, short links, clear errors."""

from __future__ import annotations

import base64
import json
import zlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from citykit.scenario import Scenario, ScenarioError
from citykit.ui.urlstate import MAX_TOKEN_CHARS, decode_scenario, encode_scenario

weights = st.dictionaries(st.text(min_size=1, max_size=12), st.floats(0, 1), max_size=30)


@settings(max_examples=40, deadline=None)
@given(method=st.sampled_from(["wsum", "geometric", "topsis", "vikor", "promethee2"]),
       w=weights, top_k=st.integers(1, 50), seed=st.integers(0, 2**32 - 1),
       name=st.text(max_size=20))
def test_round_trip_is_exact(method, w, top_k, seed, name):
    s = Scenario().with_(method=method, weights=w or "equal",
                           robustness={"draws": 500, "top_k": top_k, "seed": seed},
                           candidates=(name,) if name else None)
    assert decode_scenario(encode_scenario(s, base=Scenario()), base=Scenario()) == s
    assert decode_scenario(encode_scenario(s)) == s


def test_defaults_give_an_empty_token_and_links_stay_short(iran):
    assert encode_scenario(Scenario(), base=Scenario()) == ""
    from citykit.scenario import run
    criteria = run(Scenario(), dataset=iran).matrix.values.columns
    w = {c: 1 / len(criteria) for c in criteria}
    token = encode_scenario(Scenario().with_(weights=w, method="vikor"), base=Scenario())
    assert 0 < len(token) < 1500
    assert set(token) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


def _token(data) -> str:
    raw = json.dumps(data).encode()
    return base64.urlsafe_b64encode(zlib.compress(raw)).decode().rstrip("=")


@pytest.mark.parametrize(("token", "match"), [
    ("%%%", "not a citykit scenario token"),
    (base64.urlsafe_b64encode(b"plain text").decode(), "does not decode"),
    (_token([1, 2]), "holds list, not a scenario"),
    (_token({"method": 3}), "'method' must be str"),
    (_token({"colour": "red"}), r"unknown scenario keys \['colour'\]"),
    ("A" * (MAX_TOKEN_CHARS + 1), "more than the 16,000"),
])
def test_bad_tokens_raise_scenario_errors(token, match):
    with pytest.raises(ScenarioError, match=match):
        decode_scenario(token)


def test_a_compression_bomb_is_refused():
    bomb = base64.urlsafe_b64encode(zlib.compress(b'{"a":"' + b"x" * 5_000_000 + b'"}', 9))
    assert len(bomb) < MAX_TOKEN_CHARS
    with pytest.raises(ScenarioError, match="does not decode"):
        decode_scenario(bomb.decode())


def test_token_on_top_of_a_base_keeps_the_base():
    token = encode_scenario(Scenario(method="topsis"))
    assert decode_scenario(token, base=Scenario()).eligibility == Scenario().eligibility


# --------------------------------------------------------------------------- hostile links (issue 14)

def _raw_token(raw: bytes) -> str:
    return base64.urlsafe_b64encode(zlib.compress(raw, 9)).decode().rstrip("=")


HOSTILE = {
    # item 4: each of these ended in a traceback with server paths
    "deep list": (_raw_token(b'{"candidates":' + b"[" * 10_000 + b"]" * 10_000 + b"}"),
                  r"does not decode \(RecursionError\)"),
    "deep dict": (_raw_token(b'{"method_params":' + b'{"a":' * 600 + b"1" + b"}" * 600 + b"}"),
                  r"'method_params' is nested more than 8 levels deep"),
    "deeper dict": (_raw_token(b'{"method_params":' + b'{"a":' * 5_000 + b"1" + b"}" * 5_000
                               + b"}"), r"does not decode \(RecursionError\)"),
    "bad rule": (_token({"eligibility": [{"rule": "veto", "criterion": "x"}]}),
                 r"eligibility rule 1: veto on 'x' needs exactly one"),
    "unhashable rule": (_token({"eligibility": [{"rule": ["x"]}]}),
                        r"eligibility rule 1: unknown eligibility rule"),
    "bad missing": (_token({"missing": {"policy": "knn", "k": "x"}}),
                    r"'missing' \(knn\): 'k' must be a whole number"),
    "missing params": (_token({"missing": [{"policy": "median", "foo": 1}]}),
                       r"has unknown parameters \['foo'\]"),
    "NUL path": (_token({"dataset": "iran\x00"}), r"must not contain a NUL character"),
    "long path": (_token({"dataset": "a" * 100_000}), r"1 to 4,096 characters; got 100,000"),
    "huge int": (_raw_token(b'{"year": ' + b"9" * 5_000 + b"}"), r"does not decode"),
    # item 3: a 127-character link whose draws cost minutes of CPU
    "draws": (_token({"robustness": {"draws": 40_000_000}}),
              r"'robustness.draws' must be a whole number from 1 to 100,000; got 40,000,000"),
    "chunk": (_token({"robustness": {"chunk_size": 10**12}}), r"'robustness.chunk_size'"),
}


@pytest.mark.parametrize("name", list(HOSTILE))
def test_hostile_tokens_are_scenario_errors_never_tracebacks(name):
    """Every crafted token is a ScenarioError, which the app shows as a warning and opens the
    defaults (session.init); none reaches Streamlit as another exception."""
    token, match = HOSTILE[name]
    assert len(token) < MAX_TOKEN_CHARS
    with pytest.raises(ScenarioError, match=match):
        decode_scenario(token, base=Scenario(), workspace=".")


def test_a_draws_link_is_short_and_refused_before_any_work():
    token = _token({"robustness": {"draws": 40_000_000}})
    assert len(f"http://localhost:8501/robustness?s={token}") < 127
    with pytest.raises(ScenarioError, match="100,000"):
        decode_scenario(token)


def test_session_init_turns_a_hostile_link_into_a_warning_and_defaults():
    from streamlit.testing.v1 import AppTest

    token = HOSTILE["deep list"][0]
    script = ("import streamlit as st\nfrom citykit.scenario import Scenario\n"
              "from citykit.ui import session\nsession.init()\n"
              "st.text(' | '.join(session.url_problems()))\n"
              "st.text(str(session.scenario() == Scenario()))\n")
    at = AppTest.from_string(script)
    at.query_params["s"] = token
    at.run(timeout=30)
    assert not at.exception
    assert "RecursionError" in at.text[0].value and at.text[1].value == "True"


SIDEBAR_FILES = {
    "deep dict": (b'{"method_params":' + b'{"a":' * 600 + b"1" + b"}" * 600 + b"}",
                  r"nested more than 8 levels deep"),
    "NUL dataset": (json.dumps({"dataset": "iran\x00/etc"}).encode(),
                    r"must not contain a NUL character"),
    "long dataset": (json.dumps({"dataset": "d" * 100_000}).encode(), r"1 to 4,096 characters"),
    "bad rule": (json.dumps({"eligibility": [{"rule": "veto", "criterion": "x", "above": "5"}]}
                            ).encode(), r"'above' must be a number"),
    "bad missing": (json.dumps({"missing": "mediane"}).encode(), r"did you mean 'median'"),
    "draws": (json.dumps({"robustness": {"draws": 40_000_000}}).encode(), r"100,000"),
}


@pytest.mark.parametrize("name", list(SIDEBAR_FILES))
def test_hostile_sidebar_scenario_files_are_clear_errors(name):
    """Item 4: sidebar scenario files that are deeply nested or hold NUL gave tracebacks."""
    from citykit.exceptions import CityKitError
    from citykit.ui.shell import read_scenario_file

    data, match = SIDEBAR_FILES[name]
    with pytest.raises(CityKitError, match=match):
        read_scenario_file("s.json", data)


def test_a_deeply_nested_sidebar_file_is_a_clear_error():
    from citykit.exceptions import CityKitError
    from citykit.ui.shell import read_scenario_file

    with pytest.raises(CityKitError, match="nested too deeply"):
        read_scenario_file("s.json", b'{"candidates":' + b"[" * 10_000 + b"]" * 10_000 + b"}")
