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


# --------------------------------------------------------------------------- issue 14, item 5/6

def _weights(values) -> dict:
    return dict(zip(CRITERIA, values, strict=True))


@pytest.mark.parametrize("tiny", [5e-324, 1e-300, 1e-7])
def test_weights_below_the_floor_are_refused(store, workshop, tiny):
    """Item 5: 5e-324 broke every later group(); 1e-300 let one participant veto a criterion."""
    from citykit.workshop import MIN_WEIGHT

    ws, _ = workshop
    p = store.join(ws.code)
    with pytest.raises(WorkshopError, match=r"at least 1e-06 .* give \['economy'\]"):
        store.submit_weights(ws.code, p.token, _weights([0.5 - tiny, tiny, 0.25, 0.25]))
    assert _count(store, ws.code) == 0
    store.submit_weights(ws.code, p.token, _weights([0.5 - MIN_WEIGHT, MIN_WEIGHT, 0.25, 0.25]))
    with pytest.raises(WorkshopError, match="at least 1e-06"):
        store.submit_budget(ws.code, p.token, _weights([100 - tiny * 100, tiny * 100, 0, 0]))


@pytest.mark.parametrize("big", [1e300, 10.0, 1e3])
def test_judgements_beyond_saatys_scale_are_refused(store, workshop, big):
    """Item 5: pairwise entries of 1e300 from one participant out of two drove the group."""
    ws, _ = workshop
    p = store.join(ws.code)
    A = np.ones((4, 4))
    A[1, 0], A[0, 1] = big, 1 / big
    with pytest.raises(WorkshopError, match=r"from 1/9 to 9 \(Saaty's scale\); 'human_capital' over 'economy'"):
        store.submit_pairwise(ws.code, p.token, A)
    assert _count(store, ws.code) == 0
    A[1, 0], A[0, 1] = 9, 0.111                       # 1/9 as typed: inside the tolerance
    assert store.submit_pairwise(ws.code, p.token, A).kind == "pairwise"


def _store_raw(store, code, number, weights, matrix=None):
    """A submission written straight into the database, as an older citykit could have."""
    with sqlite3.connect(store.path) as con:
        pid = con.execute("SELECT id FROM participants WHERE workshop = ? AND number = ?",
                          (code, number)).fetchone()[0]
        con.execute("INSERT INTO submissions (workshop, participant, kind, weights, matrix, cr, "
                    "submitted_at) VALUES (?, ?, ?, ?, ?, 0, '2026-01-01T00:00:00.000Z')",
                    (code, pid, "pairwise" if matrix is not None else "weights", weights,
                     matrix))


def test_group_never_raises_on_stored_rows_and_names_the_right_participant(store, workshop):
    """Item 5: a stored 5e-324 made every group() raise (a permanent traceback in the
    facilitator's view), and the message counted participants from 0."""
    ws, _ = workshop
    people = [store.join(ws.code) for _ in range(5)]
    store.submit_weights(ws.code, people[0].token, _weights([0.4, 0.3, 0.2, 0.1]))
    _store_raw(store, ws.code, 2, json.dumps([0.5, 5e-324, 0.25, 0.25]))
    big = np.ones((4, 4))
    big[0, 1], big[1, 0] = 1e300, 1e-300
    _store_raw(store, ws.code, 3, json.dumps([0.999, 0.001 / 3, 0.001 / 3, 0.001 / 3]),
               json.dumps(big.tolist()))
    _store_raw(store, ws.code, 4, "{not json")
    store.submit_weights(ws.code, people[4].token, _weights([0.1, 0.2, 0.3, 0.4]))
    group = store.group(ws.code)                       # no exception
    assert len(group.notes) == 3
    assert group.notes[0].startswith("Participant 2's latest submission")
    assert "at least 1e-06" in group.notes[0]
    assert group.notes[1].startswith("Participant 3's") and "Saaty" in group.notes[1]
    assert group.notes[2].startswith("Participant 4's") and "malformed" in group.notes[2]
    assert group.participants["submitted"].tolist() == [True, False, False, False, True]
    assert list(group.individual.index) == ["Participant 1", "Participant 5"]
    expected = np.sqrt(np.array([0.4, 0.3, 0.2, 0.1]) * np.array([0.1, 0.2, 0.3, 0.4]))
    np.testing.assert_allclose(group.weights, expected / expected.sum(), rtol=1e-9)
    assert group.history["counted"].tolist() == [True, False, False, False, True]
    record = group.to_record()
    assert record["notes"] == list(group.notes)
    assert [s["counted"] for s in record["submissions"]] == [True, False, False, False, True]


