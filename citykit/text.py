"""Persian text and digits: normalisation for joins and search, and number formatting.

The same Persian name is written in several ways that look alike but compare unequal: with the
Arabic letters yeh (ي) and kaf (ك) instead of the Persian ی and ک, with or without a zero-width
non-joiner (ZWNJ, U+200C), with diacritics or a tatweel, and with Persian (۱۲۳), Arabic-Indic (١٢٣)
or Latin digits. Joining two sources on raw strings silently loses rows, so every join and search
in citykit goes through :func:`join_key`.
"""

from __future__ import annotations

import math
import re
import unicodedata

__all__ = [
    "join_key",
    "normalise_persian",
    "parse_number",
    "to_latin_digits",
    "to_persian_digits",
]

_PERSIAN_DIGITS = "۰۱۲۳۴۵۶۷۸۹"
_ARABIC_DIGITS = "٠١٢٣٤٥٦٧٨٩"
_TO_LATIN = str.maketrans(_PERSIAN_DIGITS + _ARABIC_DIGITS, "0123456789" * 2)
_TO_PERSIAN = str.maketrans("0123456789", _PERSIAN_DIGITS)

ZWNJ = "\u200c"
THOUSANDS_SEP_FA = "\u066c"  # ARABIC THOUSANDS SEPARATOR, the Persian digit-group mark
DECIMAL_SEP_FA = "\u066b"  # ARABIC DECIMAL SEPARATOR, the Persian decimal mark

_LETTERS = str.maketrans(
    {
        "\u064a": "\u06cc",  # Arabic yeh -> Persian yeh
        "\u0649": "\u06cc",  # alef maksura -> Persian yeh
        "\u0643": "\u06a9",  # Arabic kaf -> Persian keheh
        "\u0640": None,  # tatweel (kashida): decoration only
        "\u200d": None,  # zero-width joiner
        "\u200e": None,  # left-to-right mark
        "\u200f": None,  # right-to-left mark
        "\ufeff": None,  # byte-order mark
    }
)
# Harakat and other combining marks that do not change which word is written.
_DIACRITICS = re.compile("[\u064b-\u065f\u0670\u06d6-\u06ed]")
_SPACES = re.compile(r"[\s\u00a0]+")
_HAMZA_FORMS = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ؤ": "و", "ئ": "ی", "ۀ": "ه", "ة": "ه"})


def normalise_persian(text: str) -> str:
    """Return `text` with one spelling for Persian letters, digits and spacing.

    Arabic yeh and kaf become Persian ی and ک, Persian and Arabic-Indic digits become Latin
    digits, diacritics, tatweel and invisible direction marks are removed, a ZWNJ next to a space
    is dropped, and runs of white space become one space. The result still reads correctly, so it
    is safe to display.

    Parameters
    ----------
    text : str
        Any text; non-Persian text passes through with only its spacing normalised.

    Returns
    -------
    str

    See Also
    --------
    join_key : a stricter key for matching names from different sources.

    Examples
    --------
    >>> normalise_persian("كرمانشاه") == "کرمانشاه"
    True
    >>> normalise_persian("  شهر  ۱۲  ")
    'شهر 12'
    """
    text = unicodedata.normalize("NFC", str(text)).translate(_LETTERS).translate(_TO_LATIN)
    text = _DIACRITICS.sub("", text)
    text = re.sub(f"{ZWNJ}*(\\s){ZWNJ}*", r"\1", text).strip(ZWNJ)
    return _SPACES.sub(" ", text).strip()


def join_key(text: str) -> str:
    """Return a key under which spelling variants of the same name compare equal.

    On top of :func:`normalise_persian`, it removes spaces and ZWNJs (``خرم‌آباد``,
    ``خرم آباد`` and ``خرم آباد`` are one city), folds hamza and madda forms of alef, waw and
    yeh, and lower-cases Latin letters. Use it for joins and search, never for display.

    Examples
    --------
    >>> join_key("خرم‌آباد") == join_key("خرم آباد") == join_key("خرم اباد")
    True
    >>> join_key("Bandar Abbas") == join_key("bandar  abbas")
    True
    """
    text = normalise_persian(text).translate(_HAMZA_FORMS)
    return re.sub(f"[\\s{ZWNJ}]", "", text).casefold()


