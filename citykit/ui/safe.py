"""One escaping rule for text that did not come from the code.

Workshop titles, participant names, framework labels, saved-scenario names, the names of an
uploaded dataset's cities, provinces and indicators, query parameters and the error messages that
quote them are *data*. Streamlit reads markdown in ``st.markdown``, ``st.caption``, headings,
alerts (``st.info`` …), every widget label and help text, ``st.table`` cells, ``st.metric``
labels and the options of ``st.radio``, ``st.select_slider`` and ``st.pills``. There a name such
as ``![x](http://203.0.113.9/r.png)`` would load an outside image, ``[Re-login](http://evil)``
would be a link, ``$x^2$`` KaTeX, ``http://evil`` or ``www.evil.org`` a bare autolink.

The rule: **data reaches markdown only through** :func:`md`, which backslash-escapes every
ASCII punctuation character (CommonMark renders an escaped punctuation character as itself, so
the reader sees the name unchanged) and turns line breaks and other control characters into
spaces (no headings, lists or code blocks from a name); an invisible word joiner goes into
``://``, ``www.`` and ``@``, which Streamlit's markdown would otherwise link even when escaped. Persian letters, digits and spaces pass
through. :func:`md_frame` applies it to the text cells of a table meant for ``st.table``.
Everywhere else data is shown as plain text: ``st.text``, ``st.code``, ``st.dataframe`` cells,
``st.selectbox`` and ``st.multiselect`` options (Streamlit does not read markdown there, so they
must *not* be escaped), and plotly text, which goes through :func:`citykit.maps.escape_hover`
(plotly reads a few HTML tags, not markdown).

Examples
--------
>>> md("![x](http://203.0.113.9/r.png)").replace(WJ, "")
'\\\\!\\\\[x\\\\]\\\\(http\\\\:\\\\/\\\\/203\\\\.0\\\\.113\\\\.9\\\\/r\\\\.png\\\\)'
>>> md("کرج")
'کرج'
>>> md("a\\nb")
'a b'
"""

from __future__ import annotations

import re
import string

import pandas as pd

from citykit.maps import escape_hover

__all__ = ["MD_SPECIAL", "escape_hover", "is_md_safe", "md", "md_frame", "unescape_md"]

#: Every ASCII punctuation character: all of them may be backslash-escaped in CommonMark.
MD_SPECIAL = string.punctuation
_ESCAPES = {ord(c): "\\" + c for c in MD_SPECIAL}
# Line breaks, tabs and other control characters (also the Unicode line/paragraph separators).
_ESCAPED = re.compile("\\\\([" + re.escape(MD_SPECIAL) + "])")
#: A word joiner (U+2060, invisible): it breaks the GFM autolink literals ``http://``, ``www.``
#: and ``x@y.z``, which Streamlit's markdown finds in the text *after* backslash escapes.
WJ = "\u2060"
_AUTOLINK = re.compile(r"://|www\.|@", re.IGNORECASE)
_JOINED = re.compile(WJ + "(?=[/.@])")
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]+")


def md(text: object, *, lines: bool = False) -> str:
    """``text`` (anything; ``None`` is empty) made inert for Streamlit's markdown.

    Every ASCII punctuation character gets a backslash and control characters become one space,
    so no markdown, link, image, LaTeX, HTML, emoji or colour directive survives, and the
    rendered text reads as the original (with line breaks as spaces). With ``lines=True`` (a
    message listing several problems) each line is escaped alone and kept as a hard line break.

    """
    if text is None:
        return ""
    if lines:
        return "  \n".join(md(line) for line in str(text).splitlines())
    text = _AUTOLINK.sub(lambda m: m.group(0)[:-1] + WJ + m.group(0)[-1],
                         _CONTROL.sub(" ", str(text)))
    return text.translate(_ESCAPES)


def unescape_md(text: str) -> str:
    """The text a reader sees once :func:`md`'s output is rendered (its inverse on clean text).

    >>> unescape_md(md("**b** [x](y)")) == "**b** [x](y)"
    True
    """
    return _ESCAPED.sub(r"\1", _JOINED.sub("", text))


def is_md_safe(text: str) -> bool:
    """Whether every ASCII punctuation character in ``text`` is escaped, and no line breaks.

    >>> is_md_safe(md("[a](http://b)")), is_md_safe("[a](http://b)")
    (True, False)
    """
    if _CONTROL.search(text):
        return False
    i = 0
    while i < len(text):
        if text[i] == "\\":
            if i + 1 >= len(text) or text[i + 1] not in MD_SPECIAL:
                return False
            i += 2
        elif text[i] in MD_SPECIAL:
            return False
        else:
            i += 1
    return True


def md_frame(frame: pd.DataFrame, columns=None) -> pd.DataFrame:
    """A copy of ``frame`` whose text cells went through :func:`md` (only those of `columns`
    when given: the ones that hold data, the rest being the code's own words).

    For ``st.table``, which reads markdown in its cells; numbers keep their type.
    """
    out = frame.copy()
    for column in out.columns if columns is None else columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column]):
            out[column] = out[column].map(lambda v: md(v) if isinstance(v, str) else v)
    return out
