"""The decision dossier: every output a meeting needs, from one :class:`~citykit.scenario.Result`.

:func:`export_dossier` writes, into one folder:

- ``ranking.csv`` and ``shortlist.csv``;
- ``dossier.xlsx`` with the sheets of :data:`SHEETS` (shortlist, full ranking, weights,
  methodology in words, excluded cities and why, indicator values with their sources and
  provenance flags, sources with licences, data gaps);
- ``candidates.geojson`` and ``candidates.gpkg`` (layers ``candidates`` and ``pilots``);
- ``brief.html``, a self-contained page (no external ``src`` or ``href``; plotly.js, the map's
  geometry and the Persian font are inside it) in English or in Persian laid out right to left;
- ``scenario.json`` and ``manifest.json``: the Scenario, the dataset's checksums, the citykit
  version and the SHA-256 of every other file.

Every text cell of the CSV files and the workbook goes through :func:`escape_cell`, so a city
named ``=HYPERLINK(...)`` stays text in a spreadsheet; the brief escapes all text for HTML, and
the files' names are fixed (a name made from user text goes through :func:`safe_filename`).
:func:`verify_dossier` re-runs the manifest's Scenario and checks that the ranking and the
shortlist come out the same and that no file was changed. Each file is written to a temporary
name in the folder and then renamed, so a failed export never leaves half a file under an
output's name.
"""

from __future__ import annotations

import datetime as _dt
import io
import json
import math
import os
import platform
import re
import shutil
import unicodedata
import uuid
import zipfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from . import __version__
from ._brief import methodology_steps, render_brief
from ._dossier_tables import (
    Pilots,
    ranked_order,
    ranking_frame,
    resolve_pilots,
    robustness_frame,
    shortlist_frame,
    workbook_sheets,
)
from .exceptions import CityKitError, ExportError, Problem
from .integrity import MANIFEST_NAME, file_sha256, read_manifest

__all__ = ["MANIFEST", "OUTPUTS", "SHEETS", "Dossier", "escape_cell", "escape_frame",
           "export_dossier", "recover",
           "methodology", "safe_filename", "unescape_cell", "verify_dossier", "write_scenario"]

SCHEMA = "citykit.dossier/1"
#: The files of a dossier (besides ``manifest.json``), by role.
OUTPUTS = {"ranking": "ranking.csv", "shortlist": "shortlist.csv", "workbook": "dossier.xlsx",
           "geojson": "candidates.geojson", "geopackage": "candidates.gpkg",
           "brief": "brief.html", "scenario": "scenario.json"}
MANIFEST = "manifest.json"
#: The sheets of ``dossier.xlsx``, in order (plus ``workshop`` when a workshop record is given).
SHEETS = ("shortlist", "ranking", "weights", "methodology", "excluded", "indicators", "sources",
          "data_gaps")
#: A text cell starting with one of these is run as a formula by some spreadsheet (OWASP).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# --------------------------------------------------------------------------- escaping

def escape_cell(value: object) -> object:
    """Make a text cell safe for spreadsheets: prefix ``'`` when it would start a formula.

    Text starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is run as a formula
    by Excel, LibreOffice or Google Sheets when a CSV is opened (formula injection); the
    apostrophe makes it plain text. Numbers, booleans and missing values are returned
    unchanged: a negative number is a number, not text.

    Examples
    --------
    >>> escape_cell("=1+2")
    "'=1+2"
    >>> escape_cell("Karaj"), escape_cell(-3.5), escape_cell(None)
    ('Karaj', -3.5, None)
    """
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def unescape_cell(value: object) -> object:
    """Undo :func:`escape_cell` (for reading a dossier's CSV back).

    Examples
    --------
    >>> unescape_cell(escape_cell("=1+2")), unescape_cell("'quoted'")
    ('=1+2', "'quoted'")
    """
    if isinstance(value, str) and value[:1] == "'" and value[1:].startswith(FORMULA_START):
        return value[1:]
    return value


