"""Weighting workshops: participants weigh the criteria, the group's weights are combined openly.

A facilitator opens a workshop on a set of criteria (usually a framework's dimensions) and shares
its short code; participants join under their name or a pseudonym and submit either weights
(sliders or a budget of points) or Saaty pairwise judgements. The group's weights are the
**geometric mean of the judgements** (aggregation of individual judgements, AIJ; Aczél & Saaty
1983; Forman & Peniwati 1998): a weight vector counts as the consistent judgements it implies
(:math:`a_{ij} = w_i / w_j`), every participant's latest submission counts once, and the combined
matrix's eigenvector gives the group weights with its own consistency ratio.

Everything lives in one embedded SQLite database (``citykit.sqlite3`` in a data folder, WAL
journal, ``synchronous=FULL``), created on first use with a versioned schema (an older database
is migrated in place, a newer one refused). Every write is one ``BEGIN IMMEDIATE`` transaction,
so several participants can submit at once, a rejected submission changes nothing, and a
submission acknowledged to its participant survives a restart or a crash of the server.
Secrets (the facilitator's key, participants' tokens) are stored only as SHA-256 hashes.

One participant can neither break nor dominate the group: every weight must be at least
:data:`MIN_WEIGHT` and every pairwise judgement lie within Saaty's scale (1/9 to 9,
:data:`MAX_JUDGEMENT`); a workshop takes at most ``max_participants`` (default
:data:`DEFAULT_MAX_PARTICIPANTS`, the facilitator can raise it); the facilitator can remove a
participant, whose submissions then stop counting (the removal is kept in the workshop's
events). :meth:`WorkshopStore.group` never raises on what is stored: a stored submission that
breaks these rules (written by an older citykit) is left out, with a note naming its
participant.

Examples
--------
>>> import tempfile
>>> store = WorkshopStore(tempfile.mkdtemp())
>>> ws, key = store.create_workshop("Pilot weights", ["readiness", "need"])
>>> ana = store.join(ws.code, "Ana")
>>> _ = store.submit_weights(ws.code, ana.token, {"readiness": 0.8, "need": 0.2})
>>> bob = store.join(ws.code)                                  # anonymous
>>> _ = store.submit_pairwise(ws.code, bob.token, [[1, 1], [1, 1]])
>>> group = store.group(ws.code)
>>> group.weights.round(4).to_dict()                           # sqrt(4 * 1) = 2 -> 2/3, 1/3
{'readiness': 0.6667, 'need': 0.3333}
>>> group.participants["pseudonym"].tolist()
['Participant 1', 'Participant 2']
"""

from __future__ import annotations

import contextlib
import difflib
import hashlib
import json
import math
import os
import secrets
import sqlite3
import warnings
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd

from .ahp import CR_THRESHOLD, ahp, group_ahp
from .exceptions import CityKitError, CityKitWarning
from .storage import data_folder

__all__ = [
    "DB_NAME", "SCHEMA_VERSION", "GroupResult", "Participant", "Submission", "Workshop",
    "WorkshopError", "WorkshopStore", "default_data_folder",
]

#: Version of the database schema this module writes (stored in the ``meta`` table).
#: 2: ``workshops.max_participants``, ``participants.removed_at`` and the ``events`` table
#: (version 1 databases are migrated on opening).
SCHEMA_VERSION = 2
#: The database file inside the data folder.
DB_NAME = "citykit.sqlite3"
#: Alphabet of workshop codes: no 0/O, 1/I/L, so a code read aloud is typed right.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 6
#: Tolerance of "weights sum to 1" (sliders in tenths of a percent stay well within it).
SUM_TOLERANCE = 1e-6
#: Longest participant name and workshop title accepted.
MAX_NAME, MAX_TITLE = 80, 200
#: Most criteria a workshop may weigh (Saaty's random index covers up to 15 elements).
MAX_CRITERIA = 15
#: Smallest weight a submission may give a criterion (weights sum to 1). A weight near 0 acts as
#: a veto in the group's geometric mean: 1e-300 from one participant out of two drove the
#: group to one criterion. At 1e-6 one participant can move a ratio by a factor of at most
#: 1,000 among two; sliders (tenths of a percent) and budgets of 100 points stay far above it.
MIN_WEIGHT = 1e-6
#: Largest pairwise judgement (and 1 / it the smallest): Saaty's 1-9 scale. Entries may be off
#: by :data:`JUDGEMENT_TOLERANCE` (relative), so a typed 0.111 counts as 1/9.
MAX_JUDGEMENT = 9.0
JUDGEMENT_TOLERANCE = 0.01
#: Participants a workshop takes unless its facilitator raises the limit, and the most it can
#: be raised to (the facilitator's live view lists everyone every few seconds).
DEFAULT_MAX_PARTICIPANTS, MAX_PARTICIPANTS_LIMIT = 200, 5_000

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS workshops (
    code TEXT PRIMARY KEY, title TEXT NOT NULL, criteria TEXT NOT NULL, labels TEXT NOT NULL,
    framework TEXT, dataset TEXT, scenario TEXT, facilitator_hash TEXT NOT NULL,
    created_at TEXT NOT NULL, closed_at TEXT,
    max_participants INTEGER NOT NULL DEFAULT 200);