def test_the_participant_cap_holds_and_the_facilitator_can_raise_it(store, workshop):
    """Item 6: there was no cap; 20,000 participants took the facilitator page 122 s."""
    from citykit.workshop import DEFAULT_MAX_PARTICIPANTS

    ws, key = workshop
    assert ws.max_participants == DEFAULT_MAX_PARTICIPANTS == 200
    store.join(ws.code)
    with pytest.raises(WorkshopError, match="not the facilitator's key"):
        store.set_max_participants(ws.code, "guess", 500)
    assert store.set_max_participants(ws.code, key, 2).max_participants == 2
    store.join(ws.code)
    with pytest.raises(WorkshopError, match=r"is full: it takes at most 2 participants"):
        store.join(ws.code, "Sock puppet")
    with pytest.raises(WorkshopError, match="cannot be lower"):
        store.set_max_participants(ws.code, key, 1)
    with pytest.raises(WorkshopError, match="from 1 to 5,000"):
        store.set_max_participants(ws.code, key, 10**9)
    assert store.set_max_participants(ws.code, key, 3).max_participants == 3
    assert store.join(ws.code).number == 3
    events = store.group(ws.code).events
    assert events["kind"].tolist() == ["max_participants", "max_participants"]
    assert events["detail"].tolist() == ["200 -> 2", "2 -> 3"]


