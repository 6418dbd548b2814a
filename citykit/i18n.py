"""User-facing text in English and Persian: one registry of strings, and numbers for display.

Each module that shows text to a user (the maps, every app page) keeps its own strings next to
its code and adds them here with :func:`register`; :func:`tr` looks a key up in the registry. A
key registered twice with different text is an error, so two pages can never silently overwrite
each other's wording. Every English key must have a Persian text too; the test suite checks it.

Examples
--------
>>> register({"en": {"doc_example": "{n} cities"}, "fa": {"doc_example": "{n} شهر"}})
>>> tr("doc_example", "fa", n=format_number(3, "fa"))
'۳ شهر'
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

import pandas as pd

from .text import to_persian_digits

__all__ = ["LANGS", "TEXT", "format_number", "format_percent", "register", "tr"]

Lang = Literal["en", "fa"]
#: Languages of the interface: English and Persian.
LANGS: tuple[str, ...] = ("en", "fa")
#: Every registered string, by language.
TEXT: dict[str, dict[str, str]] = {lang: {} for lang in LANGS}


def register(texts: Mapping[str, Mapping[str, str]]) -> None:
    """Add strings ``{lang: {key: text}}`` to the registry.

    Raises
    ------
    ValueError
        If a language is unknown, or a key is already registered with a different text.
    """
    for lang, strings in texts.items():
        if lang not in TEXT:
            raise ValueError(f"unknown language {lang!r}; expected one of {list(LANGS)}")
        table = TEXT[lang]
        clashes = [k for k, v in strings.items() if k in table and table[k] != v]
        if clashes:
            raise ValueError(f"text keys registered twice with different {lang} text: "
                             f"{sorted(clashes)}; rename them in one of the modules")
        table.update(strings)


def tr(key: str, lang: Lang = "en", **fields: object) -> str:
    """The user-facing string `key` in `lang`, with ``{fields}`` filled in.

    A key missing in Persian falls back to English (the tests make sure none is missing).

    Raises
    ------
    KeyError
        If no module registered `key`.
    """
    table = TEXT.get(lang, TEXT["en"])
    text = table.get(key)
    if text is None:
        text = TEXT["en"][key]
    return text.format(**fields) if fields else text


def format_number(value: float | int | None, lang: Lang = "en", *,
                  decimals: int | None = None) -> str:
    """A number for display: thousands grouped, at most two decimals, Persian digits in ``fa``.

    Parameters
    ----------
    decimals : int, optional
        Fixed number of decimals; default 0 for integers and numbers of 100 or more, else 2
        with trailing zeros dropped.

    Examples
    --------
    >>> format_number(8693706.0)
    '8,693,706'
    >>> format_number(12.345)
    '12.35'
    >>> format_number(0.5, "fa")
    '۰٫۵'
    >>> format_number(0.5, decimals=3)
    '0.500'
    >>> format_number(float("nan"))
    '—'
    """
    if value is None or pd.isna(value):
        return "—"
    value = float(value)
    fixed = decimals is not None
    if decimals is None:
        decimals = 0 if abs(value) >= 100 or value.is_integer() else 2
    if lang == "fa":
        text = to_persian_digits(round(value, decimals), decimals=decimals)
        return text if fixed or not decimals else text.rstrip("۰").rstrip("٫")
    text = f"{value:,.{decimals}f}"
    return text if fixed or not decimals else text.rstrip("0").rstrip(".")


def format_percent(share: float | None, lang: Lang = "en", *, decimals: int = 0) -> str:
    """A share in [0, 1] as a percentage (``0.25`` → ``25%``, ``۲۵٪`` in Persian).

    Examples
    --------
    >>> format_percent(0.256), format_percent(0.256, "fa", decimals=1)
    ('26%', '۲۵٫۶٪')
    """
    if share is None or pd.isna(share):
        return "—"
    number = format_number(100 * float(share), lang, decimals=decimals)
    return number + ("٪" if lang == "fa" else "%")