CREATE TABLE IF NOT EXISTS participants (
    id INTEGER PRIMARY KEY AUTOINCREMENT, workshop TEXT NOT NULL REFERENCES workshops(code),
    number INTEGER NOT NULL, name TEXT, token_hash TEXT NOT NULL UNIQUE, joined_at TEXT NOT NULL,
    removed_at TEXT,
    UNIQUE (workshop, number));
CREATE TABLE IF NOT EXISTS events (
    id INTEGER PRIMARY KEY AUTOINCREMENT, workshop TEXT NOT NULL REFERENCES workshops(code),
    at TEXT NOT NULL, kind TEXT NOT NULL, participant INTEGER, detail TEXT);
CREATE TABLE IF NOT EXISTS submissions (
    id INTEGER PRIMARY KEY AUTOINCREMENT, workshop TEXT NOT NULL REFERENCES workshops(code),
    participant INTEGER NOT NULL REFERENCES participants(id), kind TEXT NOT NULL,
    weights TEXT NOT NULL, matrix TEXT, cr REAL NOT NULL, submitted_at TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS submissions_by_workshop ON submissions (workshop, participant, id);
CREATE TABLE IF NOT EXISTS scenarios (
    name TEXT PRIMARY KEY, workshop TEXT REFERENCES workshops(code), scenario TEXT NOT NULL,
    record TEXT, created_at TEXT NOT NULL);
"""

#: How a database of an older schema version is brought to the next one (in one transaction).
_MIGRATIONS = {
    1: ("ALTER TABLE workshops ADD COLUMN max_participants INTEGER NOT NULL DEFAULT 200",
        "ALTER TABLE participants ADD COLUMN removed_at TEXT"),
}


class WorkshopError(CityKitError, ValueError):
    """A workshop operation was refused (unknown code, closed workshop, malformed submission)."""


def default_data_folder() -> Path:
    """Where workshops are kept: the data folder (:func:`citykit.storage.data_folder`)."""
    return data_folder()


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Workshop:
    """A workshop: what is weighed, and whether it still takes submissions."""

    code: str
    title: str
    criteria: tuple[str, ...]
    labels: dict
    framework: str | None
    dataset: str | None
    scenario: str | None
    created_at: str
    closed_at: str | None
    max_participants: int = DEFAULT_MAX_PARTICIPANTS

    @property
    def is_open(self) -> bool:
        return self.closed_at is None

    def label(self, criterion: str, lang: str = "en") -> str:
        """The criterion's name in `lang` (its code when no label was given)."""
        names = self.labels.get(criterion, {})
        return names.get(lang) or names.get("en") or criterion


@dataclass(frozen=True)
class Participant:
    """A participant; `token` is their secret (shown once, never stored in clear)."""

    id: int
    workshop: str
    number: int
    name: str | None
    token: str | None
    joined_at: str

    @property
    def pseudonym(self) -> str:
        return f"Participant {self.number}"


@dataclass(frozen=True)
class Submission:
    """One participant's judgement: weights, and the pairwise matrix when they gave one."""

    id: int
    participant: int
    kind: str
    weights: tuple[float, ...]
    matrix: tuple[tuple[float, ...], ...] | None
    cr: float
    submitted_at: str


@dataclass(frozen=True, eq=False)
class GroupResult:
    """The group's weights and the record behind them (see :meth:`WorkshopStore.group`).

    Attributes
    ----------
    workshop : Workshop
    participants : pandas.DataFrame
        One row per participant (removed ones left out): ``number``, ``pseudonym``, ``name``
        (None if anonymous), ``joined_at``, ``submitted`` (bool: their latest submission
        counts), ``kind`` (weights / budget / pairwise), ``submitted_at``, ``cr`` (their
        consistency ratio; 0 for weights) and ``inconsistent`` (CR above 0.1), ``submissions``
        (how many times they submitted).
    individual : pandas.DataFrame
        Participant pseudonym × criterion: the weights of each latest submission that counts.
    weights : pandas.Series
        The group weights (empty before the first submission).
    cr : float
        Consistency ratio of the combined judgements (NaN before the first submission).
    matrix : numpy.ndarray or None
        The combined (geometric-mean) pairwise matrix.
    spread : pandas.DataFrame
        Per criterion: ``min``, ``q1``, ``median``, ``q3``, ``max``, ``std`` and ``cv``
        (std / mean) of the individual weights, with the ``group`` weight.
    history : pandas.DataFrame
        Every submission (also superseded ones, and those of removed participants), oldest
        first, with ``counted`` (bool: it is a latest submission that counts).
    aggregation : str
        How the weights were combined, in words.
    removed : pandas.DataFrame
        The participants the facilitator removed: ``number``, ``pseudonym``, ``name``,
        ``joined_at``, ``removed_at``.
    events : pandas.DataFrame
        What the facilitator did, oldest first: ``at``, ``kind`` (``removed``,
        ``max_participants``), ``participant`` (number, or None) and ``detail``.
    notes : tuple of str
        Stored submissions left out because they break the rules (by pseudonym), and why.
    """

    workshop: Workshop
    participants: pd.DataFrame
    individual: pd.DataFrame
    weights: pd.Series
    cr: float
    matrix: np.ndarray | None
    spread: pd.DataFrame
    history: pd.DataFrame
    aggregation: str = field(default=(
        "geometric mean of the participants' pairwise judgements (AIJ; weights count as the "
        "consistent judgements w_i / w_j they imply), each participant's latest submission "
        "counted once with equal weight; group weights from the principal eigenvector of the "
        "combined matrix (Saaty)"))
    removed: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(
        columns=["number", "pseudonym", "name", "joined_at", "removed_at"]))
    events: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(
        columns=["at", "kind", "participant", "detail"]))
    notes: tuple[str, ...] = ()

    @property
    def n_submitted(self) -> int:
        return int(self.participants["submitted"].sum()) if len(self.participants) else 0

    def to_record(self, *, names: bool = False) -> dict:
        """The workshop's record for a dossier's methodology: JSON-ready.

        Participants appear by pseudonym; their names only with ``names=True`` (and only for
        those who gave one).
        """
        ws = self.workshop
        people = self.participants
        history = self.history.assign(pseudonym="Participant " + self.history["number"]
                                      .astype(str))
        return {
            "code": ws.code, "title": ws.title, "criteria": list(ws.criteria),
            "framework": ws.framework, "dataset": ws.dataset,
            "created_at": ws.created_at, "closed_at": ws.closed_at,
            "aggregation": self.aggregation,
            "participants": [
                {"pseudonym": p.pseudonym, **({"name": p.name} if names and p.name else {}),
                 "joined_at": p.joined_at, "submitted": bool(p.submitted)}
                for p in people.itertuples()],
            "submissions": [
                {"participant": h.pseudonym, "kind": h.kind, "submitted_at": h.submitted_at,
                 "cr": None if pd.isna(h.cr) else round(float(h.cr), 6),
                 "counted": bool(h.counted),
                 "weights": _rounded_weights(ws.criteria, h.weights)}
                for h in history.itertuples()],
            "removed": [
                {"pseudonym": p.pseudonym, **({"name": p.name} if names and p.name else {}),
                 "removed_at": p.removed_at}
                for p in self.removed.itertuples()],
            "events": [{"at": e.at, "kind": e.kind,
                        "participant": None if pd.isna(e.participant)
                        else f"Participant {int(e.participant)}", "detail": e.detail}
                       for e in self.events.itertuples()],
            "notes": list(self.notes),
            "group_weights": {c: round(float(w), 9) for c, w in self.weights.items()},
            "group_cr": None if math.isnan(self.cr) else round(self.cr, 6),
        }


