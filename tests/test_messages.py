"""Library messages said in Persian through their codes (issue 15, item 5)."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from citykit.exceptions import CityKitError, DataValidationError, Problem, ShortlistError
from citykit.messages import MESSAGES, localise, localise_fix
from citykit.scenario import Scenario, run
from citykit.shortlist import Constraints, shortlist
from citykit.validation import coerce_numeric

ROOT = Path(__file__).resolve().parents[1]


def test_every_code_the_library_raises_has_a_persian_text():
    codes = set()
    for path in (ROOT / "citykit").rglob("*.py"):
        codes |= set(re.findall(r'code="([a-z_]+)"', path.read_text(encoding="utf-8")))
    assert {"missing_column", "not_a_number", "framework_no_data", "too_few_candidates",
            "too_few_eligible", "shortlist_conflict"} <= codes
    assert codes <= set(MESSAGES["fa"]), codes - set(MESSAGES["fa"])


def test_a_validation_problem_is_said_in_persian_with_its_fix():
    found: list[Problem] = []
    coerce_numeric(pd.Series(["1", "abc"]), file="values.csv", column="value", problems=found)
    problem = found[0]
    assert localise(problem, "en") == problem.message and localise_fix(problem) == problem.fix
    assert localise(problem, "fa") == "عدد انتظار می‌رفت، اما آمده است: 'abc'."
    assert localise_fix(problem, "fa").startswith("عددها را با ممیز")
    error = DataValidationError(found)
    text = localise(error, "fa")
    assert text.splitlines()[0] == "۱ مشکل در داده‌ها:" and "values.csv, 2, value" in text


def test_too_few_candidates_and_a_shortlist_conflict_in_persian():
    with pytest.raises(CityKitError) as caught:
        run(Scenario(candidates=("144448",)))
    assert localise(caught.value, "fa").startswith(
        "پس از قاعدهٔ «exclude-capital» تنها ۱ نامزد مانده است؛ دست‌کم ۲ لازم است.")
    with pytest.raises(ShortlistError) as caught:
        shortlist(run(Scenario()), Constraints(k=5, min_distance_km=600))
    fa = localise(caught.value, "fa")
    assert fa.startswith("هیچ فهرست کوتاهی") and "کمترین فاصله" in fa
    assert "تعداد شهرهای آزمایشی (k)" in fa and "at most 3 pilots" in fa  # the why, in English
    assert localise(caught.value, "en") == str(caught.value)


def test_an_error_without_a_code_or_translation_stays_english():
    assert localise(CityKitError("plain"), "fa") == "plain"
    assert localise(CityKitError("x", code="no_such_code"), "fa") == "x"
    assert localise(ValueError("boom"), "fa") == "boom"


def test_common_validation_problems_are_said_in_persian(tmp_path):
    """Duplicates, unknown ids and repeated values: Persian text, Persian digits, and the rows
    not listed counted in words."""
    from citykit.data import load_dataset, save_dataset, validate_dataset

    folder = save_dataset(load_dataset("iran"), tmp_path / "ds", provinces=["IR-07"],
                          checksums=False)
    cities = pd.read_csv(folder / "cities.csv", dtype=str)
    cities.loc[1, "city_id"] = cities.loc[0, "city_id"]          # a duplicate id
    cities.loc[2, "province_code"] = "IR-99"                     # an unknown province
    cities.to_csv(folder / "cities.csv", index=False)
    problems, _ = validate_dataset(folder)
    said = {p.code: localise(p, "fa") for p in problems if p.code}
    assert said["duplicate_id"].startswith("«city_id» تکراری") and "ردیف‌های ۱، ۲" in \
        said["duplicate_id"]
    assert said["unknown_id"].startswith("«province_code» ناشناخته ['IR-99']")
    assert all(not re.search("[0-9]", text.replace("IR-99", "").replace(
        cities.loc[0, "city_id"], "")) for text in said.values()), said


def test_a_translated_message_is_bounded_like_the_english_one():
    from citykit.exceptions import MAX_MESSAGE_CHARS

    huge = Problem("cities.csv", "duplicate", code="duplicate_id",
                   params={"column": "city_id", "ids": "x" * 100_000, "rows": [1], "more": 0})
    assert len(localise(huge, "fa")) <= MAX_MESSAGE_CHARS
