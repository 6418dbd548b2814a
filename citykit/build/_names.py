"""Name keys and distances shared by the register and urban-centre build steps.

Latin spellings of Iranian place names vary in diacritics (Kāshān / Kashan), hyphens and spaces
(Nasīm Shahr / Nasimshahr, Gonbad-e Qabus / gonbad_e_qabus) and apostrophes; Arabic-script names
vary in the ways :func:`citykit.text.join_key` folds. :func:`name_key` gives one key for both.
"""

from __future__ import annotations

import re
import unicodedata

import numpy as np
import pandas as pd

from ..text import join_key

__all__ = ["EARTH_RADIUS_KM", "haversine_km", "is_arabic_script", "latin_key", "name_key",
           "skeleton_key"]

#: Mean Earth radius used for great-circle distances.
EARTH_RADIUS_KM = 6371.0088

_ARABIC_LETTER = re.compile("[\u0600-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufeff]")
_NOT_ALNUM = re.compile(r"[^a-z0-9]")


def is_arabic_script(name: str) -> bool:
    """True when every letter of `name` is an Arabic-script letter (Persian, Arabic, Kurdish...)."""
    letters = [ch for ch in str(name) if ch.isalpha()]
    return bool(letters) and all(_ARABIC_LETTER.match(ch) for ch in letters)


def latin_key(name: str) -> str:
    """Fold a Latin-script name: no diacritics, lower case, letters and digits only.

    Hyphens, spaces, apostrophes, underscores and the ezafe hyphen all go, so ``Shahr-e Kord``,
    ``Shahrekord`` and ``shahr_e_kord`` compare equal.

    Examples
    --------
    >>> latin_key("Nasīm Shahr") == latin_key("Nasimshahr")
    True
    """
    text = unicodedata.normalize("NFKD", str(name))
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    return _NOT_ALNUM.sub("", text)


def name_key(name: str) -> str:
    """:func:`citykit.text.join_key` for Arabic-script names, :func:`latin_key` for the rest."""
    return join_key(name) if is_arabic_script(name) else latin_key(name)


def skeleton_key(name: str) -> str:
    """A looser Latin key for transliteration variants: the consonant skeleton.

    ``gh`` and ``q``, ``w`` and ``v``, ``ou``/``oo``/``ow`` and ``u`` are folded, vowels and
    ``y`` dropped, a final ``h`` dropped and doubled letters collapsed, so Songhor/Sonqor,
    Tikab/Takab, Toyserkan/Tuyserkan, Omidieh/Omidiyeh and Dolatabad/Dowlatabad agree. Too loose
    for a join on its own: :mod:`citykit.build.urban` uses it only to name the core of a centre
    among the towns already joined to it. Returns ``""`` for a skeleton shorter than 2 letters.

    Examples
    --------
    >>> skeleton_key("Songhor") == skeleton_key("Sonqor")
    True
    """
    key = latin_key(name).replace("gh", "q")
    key = re.sub("ou|oo|ow", "u", key).replace("w", "v")
    key = re.sub("[aeiouy]", "", key)
    key = re.sub(r"(.)\1+", r"\1", re.sub("h$", "", key))
    return key if len(key) >= 2 else ""


def haversine_km(lat1, lon1, lat2, lon2) -> np.ndarray:
    """Great-circle distance in km between arrays of points (degrees), element-wise."""
    lat1, lon1, lat2, lon2 = (np.radians(np.asarray(pd.to_numeric(x), dtype=float))
                              for x in (lat1, lon1, lat2, lon2))
    a = (np.sin((lat2 - lat1) / 2) ** 2
         + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2)
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(a))
