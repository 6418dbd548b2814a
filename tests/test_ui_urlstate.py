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