def escape_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy whose text cells and column names are safe to open in a spreadsheet.

    Examples
    --------
    >>> escape_frame(pd.DataFrame({"name": ["=HYPERLINK(1)", "Qom"], "score": [1.0, 0.5]}))
                 name  score
    0  '=HYPERLINK(1)    1.0
    1             Qom    0.5
    """
    out = frame.copy()
    for column in out.columns:
        if not (pd.api.types.is_numeric_dtype(out[column])
                or pd.api.types.is_bool_dtype(out[column])):
            out[column] = out[column].map(escape_cell).astype(object)
    out.columns = [escape_cell(str(c)) for c in out.columns]
    return out


#: Names Windows keeps for devices, with or without an extension (``con.txt`` is the console).
WINDOWS_RESERVED = frozenset({"con", "prn", "aux", "nul", "conin$", "conout$",
                              *(f"com{i}" for i in "123456789¹²³"),
                              *(f"lpt{i}" for i in "123456789¹²³")})
#: Characters no file name may hold on some system (Windows forbids the printable ones).
_UNSAFE_CHARS = re.compile(r'[/\\<>:"|?*]')
#: Zero-width joiners are part of Persian words; every other format character (bidi overrides
#: that make ``exe.txt`` look like ``txt.exe``, invisible marks) is dropped.
_KEEP_FORMAT = {"\u200c", "\u200d"}


def safe_filename(name: object, *, default: str = "citykit", max_bytes: int = 200) -> str:
    r"""A file name made from user text (a title, a city, an uploaded name) that is safe to use.

    The result names one file in the current folder on Linux, macOS and Windows: path
    separators, ``..``, NUL and other control characters, the characters Windows forbids
    (``<>:"|?*``) and bidirectional overrides are replaced or dropped; leading dots (hidden
    files, ``..``) and trailing dots and spaces are removed; Windows device names (``CON``,
    ``nul.txt``, ``COM1``) get a ``_`` in front; the name is cut to `max_bytes` bytes of UTF-8,
    keeping its extension. Letters of any script stay (Persian titles keep their words and
    zero-width non-joiners). `default` is returned when nothing usable is left.

    Examples
    --------
    >>> safe_filename("../../etc/passwd")
    'etc_passwd'
    >>> safe_filename("C:\\Users\\x\\report.xlsx"), safe_filename("con.csv")
    ('C_Users_x_report.xlsx', '_con.csv')
    >>> safe_filename("طرح\u200cهای آزمایشی: تهران/کرج.zip")
    'طرح\u200cهای آزمایشی_ تهران_کرج.zip'
    >>> safe_filename("..."), safe_filename("a\x00b")
    ('citykit', 'a_b')
    """
    text = unicodedata.normalize("NFC", "" if name is None else str(name))
    out = []
    for ch in text:
        category = unicodedata.category(ch)
        if category == "Cf" and ch not in _KEEP_FORMAT:
            continue
        out.append("_" if category in ("Cc", "Cs", "Co", "Cn") or _UNSAFE_CHARS.match(ch)
                   else " " if category in ("Zs", "Zl", "Zp") else ch)
    text = re.sub(r"_{2,}", "_", re.sub(r" {2,}", " ", "".join(out)))
    text = text.strip(" ._")
    stem, dot, ext = text.rpartition(".")
    if not dot or not re.fullmatch(r"[A-Za-z0-9]{1,10}", ext):
        stem, ext = text, ""
    stem = stem.strip(" ._")
    if stem.split(".")[0].strip().lower() in WINDOWS_RESERVED:
        stem = "_" + stem
    suffix = f".{ext}" if ext else ""
    room = max(1, max_bytes - len(suffix.encode("utf-8")))
    stem = stem.encode("utf-8")[:room].decode("utf-8", errors="ignore").rstrip(" .")
    return stem + suffix if stem.strip(" ._") else default


# --------------------------------------------------------------------------- the dossier

@dataclass(frozen=True)
class Dossier:
    """What :func:`export_dossier` wrote.

    Attributes
    ----------
    folder : pathlib.Path
    paths : dict
        Role (keys of :data:`OUTPUTS`, plus ``"manifest"``) → path of the file.
    manifest : dict
        The contents of ``manifest.json``.
    """

    folder: Path
    paths: dict[str, Path]
    manifest: dict


def export_dossier(result, out_dir: str | os.PathLike, *, shortlist=None, k: int = 5,
                   lang: str = "en", robustness="scenario",
                   workshop: Mapping | None = None) -> Dossier:
    """Write the decision dossier of a Scenario's result into `out_dir`.

    Parameters
    ----------
    result : citykit.scenario.Result
        From :func:`citykit.scenario.run`.
    out_dir : path
        Folder to write into (created if missing); files of a previous dossier are replaced.
    shortlist : Shortlist, DataFrame or sequence of str, optional
        The pilots: a :mod:`citykit.shortlist` result (its ``pilots`` table), a DataFrame whose
        index or ``city_id`` column holds candidate ids, or the ids themselves. Default: the
        top `k` of the ranking (the methodology says so, and names any city tied with the last
        pilot that the cut left out).
    k : int, default 5
        Pilots taken from the ranking when no `shortlist` is given; also the *k* of P(top-k).
    lang : {"en", "fa"}, default "en"
        Language of the brief, the methodology and the reasons. Column names stay English
        identifiers in every language, so the tables read the same way in any tool.
    robustness : "scenario", None, DataFrame or object, default "scenario"
        Monte-Carlo robustness per candidate. ``"scenario"`` runs
        :func:`citykit.robustness.robustness` with the Scenario's own settings (seeded, so a
        re-run reproduces it). Otherwise a result of that module, any object with a
        ``to_frame()`` or ``table()`` method, or a table indexed by candidate id, holding
        P(top-k) and rank-interval columns (names such as ``p_top_5``, ``rank_p5``,
        ``rank_median``, ``rank_p95``, ``rank_low``, ``rank_high``). Its settings go to the
        methodology and the manifest. ``None``: the dossier says robustness was not computed.
    workshop : mapping, optional
        The record of the weighting workshop whose group weights the scenario uses
        (:meth:`citykit.workshop.GroupResult.to_record`): it becomes a methodology step, a
        ``workshop`` sheet (one row per submission) and a part of the manifest.

    Returns
    -------
    Dossier

    Raises
    ------
    citykit.exceptions.ExportError
        Unknown `lang`, a bad `k` or `shortlist`, or a folder that cannot be written.

    Examples
    --------
    >>> from citykit.scenario import Scenario, run
    >>> dossier = export_dossier(run(Scenario()), "dossier", k=5)   # doctest: +SKIP
    >>> sorted(p.name for p in dossier.paths.values())              # doctest: +SKIP
    ['brief.html', 'candidates.geojson', 'candidates.gpkg', 'dossier.xlsx', 'manifest.json',
     'ranking.csv', 'scenario.json', 'shortlist.csv']
    """
    if lang not in ("en", "fa"):
        raise ExportError(f"lang must be 'en' or 'fa', got {lang!r}")
    folder = _prepare_folder(out_dir)
    ranking = result.ranking
    pilots = resolve_pilots(ranking, shortlist, k)
    rob, rob_settings, acceptability = _robustness(result, robustness)
    said = conclusion_sentences(result, acceptability, lang)
    steps = methodology_steps(result, pilots=pilots, lang=lang,
                              robustness=rob_settings if rob is not None else None,
                              conclusions=said)
    steps += workshop_steps(workshop, lang)
    table = ranking_frame(result, pilots, rob)
    short = shortlist_frame(result, table, pilots, lang)
    # Every file is written into a staging folder first and moved in only when all are done,
    # so a killed export never leaves new tables beside an old manifest (see _commit).
    staging = folder / f"{STAGING_PREFIX}{uuid.uuid4().hex[:12]}"
    paths = {role: staging / name for role, name in OUTPUTS.items()}
    try:
        staging.mkdir()
        _write_csv(paths["ranking"], table)
        _write_csv(paths["shortlist"], short)
        sheets = workbook_sheets(result, table, short, steps)
        if workshop is not None:
            sheets["workshop"] = workshop_frame(workshop)
        _write_xlsx(paths["workbook"], sheets, rtl=lang == "fa")
        _write_geo(paths["geojson"], paths["geopackage"], result, table)
        _write_text(paths["brief"], render_brief(
            result, table=table, shortlist=pilots, steps=steps, lang=lang,
            k=int(rob_settings.get("top_k", k)), robust=rob is not None, conclusions=said))
        _write_text(paths["scenario"], result.scenario.to_json() + "\n")
        manifest = _manifest(result, pilots, rob_settings if rob is not None else None, lang,
                             paths)
        if workshop is not None:
            manifest["workshop"] = dict(workshop)
        paths["manifest"] = staging / MANIFEST
        _write_text(paths["manifest"], json.dumps(manifest, ensure_ascii=False, indent=2) + "\n")
        _commit(folder, staging, [path.name for path in paths.values()])
    except OSError as err:
        raise ExportError(f"cannot write the dossier to {folder}: {err}") from None
    finally:
        # An export that failed before its commit leaves nothing behind; one that failed while
        # committing keeps its journal and staged files, for recover() to complete.
        if staging.exists() and not (folder / JOURNAL).exists():
            shutil.rmtree(staging, ignore_errors=True)
    return Dossier(folder, {role: folder / path.name for role, path in paths.items()}, manifest)


def _robustness(result, robustness) -> tuple[pd.DataFrame | None, dict, object]:
    """The robustness table, its settings, and the Acceptability behind it (or None).

    ``"scenario"`` runs :func:`citykit.robustness.robustness`; an Acceptability is used as it
    is; a table gives no Acceptability (the conclusions in words need one).
    """
    from .robustness import Acceptability

    if isinstance(robustness, str):
        if robustness != "scenario":
            raise ExportError(f"robustness must be 'scenario', None, a table or a robustness "
                              f"result; got {robustness!r}")
        from .robustness import robustness as run_robustness

        acceptability = run_robustness(result)
        frame, settings = robustness_frame(acceptability, result.ranking.scores.index)
        return frame, {**settings, "source": "scenario"}, acceptability
    frame, settings = robustness_frame(robustness, result.ranking.scores.index)
    return frame, settings, robustness if isinstance(robustness, Acceptability) else None


def conclusion_sentences(result, acceptability, lang: str = "en") -> list[str]:
    """What can be said with confidence (:mod:`citykit.conclusions`), for the dossier.

    The robustness draws and the five methods' rankings; none without an Acceptability.
    """
    if acceptability is None:
        return []
    from .conclusions import conclusions, render

    return render(conclusions(result, acceptability), result, lang)


def _prepare_folder(out_dir) -> Path:
    folder = Path(out_dir)
    if folder.exists() and not folder.is_dir():
        raise ExportError(f"{folder} is a file; give a folder for the dossier")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        recover(folder)
    except OSError as err:
        raise ExportError(f"cannot create the dossier folder {folder}: {err}") from None
    return folder


#: Name prefix of the folder an export writes into before it commits (inside the out folder).
STAGING_PREFIX = ".dossier-staging-"
#: The commit journal: present only while staged files are being moved into place.
JOURNAL = ".dossier-commit.json"


def _commit(folder: Path, staging: Path, names: list[str]) -> None:
    """Move the staged files into `folder`, the manifest last, under a journal.

    Before the journal exists the previous dossier is untouched (a killed export only leaves a
    staging folder, removed by the next export). Once it exists, the moves are renames inside
    one file system; if the process dies among them, :func:`recover` (run by the next export,
    and reported by :func:`verify_dossier`) completes them from the journal.
    """
    order = sorted(names, key=lambda n: n == MANIFEST)  # the manifest last
    journal = {"staging": staging.name, "files": order}
    _write_text(folder / JOURNAL, json.dumps(journal) + "\n")
    _roll_forward(folder, journal)


def _roll_forward(folder: Path, journal: dict) -> None:
    staging = folder / journal["staging"]
    for name in journal["files"]:
        if (staging / name).exists():
            os.replace(staging / name, folder / name)
    (folder / JOURNAL).unlink(missing_ok=True)
    shutil.rmtree(staging, ignore_errors=True)


def recover(folder: str | os.PathLike) -> str | None:
    """Finish or undo an export that was killed in `folder`; say what was done (None: nothing).

    A journal means every file was staged and the move had begun: the move is completed. A
    staging folder without a journal is an export killed while writing: it is removed, and the
    previous dossier stays as it was.
    """
    folder = Path(folder)
    done = None
    journal_path = folder / JOURNAL
    if journal_path.is_file():
        try:
            journal = json.loads(journal_path.read_text(encoding="utf-8"))
            names = journal["files"]
            ok = isinstance(names, list) and all(
                isinstance(n, str) and n == Path(n).name for n in names) and \
                str(journal["staging"]).startswith(STAGING_PREFIX)
        except (ValueError, KeyError, TypeError):
            ok = False
        if ok:
            _roll_forward(folder, journal)
            done = "completed an interrupted export"
        else:
            journal_path.unlink()
    for leftover in folder.glob(f"{STAGING_PREFIX}*"):
        if leftover.is_dir():
            shutil.rmtree(leftover, ignore_errors=True)
            done = done or "removed the files of an interrupted export"
    return done


# --------------------------------------------------------------------------- methodology

def methodology(result, *, shortlist=None, k: int = 5, robustness="scenario",
                lang: str = "en", workshop: Mapping | None = None) -> list[tuple[str, str]]:
    """The steps and choices of the analysis in words, as ``[(title, text), ...]``.

    The same list fills the workbook's methodology sheet and the brief's annex: data (sources,
    integrity, share of proxy values), framework and criteria, eligibility (every rule and whom
    it excluded), missing data, normalisation (and what it learned), weights, aggregation (method
    on normalisation, ties), robustness, shortlist (constraints, or the top-k cut and any tie at
    it) and how to reproduce the dossier. Arguments as in :func:`export_dossier`.

    Examples
    --------
    >>> from citykit.scenario import Scenario, run
    >>> steps = methodology(run(Scenario(method="topsis")), k=3)
    >>> [title for title, _ in steps][:3]
    ['Data', 'Framework and criteria', 'Candidates and eligibility']
    >>> "topsis on vector" in dict(steps)["Aggregation and ranking"]
    True
    """
    if lang not in ("en", "fa"):
        raise ExportError(f"lang must be 'en' or 'fa', got {lang!r}")
    pilots = resolve_pilots(result.ranking, shortlist, k)
    rob, settings, acceptability = _robustness(result, robustness)
    return methodology_steps(result, pilots=pilots, lang=lang,
                             robustness=settings if rob is not None else None,
                             conclusions=conclusion_sentences(result, acceptability, lang)
                             ) + workshop_steps(workshop, lang)


def _check_workshop(record) -> dict:
    if not isinstance(record, Mapping):
        raise ExportError(f"workshop must be a workshop record (GroupResult.to_record()); got "
                          f"{type(record).__name__}")
    missing = [k for k in ("code", "title", "aggregation", "participants", "submissions",
                           "group_weights") if k not in record]
    if missing:
        raise ExportError(f"the workshop record lacks {missing}; pass "
                          "GroupResult.to_record()")
    return dict(record)


def workshop_steps(record: Mapping | None, lang: str = "en") -> list[tuple[str, str]]:
    """The workshop behind the weights as a methodology step (none without a record).

    Examples
    --------
    >>> record = {"code": "ABC234", "title": "Pilot weights", "aggregation": "geometric mean",
    ...           "participants": [{"pseudonym": "Participant 1"}], "group_cr": 0.0,
    ...           "submissions": [{"participant": "Participant 1", "kind": "weights",
    ...                            "submitted_at": "2026-11-29T08:00:00.000Z"}],
    ...           "group_weights": {"a": 0.6, "b": 0.4}, "closed_at": None}
    >>> title, text = workshop_steps(record)[0]
    >>> title, text.split(" (")[0]
    ('Weighting workshop', 'Workshop ABC234 "Pilot weights": 1 participants, 1 submissions')
    """
    if record is None:
        return []
    record = _check_workshop(record)
    subs = record["submissions"]
    times = sorted(s["submitted_at"] for s in subs)
    span = f"{times[0]} to {times[-1]}" if times else "none"
    weights = ", ".join(f"{c} {w:.3f}" for c, w in record["group_weights"].items())
    cr = record.get("group_cr")
    closed = record.get("closed_at") or "still open when exported"
    if lang == "fa":
        title = "کارگاه وزن‌دهی"
        text = (f"کارگاه {record['code']} «{record['title']}»: {len(record['participants'])} "
                f"شرکت‌کننده، {len(subs)} ثبت ({span}). روش ترکیب: {record['aggregation']}. "
                f"وزن‌های گروه: {weights}. نسبت سازگاری ترکیبی: "
                f"{'—' if cr is None else f'{cr:.3f}'}. بسته‌شدن: {closed}. فهرست ثبت‌ها "
                "در برگهٔ workshop آمده است.")
        return [(title, text)]
    text = (f'Workshop {record["code"]} "{record["title"]}": {len(record["participants"])} '
            f"participants, {len(subs)} submissions ({span}). Aggregation: "
            f"{record['aggregation']}. Group weights: {weights}. Consistency ratio of the "
            f"combined judgements: {'n/a' if cr is None else f'{cr:.3f}'}. Closed: {closed}. "
            "Every submission is listed on the workshop sheet (participants by pseudonym).")
    return [("Weighting workshop", text)]


def workshop_frame(record: Mapping) -> pd.DataFrame:
    """One row per submission of the workshop record: who (pseudonym), when, kind, CR, weights.

    Examples
    --------
    >>> workshop_frame({"code": "ABC234", "title": "t", "aggregation": "g", "participants": [],
    ...                 "group_weights": {"a": 0.5, "b": 0.5},
    ...                 "submissions": [{"participant": "Participant 1", "kind": "weights",
    ...                                  "submitted_at": "2026-11-29T08:00:00.000Z", "cr": 0.0,
    ...                                  "weights": {"a": 0.5, "b": 0.5}}]}).columns.tolist()
    ['workshop', 'participant', 'submitted_at', 'kind', 'cr', 'weight:a', 'weight:b']
    """
    record = _check_workshop(record)
    rows = [{"workshop": record["code"], "participant": s["participant"],
             "submitted_at": s["submitted_at"], "kind": s["kind"], "cr": s.get("cr"),
             **{f"weight:{c}": w for c, w in s.get("weights", {}).items()}}
            for s in record["submissions"]]
    group = {"workshop": record["code"], "participant": "group", "submitted_at": None,
             "kind": "aggregate", "cr": record.get("group_cr"),
             **{f"weight:{c}": w for c, w in record["group_weights"].items()}}
    return pd.DataFrame(rows + [group])


# --------------------------------------------------------------------------- writers

@contextmanager
def _atomic(path: Path) -> Iterator[Path]:
    """Yield a temporary path beside `path`; rename it onto `path` only on success."""
    tmp = path.with_name(f".{path.stem}.{uuid.uuid4().hex[:8]}.tmp{path.suffix}")
    try:
        yield tmp
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


def _write_text(path: Path, text: str, encoding: str = "utf-8") -> None:
    with _atomic(path) as tmp:
        tmp.write_text(text, encoding=encoding, newline="\n")


def _write_csv(path: Path, frame: pd.DataFrame) -> None:
    # UTF-8 with a byte-order mark: spreadsheets then read Persian names correctly.
    text = escape_frame(frame).to_csv(index=False, lineterminator="\n")
    _write_text(path, text, encoding="utf-8-sig")


def write_scenario(scenario, path: str | os.PathLike, *, overwrite: bool = False) -> Path:
    """Write a Scenario as JSON, atomically (the file appears whole or not at all).

    Raises
    ------
    citykit.exceptions.ExportError
        If `path` exists and `overwrite` is False, is a folder, or cannot be written.

    Examples
    --------
    >>> from citykit.scenario import Scenario
    >>> write_scenario(Scenario(), "scenario.json")      # doctest: +SKIP
    PosixPath('scenario.json')
    """
    path = Path(path)
    if path.is_dir():
        raise ExportError(f"{path} is a folder; give a file name such as "
                          f"{path / 'scenario.json'}")
    if path.exists() and not overwrite:
        raise ExportError(f"{path} already exists; choose another file or allow overwriting "
                          "(citykit scenario new --force)")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        _write_text(path, scenario.to_json() + "\n")
    except OSError as err:
        raise ExportError(f"cannot write {path}: {err}") from None
    return path


def _missing(value) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))


def _xlsx_value(value):
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    if isinstance(value, str):
        return escape_cell(ILLEGAL_CHARACTERS_RE.sub("", value))
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return None if math.isnan(value) or math.isinf(value) else float(value)
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    return escape_cell(ILLEGAL_CHARACTERS_RE.sub("", str(value)))


def _xlsx_cell(sheet, value, **style):
    """A value for a write-only sheet: text always stays text (never a formula or an error)."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ERROR_CODES

    value = _xlsx_value(value)
    if not style and not (isinstance(value, str) and (value in ERROR_CODES
                                                      or value.startswith("="))):
        return value   # a plain value is written as it is typed (much faster than a cell)
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str):
        cell.data_type = "s"
    for key, val in style.items():
        setattr(cell, key, val)
    return cell