def to_latin_digits(text: str) -> str:
    """Replace Persian and Arabic-Indic digits with Latin digits; nothing else changes.

    Examples
    --------
    >>> to_latin_digits("۱۴۰۳ و ١٤٠٣")
    '1403 و 1403'
    """
    return str(text).translate(_TO_LATIN)


def to_persian_digits(value: float | int | str, *, decimals: int | None = None,
                      grouping: bool = True) -> str:
    """Format a number (or digits in a string) with Persian digits and separators.

    Parameters
    ----------
    value : float, int or str
        A number, or text whose Latin digits should be shown as Persian digits.
    decimals : int, optional
        Digits after the decimal mark for numbers. Default: as many as needed, at most 6.
    grouping : bool, default True
        Group thousands with the Persian separator (U+066C).

    Returns
    -------
    str
        ``"—"`` for a missing number (NaN or None).

    Examples
    --------
    >>> to_persian_digits(8693706)
    '۸٬۶۹۳٬۷۰۶'
    >>> to_persian_digits(12.5, decimals=2)
    '۱۲٫۵۰'
    >>> to_persian_digits("IR-23")
    'IR-۲۳'
    """
    if isinstance(value, str):
        return value.translate(_TO_PERSIAN)
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if decimals is None:
        text = f"{value:,}" if isinstance(value, int) else f"{value:,.6f}".rstrip("0").rstrip(".")
    else:
        text = f"{value:,.{decimals}f}"
    if not grouping:
        text = text.replace(",", "")
    text = text.replace(",", THOUSANDS_SEP_FA).replace(".", DECIMAL_SEP_FA)
    return text.translate(_TO_PERSIAN)


_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def parse_number(text: str | float | int) -> float:
    """Read a number written with Latin, Persian or Arabic-Indic digits and separators.

    Accepts the Persian thousands separator (٬, U+066C) and decimal mark (٫, U+066B), the Arabic
    comma (،) as thousands separator, a Latin comma as thousands separator, and a trailing or
    leading percent sign. A value that is not a number raises ``ValueError`` (never returns 0).

    ``1,234.5`` (comma thousands, point decimal) is read as 1234.5. ``1.234,5`` (decimal-comma
    notation) is refused rather than guessed: the point is always the decimal mark, so a comma
    after it can only mean the other convention, and reading it either way could be wrong by a
    factor of a thousand.

    Examples
    --------
    >>> parse_number("۱٬۲۳۴٫۵")
    1234.5
    >>> parse_number("٨٦٩٣٧٠٦")
    8693706.0
    >>> parse_number("1,234.5")
    1234.5
    >>> parse_number("1.234,5")
    Traceback (most recent call last):
    ...
    ValueError: '1.234,5' is not a number citykit can read without guessing: a comma after a point looks like decimal-comma notation (1.234,5 = 1234.5 in much of Europe) but a point is the decimal mark here; write 1234.5 (or ۱۲۳۴٫۵)
    >>> parse_number("12,5")
    Traceback (most recent call last):
    ...
    ValueError: '12,5' is not a number: a comma is read as a thousands separator and must be followed by exactly 3 digits; write decimals with a point (12.5) or the Persian decimal mark (۱۲٫۵)
    """
    if isinstance(text, (int, float)) and not isinstance(text, bool):
        return float(text)
    raw = str(text)
    s = to_latin_digits(normalise_persian(raw)).replace(DECIMAL_SEP_FA, ".")
    s = s.replace(THOUSANDS_SEP_FA, ",").replace("،", ",").replace("\u2212", "-").strip().strip("%\u066a")
    s = s.replace(" ", "")
    if "," in s and "." in s and s.rindex(",") > s.index("."):
        raise ValueError(
            f"{raw!r} is not a number citykit can read without guessing: a comma after a point "
            "looks like decimal-comma notation (1.234,5 = 1234.5 in much of Europe) but a point "
            "is the decimal mark here; write 1234.5 (or ۱۲۳۴٫۵)"
        )
    if "," in s:
        groups = s.split(".")[0].lstrip("+-").split(",")
        if not groups[0] or not all(len(g) == 3 for g in groups[1:]):
            raise ValueError(
                f"{raw!r} is not a number: a comma is read as a thousands separator and must be "
                "followed by exactly 3 digits; write decimals with a point (12.5) or the Persian "
                "decimal mark (۱۲٫۵)"
            )
        s = s.replace(",", "")
    if not _NUMBER.fullmatch(s):
        raise ValueError(f"{raw!r} is not a number")
    return float(s)
