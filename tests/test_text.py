"""Persian text normalisation, digits and number parsing."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from citykit.text import (
    join_key,
    normalise_persian,
    parse_number,
    to_latin_digits,
    to_persian_digits,
)


@pytest.mark.parametrize(("a", "b"), [
    ("كرمانشاه", "کرمانشاه"),              # Arabic kaf
    ("شيراز", "شیراز"),                    # Arabic yeh
    ("خرم‌آباد", "خرم آباد"),               # ZWNJ vs space
    ("بندر عباس", "بندرعباس"),             # space vs none
    ("تِهران", "تهران"),                   # diacritic
    ("اصفهـــان", "اصفهان"),               # tatweel
    ("رشت\u200f", "رشت"),                  # right-to-left mark
    ("Bandar Abbas", "bandar  abbas"),
])
def test_join_key_unifies_spelling_variants(a, b):
    assert join_key(a) == join_key(b)


def test_join_key_keeps_different_names_apart():
    assert join_key("تبریز") != join_key("تهران")
    assert join_key("کرج") != join_key("کرخ")


def test_normalise_persian_keeps_readable_spacing():
    assert normalise_persian("خرم\u200cآباد") == "خرم\u200cآباد"   # a ZWNJ inside a word stays
    assert normalise_persian("شهر \u200c ری") == "شهر ری"          # one next to a space goes
    assert normalise_persian("ك ي ۱۲٣") == "ک ی 123"


def test_digits_round_trip():
    assert to_latin_digits("۰۱۲۳۴۵۶۷۸۹") == "0123456789"
    assert to_latin_digits("٠١٢٣٤٥٦٧٨٩") == "0123456789"
    assert to_persian_digits(79926270) == "۷۹٬۹۲۶٬۲۷۰"
    assert to_persian_digits(0.5) == "۰٫۵"
    assert to_persian_digits(float("nan")) == "—"
    assert to_persian_digits(1234.5678, decimals=1, grouping=False) == "۱۲۳۴٫۶"


@pytest.mark.parametrize(("text", "expected"), [
    ("۱٬۲۳۴٫۵", 1234.5), ("٨٦٩٣٧٠٦", 8693706.0), ("1,234", 1234.0), ("-3.5", -3.5),
    ("1,234.5", 1234.5), ("1,234,567.25", 1234567.25),
    ("۱۲٪", 12.0), ("12%", 12.0), ("1e3", 1000.0), ("  ۷  ", 7.0), ("−2", -2.0), (5, 5.0),
])
def test_parse_number_reads_local_notation(text, expected):
    assert parse_number(text) == expected


@pytest.mark.parametrize(("text", "message"), [
    ("12,5", r"comma is read as a thousands separator"),
    ("abc", r"'abc' is not a number"),
    ("", r"'' is not a number"),
    ("1.2.3", r"is not a number"),
    ("1.234,5", r"'1\.234,5' is not a number citykit can read without guessing: .*decimal-comma"),
    ("۱.۲۳۴,۵", r"decimal-comma notation"),
    ("1.234.567,89", r"decimal-comma notation"),
])
def test_parse_number_refuses_non_numbers(text, message):
    with pytest.raises(ValueError, match=message):
        parse_number(text)


@given(st.integers(min_value=-10**12, max_value=10**12))
def test_persian_formatting_parses_back(n):
    assert parse_number(to_persian_digits(n)) == n


@given(st.text(alphabet="آابپتثجچحخدذرزژسشصضطظعغفقکگلمنوهیيك \u200c", max_size=20))
def test_join_key_is_idempotent(text):
    assert join_key(join_key(text)) == join_key(text)
    assert normalise_persian(normalise_persian(text)) == normalise_persian(text)