def _write_xlsx(path: Path, sheets: dict[str, pd.DataFrame], *, rtl: bool) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    book = Workbook(write_only=True)
    bold, wrap = Font(bold=True), Alignment(wrap_text=True, vertical="top")
    for name, frame in sheets.items():
        sheet = book.create_sheet(name)
        sheet.sheet_view.rightToLeft = rtl
        sheet.freeze_panes = "A2"
        wide = name == "methodology"
        for i, column in enumerate(frame.columns, start=1):
            sample = [len(str(v)) for v in frame[column].head(200) if not _missing(v)]
            width = max([len(str(column)), *sample]) + 2
            sheet.column_dimensions[get_column_letter(i)].width = min(width, 100 if wide else 48)

        sheet.append([_xlsx_cell(sheet, str(c), font=bold) for c in frame.columns])
        for row in frame.itertuples(index=False, name=None):
            sheet.append([_xlsx_cell(sheet, v, alignment=wrap) if wide else _xlsx_cell(sheet, v)
                          for v in row])
    raw = io.BytesIO()
    book.save(raw)
    with _atomic(path) as tmp:
        _reproducible_zip(raw, tmp)


#: The time stamps a dossier's XLSX and GeoPackage carry instead of "now", so that the same
#: scenario gives the same bytes (the manifest's ``created`` is the dossier's only time).
FIXED_TIME = "1980-01-01T00:00:00Z"
_CORE_DATES = re.compile(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)")


