"""Weighting workshops: concurrent submissions, the group's geometric mean, durability, refusals."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pytest

from citykit.workshop import SCHEMA_VERSION, WorkshopError, WorkshopStore

CRITERIA = ["human_capital", "economy", "urban_scale", "labour_market"]


@pytest.fixture
def store(tmp_path) -> WorkshopStore:
    return WorkshopStore(tmp_path / "data")


@pytest.fixture
def workshop(store):
    ws, key = store.create_workshop("Test workshop (synthetic judgements)", CRITERIA,
                                    labels={"economy": {"en": "Economy", "fa": "اقتصاد"}})
    return ws, key


def _eigenvector(A: np.ndarray) -> np.ndarray:
    """Principal eigenvector by power iteration (independent of citykit.ahp's numpy.linalg.eig)."""
    w = np.full(len(A), 1.0 / len(A))
    for _ in range(500):
        w = A @ w
        w /= w.sum()
    return w


def _random_pairwise(rng, n: int) -> np.ndarray:
    scale = np.array([1 / 9, 1 / 7, 1 / 5, 1 / 3, 1, 3, 5, 7, 9])
    A = np.ones((n, n))
    for i in range(n):
        for j in range(i + 1, n):
            A[i, j] = rng.choice(scale)
            A[j, i] = 1 / A[i, j]
    return A


def test_twenty_concurrent_submissions_all_count_and_equal_an_independent_geometric_mean(
        store, workshop):
    ws, _ = workshop
    rng = np.random.default_rng(20261129)
    vectors = rng.dirichlet(np.ones(len(CRITERIA)) * 2, size=10)
    matrices = [_random_pairwise(rng, len(CRITERIA)) for _ in range(10)]
    errors, barrier = [], threading.Barrier(20)

    def participant(i: int) -> None:
        try:
            who = store.join(ws.code, f"Synthetic participant {i}" if i % 2 else None)
            barrier.wait(timeout=30)  # all twenty write at once
            if i < 10:
                store.submit_weights(ws.code, who.token, dict(zip(CRITERIA, vectors[i],
                                                                  strict=True)))
            else:
                store.submit_pairwise(ws.code, who.token, matrices[i - 10])
        except Exception as err:  # noqa: BLE001 - reported below
            errors.append(err)

    threads = [threading.Thread(target=participant, args=(i,)) for i in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == []
    group = store.group(ws.code)
    assert group.n_submitted == 20 and len(group.history) == 20
    assert sorted(group.participants["number"]) == list(range(1, 21))

    # Independent: consistent matrices of the weights, the element-wise geometric mean of all
    # twenty judgement matrices, and its principal eigenvector by power iteration.
    judgements = [v[:, None] / v[None, :] for v in vectors] + matrices
    mean = np.exp(np.mean(np.log(np.stack(judgements)), axis=0))
    np.testing.assert_allclose(group.weights.to_numpy(), _eigenvector(mean), rtol=1e-9)
    assert group.weights.index.tolist() == CRITERIA
    assert abs(group.weights.sum() - 1) < 1e-12
    np.testing.assert_allclose(group.matrix, mean, rtol=1e-12)


def test_weights_only_group_equals_the_normalised_geometric_mean_of_vectors(store, workshop):
    ws, _ = workshop
    vectors = [[0.4, 0.3, 0.2, 0.1], [0.1, 0.2, 0.3, 0.4], [0.25, 0.25, 0.25, 0.25]]
    for v in vectors:
        p = store.join(ws.code)
        store.submit_weights(ws.code, p.token, dict(zip(CRITERIA, v, strict=True)))
    g = np.prod(np.array(vectors), axis=0) ** (1 / 3)
    group = store.group(ws.code)
    np.testing.assert_allclose(group.weights.to_numpy(), g / g.sum(), rtol=1e-9)
    assert group.cr == pytest.approx(0.0, abs=1e-9)
    spread = group.spread
    assert spread.loc["human_capital", "min"] == 0.1 and spread.loc["human_capital", "max"] == 0.4
    assert spread.loc["economy", "median"] == 0.25


def test_the_latest_submission_counts_and_the_history_keeps_all(store, workshop):
    ws, _ = workshop
    p = store.join(ws.code, "  Ana   Lopez ")
    assert p.name == "Ana Lopez" and p.pseudonym == "Participant 1"
    store.submit_weights(ws.code, p.token, dict(zip(CRITERIA, [0.7, 0.1, 0.1, 0.1], strict=True)))
    store.submit_budget(ws.code, p.token, dict(zip(CRITERIA, [25, 25, 25, 25], strict=True)))
    group = store.group(ws.code)
    np.testing.assert_allclose(group.weights, [0.25] * 4)
    assert group.participants.loc[0, "kind"] == "budget"
    assert group.participants.loc[0, "submissions"] == 2 and len(group.history) == 2


def test_a_workshop_survives_closing_and_reopening_the_database(tmp_path, workshop, store):
    ws, key = workshop
    for v in ([0.4, 0.3, 0.2, 0.1], [0.1, 0.2, 0.3, 0.4]):
        p = store.join(ws.code)
        store.submit_weights(ws.code, p.token, dict(zip(CRITERIA, v, strict=True)))
    before = store.group(ws.code)
    del store
    again = WorkshopStore(tmp_path / "data")
    after = again.group(ws.code)
    np.testing.assert_array_equal(after.weights, before.weights)
    assert after.participants.equals(before.participants)
    assert again.workshop(ws.code.lower()).label("economy", "fa") == "اقتصاد"
    assert again.schema_version == SCHEMA_VERSION
    with sqlite3.connect(again.path) as con:
        assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def _count(store, code) -> int:
    return len(store.group(code).history)


@pytest.mark.parametrize(("submit", "match"), [
    (lambda s, c, t: s.submit_weights(c, t, dict(zip(CRITERIA, [0.5, 0.3, 0.1, 0.05],
                                                     strict=True))),
     "weights must sum to 1; these sum to 0.95"),
    (lambda s, c, t: s.submit_weights(c, t, {"human_capital": 0.25, "econmy": 0.25,
                                             "urban_scale": 0.25, "labour_market": 0.25}),
     r"unknown \['econmy'\], missing \['economy'\]; did you mean \['economy'\]"),
    (lambda s, c, t: s.submit_weights(c, t, dict(zip(CRITERIA, [0.5, 0.5, 0.0, 0.0],
                                                     strict=True))),
     r"weight above 0 .* give \['urban_scale', 'labour_market'\]"),
    (lambda s, c, t: s.submit_weights(c, t, dict(zip(CRITERIA, [1.5, -0.5, 0, 0], strict=True))),
     r"finite and not negative; not for \['economy'\]"),
    (lambda s, c, t: s.submit_weights(c, t, dict(zip(CRITERIA, ["a", 1, 0, 0], strict=True))),
     "must be numbers"),
    (lambda s, c, t: s.submit_budget(c, t, dict(zip(CRITERIA, [30, 30, 30, 5], strict=True))),
     "add up to the budget of 100; these add up to 95"),
    (lambda s, c, t: s.submit_pairwise(c, t, [[1, 3, 1, 1], [3, 1, 1, 1], [1, 1, 1, 1],
                                              [1, 1, 1, 1]]),
     r"must be reciprocal .* a\[0, 1\] = 3 but a\[1, 0\] = 3, expected 0.333333"),
    (lambda s, c, t: s.submit_pairwise(c, t, [[1, 2], [0.5, 1]]),
     r"compares 4 criteria, so the judgements must be 4 × 4; got shape \(2, 2\)"),
    (lambda s, c, t: s.submit_pairwise(c, t, np.full((4, 4), -1.0)), "finite and > 0"),
    (lambda s, c, t: s.submit_weights(c, "not-a-token", dict(zip(CRITERIA, [0.25] * 4,
                                                                 strict=True))),
     "unknown participant token"),
])
def test_malformed_submissions_are_refused_and_change_nothing(store, workshop, submit, match):
    ws, _ = workshop
    p = store.join(ws.code)
    store.submit_weights(ws.code, p.token, dict(zip(CRITERIA, [0.25] * 4, strict=True)))
    before = store.group(ws.code)
    with pytest.raises(WorkshopError, match=match):
        submit(store, ws.code, p.token)
    after = store.group(ws.code)
    assert after.history.equals(before.history)
    np.testing.assert_array_equal(after.weights, before.weights)


def test_closing_refuses_later_joins_and_submissions(store, workshop):
    ws, key = workshop
    p = store.join(ws.code)
    with pytest.raises(WorkshopError, match="not the facilitator's key"):
        store.close(ws.code, "guess")
    assert store.close(ws.code, key).closed_at is not None
    with pytest.raises(WorkshopError, match=r"was closed at .*no more participants"):
        store.join(ws.code)
    with pytest.raises(WorkshopError, match="was closed at"):
        store.submit_weights(ws.code, p.token, dict(zip(CRITERIA, [0.25] * 4, strict=True)))
    assert _count(store, ws.code) == 0


@pytest.mark.parametrize(("args", "match"), [
    (("", CRITERIA), "title needs 1 to 200 characters"),
    (("T", ["only"]), "weighs 2 to 15 criteria; got 1"),
    (("T", ["a", "b", "a"]), r"listed twice: \['a'\]"),
])
def test_bad_workshops_are_refused(store, args, match):
    with pytest.raises(WorkshopError, match=match):
        store.create_workshop(*args)


def test_unknown_codes_and_newer_schemas_are_clear_errors(tmp_path, store):
    with pytest.raises(WorkshopError, match="no workshop has the code 'ZZZZZZ'"):
        store.workshop("zz-zzzz")
    with sqlite3.connect(store.path) as con:
        con.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    with pytest.raises(WorkshopError, match="schema version 99, newer than this citykit"):
        WorkshopStore(tmp_path / "data")


def test_named_scenarios_are_unique_and_keep_the_record(store, workshop):
    ws, key = workshop
    p = store.join(ws.code, "Ana")
    store.submit_weights(ws.code, p.token, dict(zip(CRITERIA, [0.4, 0.3, 0.2, 0.1], strict=True)))
    record = store.group(ws.code).to_record()
    assert record["participants"] == [{"pseudonym": "Participant 1",
                                       "joined_at": p.joined_at, "submitted": True}]
    assert store.group(ws.code).to_record(names=True)["participants"][0]["name"] == "Ana"
    assert record["submissions"][0]["weights"]["human_capital"] == 0.4
    assert "geometric mean" in record["aggregation"]
    store.save_scenario("Group weights", '{"method": "wsum"}', code=ws.code, key=key,
                        record=record)
    with pytest.raises(WorkshopError, match="exists already"):
        store.save_scenario("Group  weights", "{}")
    with pytest.raises(WorkshopError, match="not the facilitator's key"):
        store.save_scenario("Other", "{}", code=ws.code, key="wrong")
    saved = store.scenarios()
    assert saved["name"].tolist() == ["Group weights"]
    assert json.loads(saved.loc[0, "record"])["code"] == ws.code
    assert store.scenario("Group weights") == '{"method": "wsum"}'


WRITER = """
import sys
from citykit.workshop import WorkshopStore
store = WorkshopStore(sys.argv[1])
code = sys.argv[2]
i = 0
while True:
    p = store.join(code, f"writer {i}")
    store.submit_weights(code, p.token, {"a": 0.5, "b": 0.5})
    print(p.number, flush=True)   # acknowledged only after the commit returned
    i += 1
"""


@pytest.mark.skipif(os.name != "posix", reason="SIGKILL")
def test_killing_the_writer_mid_write_loses_nothing_acknowledged(tmp_path):
    store = WorkshopStore(tmp_path / "data")
    ws, _ = store.create_workshop("Crash test (synthetic)", ["a", "b"])
    proc = subprocess.Popen([sys.executable, "-c", WRITER, str(store.folder), ws.code],
                            stdout=subprocess.PIPE, text=True,
                            cwd=Path(__file__).resolve().parents[1])
    acked = []
    for line in proc.stdout:
        acked.append(int(line))
        if len(acked) >= 40:
            break
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    group = WorkshopStore(tmp_path / "data").group(ws.code)
    submitted = set(group.participants.loc[group.participants["submitted"], "number"])
    assert set(acked) <= submitted


def test_the_workshop_record_goes_into_the_dossier(tmp_path, store, workshop, iran):
    import openpyxl

    from citykit.export import export_dossier, verify_dossier
    from citykit.scenario import Scenario, run

    ws, _ = workshop
    for name, v in (("Ana", [0.4, 0.3, 0.2, 0.1]), (None, [0.1, 0.2, 0.3, 0.4])):
        p = store.join(ws.code, name)
        store.submit_weights(ws.code, p.token, dict(zip(CRITERIA, v, strict=True)))
    record = store.group(ws.code).to_record()
    result = run(Scenario(method="wsum"), dataset=iran)
    dossier = export_dossier(result, tmp_path / "dossier", k=3, robustness=None,
                             workshop=record)
    assert dossier.manifest["workshop"]["code"] == ws.code
    book = openpyxl.load_workbook(dossier.paths["workbook"], read_only=True)
    rows = list(book["workshop"].values)
    assert rows[0][:5] == ("workshop", "participant", "submitted_at", "kind", "cr")
    assert [r[1] for r in rows[1:]] == ["Participant 1", "Participant 2", "group"]
    assert "Ana" not in str(rows)  # pseudonyms only
    steps = [r for r in book["methodology"].values if r[1] == "Weighting workshop"]
    assert steps and f"Workshop {ws.code}" in steps[0][2] and "2 participants" in steps[0][2]
    assert verify_dossier(dossier.folder) == []
    from citykit.exceptions import ExportError
    with pytest.raises(ExportError, match=r"the workshop record lacks \['aggregation'"):
        export_dossier(result, tmp_path / "d2", robustness=None,
                       workshop={"code": "X", "title": "t"})
