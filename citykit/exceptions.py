"""The errors and warnings citykit raises.

Every error is a :class:`CityKitError`, so an application can catch the whole family in one place
(the Streamlit app shows them inline and keeps the user's work). Messages say what is wrong, where
(file, row, column), what was expected and what was found, and how to fix it.
"""

from __future__ import annotations

import reprlib
from collections.abc import Sequence
from dataclasses import dataclass, field

__all__ = [
    "AggregationError",
    "CityKitError",
    "CityKitWarning",
    "DataValidationError",
    "DatasetNotFoundError",
    "ExportError",
    "FrameworkError",
    "IntegrityError",
    "NormalisationError",
    "NotFittedError",
    "PeerGroupError",
    "Problem",
    "ShortlistError",
    "WeightError",
    "short_repr",
]

#: How many problems an error message lists before it summarises the rest.
MAX_LISTED = 10
#: The longest a value from an input file may be when a message quotes it (:func:`short_repr`).
MAX_REPR_CHARS = 200
#: The longest a :class:`Problem`'s message or fix may be: a backstop, so that no input can make
#: an error message (shown in the app, printed by the CLI) grow with the input.
MAX_MESSAGE_CHARS = 2000

_REPR = reprlib.Repr()
_REPR.maxlevel, _REPR.maxdict, _REPR.maxlist, _REPR.maxtuple = 3, 6, 6, 6
_REPR.maxset, _REPR.maxfrozenset, _REPR.maxstring, _REPR.maxother = 6, 6, MAX_REPR_CHARS, 80


def short_repr(value, limit: int = MAX_REPR_CHARS) -> str:
    """``repr(value)`` cut to at most `limit` characters (ending in ``…`` when cut).

    Its cost does not grow with the value: strings are cut before ``repr``, and containers are
    shown only a few levels and items deep (:mod:`reprlib`), so a huge or deeply shared structure
    read from a file (e.g. YAML aliases) cannot blow up the message that quotes it.

    Examples
    --------
    >>> short_repr("level")
    "'level'"
    >>> text = short_repr("x" * 10_000)
    >>> len(text), text[-2:]
    (200, 'x…')
    >>> short_repr([[["deep"]]] * 1000, limit=40)
    "[[['deep']], [['deep']], [['deep']], [[…"
    """
    text = repr(value[:limit + 1]) if isinstance(value, str) else _REPR.repr(value)
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _cut(text: str | None, limit: int = MAX_MESSAGE_CHARS) -> str | None:
    if text is None or len(text) <= limit:
        return text
    return text[:limit - 1] + "…"


class CityKitError(Exception):
    """Base class of every error citykit raises on purpose.

    An error may carry a message `code` and its `params` (keyword-only): then
    :func:`citykit.i18n.localise` can say it in another language; without them it is said in
    English everywhere.

    Examples
    --------
    >>> err = CityKitError("need at least 2 candidates to rank, got 1", code="too_few_candidates",
    ...                    params={"n": 1})
    >>> str(err), err.code, err.params
    ('need at least 2 candidates to rank, got 1', 'too_few_candidates', {'n': 1})
    """

    def __init__(self, *args, code: str | None = None, params: dict | None = None) -> None:
        super().__init__(*args)
        self.code = code
        self.params = dict(params or {})


class CityKitWarning(UserWarning):
    """Valid but suspicious input (e.g. a layer reprojected, data loaded unverified)."""


class DatasetNotFoundError(CityKitError, FileNotFoundError):
    """A dataset name or path does not lead to a dataset."""


class ExportError(CityKitError, ValueError):
    """A dossier cannot be exported as asked (bad option, shortlist, or output folder)."""


class AggregationError(CityKitError, ValueError):
    """An aggregation kernel got an invalid matrix, weights or method option."""


class NormalisationError(CityKitError, ValueError):
    """A normaliser got data it cannot rescale (NaN, infinite, constant, wrong shape or sign)."""