def _rounded_weights(criteria, weights) -> dict:
    """A stored weight vector as {criterion: weight}, whatever the row holds (never raises)."""
    try:
        values = [round(float(w), 6) for w in weights]
    except (TypeError, ValueError, OverflowError):
        return {}
    return dict(zip(criteria, values, strict=False)) if len(values) == len(criteria) else {}


class WorkshopStore:
    """Workshops, submissions and named scenarios in a SQLite database in `folder`.

    Parameters
    ----------
    folder : path, optional
        The data folder (created if missing); default :func:`default_data_folder`.

    Raises
    ------
    WorkshopError
        If the database was written by a newer citykit (a schema version this one does not
        know), or the folder cannot be created.
    """

    def __init__(self, folder: str | os.PathLike | None = None) -> None:
        self.folder = Path(folder) if folder is not None else default_data_folder()
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
        except OSError as err:
            raise WorkshopError(f"cannot create the data folder {self.folder}: {err.strerror}; "
                                "set CITYKIT_DATA to a writable folder") from None
        self.path = self.folder / DB_NAME
        self._migrate()

    def __repr__(self) -> str:
        return f"<WorkshopStore {str(self.path)!r}>"

    # ------------------------------------------------------------------ connections

    @contextlib.contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        con = sqlite3.connect(self.path, timeout=30.0, isolation_level=None)
        try:
            con.execute("PRAGMA journal_mode=WAL")
            con.execute("PRAGMA synchronous=FULL")  # a committed submission survives a crash
            con.execute("PRAGMA foreign_keys=ON")
            yield con
        finally:
            con.close()

    @contextlib.contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One transaction: everything in the block is written, or nothing is."""
        with self._connect() as con:
            con.execute("BEGIN IMMEDIATE")
            try:
                yield con
            except BaseException:
                con.execute("ROLLBACK")
                raise
            con.execute("COMMIT")

    def _migrate(self) -> None:
        """Create the tables, or bring an older schema to :data:`SCHEMA_VERSION` (one
        transaction: a migration that fails leaves the database as it was)."""
        with self._write() as con:
            row = con.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND "
                              "name = 'meta'").fetchone()
            version = None
            if row is not None:
                found = con.execute("SELECT value FROM meta WHERE key = 'schema_version'"
                                    ).fetchone()
                version = None if found is None else int(found[0])
            if version is not None and version > SCHEMA_VERSION:
                raise WorkshopError(
                    f"{self.path} has schema version {version}, newer than this citykit knows "
                    f"({SCHEMA_VERSION}); upgrade citykit, or point CITYKIT_DATA elsewhere")
            if version is not None:
                for old in range(version, SCHEMA_VERSION):
                    for statement in _MIGRATIONS[old]:
                        con.execute(statement)
            for statement in filter(str.strip, _SCHEMA.split(";")):
                con.execute(statement)  # one by one: executescript would commit first
            if version is None:
                con.execute("INSERT INTO meta VALUES ('schema_version', ?)",
                            (str(SCHEMA_VERSION),))
            elif version < SCHEMA_VERSION:
                con.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'",
                            (str(SCHEMA_VERSION),))

    @property
    def schema_version(self) -> int:
        """The schema version recorded in the database."""
        with self._connect() as con:
            return int(con.execute("SELECT value FROM meta WHERE key = 'schema_version'")
                       .fetchone()[0])

    # ------------------------------------------------------------------ workshops

    def create_workshop(self, title: str, criteria: Sequence[str], *,
                        labels: Mapping[str, Mapping[str, str]] | None = None,
                        framework: str | None = None, dataset: str | None = None,
                        scenario: str | None = None) -> tuple[Workshop, str]:
        """Open a workshop; returns it and the facilitator's secret key (shown once).

        Parameters
        ----------
        title : str
        criteria : sequence of str
            What participants weigh (2 to 15 distinct codes), e.g. a framework's dimensions.
        labels : mapping, optional
            ``{criterion: {"en": name, "fa": name}}`` shown to participants.
        framework, dataset : str, optional
            Where the criteria come from (recorded).
        scenario : str, optional
            The scenario JSON the group weights will be applied to.
        """
        title = str(title).strip()
        if not title or len(title) > MAX_TITLE:
            raise WorkshopError(f"a workshop title needs 1 to {MAX_TITLE} characters; got "
                                f"{len(title)}")
        criteria = tuple(str(c) for c in criteria)
        if not 2 <= len(criteria) <= MAX_CRITERIA:
            raise WorkshopError(f"a workshop weighs 2 to {MAX_CRITERIA} criteria; got "
                                f"{len(criteria)}")
        if len(set(criteria)) != len(criteria):
            twice = sorted({c for c in criteria if criteria.count(c) > 1})
            raise WorkshopError(f"criteria must be distinct; listed twice: {twice}")
        labels = {c: dict(labels.get(c, {})) for c in criteria} if labels else {}
        key = secrets.token_urlsafe(18)
        with self._write() as con:
            for _ in range(20):
                code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
                if con.execute("SELECT 1 FROM workshops WHERE code = ?", (code,)).fetchone() \
                        is None:
                    break
            con.execute("INSERT INTO workshops (code, title, criteria, labels, framework, "
                        "dataset, scenario, facilitator_hash, created_at, closed_at, "
                        "max_participants) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?)",
                        (code, title, json.dumps(criteria), json.dumps(labels, ensure_ascii=False),
                         framework, dataset, scenario, _hash(key), _now(),
                         DEFAULT_MAX_PARTICIPANTS))
        return self.workshop(code), key

    @staticmethod
    def _workshop_row(row) -> Workshop:
        return Workshop(code=row[0], title=row[1], criteria=tuple(json.loads(row[2])),
                        labels=json.loads(row[3]), framework=row[4], dataset=row[5],
                        scenario=row[6], created_at=row[8], closed_at=row[9],
                        max_participants=int(row[10]))

    def workshop(self, code: str) -> Workshop:
        """The workshop with this code (case and spaces ignored)."""
        code = str(code).strip().upper().replace(" ", "").replace("-", "")
        with self._connect() as con:
            row = con.execute("SELECT * FROM workshops WHERE code = ?", (code,)).fetchone()
        if row is None:
            raise WorkshopError(f"no workshop has the code {code!r}; check the code the "
                                "facilitator shared (6 letters and digits)")
        return self._workshop_row(row)

    def workshops(self) -> list[Workshop]:
        """Every workshop, newest first."""
        with self._connect() as con:
            rows = con.execute("SELECT * FROM workshops ORDER BY created_at DESC").fetchall()
        return [self._workshop_row(r) for r in rows]

    def check_key(self, code: str, key: str) -> Workshop:
        """The workshop, if `key` is its facilitator's key; else :class:`WorkshopError`."""
        ws = self.workshop(code)
        with self._connect() as con:
            stored = con.execute("SELECT facilitator_hash FROM workshops WHERE code = ?",
                                 (ws.code,)).fetchone()[0]
        if not secrets.compare_digest(stored, _hash(str(key))):
            raise WorkshopError(f"this is not the facilitator's key of workshop {ws.code}")
        return ws

    def close(self, code: str, key: str) -> Workshop:
        """Close the workshop (facilitator only): later submissions are refused."""
        ws = self.check_key(code, key)
        with self._write() as con:
            con.execute("UPDATE workshops SET closed_at = ? WHERE code = ? AND closed_at IS NULL",
                        (_now(), ws.code))
        return self.workshop(ws.code)

    # ------------------------------------------------------------------ participants

    def join(self, code: str, name: str | None = None) -> Participant:
        """Join a workshop under `name`, or anonymously (None or blank).

        Refused once the workshop has ``max_participants`` participants (removed ones do not
        count); the facilitator can raise the limit (:meth:`set_max_participants`).
        """
        ws = self._open(code)
        name = None if name is None or not str(name).strip() else " ".join(str(name).split())
        if name is not None and len(name) > MAX_NAME:
            raise WorkshopError(f"a name has at most {MAX_NAME} characters; got {len(name)}")
        token = secrets.token_urlsafe(18)
        with self._write() as con:
            # counted inside the transaction: simultaneous joins cannot overshoot the limit
            limit = con.execute("SELECT max_participants FROM workshops WHERE code = ?",
                                (ws.code,)).fetchone()[0]
            active = con.execute("SELECT COUNT(*) FROM participants WHERE workshop = ? AND "
                                 "removed_at IS NULL", (ws.code,)).fetchone()[0]
            if active >= limit:
                raise WorkshopError(f"workshop {ws.code} is full: it takes at most {limit:,} "
                                    "participants. Ask the facilitator to raise the limit")
            number = con.execute("SELECT COALESCE(MAX(number), 0) + 1 FROM participants "
                                 "WHERE workshop = ?", (ws.code,)).fetchone()[0]
            joined = _now()
            cur = con.execute("INSERT INTO participants (workshop, number, name, token_hash, "
                              "joined_at) VALUES (?, ?, ?, ?, ?)",
                              (ws.code, number, name, _hash(token), joined))
        return Participant(cur.lastrowid, ws.code, number, name, token, joined)

    def participant(self, code: str, token: str) -> Participant:
        """The participant whose secret is `token` (their token is not returned again)."""
        ws = self.workshop(code)
        with self._connect() as con:
            row = con.execute("SELECT id, number, name, joined_at, removed_at FROM participants "
                              "WHERE workshop = ? AND token_hash = ?",
                              (ws.code, _hash(str(token)))).fetchone()
        if row is None:
            raise WorkshopError(f"unknown participant token for workshop {ws.code}; join again")
        if row[4] is not None:
            raise WorkshopError(f"Participant {row[1]} was removed from workshop {ws.code} by "
                                f"its facilitator at {row[4]}")
        return Participant(row[0], ws.code, row[1], row[2], None, row[3])

    def remove_participant(self, code: str, key: str, number: int, *,
                           reason: str | None = None) -> Participant:
        """Remove a participant (facilitator only): their submissions stop counting.

        `number` is the participant's number (``Participant 3`` is 3). Nothing is deleted:
        the removal is recorded in the workshop's events, the submissions stay in its
        history (marked as not counted), and the participant's token is refused from then on.
        """
        ws = self.check_key(code, key)
        if isinstance(number, bool) or not isinstance(number, int | np.integer):
            raise WorkshopError(f"give the participant's number (Participant 3 is 3); got "
                                f"{number!r}"[:200])
        reason = None if reason is None else " ".join(str(reason).split())[:MAX_TITLE] or None
        when = _now()
        with self._write() as con:
            row = con.execute("SELECT id, name, joined_at, removed_at FROM participants WHERE "
                              "workshop = ? AND number = ?", (ws.code, int(number))).fetchone()
            if row is None:
                raise WorkshopError(f"workshop {ws.code} has no Participant {number}")
            if row[3] is not None:
                raise WorkshopError(f"Participant {number} was removed already, at {row[3]}")
            con.execute("UPDATE participants SET removed_at = ? WHERE id = ?", (when, row[0]))
            self._event(con, ws.code, when, "removed", int(number), reason)
        return Participant(row[0], ws.code, int(number), row[1], None, row[2])

    def set_max_participants(self, code: str, key: str, limit: int) -> Workshop:
        """Change how many participants the workshop takes (facilitator only; recorded).

        The limit lies between the participants already in (removed ones aside) and
        :data:`MAX_PARTICIPANTS_LIMIT`.
        """
        ws = self.check_key(code, key)
        if isinstance(limit, bool) or not isinstance(limit, int | np.integer) \
                or not 1 <= limit <= MAX_PARTICIPANTS_LIMIT:
            raise WorkshopError(f"the participant limit must be a whole number from 1 to "
                                f"{MAX_PARTICIPANTS_LIMIT:,}; got {limit!r}"[:200])
        with self._write() as con:
            active = con.execute("SELECT COUNT(*) FROM participants WHERE workshop = ? AND "
                                 "removed_at IS NULL", (ws.code,)).fetchone()[0]
            if limit < active:
                raise WorkshopError(f"{active:,} participants are in workshop {ws.code}; the "
                                    f"limit cannot be lower (remove participants first)")
            con.execute("UPDATE workshops SET max_participants = ? WHERE code = ?",
                        (int(limit), ws.code))
            self._event(con, ws.code, _now(), "max_participants", None,
                        f"{ws.max_participants} -> {int(limit)}")
        return self.workshop(ws.code)

    @staticmethod
    def _event(con: sqlite3.Connection, code: str, when: str, kind: str,
               participant: int | None, detail: str | None) -> None:
        con.execute("INSERT INTO events (workshop, at, kind, participant, detail) VALUES "
                    "(?, ?, ?, ?, ?)", (code, when, kind, participant, detail))

    def _open(self, code: str) -> Workshop:
        ws = self.workshop(code)
        if not ws.is_open:
            raise WorkshopError(f"workshop {ws.code} was closed at {ws.closed_at}; it takes no "
                                "more participants or submissions")
        return ws

    # ------------------------------------------------------------------ submissions

    def _check_weights(self, ws: Workshop, weights: Mapping[str, float], what: str
                       ) -> np.ndarray:
        if not isinstance(weights, Mapping):
            raise WorkshopError(f"{what} must map each criterion to a number; got "
                                f"{type(weights).__name__}")
        keys = [str(k) for k in weights]
        unknown = [k for k in keys if k not in ws.criteria]
        missing = [c for c in ws.criteria if c not in keys]
        if unknown or missing:
            hint = difflib.get_close_matches(unknown[0], ws.criteria, n=2) if unknown else []
            raise WorkshopError(
                f"{what} must name every criterion of workshop {ws.code} exactly once: "
                f"unknown {unknown}, missing {missing}"
                + (f"; did you mean {hint} for {unknown[0]!r}?" if hint else "")
                + f"; the criteria are {list(ws.criteria)}")
        try:
            w = np.array([float(weights[c]) for c in ws.criteria])
        except (TypeError, ValueError):
            raise WorkshopError(f"{what} must be numbers; got "
                                f"{ {c: weights[c] for c in ws.criteria} }") from None
        bad = [c for c, v in zip(ws.criteria, w, strict=True) if not np.isfinite(v) or v < 0]
        if bad:
            raise WorkshopError(f"{what} must be finite and not negative; not for {bad}")
        return w

    def submit_weights(self, code: str, token: str, weights: Mapping[str, float], *,
                       kind: str = "weights") -> Submission:
        """Submit weights that sum to 1 (nothing is rescaled), each at least :data:`MIN_WEIGHT`.

        A zero or near-zero weight is refused: in the geometric mean of judgements it would
        veto the criterion for the whole group.
        """
        ws = self._open(code)
        w = self._check_weights(ws, weights, "weights")
        total = float(w.sum())
        if abs(total - 1.0) > SUM_TOLERANCE:
            raise WorkshopError(f"weights must sum to 1; these sum to {total:.6g}. Adjust them "
                                "(nothing is rescaled for you)")
        low = _below_floor(ws.criteria, w)
        if low:
            raise WorkshopError(f"every criterion needs a weight above 0 of at least "
                                f"{MIN_WEIGHT:g} (the group's geometric mean treats a weight near "
                                f"0 as a veto; the smallest here is {float(w.min()):.3g}); give "
                                f"{low} at least a little")
        return self._insert(ws, token, kind, w, None, 0.0)

    def submit_budget(self, code: str, token: str, points: Mapping[str, float], *,
                      budget: float = 100.0) -> Submission:
        """Submit a budget allocation: `budget` points spread over the criteria.

        The points must add up to the budget exactly; the weights are the points divided by
        the budget.
        """
        ws = self._open(code)
        p = self._check_weights(ws, points, "points")
        if abs(float(p.sum()) - budget) > SUM_TOLERANCE * budget:
            raise WorkshopError(f"the points must add up to the budget of {budget:g}; these "
                                f"add up to {float(p.sum()):g}")
        return self.submit_weights(code, token, dict(zip(ws.criteria, p / budget, strict=True)),
                                   kind="budget")

    def submit_pairwise(self, code: str, token: str, matrix) -> Submission:
        """Submit Saaty pairwise judgements: an n × n positive reciprocal matrix.

        The participant's weights and consistency ratio are computed (AHP) and stored with
        the judgements; an inconsistent matrix (CR > 0.1) is accepted and flagged, since the
        facilitator decides whether to ask for a revision.
        """
        ws = self._open(code)
        try:
            A = np.asarray(matrix, dtype=float)
        except (TypeError, ValueError):
            raise WorkshopError("the pairwise judgements must be a square table of numbers"
                                ) from None
        n = len(ws.criteria)
        if A.shape != (n, n):
            raise WorkshopError(f"workshop {ws.code} compares {n} criteria, so the judgements "
                                f"must be {n} × {n}; got shape {A.shape}")
        problem = _judgement_problem(A, ws.criteria)
        if problem:
            raise WorkshopError(f"pairwise judgements refused: {problem}")
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", CityKitWarning)
                res = ahp(A, names=list(ws.criteria))
        except CityKitError as err:
            raise WorkshopError(f"pairwise judgements refused: {err}") from None
        return self._insert(ws, token, "pairwise", res.weights, A, float(res.cr))

    def _insert(self, ws: Workshop, token: str, kind: str, w: np.ndarray, A, cr: float
                ) -> Submission:
        when = _now()
        with self._write() as con:
            # Checked inside the transaction: a workshop closed a moment ago takes nothing more.
            closed = con.execute("SELECT closed_at FROM workshops WHERE code = ?",
                                 (ws.code,)).fetchone()[0]
            if closed is not None:
                raise WorkshopError(f"workshop {ws.code} was closed at {closed}; the submission "
                                    "was not recorded")
            row = con.execute("SELECT id, number, removed_at FROM participants WHERE "
                              "workshop = ? AND token_hash = ?",
                              (ws.code, _hash(str(token)))).fetchone()
            if row is None:
                raise WorkshopError(f"unknown participant token for workshop {ws.code}; join "
                                    "the workshop first")
            if row[2] is not None:
                raise WorkshopError(f"Participant {row[1]} was removed from workshop {ws.code} "
                                    f"by its facilitator; the submission was not recorded")
            matrix = None if A is None else json.dumps(A.tolist())
            cur = con.execute("INSERT INTO submissions (workshop, participant, kind, weights, "
                              "matrix, cr, submitted_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                              (ws.code, row[0], kind, json.dumps(w.tolist()), matrix, cr, when))
        return Submission(cur.lastrowid, row[0], kind, tuple(float(x) for x in w),
                          None if A is None else tuple(tuple(r) for r in A.tolist()), cr, when)

    # ------------------------------------------------------------------ the group

    def group(self, code: str) -> GroupResult:
        """Who took part, each one's latest judgement, and the group's weights.

        Never raises on what is stored: a latest submission that breaks the rules of this
        citykit (a weight below :data:`MIN_WEIGHT`, a judgement beyond :data:`MAX_JUDGEMENT`, a
        malformed row written by an older version) does not count, and :attr:`GroupResult.notes`
        says whose and why. Removed participants' submissions do not count either.
        """
        ws = self.workshop(code)
        with self._connect() as con:
            con.execute("BEGIN")  # one consistent snapshot of the tables
            everyone = pd.read_sql_query(
                "SELECT id, number, name, joined_at, removed_at FROM participants "
                "WHERE workshop = ? ORDER BY number", con, params=(ws.code,))
            subs = pd.read_sql_query(
                "SELECT s.id, p.number, s.kind, s.weights, s.matrix, s.cr, s.submitted_at, "
                "p.removed_at FROM submissions s JOIN participants p ON p.id = s.participant "
                "WHERE s.workshop = ? ORDER BY s.id", con, params=(ws.code,))
            events = pd.read_sql_query(
                "SELECT at, kind, participant, detail FROM events WHERE workshop = ? "
                "ORDER BY id", con, params=(ws.code,))
            con.execute("COMMIT")
        n = len(ws.criteria)
        subs["weights"] = subs["weights"].map(_stored_json)
        active_subs = subs[subs["removed_at"].isna()]
        latest = active_subs.groupby("number", sort=True).tail(1).set_index("number")
        counts = subs.groupby("number").size()

        notes, matrices, kept, vectors = [], [], [], []
        for number, row in latest.iterrows():
            A, problem = _stored_judgements(row, n)
            pairwise = isinstance(row["matrix"], str)
            if problem is None and pairwise:
                problem = _judgement_problem(A, ws.criteria)
            if problem is None:
                try:
                    with warnings.catch_warnings():
                        warnings.simplefilter("ignore", CityKitWarning)
                        res = ahp(A, names=list(ws.criteria))
                except CityKitError as err:
                    problem = str(err)
            if problem is None:
                matrices.append(A)
                kept.append(number)
                stored = np.asarray(row["weights"] if isinstance(row["weights"], list) else [],
                                    dtype=float)
                vectors.append(list(stored) if stored.shape == (n,) and np.isfinite(stored).all()
                               else list(res.weights))
            else:
                notes.append(f"Participant {number}'s latest submission (#{row['id']}, "
                             f"{row['submitted_at']}) is not counted: {problem}"[:500])
        latest = latest.loc[kept]
        latest["weights"] = pd.Series(vectors, index=latest.index, dtype=object) \
            if kept else latest["weights"]

        people = everyone[everyone["removed_at"].isna()].drop(columns="removed_at")
        people = people.reset_index(drop=True)
        people["pseudonym"] = "Participant " + people["number"].astype(str)
        people["name"] = people["name"].astype(object).where(people["name"].notna(), None)
        people["submitted"] = people["number"].isin(latest.index)
        for column in ("kind", "submitted_at", "cr"):
            people[column] = people["number"].map(latest[column])
        people["inconsistent"] = people["cr"].fillna(0.0) > CR_THRESHOLD
        people["submissions"] = people["number"].map(counts).fillna(0).astype(int)
        people = people.drop(columns="id")
        removed = everyone[everyone["removed_at"].notna()].drop(columns="id")
        removed.insert(1, "pseudonym", "Participant " + removed["number"].astype(str))
        removed["name"] = removed["name"].astype(object).where(removed["name"].notna(), None)
        removed = removed.reset_index(drop=True)

        pseudonyms = "Participant " + latest.index.astype(str)
        individual = pd.DataFrame(list(latest["weights"]), index=pseudonyms,
                                  columns=list(ws.criteria), dtype=float)
        weights = pd.Series(dtype=float, name="weight")
        cr, matrix = float("nan"), None
        if matrices:
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", CityKitWarning)
                    combined = group_ahp(matrices, names=list(ws.criteria))
            except CityKitError as err:  # not expected after the checks above
                notes.append(f"the group's weights could not be combined: {err}"[:500])
            else:
                weights = pd.Series(combined.weights, index=list(ws.criteria), name="weight")
                cr, matrix = float(combined.combined.cr), np.asarray(combined.matrix)
        q = individual.quantile([0.0, 0.25, 0.5, 0.75, 1.0]).T if len(individual) else None
        spread = pd.DataFrame({
            "min": q[0.0] if q is not None else np.nan,
            "q1": q[0.25] if q is not None else np.nan,
            "median": q[0.5] if q is not None else np.nan,
            "q3": q[0.75] if q is not None else np.nan,
            "max": q[1.0] if q is not None else np.nan,
            "std": individual.std(ddof=0), "cv": individual.std(ddof=0) / individual.mean(),
            "group": weights.reindex(list(ws.criteria)),
        }, index=list(ws.criteria))
        history = subs.drop(columns=["matrix", "removed_at"]).rename(columns={"id": "submission"})
        counted = set(latest["id"]) if len(latest) else set()
        history["counted"] = history["submission"].isin(counted)
        events["participant"] = events["participant"].astype(object).where(
            events["participant"].notna(), None)
        return GroupResult(ws, people, individual, weights, cr, matrix, spread, history,
                           removed=removed, events=events, notes=tuple(notes))

    # ------------------------------------------------------------------ named scenarios

    def save_scenario(self, name: str, scenario_json: str, *, code: str | None = None,
                      key: str | None = None, record: Mapping | None = None) -> str:
        """Store a named scenario (from a workshop: give its `code` and facilitator `key`).

        Names are unique; saving under an existing name is refused rather than overwriting.
        """
        name = " ".join(str(name).split())
        if not name or len(name) > MAX_TITLE:
            raise WorkshopError(f"a scenario name needs 1 to {MAX_TITLE} characters")
        if code is not None:
            code = self.check_key(code, key or "").code
        try:
            json.loads(scenario_json)
        except (TypeError, json.JSONDecodeError) as err:
            raise WorkshopError(f"the scenario to save is not JSON: {err}") from None
        with self._write() as con:
            if con.execute("SELECT 1 FROM scenarios WHERE name = ?", (name,)).fetchone():
                raise WorkshopError(f"a scenario named {name!r} exists already; choose another "
                                    "name")
            con.execute("INSERT INTO scenarios VALUES (?, ?, ?, ?, ?)",
                        (name, code, scenario_json,
                         None if record is None else json.dumps(record, ensure_ascii=False),
                         _now()))
        return name

    def scenarios(self) -> pd.DataFrame:
        """Named scenarios: ``name``, ``workshop``, ``scenario`` (JSON), ``created_at``."""
        with self._connect() as con:
            return pd.read_sql_query("SELECT name, workshop, scenario, record, created_at FROM "
                                     "scenarios ORDER BY created_at", con)

    def scenario(self, name: str) -> str:
        """The JSON of the scenario saved as `name`."""
        with self._connect() as con:
            row = con.execute("SELECT scenario FROM scenarios WHERE name = ?", (name,)).fetchone()
        if row is None:
            raise WorkshopError(f"no scenario is named {name!r}")
        return row[0]


# ---------------------------------------------------------------------------------------------
# The rules a submission obeys (checked on submission, and again on stored rows in group())
# ---------------------------------------------------------------------------------------------

def _weights_problem(w: np.ndarray) -> str | None:
    """Why weight vector `w` (summing to 1) may not count, or None."""
    if not np.isfinite(w).all() or (w < 0).any():
        return "weights must be finite and not negative"
    if (w < MIN_WEIGHT).any():
        return (f"every weight must be at least {MIN_WEIGHT:g}; the smallest is "
                f"{float(w.min()):.3g}")
    return None


def _below_floor(criteria, w: np.ndarray) -> list[str]:
    return [c for c, v in zip(criteria, w, strict=True) if not v >= MIN_WEIGHT]


def _judgement_problem(A: np.ndarray, criteria) -> str | None:
    """Why pairwise matrix `A` lies outside Saaty's scale, or None (shape checked before)."""
    low, high = 1 / MAX_JUDGEMENT / (1 + JUDGEMENT_TOLERANCE), \
        MAX_JUDGEMENT * (1 + JUDGEMENT_TOLERANCE)
    with np.errstate(invalid="ignore"):
        bad = ~np.isfinite(A) | (A < low) | (A > high)
    if bad.any():
        i, j = (int(k) for k in np.argwhere(bad)[0])
        return (f"every judgement must be finite and > 0, from 1/{MAX_JUDGEMENT:g} to {MAX_JUDGEMENT:g} "
                f"(Saaty's scale); {criteria[i]!r} over {criteria[j]!r} is {A[i, j]:.3g}")
    return None


def _stored_json(text):
    """A stored JSON column as Python data; None when it does not parse (never raises)."""
    try:
        return json.loads(text)
    except (TypeError, ValueError, RecursionError):
        return None


def _stored_judgements(row, n: int) -> tuple[np.ndarray | None, str | None]:
    """The pairwise matrix a stored submission stands for, or why it has none."""
    try:
        if isinstance(row["matrix"], str):
            A = np.asarray(json.loads(row["matrix"]), dtype=float)
        elif not isinstance(row["weights"], list):
            return None, "the stored row is malformed"
        else:
            w = np.asarray(row["weights"], dtype=float)
            if w.shape != (n,):
                return None, f"it holds {w.size} weights for {n} criteria"
            problem = _weights_problem(w)
            if problem:
                return None, problem
            A = w[:, None] / w[None, :]
    except (TypeError, ValueError, OverflowError, RecursionError):
        return None, "the stored row is malformed"
    if A.shape != (n, n):
        return None, f"its judgements have shape {A.shape}, not {n} × {n}"
    return A, None
