"""The errors and warnings citykit raises.

Every error is a :class:`CityKitError`, so an application can catch the whole family in one place
(the Streamlit app shows them inline and keeps the user's work). Messages say what is wrong, where
(file, row, column), what was expected and what was found, and how to fix it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

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
]

#: How many problems an error message lists before it summarises the rest.
MAX_LISTED = 10


class CityKitError(Exception):
    """Base class of every error citykit raises on purpose."""


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