class WeightError(CityKitError, ValueError):
    """Weights, a pairwise-comparison matrix or the data to derive weights from are invalid."""


class RobustnessError(CityKitError, ValueError):
    """A robustness analysis got invalid settings (draws, top k, concentration, weight bounds)."""


class NotFittedError(CityKitError, AttributeError):
    """A fitted object (e.g. a normaliser) was used before ``fit`` was called."""


class ShortlistError(CityKitError, ValueError):
    """A shortlist request is malformed, or its constraints cannot all hold (the message says
    which constraints conflict, with numbers)."""


class PeerGroupError(CityKitError, ValueError):
    """Peer groups cannot be formed as asked (too few candidates, invalid k, missing values)."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input, located as precisely as the input allows.

    Parameters
    ----------
    file : str
        The file (or table) the problem is in.
    message : str
        What is wrong, including expected vs got.
    row : int, optional
        1-based data row (the header is row 0), when the problem is in one row.
    column : str, optional
        The column concerned.
    fix : str, optional
        How to fix it.
    line : int, optional
        1-based line of a text file (YAML), when the problem has one.
    code, params : optional
        A message code and its values, to say the problem in another language
        (:func:`citykit.i18n.localise`); `message` and `fix` stay the English text.

    `message` and `fix` are cut to :data:`MAX_MESSAGE_CHARS` characters.

    Examples
    --------
    >>> str(Problem("values.csv", "value 'abc' is not a number", row=3, column="value"))
    "values.csv, row 3, column 'value': value 'abc' is not a number"
    """

    file: str
    message: str
    row: int | None = None
    column: str | None = None
    fix: str | None = None
    line: int | None = None
    code: str | None = field(default=None, repr=False, compare=False)
    params: dict | None = field(default=None, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "message", _cut(str(self.message)))
        object.__setattr__(self, "fix", _cut(self.fix))

    def __str__(self) -> str:
        where = [self.file]
        if self.line is not None:
            where.append(f"line {self.line}")
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column {self.column!r}")
        text = f"{', '.join(where)}: {self.message}"
        if not self.fix:
            return text
        return f"{text}{' ' if text.endswith(('.', '?', '!')) else '. '}Fix: {self.fix}"


class DataValidationError(CityKitError, ValueError):
    """Input data breaks the dataset format; ``problems`` lists every finding.

    Examples
    --------
    >>> err = DataValidationError([Problem("cities.csv", "missing column 'city_id'")])
    >>> print(err)
    1 problem in the data:
      - cities.csv: missing column 'city_id'
    """

    def __init__(self, problems: Sequence[Problem] | str):
        if isinstance(problems, str):
            problems = [Problem("input", problems)]
        self.problems = list(problems)
        super().__init__(_summarise(self.problems, "in the data"))


class FrameworkError(CityKitError, ValueError):
    """A framework file breaks the framework format; ``problems`` lists every finding."""

    def __init__(self, problems: Sequence[Problem] | str):
        if isinstance(problems, str):
            problems = [Problem("framework", problems)]
        self.problems = list(problems)
        super().__init__(_summarise(self.problems, "in the framework"))


class IntegrityError(CityKitError):
    """A bundled file does not match its recorded SHA-256 checksum (or is missing)."""

    def __init__(self, problems: Sequence[Problem]):
        self.problems = list(problems)
        super().__init__(
            _summarise(self.problems, "with the dataset's integrity")
            + "\nRestore the original files (e.g. `git checkout -- datasets/`), or pass "
            "verify='warn' to load modified data knowingly."
        )


def _summarise(problems: Sequence[Problem], what: str) -> str:
    n = len(problems)
    lines = [f"{n} problem{'s' if n != 1 else ''} {what}:"]
    lines += [f"  - {p}" for p in problems[:MAX_LISTED]]
    if n > MAX_LISTED:
        lines.append(f"  ... and {n - MAX_LISTED} more")
    return "\n".join(lines)