def _reproducible_zip(raw: io.BytesIO, path: Path) -> None:
    """Copy an .xlsx package with fixed zip entry times and document dates."""
    with zipfile.ZipFile(raw) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = _CORE_DATES.sub(rb"\g<1>" + FIXED_TIME.encode() + rb"\g<2>", data)
            dst.writestr(zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0)), data,
                         compress_type=zipfile.ZIP_DEFLATED)


def _write_geo(geojson: Path, gpkg: Path, result, table: pd.DataFrame) -> None:
    import geopandas as gpd

    cities = result.dataset.cities
    frame = table.rename(columns=lambda c: c.replace(":", "_"))
    geometry = cities.geometry.reindex(frame["city_id"]).to_numpy()
    gdf = gpd.GeoDataFrame(frame, geometry=geometry, crs=cities.crs)
    if gdf.crs is not None and not gdf.crs.equals("EPSG:4326"):
        gdf = gdf.to_crs("EPSG:4326")
    _write_text(geojson, gdf.to_json(drop_id=True, na="null", show_bbox=False,
                                     ensure_ascii=False) + "\n")
    # GDAL stamps gpkg_contents.last_change with "now" unless OGR_CURRENT_DATE is set.
    previous = os.environ.get("OGR_CURRENT_DATE")
    os.environ["OGR_CURRENT_DATE"] = FIXED_TIME
    try:
        with _atomic(gpkg) as tmp:
            gdf.to_file(tmp, layer="candidates", driver="GPKG")
            gdf[gdf["pilot"]].to_file(tmp, layer="pilots", driver="GPKG")
    finally:
        if previous is None:
            os.environ.pop("OGR_CURRENT_DATE", None)
        else:
            os.environ["OGR_CURRENT_DATE"] = previous