def test_concurrent_joins_do_not_overshoot_the_cap(store, workshop):
    ws, key = workshop
    store.set_max_participants(ws.code, key, 5)
    joined, refused = [], []

    def join() -> None:
        try:
            joined.append(store.join(ws.code))
        except WorkshopError:
            refused.append(1)

    threads = [threading.Thread(target=join) for _ in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert len(joined) == 5 and len(refused) == 7


def test_the_facilitator_can_remove_a_participant(store, workshop):
    """Item 6: the facilitator could not remove anyone (sock puppets counted)."""
    ws, key = workshop
    ana, puppet = store.join(ws.code, "Ana"), store.join(ws.code, "Puppet")
    store.submit_weights(ws.code, ana.token, _weights([0.4, 0.3, 0.2, 0.1]))
    store.submit_weights(ws.code, puppet.token, _weights([0.97, 0.01, 0.01, 0.01]))
    with pytest.raises(WorkshopError, match="not the facilitator's key"):
        store.remove_participant(ws.code, ana.token, 2)
    with pytest.raises(WorkshopError, match="has no Participant 7"):
        store.remove_participant(ws.code, key, 7)
    assert store.remove_participant(ws.code, key, 2, reason="joined twice").name == "Puppet"
    group = store.group(ws.code)
    assert group.participants["pseudonym"].tolist() == ["Participant 1"]
    np.testing.assert_allclose(group.weights, [0.4, 0.3, 0.2, 0.1], rtol=1e-9)
    assert group.removed["pseudonym"].tolist() == ["Participant 2"]
    assert group.history["counted"].tolist() == [True, False]       # kept, not counted
    assert group.events[["kind", "participant", "detail"]].values.tolist() == [
        ["removed", 2, "joined twice"]]
    record = group.to_record()
    assert record["removed"][0]["pseudonym"] == "Participant 2"
    assert "Puppet" not in json.dumps(record)                        # pseudonyms only
    assert record["events"][0]["participant"] == "Participant 2"
    with pytest.raises(WorkshopError, match="Participant 2 was removed"):
        store.submit_weights(ws.code, puppet.token, _weights([0.25] * 4))
    with pytest.raises(WorkshopError, match="Participant 2 was removed"):
        store.participant(ws.code, puppet.token)
    with pytest.raises(WorkshopError, match="removed already"):
        store.remove_participant(ws.code, key, 2)
    store.set_max_participants(ws.code, key, 1)                      # a removal frees a place
    with pytest.raises(WorkshopError, match="is full"):
        store.join(ws.code)


_SCHEMA_V1 = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE workshops (
    code TEXT PRIMARY KEY, title TEXT NOT NULL, criteria TEXT NOT NULL, labels TEXT NOT NULL,
    framework TEXT, dataset TEXT, scenario TEXT, facilitator_hash TEXT NOT NULL,
    created_at TEXT NOT NULL, closed_at TEXT);
CREATE TABLE participants (
    id INTEGER PRIMARY KEY AUTOINCREMENT, workshop TEXT NOT NULL REFERENCES workshops(code),
    number INTEGER NOT NULL, name TEXT, token_hash TEXT NOT NULL UNIQUE, joined_at TEXT NOT NULL,
    UNIQUE (workshop, number));
CREATE TABLE submissions (
    id INTEGER PRIMARY KEY AUTOINCREMENT, workshop TEXT NOT NULL REFERENCES workshops(code),
    participant INTEGER NOT NULL REFERENCES participants(id), kind TEXT NOT NULL,
    weights TEXT NOT NULL, matrix TEXT, cr REAL NOT NULL, submitted_at TEXT NOT NULL);
CREATE INDEX submissions_by_workshop ON submissions (workshop, participant, id);
CREATE TABLE scenarios (
    name TEXT PRIMARY KEY, workshop TEXT REFERENCES workshops(code), scenario TEXT NOT NULL,
    record TEXT, created_at TEXT NOT NULL);
INSERT INTO meta VALUES ('schema_version', '1');
INSERT INTO workshops VALUES ('ABCDEF', 'Old workshop', '["a", "b"]', '{}', NULL, NULL, NULL,
    'ab12', '2025-01-01T00:00:00.000Z', NULL);
INSERT INTO participants VALUES (1, 'ABCDEF', 1, 'Ana', 'h1', '2025-01-01T00:00:01.000Z');
INSERT INTO participants VALUES (2, 'ABCDEF', 2, NULL, 'h2', '2025-01-01T00:00:02.000Z');
INSERT INTO submissions VALUES (1, 'ABCDEF', 1, 'weights', '[0.75, 0.25]', NULL, 0,
    '2025-01-01T00:00:03.000Z');
INSERT INTO submissions VALUES (2, 'ABCDEF', 2, 'weights', '[1.0, 5e-324]', NULL, 0,
    '2025-01-01T00:00:04.000Z');
"""


def test_a_version_1_database_is_migrated_and_stays_readable(tmp_path):
    folder = tmp_path / "old"
    folder.mkdir()
    with sqlite3.connect(folder / "citykit.sqlite3") as con:
        con.executescript(_SCHEMA_V1)
    store = WorkshopStore(folder)
    assert store.schema_version == SCHEMA_VERSION == 2
    ws = store.workshop("ABCDEF")
    assert ws.title == "Old workshop" and ws.max_participants == 200
    group = store.group("ABCDEF")                      # the 5e-324 row is left out, noted
    assert group.weights.round(6).tolist() == [0.75, 0.25]
    assert group.notes and group.notes[0].startswith("Participant 2's")
    assert WorkshopStore(folder).schema_version == 2   # opening again changes nothing
    assert store.join("ABCDEF").number == 3
