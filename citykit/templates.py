"""Empty templates of every dataset table, for agencies delivering their own data.

``citykit templates OUT`` writes one header-only CSV per table and one XLSX workbook with a sheet
per table (reproducible: its time stamps are pinned, so a rerun gives the same bytes);
``datasets/templates/`` holds the copies shipped with citykit.
"""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd

from .validation import REQUIRED_COLUMNS, TABLE_COLUMNS

__all__ = ["write_templates"]

WORKBOOK_NAME = "dataset_template.xlsx"


def write_templates(folder: Path) -> list[Path]:
    """Write empty CSV templates and one XLSX workbook template into `folder`.

    Required columns come first; the workbook's header cells of required columns are bold.

    Returns
    -------
    list of pathlib.Path
        The files written.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     [p.name for p in write_templates(Path(tmp))][:2]
    ['provinces.csv', 'counties.csv']
    """
    from openpyxl.styles import Font

    from .export import _reproducible_zip

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for table, columns in TABLE_COLUMNS.items():
        path = folder / f"{table}.csv"
        path.write_text(",".join(columns) + "\n", encoding="utf-8")
        written.append(path)
    book = folder / WORKBOOK_NAME
    raw = io.BytesIO()
    with pd.ExcelWriter(raw, engine="openpyxl") as writer:
        for table, columns in TABLE_COLUMNS.items():
            pd.DataFrame(columns=list(columns)).to_excel(writer, sheet_name=table, index=False)
            sheet = writer.sheets[table]
            for cell in sheet[1]:
                if cell.value in REQUIRED_COLUMNS[table]:
                    cell.font = Font(bold=True)
    _reproducible_zip(raw, book)          # no time stamps: the same columns, the same bytes
    written.append(book)
    return written