# --------------------------------------------------------------------------- manifest

def _dataset_checksums(dataset) -> tuple[dict[str, str], str]:
    path = Path(dataset.path) if dataset.path is not None else None
    if path is None or not path.exists():
        return {}, "unavailable"
    if path.is_dir() and (path / MANIFEST_NAME).is_file():
        return read_manifest(path), MANIFEST_NAME
    if path.is_file():
        return {path.name: file_sha256(path)}, "computed"
    files = sorted(p for p in path.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
    return {p.relative_to(path).as_posix(): file_sha256(p) for p in files}, "computed"


def _manifest(result, pilots: Pilots, rob_settings: dict | None, lang: str,
              paths: dict[str, Path]) -> dict:
    import geopandas
    import openpyxl
    import plotly

    dataset, framework, ranking = result.dataset, result.framework, result.ranking
    checksums, origin = _dataset_checksums(dataset)
    fw = None
    if framework is not None:
        fw_path = Path(framework.path) if framework.path else None
        fw = {"id": framework.id, "name_en": framework.name_en, "edition": framework.edition,
              "file": fw_path.name if fw_path else None,
              "sha256": file_sha256(fw_path) if fw_path and fw_path.is_file() else None}
    return {
        "schema": SCHEMA,
        "citykit_version": __version__,
        # The only time stamp of the dossier: outputs hold none, so they hash the same on a re-run.
        "created": _dt.datetime.now(_dt.UTC).replace(microsecond=0).isoformat(),
        "created_by": {"tool": "citykit", "version": __version__,
                       "python": platform.python_version(),
                       "packages": {"numpy": np.__version__, "pandas": pd.__version__,
                                    "geopandas": geopandas.__version__,
                                    "openpyxl": openpyxl.__version__,
                                    "plotly": plotly.__version__}},
        "scenario": result.scenario.to_dict(),
        "dataset": {"name": dataset.name, "title": dataset.title,
                    "path": None if dataset.path is None else str(Path(dataset.path).resolve()),
                    "verified": bool(dataset.verified), "checksums_from": origin,
                    "checksums": checksums},
        "framework": fw,
        "ranking": {"method": ranking.method, "normalisation": ranking.normalisation,
                    "candidates": int(len(ranking.scores)),
                    "criteria": int(len(ranking.weights))},
        "shortlist": {"mode": pilots.mode, "k": pilots.k, "pilots": list(pilots.ids),
                      "tied_left_out": list(pilots.tied_out), **(pilots.info or {})},
        "robustness": {"available": rob_settings is not None, "settings": rob_settings},
        "lang": lang,
        "outputs": {path.name: {"sha256": file_sha256(path), "bytes": path.stat().st_size}
                    for role, path in paths.items() if role != "manifest"},
    }


# --------------------------------------------------------------------------- verification

def verify_dossier(out_dir: str | os.PathLike, *, rerun: bool = True) -> list[Problem]:
    """Check a dossier: file hashes, dataset checksums, and a re-run of its Scenario.

    Parameters
    ----------
    out_dir : path
        A folder written by :func:`export_dossier`.
    rerun : bool, default True
        Re-run the manifest's Scenario and compare its ranking (ids, ranks, scores) and
        shortlist with ``ranking.csv`` and ``shortlist.csv``. A top-k shortlist is recomputed;
        a given shortlist is checked against the manifest and against the ranked candidates.

    Returns
    -------
    list of citykit.exceptions.Problem
        Empty when every file is as exported and the Scenario reproduces the same result.

    Examples
    --------
    >>> verify_dossier("dossier")      # doctest: +SKIP
    []
    """
    folder = Path(out_dir)
    if (folder / JOURNAL).exists():
        return [Problem(JOURNAL, "an export was interrupted while moving its files into place, "
                                 "so the folder mixes two dossiers",
                        fix="run the export again, or citykit.export.recover(folder) to "
                            "complete it.")]
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        return [Problem(MANIFEST, f"cannot read the manifest: {err}")]
    if manifest.get("schema") != SCHEMA:
        return [Problem(MANIFEST, f"schema {manifest.get('schema')!r}, expected {SCHEMA!r}")]
    problems = _check_outputs(folder, manifest) + _check_dataset(manifest)
    if rerun:
        problems += _check_rerun(folder, manifest)
    return problems


def _check_outputs(folder: Path, manifest: dict) -> list[Problem]:
    problems = []
    for name, entry in manifest.get("outputs", {}).items():
        path = folder / name
        if not path.is_file():
            problems.append(Problem(name, "listed in the manifest but missing"))
        elif file_sha256(path) != entry["sha256"]:
            problems.append(Problem(name, f"file was modified: SHA-256 expected "
                                          f"{entry['sha256'][:12]}…, got {file_sha256(path)[:12]}…"))
    return problems


def _check_dataset(manifest: dict) -> list[Problem]:
    info = manifest.get("dataset", {})
    root = Path(info["path"]) if info.get("path") else None
    if root is None or not root.exists() or not info.get("checksums"):
        return []
    problems = []
    for name, digest in info["checksums"].items():
        path = root if root.is_file() else root / name
        if not path.is_file():
            problems.append(Problem(f"dataset {info['name']}", f"{name} is missing"))
        elif file_sha256(path) != digest:
            problems.append(Problem(f"dataset {info['name']}",
                                    f"{name} changed since the export"))
    return problems


def _read_csv(path: Path) -> pd.DataFrame:
    frame = pd.read_csv(path, dtype={"city_id": str}, encoding="utf-8-sig",
                        keep_default_na=False, na_values=[""])
    return frame.map(unescape_cell) if len(frame) else frame


def _check_rerun(folder: Path, manifest: dict) -> list[Problem]:
    from .scenario import Scenario, run

    try:
        result = run(Scenario.from_dict(manifest["scenario"]))
        exported = _read_csv(folder / OUTPUTS["ranking"])
        short = _read_csv(folder / OUTPUTS["shortlist"])
    except (CityKitError, OSError, KeyError, ValueError) as err:
        return [Problem("scenario", f"cannot re-run the manifest's Scenario: {err}")]
    ranking = result.ranking
    problems = []
    order = ranked_order(ranking)
    if exported["city_id"].tolist() != order:
        problems.append(Problem(OUTPUTS["ranking"], "the re-run ranks other candidates or in "
                                                    "another order"))
    else:
        ranks = ranking.ranks.reindex(order).to_numpy()
        scores = ranking.scores.reindex(order).to_numpy(dtype=float)
        if not np.array_equal(exported["rank"].to_numpy(), ranks):
            problems.append(Problem(OUTPUTS["ranking"], "the re-run gives other ranks"))
        if not np.allclose(exported["score"].to_numpy(dtype=float), scores, rtol=1e-12,
                           atol=1e-12):
            problems.append(Problem(OUTPUTS["ranking"], "the re-run gives other scores"))
    problems += _check_robustness(result, manifest, exported)
    info = manifest.get("shortlist", {})
    expected = list(info.get("pilots", []))
    if info.get("mode") == "top-k":
        expected = order[:int(info.get("k", 0))]
    elif unknown := [c for c in expected if c not in ranking.scores.index]:
        problems.append(Problem(OUTPUTS["shortlist"], f"pilots no longer ranked: {unknown}"))
    elif info.get("constraints"):
        problems += _check_constraints(result, info["constraints"], expected)
    if short["city_id"].tolist() != expected:
        problems.append(Problem(OUTPUTS["shortlist"], f"expected the pilots {expected}, "
                                                      f"the file lists {short['city_id'].tolist()}"))
    return problems


def _check_constraints(result, constraints: dict, expected: list[str]) -> list[Problem]:
    """Re-select a citykit.shortlist shortlist from the manifest's constraints."""
    try:
        from .shortlist import Constraints, shortlist
    except ImportError:  # pragma: no cover - the module is part of citykit
        return []
    try:
        again = list(shortlist(result, Constraints.from_dict(constraints)).pilots.index)
    except CityKitError as err:
        return [Problem(OUTPUTS["shortlist"], f"cannot re-select the shortlist: {err}")]
    if again != expected:
        return [Problem(OUTPUTS["shortlist"], f"re-selecting with the manifest's constraints "
                                              f"gives {again}, the dossier has {expected} (were "
                                              "peers, expected scores or costs passed to it?)")]
    return []


def _check_robustness(result, manifest: dict, exported: pd.DataFrame) -> list[Problem]:
    """Re-run a robustness analysis made from the Scenario's settings and compare its columns."""
    settings = (manifest.get("robustness") or {}).get("settings") or {}
    if settings.get("source") != "scenario":
        return []
    frame, _, _ = _robustness(result, "scenario")
    frame = frame.reindex(exported["city_id"])
    for column in frame.columns:
        if column not in exported or not np.allclose(
                exported[column].to_numpy(dtype=float), frame[column].to_numpy(dtype=float),
                rtol=1e-12, atol=1e-12, equal_nan=True):
            return [Problem(OUTPUTS["ranking"], f"the re-run's robustness column {column!r} "
                                                "differs")]
    return []
