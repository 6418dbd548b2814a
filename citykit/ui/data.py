"""The "Data & provenance" page's view models: coverage, gaps, sources, integrity and uploads.

Every table and figure of ``app_pages/data.py`` is built here, so it can be tested without a
browser:

* :func:`coverage_grid` — for each leaf component of a framework (or each indicator when there
  is none) and each candidate city, where the city's data comes from: its own value, its
  county's or its province's (a proxy), an imputed value, or nothing; :func:`coverage_figure`
  draws it as a heatmap with one colour per kind.
* :func:`data_gaps` — the data-collection agenda: components without data, and indicators that
  some candidates lack.
* :func:`integrity_table`, :func:`integrity_status`, :func:`summary_table` — what the dataset
  holds and whether its files were checked against their checksums.
* :func:`store_upload`, :func:`accept_dataset_upload`, :func:`accept_framework_upload` — a
  user's own files: names sanitised, only known extensions, size limits, written to a fresh
  folder named by their content hash under :func:`upload_root`, then validated by the library;
  :func:`problems_frame` lists every problem as a table (never a traceback).
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import tempfile
import unicodedata
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from ..data import SIDE_TABLES, TABLES, Dataset, validate_dataset
from ..exceptions import CityKitError, DataValidationError, Problem
from ..export import WINDOWS_RESERVED
from ..frameworks import Framework, component_indicators, load_framework
from ..i18n import Lang, format_number, format_percent, register, tr
from ..integrity import MANIFEST_NAME, read_manifest
from ..maps import FONT_FAMILY
from ..matrix import MISSING
from ..messages import localise, localise_fix
from ..storage import private_folder
from . import session
from .safe import escape_hover

__all__ = [
    "FLAGS", "FLAG_COLOURS", "MAX_FILES", "MAX_FILE_BYTES", "MAX_FRAMEWORK_BYTES",
    "MAX_TOTAL_BYTES", "CoverageGrid", "UploadError", "accept_dataset_upload",
    "accept_framework_upload", "candidate_order", "city_names", "coverage_figure",
    "coverage_grid", "coverage_shares", "data_gaps",
    "integrity_status", "integrity_table", "problems_frame", "problems_of", "ranked_candidates",
    "sanitise_name", "store_upload", "upload_root",
]

#: Where a cell's data comes from, best first (the heatmap's categories, in this order).
FLAGS: tuple[str, ...] = ("own", "urban-centre", "proxy-county", "proxy-province", "imputed",
                          MISSING)
#: One colour per flag: blues for real values (darker = finer level), orange for imputed, red
#: for missing; distinguishable with the common kinds of colour blindness.
FLAG_COLOURS: dict[str, str] = {"own": "#08306b", "urban-centre": "#2171b5",
                                "proxy-county": "#6baed6",
                                "proxy-province": "#b7d4ea", "imputed": "#f4a259",
                                MISSING: "#c0392b"}
#: Upload limits: bytes per file, bytes in all, and number of files of a dataset upload.
MAX_FILE_BYTES = 50 * 2**20
MAX_TOTAL_BYTES = 150 * 2**20
MAX_FILES = 12
#: Largest framework YAML accepted (the bundled ones are under 100 kB).
MAX_FRAMEWORK_BYTES = 2 * 2**20
#: File kinds a dataset upload may hold (``.json`` only as ``dataset.json``).
DATASET_EXTENSIONS = (".csv", ".xlsx", ".geojson", ".gpkg")
FRAMEWORK_EXTENSIONS = (".yaml", ".yml")
#: Files of a dataset folder that are not tables: its manifest, its checksums and the published
#: side tables (how the city register was cleaned and joined to urban centres).
_EXTRA_NAMES = ("dataset.json", MANIFEST_NAME, *(f"{name}.csv" for name in SIDE_TABLES))
_MAX_NAME = 100

register({
    "en": {
        "data_dataset": "Dataset: {title}",
        "data_path": "Loaded from {path}",
        "data_coverage_heading": "Coverage: components × candidates",
        "data_coverage_fw": "Rows: the components of the framework “{framework}”; columns: the "
                            "candidates, best ranked first. A component measured by several "
                            "indicators shows its best source.",
        "data_coverage_ind": "Rows: the indicators ranked (no framework); columns: the "
                             "candidates, best ranked first.",
        "data_coverage_shares": "Of all {cells} component × candidate cells: {own} own values, "
                                "{centre} urban-centre values, {county} county proxies, "
                                "{province} province proxies, {imputed} imputed, {missing} "
                                "missing.",
        "data_city_level": "Ranking weight on city-level values",
        "data_city_level_help": "Share of each candidate's ranking weight that rests on values "
                                "measured for the city itself or for the urban centre it is the "
                                "core of, averaged over the {n} candidates. The rest is county "
                                "or province proxies and imputed values.",
        "data_city_level_caption": "Lowest: {city}, {share} (its other values are proxies or "
                                   "imputed).",
        "data_register_heading": "City register and urban centres",
        "data_register_caption": "How the city list was cleaned (duplicates merged, misplaced "
                                 "points fixed, population from the best source) and how each "
                                 "city was joined to a GHSL urban centre. Only the core city of "
                                 "a centre takes the centre's values.",
        "data_register_audit": "Register audit: every merge, drop and override, with its reason",
        "data_centre_join": "City ↔ urban-centre join (method per city)",
        "data_top_n": "Candidates shown (best ranked first)",
        "data_not_rankable": "The current settings cannot rank this dataset, so every city is "
                             "shown, most populous first.",
        "data_gaps_heading": "Data gaps: the data-collection agenda",
        "data_gaps_caption": "Components with no data for any candidate, and indicators that "
                             "some of the {n} eligible candidates lack.",
        "data_no_gaps": "No gaps: every component has data for every candidate.",
        "data_integrity_heading": "Integrity",
        "data_no_manifest": "This dataset has no checksum manifest (checksums.sha256), so its "
                            "files cannot be verified: treat it as unverified.",
        "data_fingerprint": "Dataset fingerprint (SHA-256 of checksums.sha256)",
        "data_files": "Files sealed by checksums.sha256 ({n})",
        "data_upload_heading": "Use your own data",
        "data_upload_intro": "The format is described in datasets/README.md, with empty "
                             "templates in datasets/templates/. Uploaded files stay on this "
                             "server, in a temporary folder.",
        "data_upload_label": "Dataset files (CSV, XLSX, GeoJSON, GeoPackage)",
        "data_upload_help": "One file per table (provinces, counties, cities, values, "
                            "indicators, sources; dataset.json and checksums.sha256 are "
                            "optional), or one workbook / GeoPackage with a sheet / layer per "
                            "table. At most {file_mb} MB per file and {total_mb} MB in all.",
        "data_upload_button": "Check and use this dataset",
        "data_upload_ok": "Dataset “{title}” is in use: {cities} cities, {indicators} "
                          "indicators.",
        "data_upload_unverified": "It came without a checksum manifest (checksums.sha256), so "
                                  "it is unverified.",
        "data_upload_verified": "Its files match the checksum manifest it came with.",
        "data_upload_cannot_rank": "The dataset is valid, but the current settings cannot rank "
                                   "it: {error} Change the framework or the missing-data "
                                   "policy on the Weights & method page.",
        "data_upload_failed": "The files were not used: {n} problem(s), listed below. The "
                              "previous dataset and settings are kept.",
        "data_framework_label": "Framework (YAML)",
        "data_framework_help": "A framework file in the format of "
                               "datasets/frameworks/README.md; its indicator codes are checked "
                               "against the current dataset. At most {mb} MB.",
        "data_framework_button": "Check and use this framework",
        "data_framework_ok": "Framework “{name}” is in use ({leaves} components); the weights "
                             "follow it.",
        "data_framework_failed": "The framework was not used: {n} problem(s), listed below. "
                                 "The previous framework and settings are kept.",
        "data_flag_own": "own value",
        "data_flag_urban-centre": "urban-centre value",
        "data_flag_proxy-county": "county value (proxy)",
        "data_flag_proxy-province": "province value (proxy)",
        "data_flag_imputed": "imputed",
        "data_flag_missing": "missing",
        "data_fig_title": "Where each component's data comes from: {n} of {total} candidates, "
                          "best ranked first",
        "data_axis_candidates": "Candidates (by rank)",
        "data_axis_components": "Components",
        "data_hover": "{city} (rank {rank})<br>{component}<br>{group}<br><b>{flag}</b>",
        "data_not_ranked": "not ranked",
        "data_gap_component": "component without data",
        "data_gap_indicator": "indicator missing for some candidates",
        "data_gap_marked": "marked 'data: missing' in the framework",
        "data_gap_no_values": "the dataset has no value for it",
        "data_gap_partial": "values missing for these candidates",
        "data_col_gap": "Gap",
        "data_col_code": "Code",
        "data_col_name": "Name",
        "data_col_group": "Group",
        "data_col_missing": "Candidates without a value",
        "data_col_share": "Share of candidates",
        "data_col_why": "Why",
        "data_col_file": "File",
        "data_col_sha256": "SHA-256",
        "data_col_size": "Size (bytes)",
        "data_col_row": "Row",
        "data_col_line": "Line",
        "data_col_column": "Column",
        "data_col_problem": "Problem",
        "data_col_fix": "How to fix",
        "data_up_too_many": "{n} files chosen; a dataset upload holds at most {limit} files.",
        "data_up_empty": "No files chosen: choose the dataset's files first.",
        "data_up_empty_framework": "No file chosen: choose a framework YAML file first.",
        "data_framework_cannot_rank": "The framework is valid and in use, but the current "
                                      "settings cannot rank with it: {error}",
        "data_up_bad_name": "the file name {name!r} has no usable letters or digits",
        "data_up_bad_ext": "files of type {ext!r} are not accepted; expected {allowed}",
        "data_up_bad_ext_fix": "save the table as CSV, XLSX, GeoJSON or GeoPackage (see "
                               "datasets/README.md).",
        "data_up_json_fix": "only the manifest may be JSON (dataset.json); save a GeoJSON "
                            "layer with the extension .geojson.",
        "data_up_unknown_table": "{name!r} is not a table of the dataset format; expected one "
                                 "of {tables} (with a file extension), dataset.json or "
                                 "checksums.sha256",
        "data_up_unknown_table_fix": "rename the file after the table it holds, e.g. "
                                     "values.csv.",
        "data_up_twice": "table {table!r} is given twice: {files}",
        "data_up_twice_fix": "upload one file per table.",
        "data_up_mixed": "a workbook or GeoPackage holding every table must be uploaded on its "
                         "own; got {files}",
        "data_up_mixed_fix": "upload either one file per table, or one workbook / GeoPackage "
                             "with one sheet / layer per table.",
        "data_up_file_too_big": "the file is {size} bytes; at most {limit} bytes are accepted "
                                "per file",
        "data_up_file_too_big_fix": "remove rows or columns the ranking does not use, or "
                                    "split the values by year.",
        "data_up_total_too_big": "the files add up to {size} bytes; at most {limit} bytes are "
                                 "accepted in all",
        "data_up_total_too_big_fix": "upload a smaller dataset (e.g. fewer provinces or "
                                     "years).",
        "data_up_duplicate": "two files have the name {name!r} once cleaned",
        "data_up_not_yaml": "a framework is a YAML file (.yaml or .yml); got {ext!r}",
        "data_up_not_text": "not UTF-8 text ({reason} at byte {start})",
    },
    "fa": {
        "data_dataset": "مجموعه داده: {title}",
        "data_path": "بارگذاری‌شده از {path}",
        "data_coverage_heading": "پوشش داده: مؤلفه‌ها × نامزدها",
        "data_coverage_fw": "سطرها: مؤلفه‌های چارچوب «{framework}»؛ ستون‌ها: نامزدها، به ترتیب "
                            "رتبه. مؤلفه‌ای که با چند شاخص سنجیده می‌شود بهترین منبع خود را "
                            "نشان می‌دهد.",
        "data_coverage_ind": "سطرها: شاخص‌های رتبه‌بندی (بدون چارچوب)؛ ستون‌ها: نامزدها، به "
                             "ترتیب رتبه.",
        "data_coverage_shares": "از همهٔ {cells} خانهٔ مؤلفه × نامزد: {own} مقدار خود شهر، "
                                "{centre} مقدار مرکز شهری، {county} جانشین شهرستان، {province} "
                                "جانشین استان، {imputed} برآوردی، {missing} ناموجود.",
        "data_city_level": "سهم وزن رتبه‌بندی بر مقادیر سطح شهر",
        "data_city_level_help": "سهمی از وزن رتبه‌بندی هر نامزد که بر مقادیر سنجیده‌شده برای خود "
                                "شهر یا مرکز شهری‌ای که شهر هستهٔ آن است تکیه دارد، میانگین "
                                "{n} نامزد. باقی، جانشین شهرستان یا استان و مقادیر برآوردی است.",
        "data_city_level_caption": "کمترین: {city}، {share} (دیگر مقادیر آن جانشین یا برآوردی "
                                   "است).",
        "data_register_heading": "فهرست شهرها و مراکز شهری",
        "data_register_caption": "فهرست شهرها چگونه پاک‌سازی شد (ادغام تکراری‌ها، اصلاح نقطه‌های "
                                 "جابه‌جا، جمعیت از بهترین منبع) و هر شهر چگونه به یک مرکز شهری "
                                 "GHSL پیوند خورد. تنها شهر هستهٔ هر مرکز مقادیر آن مرکز را "
                                 "می‌گیرد.",
        "data_register_audit": "ممیزی فهرست: هر ادغام، حذف و اصلاح، با دلیل آن",
        "data_centre_join": "پیوند شهر با مرکز شهری (روش برای هر شهر)",
        "data_top_n": "تعداد نامزدهای نمایش‌داده‌شده (به ترتیب رتبه)",
        "data_not_rankable": "با تنظیمات کنونی این مجموعه داده رتبه‌بندی نمی‌شود؛ پس همهٔ "
                             "شهرها به ترتیب جمعیت نشان داده می‌شوند.",
        "data_gaps_heading": "کمبودهای داده: برنامهٔ گردآوری داده",
        "data_gaps_caption": "مؤلفه‌هایی که برای هیچ نامزدی داده ندارند، و شاخص‌هایی که برخی از "
                             "{n} نامزد واجد شرایط فاقد آن‌اند.",
        "data_no_gaps": "کمبودی نیست: هر مؤلفه برای همهٔ نامزدها داده دارد.",
        "data_integrity_heading": "درستی داده‌ها",
        "data_no_manifest": "این مجموعه داده فهرست چکیده (checksums.sha256) ندارد، پس "
                            "پرونده‌هایش را نمی‌توان وارسی کرد: آن را وارسی‌نشده بدانید.",
        "data_fingerprint": "اثر انگشت مجموعه داده (SHA-256 پروندهٔ checksums.sha256)",
        "data_files": "پرونده‌های مُهرشده در checksums.sha256 ({n})",
        "data_upload_heading": "استفاده از دادهٔ خودتان",
        "data_upload_intro": "قالب داده در datasets/README.md شرح داده شده و الگوهای خالی در "
                             "datasets/templates/ است. پرونده‌های بارگذاری‌شده روی همین "
                             "کارساز، در پوشه‌ای موقت، می‌مانند.",
        "data_upload_label": "پرونده‌های مجموعه داده (CSV، XLSX، GeoJSON، GeoPackage)",
        "data_upload_help": "برای هر جدول یک پرونده (provinces، counties، cities، values، "
                            "indicators، sources؛ dataset.json و checksums.sha256 اختیاری‌اند)، "
                            "یا یک کارپوشه / GeoPackage با یک برگه / لایه برای هر جدول. حداکثر "
                            "{file_mb} مگابایت برای هر پرونده و {total_mb} مگابایت در مجموع.",
        "data_upload_button": "بررسی و به‌کارگیری این مجموعه داده",
        "data_upload_ok": "مجموعه دادهٔ «{title}» به کار گرفته شد: {cities} شهر، {indicators} "
                          "شاخص.",
        "data_upload_unverified": "این مجموعه بدون فهرست چکیده (checksums.sha256) آمده است، "
                                  "پس وارسی‌نشده است.",
        "data_upload_verified": "پرونده‌هایش با فهرست چکیده‌ای که همراهش آمده مطابقت دارند.",
        "data_upload_cannot_rank": "مجموعه داده معتبر است، اما با تنظیمات کنونی رتبه‌بندی "
                                   "نمی‌شود: {error} چارچوب یا سیاست دادهٔ ناموجود را در صفحهٔ "
                                   "«وزن‌ها و روش» تغییر دهید.",
        "data_upload_failed": "پرونده‌ها به کار گرفته نشدند: {n} مشکل، در جدول زیر. مجموعه "
                              "داده و تنظیمات پیشین سر جای خود ماندند.",
        "data_framework_label": "چارچوب (YAML)",
        "data_framework_help": "پروندهٔ چارچوب با قالب datasets/frameworks/README.md؛ کد "
                               "شاخص‌هایش با مجموعه دادهٔ کنونی سنجیده می‌شود. حداکثر {mb} "
                               "مگابایت.",
        "data_framework_button": "بررسی و به‌کارگیری این چارچوب",
        "data_framework_ok": "چارچوب «{name}» به کار گرفته شد ({leaves} مؤلفه)؛ وزن‌ها از آن "
                             "پیروی می‌کنند.",
        "data_framework_failed": "چارچوب به کار گرفته نشد: {n} مشکل، در جدول زیر. چارچوب و "
                                 "تنظیمات پیشین سر جای خود ماندند.",
        "data_flag_own": "مقدار خود شهر",
        "data_flag_urban-centre": "مقدار مرکز شهری",
        "data_flag_proxy-county": "مقدار شهرستان (جانشین)",
        "data_flag_proxy-province": "مقدار استان (جانشین)",
        "data_flag_imputed": "برآوردی",
        "data_flag_missing": "ناموجود",
        "data_fig_title": "دادهٔ هر مؤلفه از کجا آمده است: {n} از {total} نامزد، به ترتیب "
                          "رتبه",
        "data_axis_candidates": "نامزدها (به ترتیب رتبه)",
        "data_axis_components": "مؤلفه‌ها",
        "data_hover": "{city} (رتبهٔ {rank})<br>{component}<br>{group}<br><b>{flag}</b>",
        "data_not_ranked": "بدون رتبه",
        "data_gap_component": "مؤلفهٔ بدون داده",
        "data_gap_indicator": "شاخص ناموجود برای برخی نامزدها",
        "data_gap_marked": "در چارچوب با «data: missing» مشخص شده است",
        "data_gap_no_values": "مجموعه داده هیچ مقداری برای آن ندارد",
        "data_gap_partial": "مقدار برای این نامزدها ناموجود است",
        "data_col_gap": "کمبود",
        "data_col_code": "کد",
        "data_col_name": "نام",
        "data_col_group": "گروه",
        "data_col_missing": "نامزدهای بدون مقدار",
        "data_col_share": "سهم از نامزدها",
        "data_col_why": "علت",
        "data_col_file": "پرونده",
        "data_col_sha256": "چکیدهٔ SHA-256",
        "data_col_size": "اندازه (بایت)",
        "data_col_row": "سطر",
        "data_col_line": "خط",
        "data_col_column": "ستون",
        "data_col_problem": "مشکل",
        "data_col_fix": "راه رفع",
        "data_up_too_many": "{n} پرونده انتخاب شده است؛ بارگذاری مجموعه داده حداکثر {limit} "
                            "پرونده دارد.",
        "data_up_empty": "پرونده‌ای انتخاب نشده است: نخست پرونده‌های مجموعه داده را انتخاب "
                         "کنید.",
        "data_up_empty_framework": "پرونده‌ای انتخاب نشده است: نخست یک پروندهٔ YAML چارچوب را "
                                   "انتخاب کنید.",
        "data_framework_cannot_rank": "چارچوب معتبر است و به کار گرفته شد، اما با تنظیمات کنونی "
                                      "رتبه‌بندی با آن ممکن نیست: {error}",
        "data_up_bad_name": "نام پروندهٔ {name!r} هیچ حرف یا رقم قابل استفاده‌ای ندارد",
        "data_up_bad_ext": "پرونده‌های نوع {ext!r} پذیرفته نمی‌شوند؛ انتظار: {allowed}",
        "data_up_bad_ext_fix": "جدول را با قالب CSV، XLSX، GeoJSON یا GeoPackage ذخیره کنید "
                               "(datasets/README.md را ببینید).",
        "data_up_json_fix": "فقط پروندهٔ مشخصات (dataset.json) می‌تواند JSON باشد؛ لایهٔ "
                            "GeoJSON را با پسوند ‎.geojson ذخیره کنید.",
        "data_up_unknown_table": "{name!r} جدولی از قالب مجموعه داده نیست؛ انتظار یکی از "
                                 "{tables} (با پسوند پرونده)، dataset.json یا "
                                 "checksums.sha256",
        "data_up_unknown_table_fix": "پرونده را به نام جدولی که در خود دارد نام‌گذاری کنید، "
                                     "مانند values.csv.",
        "data_up_twice": "جدول {table!r} دو بار آمده است: {files}",
        "data_up_twice_fix": "برای هر جدول یک پرونده بارگذاری کنید.",
        "data_up_mixed": "کارپوشه یا GeoPackage دربردارندهٔ همهٔ جدول‌ها باید به‌تنهایی "
                         "بارگذاری شود؛ دریافت‌شده: {files}",
        "data_up_mixed_fix": "یا برای هر جدول یک پرونده، یا یک کارپوشه / GeoPackage با یک "
                             "برگه / لایه برای هر جدول بارگذاری کنید.",
        "data_up_file_too_big": "اندازهٔ پرونده {size} بایت است؛ هر پرونده حداکثر {limit} "
                                "بایت پذیرفته می‌شود",
        "data_up_file_too_big_fix": "سطرها یا ستون‌هایی را که رتبه‌بندی به کار نمی‌برد حذف "
                                    "کنید، یا مقادیر را بر پایهٔ سال جدا کنید.",
        "data_up_total_too_big": "مجموع پرونده‌ها {size} بایت است؛ در مجموع حداکثر {limit} "
                                 "بایت پذیرفته می‌شود",
        "data_up_total_too_big_fix": "مجموعه دادهٔ کوچک‌تری بارگذاری کنید (مثلاً استان‌ها یا "
                                     "سال‌های کمتر).",
        "data_up_duplicate": "دو پرونده پس از پاک‌سازی نام، هر دو {name!r} نام گرفته‌اند",
        "data_up_not_yaml": "چارچوب یک پروندهٔ YAML است (‎.yaml یا ‎.yml)؛ دریافت‌شده: {ext!r}",
        "data_up_not_text": "متن UTF-8 نیست ({reason} در بایت {start})",
    },
})


class UploadError(DataValidationError):
    """Uploaded files cannot be used as given (names, types, sizes); ``problems`` lists them."""


# --------------------------------------------------------------------------- coverage

@dataclass(frozen=True)
class CoverageGrid:
    """Where each component's data comes from, per candidate.

    Attributes
    ----------
    flags : pandas.DataFrame
        Rows = component codes (framework leaves in file order, or indicator codes), columns =
        candidate ids (in the order asked); each cell one of :data:`FLAGS`: the best source
        among the component's indicators.
    components : pandas.DataFrame
        One row per component: ``name_en``, ``name_fa``, ``group_en``, ``group_fa`` (the
        ancestors' names), ``indicators`` (codes joined by ``|``) and ``marked_missing``
        (the framework says ``data: missing``).
    """

    flags: pd.DataFrame
    components: pd.DataFrame

    def counts(self) -> pd.DataFrame:
        """Candidates of each flag per component (columns in :data:`FLAGS` order).

        Examples
        --------
        >>> grid = CoverageGrid(pd.DataFrame([["own", "missing"]], index=["c"],
        ...                                  columns=["A", "B"]), pd.DataFrame(index=["c"]))
        >>> grid.counts().loc["c"].tolist()
        [1, 0, 0, 0, 0, 1]
        """
        stacked = self.flags.stack()
        table = pd.crosstab(stacked.index.get_level_values(0), stacked.to_numpy())
        return (table.reindex(index=self.flags.index, columns=list(FLAGS), fill_value=0)
                .rename_axis(index=None, columns=None).astype(int))


def _component_table(framework: Framework | None, dataset: Dataset,
                     indicators: Sequence[str] | None) -> tuple[pd.DataFrame, dict]:
    """Rows of the grid and the indicators behind each one."""
    if framework is None:
        codes = list(dataset.indicators.index if indicators is None else indicators)
        dataset._check_indicators(codes)
        info = dataset.indicators.loc[codes]
        topic = info["topic"] if "topic" in info.columns else pd.Series("", index=codes)
        table = pd.DataFrame({"name_en": info["name_en"].to_numpy(),
                              "name_fa": info["name_fa"].to_numpy(),
                              "group_en": topic.fillna("").to_numpy(),
                              "group_fa": topic.fillna("").to_numpy(),
                              "indicators": codes, "marked_missing": False}, index=codes)
        return table, {c: (c,) for c in codes}
    mapping = component_indicators(framework, dataset)
    rows = {}
    for leaf in framework.leaves:
        path, node = [], leaf
        while node.parent is not None:
            node = framework.by_code[node.parent]
            path.append(node)
        path.reverse()
        rows[leaf.code] = {
            "name_en": leaf.name_en, "name_fa": leaf.name_fa,
            "group_en": " > ".join(p.name_en for p in path),
            "group_fa": " › ".join(p.name_fa for p in path),
            "indicators": "|".join(mapping.get(leaf.code, ())),
            "marked_missing": leaf.data == "missing",
        }
    return pd.DataFrame.from_dict(rows, orient="index"), mapping


def coverage_grid(dataset: Dataset, framework: Framework | None = None,
                  candidates: Iterable[str] | None = None, *,
                  indicators: Sequence[str] | None = None, year: int | str = "latest",
                  provenance: pd.DataFrame | None = None) -> CoverageGrid:
    """Which kind of data each candidate has for each component of `framework`.

    A component measured by several indicators takes the best kind among them (own value, then
    county proxy, then province proxy), as :func:`citykit.frameworks.coverage` counts it.

    Parameters
    ----------
    dataset : Dataset
    framework : Framework, optional
        Its leaves are the rows. Without one the rows are `indicators` (default: all of the
        dataset's indicators).
    candidates : iterable of str, optional
        City ids, in the order of the columns (default: every city of the dataset).
    indicators : sequence of str, optional
        Only without a framework: the indicators to show.
    year : int or "latest", default "latest"
        As in :meth:`citykit.data.Dataset.city_values`.
    provenance : pandas.DataFrame, optional
        Provenance of the ranked matrix (``Ranking.matrix.provenance``): a value missing in the
        dataset but ``imputed-*`` there is shown as imputed.

    Returns
    -------
    CoverageGrid

    Examples
    --------
    >>> from citykit.data import load_dataset
    >>> from citykit.frameworks import load_framework
    >>> grid = coverage_grid(load_dataset("iran"), load_framework("iran_national"),
    ...                      ["112931", "418863"])
    >>> grid.flags.loc[["tertiary_education", "schooling", "open_data"], "418863"].tolist()
    ['proxy-county', 'proxy-province', 'missing']
    """
    cities = list(dataset.cities.index if candidates is None else candidates)
    components, mapping = _component_table(framework, dataset, indicators)
    pairs = pd.DataFrame([(c, i) for c, inds in mapping.items() for i in inds],
                         columns=["component", "indicator"])
    rank = {flag: i for i, flag in enumerate(FLAGS)}
    codes = pd.DataFrame(np.nan, index=components.index, columns=pd.Index(cities, dtype=object))
    if not pairs.empty:
        values = dataset.city_values(sorted(set(pairs["indicator"])), year=year)
        values = values[values["city_id"].isin(cities)]
        cells = pairs.merge(values[["city_id", "indicator", "provenance"]], on="indicator")
        cells["code"] = cells["provenance"].map(rank)
        if provenance is not None:
            # Cells the missing-data policy filled: imputed where the dataset has nothing.
            imputed = provenance.astype(str).apply(lambda col: col.str.startswith("imputed"))
            long = imputed.stack()
            long = long[long].reset_index()
            long.columns = ["city_id", "indicator", "flag"]
            extra = pairs.merge(long[long["city_id"].isin(cities)], on="indicator")
            extra["code"] = rank["imputed"]
            cells = pd.concat([cells, extra], ignore_index=True)
        best = cells.groupby(["component", "city_id"])["code"].min().unstack()
        codes = best.reindex(index=components.index, columns=codes.columns)
    codes = codes.fillna(rank[MISSING]).astype(int)
    flags = pd.DataFrame(np.asarray(FLAGS, dtype=object)[codes.to_numpy()],
                         index=codes.index, columns=codes.columns)
    return CoverageGrid(flags, components)


def ranked_candidates(ranks: pd.Series, names: pd.Series, *,
                      unranked: Iterable[str] = ()) -> list[str]:
    """Candidate ids best rank first (ties by name), then `unranked` ones (e.g. dropped).

    Examples
    --------
    >>> ranked_candidates(pd.Series({"a": 2, "b": 1, "c": 1}),
    ...                   pd.Series({"a": "A", "b": "Y", "c": "X", "d": "D"}), unranked=["d"])
    ['c', 'b', 'a', 'd']
    """
    frame = pd.DataFrame({"rank": ranks, "name": names.reindex(ranks.index).astype(str)})
    order = frame.sort_values(["rank", "name"], kind="stable").index.tolist()
    return order + [c for c in unranked if c not in ranks.index]


def candidate_order(dataset: Dataset, result=None) -> tuple[list[str], pd.Series | None]:
    """The candidates to show, best first, and their ranks.

    With a :class:`~citykit.scenario.Result`: the ranked candidates by rank, then the eligible
    ones a missing-data policy dropped (unranked). Without one (the scenario cannot be ranked):
    every city of the dataset, most populous first, and no ranks.

    Examples
    --------
    >>> from citykit.data import load_dataset
    >>> ids, ranks = candidate_order(load_dataset("iran"))
    >>> ids[0], ranks
    ('112931', None)
    """
    names = city_names(dataset, "en")
    if result is not None:
        ranks = result.ranking.ranks
        return ranked_candidates(ranks, names, unranked=result.missing.dropped_candidates), ranks
    cities = pd.DataFrame({"population": pd.to_numeric(dataset.cities["population"],
                                                       errors="coerce"), "name": names})
    order = cities.sort_values(["population", "name"], ascending=[False, True],
                               na_position="last", kind="stable").index.tolist()
    return order, None


def city_names(dataset: Dataset, lang: Lang = "en") -> pd.Series:
    """Each city's name in `lang` (the other language's, then the id, where it has none)."""
    cities = dataset.cities
    other = "name_en" if lang == "fa" else "name_fa"
    names = pd.Series(cities.index, index=cities.index, dtype=object)
    for column in (other, f"name_{lang}"):
        if column in cities.columns:
            names = cities[column].astype(object).where(cities[column].notna(), names)
    return names.astype(str)


def coverage_shares(grid: CoverageGrid) -> dict[str, float]:
    """Share of all component × candidate cells of each flag (sums to 1).

    Examples
    --------
    >>> grid = CoverageGrid(pd.DataFrame([["own", "missing"]], index=["c"], columns=["A", "B"]),
    ...                     pd.DataFrame(index=["c"]))
    >>> coverage_shares(grid)["own"]
    0.5
    """
    counts = grid.counts().sum()
    total = int(counts.sum())
    return {flag: (float(counts[flag]) / total if total else 0.0) for flag in FLAGS}


def coverage_figure(grid: CoverageGrid, names: pd.Series, *, ranks: pd.Series | None = None,
                    total: int | None = None, lang: Lang = "en") -> go.Figure:
    """The coverage grid as a heatmap: components down, candidates across, one colour per flag.

    Parameters
    ----------
    grid : CoverageGrid
    names : pandas.Series
        Display name of each candidate id (in `lang`).
    ranks : pandas.Series, optional
        Rank of each candidate id, shown in the labels and hover.
    total : int, optional
        How many candidates there are in all (the title says "n of total").
    lang : {"en", "fa"}

    Examples
    --------
    >>> grid = CoverageGrid(pd.DataFrame([["own", "missing"]], index=["c"], columns=["A", "B"]),
    ...                     pd.DataFrame({"name_en": ["Jobs"], "name_fa": ["شغل"],
    ...                                   "group_en": [""], "group_fa": [""]}, index=["c"]))
    >>> fig = coverage_figure(grid, pd.Series({"A": "Alpha", "B": "Beta"}))
    >>> fig.data[0].z, list(fig.data[0].colorbar.ticktext)[-1]
    (([0, 5],), 'missing')
    """
    flags = grid.flags
    cities = list(flags.columns)
    n = len(cities)
    z = pd.Categorical(flags.to_numpy().ravel(), categories=FLAGS).codes.reshape(flags.shape)
    z = z.astype(int)
    labels = [tr(f"data_flag_{flag}", lang) for flag in FLAGS]
    rank_text = (pd.Series(tr("data_not_ranked", lang), index=cities) if ranks is None else
                 ranks.reindex(cities).map(lambda r: tr("data_not_ranked", lang) if pd.isna(r)
                                           else format_number(r, lang)))
    # Names are data; plotly reads tags in hover and tick text.
    city_names = names.reindex(cities).fillna(pd.Series(cities, index=cities)).astype(str) \
        .map(escape_hover)
    comp = grid.components
    comp_names = comp[f"name_{lang}"].fillna(comp["name_en"]).astype(str).map(escape_hover) \
        .to_numpy()
    groups = comp[f"group_{lang}"].fillna("").astype(str).map(escape_hover).to_numpy()
    # Hover text of every cell, built column-wise with numpy (no loop over cities).
    flag_text = np.asarray(labels, dtype=object)[z]
    template = tr("data_hover", lang, city="\0c", rank="\0r", component="\0m", group="\0g",
                  flag="\0f")
    hover = np.full(z.shape, template, dtype=object)
    for marker, values in (("\0c", np.broadcast_to(city_names.to_numpy(dtype=object), z.shape)),
                           ("\0r", np.broadcast_to(rank_text.to_numpy(dtype=object), z.shape)),
                           ("\0m", np.broadcast_to(comp_names[:, None], z.shape)),
                           ("\0g", np.broadcast_to(groups[:, None], z.shape)),
                           ("\0f", flag_text)):
        hover = np.char.replace(hover.astype(str), marker, values.astype(str))
    scale = []
    for i, flag in enumerate(FLAGS):
        scale += [[i / len(FLAGS), FLAG_COLOURS[flag]], [(i + 1) / len(FLAGS), FLAG_COLOURS[flag]]]
    step = max(1, int(np.ceil(n / 60)))  # at most ~60 city labels under the axis
    ticks = list(range(0, n, step))
    tick_text = [f"{rank_text.iloc[i]}. {city_names.iloc[i]}" if ranks is not None
                 else city_names.iloc[i] for i in ticks]
    fig = go.Figure(go.Heatmap(
        z=z.tolist(), x=list(range(n)), y=list(range(len(flags))), zmin=-0.5,
        zmax=len(FLAGS) - 0.5,
        colorscale=scale, xgap=1, ygap=1, text=hover.tolist(),
        hovertemplate="%{text}<extra></extra>",
        # In Persian the component names stand on the right, so the legend goes left.
        colorbar={"tickvals": list(range(len(FLAGS))), "ticktext": labels,
                  "title": {"text": ""}, "thickness": 14,
                  **({"x": -0.02, "xanchor": "right"} if lang == "fa" else {})},
    ))
    title = tr("data_fig_title", lang, n=format_number(n, lang),
               total=format_number(total if total is not None else n, lang))
    fig.update_layout(
        title={"text": title}, height=max(320, 22 * len(flags) + 200),
        margin={"l": 10, "r": 10, "t": 50, "b": 10},
        font={"family": FONT_FAMILY[lang]}, hoverlabel={"font": {"family": FONT_FAMILY[lang]}},
        xaxis={"tickvals": ticks, "ticktext": tick_text, "tickangle": -60,
               "title": {"text": tr("data_axis_candidates", lang)},
               "autorange": "reversed" if lang == "fa" else True, "showgrid": False},
        yaxis={"tickvals": list(range(len(flags))), "ticktext": list(comp_names),
               "autorange": "reversed", "title": {"text": tr("data_axis_components", lang)},
               "side": "right" if lang == "fa" else "left", "showgrid": False},
    )
    return fig


# --------------------------------------------------------------------------- gaps

def data_gaps(dataset: Dataset, framework: Framework | None = None,
              candidates: Iterable[str] | None = None, *,
              indicators: Sequence[str] | None = None, year: int | str = "latest",
              lang: Lang = "en") -> pd.DataFrame:
    """The data-collection agenda: components without data, and indicators some candidates lack.

    Parameters
    ----------
    dataset, framework, candidates, indicators, year
        As in :func:`coverage_grid`; `candidates` are the eligible cities (default: all).
    lang : {"en", "fa"}
        Language of the headers and text; counts are numbers in English and Persian-digit text
        in Persian.

    Returns
    -------
    pandas.DataFrame
        One row per gap: the kind, code, name, group, how many candidates lack a value, their
        share, and why. Components first (framework order), then indicators (most missing
        first). Empty (with the headers) when nothing is missing.

    Examples
    --------
    >>> from citykit.data import load_dataset
    >>> from citykit.frameworks import load_framework
    >>> gaps = data_gaps(load_dataset("iran"), load_framework("iran_national"))
    >>> gaps.iloc[0, :2].tolist()
    ['component without data', 'household_internet']
    """
    cities = list(dataset.cities.index if candidates is None else candidates)
    n = len(cities)
    components, mapping = _component_table(framework, dataset, indicators)
    grid = coverage_grid(dataset, framework, cities, indicators=indicators, year=year)
    missing_all = (grid.flags == MISSING).all(axis=1) if n else pd.Series(True, components.index)
    rows = []
    for code in components.index[missing_all.to_numpy()]:
        info = components.loc[code]
        rows.append((tr("data_gap_component", lang), code, info[f"name_{lang}"],
                     info[f"group_{lang}"], n,
                     tr("data_gap_marked" if info["marked_missing"] else "data_gap_no_values",
                        lang)))
    owners: dict[str, list[str]] = {}
    for component, inds in mapping.items():
        for indicator in inds:
            owners.setdefault(indicator, []).append(component)
    # An indicator counts as its own gap unless every component it measures is listed already.
    listed = set(components.index[missing_all.to_numpy()])
    used = sorted(i for i, comps in owners.items() if not set(comps) <= listed)
    if used and n:
        values = dataset.city_values(used, year=year)
        have = values[values["city_id"].isin(cities)].groupby("indicator")["city_id"].nunique()
        lacking = n - have.reindex(used, fill_value=0)
        lacking = lacking[lacking > 0].sort_values(ascending=False, kind="stable")
        info = dataset.indicators.reindex(lacking.index)
        for code, count in lacking.items():
            group = ("; ".join(components.loc[owners[code], f"name_{lang}"])
                     if framework is not None else "")
            rows.append((tr("data_gap_indicator", lang), code, info.loc[code, f"name_{lang}"],
                         group, int(count), tr("data_gap_partial", lang)))
    table = pd.DataFrame(rows, columns=["kind", "code", "name", "group", "missing", "why"])
    share = table["missing"] / n if n else table["missing"] * 0.0
    table.insert(5, "share", [format_percent(s, lang) for s in share])
    if lang == "fa":
        table["missing"] = [format_number(v, lang) for v in table["missing"]]
    table.columns = [tr(k, lang) for k in ("data_col_gap", "data_col_code", "data_col_name",
                                           "data_col_group", "data_col_missing",
                                           "data_col_share", "data_col_why")]
    return table


# --------------------------------------------------------------------------- the dataset

def integrity_status(dataset: Dataset) -> dict:
    """Whether the dataset's files were checked, and its fingerprint.

    Returns
    -------
    dict
        ``verified`` (every file matched ``checksums.sha256`` when it was loaded),
        ``has_manifest`` and ``fingerprint`` (SHA-256 of the manifest, as
        :func:`citykit.scenario.dataset_fingerprint`; None without a manifest).

    Examples
    --------
    >>> from citykit.data import load_dataset
    >>> status = integrity_status(load_dataset("iran"))
    >>> status["verified"], status["has_manifest"], len(status["fingerprint"])
    (True, True, 64)
    """
    from ..scenario import ScenarioError, dataset_fingerprint

    path = dataset.path
    has_manifest = path is not None and path.is_dir() and (path / MANIFEST_NAME).is_file()
    fingerprint = None
    if has_manifest:
        try:
            fingerprint = dataset_fingerprint(path)
        except ScenarioError:
            fingerprint = None
    return {"verified": bool(dataset.verified), "has_manifest": has_manifest,
            "fingerprint": fingerprint}


def integrity_table(dataset: Dataset, lang: Lang = "en") -> pd.DataFrame:
    """The files the dataset's ``checksums.sha256`` lists, with their recorded SHA-256 and size.

    Empty (with the headers) when the dataset has no manifest.

    Examples
    --------
    >>> from citykit.data import load_dataset
    >>> table = integrity_table(load_dataset("iran"))
    >>> "values.csv" in set(table["File"]), table["SHA-256"].str.len().unique().tolist()
    (True, [64])
    """
    headers = [tr(k, lang) for k in ("data_col_file", "data_col_sha256", "data_col_size")]
    path = dataset.path
    if path is None or not path.is_dir() or not (path / MANIFEST_NAME).is_file():
        return pd.DataFrame(columns=headers)
    try:
        entries = read_manifest(path)
    except ValueError as err:
        raise CityKitError(f"{path / MANIFEST_NAME}: {err}") from None
    sizes = [(path / name).stat().st_size if (path / name).is_file() else None
             for name in entries]
    return pd.DataFrame({
        headers[0]: list(entries), headers[1]: list(entries.values()),
        headers[2]: ([format_number(s, lang) for s in sizes] if lang == "fa"
                     else pd.array(sizes, dtype="Int64")),
    })


# --------------------------------------------------------------------------- uploads

def upload_root() -> Path:
    """The folder under which uploads are written: ``<data folder>/uploads`` (mode 0700)."""
    return session.uploads_root()


def sanitise_name(name: str) -> str:
    """A safe file name: no folders, only letters, digits, ``.``, ``-``, ``_``; lower-case
    extension; table names lower-cased so ``Cities.CSV`` is found as ``cities.csv``.

    Returns ``""`` when nothing usable is left.

    Examples
    --------
    >>> sanitise_name("../../etc/Cities.CSV")
    'cities.csv'
    >>> sanitise_name("C:\\\\data\\\\my values (2023).xlsx")
    'my_values_2023.xlsx'
    >>> sanitise_name("...")
    ''
    >>> sanitise_name("شهرها.xlsx"), sanitise_name("con.xlsx")
    ('شهرها.xlsx', '_con.xlsx')
    """
    base = re.split(r"[\\/]", unicodedata.normalize("NFKC", str(name)))[-1]
    base = re.sub(r"[^\w.-]+", "_", base).lstrip("._-")  # \w keeps Persian letters
    stem, dot, ext = base.rpartition(".")
    if not dot:
        stem, ext = base, ""
    stem = stem.strip("_") or ""
    if not re.search(r"[^\W_]", stem):
        return ""
    if stem.lower().split(".")[0] in WINDOWS_RESERVED:
        stem = f"_{stem}"  # CON, NUL, COM1… name devices on Windows
    if stem.lower() in TABLES or f"{stem}.{ext}".lower() in _EXTRA_NAMES:
        stem = stem.lower()
    ext = ext.lower()
    return (stem[: _MAX_NAME - len(ext) - 1] + (f".{ext}" if ext else ""))


def _size_problems(files: Sequence[tuple[str, bytes]], max_file_bytes: int,
                   max_total_bytes: int, lang: Lang) -> list[Problem]:
    problems = [Problem(name, tr("data_up_file_too_big", lang, size=format_number(len(data), lang),
                                 limit=format_number(max_file_bytes, lang)),
                        fix=tr("data_up_file_too_big_fix", lang))
                for name, data in files if len(data) > max_file_bytes]
    total = sum(len(data) for _, data in files)
    if total > max_total_bytes:
        problems.append(Problem(", ".join(name for name, _ in files),
                                tr("data_up_total_too_big", lang,
                                   size=format_number(total, lang),
                                   limit=format_number(max_total_bytes, lang)),
                                fix=tr("data_up_total_too_big_fix", lang)))
    return problems


def _dataset_name_problems(named: list[tuple[str, str]], lang: Lang) -> list[Problem]:
    """Problems with the (original, cleaned) names of a dataset upload's files."""
    problems, tables = [], {}
    allowed = ", ".join(DATASET_EXTENSIONS)
    for original, clean in named:
        stem, _, ext = clean.rpartition(".")
        ext = f".{ext}" if stem else ""
        if clean in _EXTRA_NAMES:
            continue
        if ext not in DATASET_EXTENSIONS:
            fix = "data_up_json_fix" if ext == ".json" else "data_up_bad_ext_fix"
            problems.append(Problem(original, tr("data_up_bad_ext", lang, ext=ext or original,
                                                 allowed=allowed), fix=tr(fix, lang)))
        elif stem in TABLES:
            tables.setdefault(stem, []).append(original)
    for table, names in tables.items():
        if len(names) > 1:
            problems.append(Problem(", ".join(names), tr("data_up_twice", lang, table=table,
                                                         files=names),
                                    fix=tr("data_up_twice_fix", lang)))
    books = [(o, c) for o, c in named if c not in _EXTRA_NAMES
             and c.rpartition(".")[0] not in TABLES and c.endswith((".xlsx", ".gpkg"))]
    if books and len(named) > 1:
        problems.append(Problem(", ".join(o for o, _ in named),
                                tr("data_up_mixed", lang, files=[o for o, _ in named]),
                                fix=tr("data_up_mixed_fix", lang)))
    elif not books:
        for original, clean in named:
            stem, _, ext = clean.rpartition(".")
            if clean not in _EXTRA_NAMES and f".{ext}" in DATASET_EXTENSIONS \
                    and stem not in TABLES:
                problems.append(Problem(original, tr("data_up_unknown_table", lang, name=original,
                                                     tables=list(TABLES)),
                                        fix=tr("data_up_unknown_table_fix", lang)))
    return problems


def _checked_upload(files: Sequence[tuple[str, bytes]], kind: str, max_file_bytes: int,
                    max_total_bytes: int, lang: Lang) -> list[tuple[str, str]]:
    """(name as uploaded, clean name) of each file; :class:`UploadError` listing every problem."""
    if kind not in ("dataset", "framework"):
        raise ValueError(f"kind must be 'dataset' or 'framework', got {kind!r}")
    files = [(str(name), bytes(data)) for name, data in files]
    if not files:
        raise UploadError([Problem("upload", tr("data_up_empty", lang))])
    limit = MAX_FILES if kind == "dataset" else 1
    if len(files) > limit:
        raise UploadError([Problem("upload", tr("data_up_too_many", lang,
                                                n=format_number(len(files), lang),
                                                limit=format_number(limit, lang)))])
    named, problems = [], []
    for name, _ in files:
        clean = sanitise_name(name)
        if not clean:
            problems.append(Problem(name or "upload", tr("data_up_bad_name", lang, name=name)))
        named.append((name, clean))
    usable = [(o, c) for o, c in named if c]
    cleaned = [c for _, c in usable]
    for clean in sorted({c for c in cleaned if cleaned.count(c) > 1}):
        problems.append(Problem(clean, tr("data_up_duplicate", lang, name=clean)))
    if kind == "dataset":
        problems += _dataset_name_problems(usable, lang)
    else:
        for original, clean in usable:
            ext = "." + clean.rpartition(".")[2] if "." in clean else original
            if not clean.endswith(FRAMEWORK_EXTENSIONS):
                problems.append(Problem(original, tr("data_up_not_yaml", lang, ext=ext)))
    problems += _size_problems(files, max_file_bytes, max_total_bytes, lang)
    if problems:
        raise UploadError(problems)
    return named


def store_upload(files: Sequence[tuple[str, bytes]], *, kind: str = "dataset",
                 root: str | os.PathLike | None = None, max_file_bytes: int = MAX_FILE_BYTES,
                 max_total_bytes: int = MAX_TOTAL_BYTES, lang: Lang = "en") -> Path:
    """Check uploaded files and write them into a fresh folder named by their content hash.

    Nothing is written unless every check passes: file names are cleaned (:func:`sanitise_name`),
    only the dataset format's files are accepted (``kind="dataset"``: CSV, XLSX, GeoJSON,
    GeoPackage named after their table, one workbook or GeoPackage holding every table,
    ``dataset.json``, ``checksums.sha256``; ``kind="framework"``: one ``.yaml``/``.yml`` file)
    and the sizes must stay within the limits.

    Parameters
    ----------
    files : sequence of (name, bytes)
        The uploaded files, as the browser named them.
    kind : {"dataset", "framework"}
    root : path-like, optional
        Default :func:`upload_root`.
    max_file_bytes, max_total_bytes : int
        Size limits per file and in all.
    lang : {"en", "fa"}
        Language of the problem messages.

    Returns
    -------
    pathlib.Path
        ``<root>/<kind>-<first 16 hex digits of the SHA-256 of the names and bytes>``; the
        same files always land in the same folder, different files never share one.

    Raises
    ------
    UploadError
        Listing every problem: no files, too many, an unusable name, a type that is not
        accepted, a table given twice, a file or the whole upload too big.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     folder = store_upload([("../Values.csv", b"a,b\\n1,2\\n")], root=tmp)
    ...     sorted(p.name for p in folder.iterdir()), folder.name.startswith("dataset-")
    (['values.csv'], True)
    >>> store_upload([("values.txt", b"1")], root=".")
    Traceback (most recent call last):
    ...
    citykit.ui.data.UploadError: 1 problem in the data:
      - values.txt: files of type '.txt' are not accepted; expected .csv, .xlsx, .geojson, .gpkg. Fix: save the table as CSV, XLSX, GeoJSON or GeoPackage (see datasets/README.md).
    """
    named = _checked_upload(files, kind, max_file_bytes, max_total_bytes, lang)
    files = [(str(name), bytes(data)) for name, data in files]
    digest = hashlib.sha256()
    for (_, clean), (_, data) in sorted(zip(named, files, strict=True)):
        digest.update(clean.encode() + b"\0" + hashlib.sha256(data).digest())
    base = private_folder(root) if root is not None else upload_root()
    target = base / f"{kind}-{digest.hexdigest()[:16]}"
    if target.is_dir() and sorted(p.name for p in target.iterdir()) == sorted(c for _, c in named):
        return target  # the same files were uploaded before (the name is their hash)
    # Write into a private folder first, then move it into place in one step, so that a
    # half-written upload is never read and two sessions uploading the same files do not clash.
    staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=base))
    for (_, clean), (_, data) in zip(named, files, strict=True):
        (staging / clean).write_bytes(data)
    shutil.rmtree(target, ignore_errors=True)
    try:
        os.replace(staging, target)
    except OSError:  # another session moved the same files into place first
        shutil.rmtree(staging, ignore_errors=True)
    return target


def _dataset_source(folder: Path) -> Path:
    """The folder, or the single workbook / GeoPackage in it."""
    inside = [p for p in folder.iterdir() if p.is_file()]
    books = [p for p in inside if p.suffix in (".xlsx", ".gpkg") and p.stem not in TABLES]
    return books[0] if len(inside) == 1 and books else folder


def _relative(problem: Problem, folder: Path) -> Problem:
    """The problem with the upload folder's path taken out of its file and message."""
    prefix = str(folder) + os.sep
    file = problem.file.replace(prefix, "")
    return replace(problem, file="upload" if file == str(folder) else file,
                   message=problem.message.replace(prefix, "").replace(str(folder), "upload"))


def accept_dataset_upload(files: Sequence[tuple[str, bytes]], *,
                          root: str | os.PathLike | None = None,
                          max_file_bytes: int = MAX_FILE_BYTES,
                          max_total_bytes: int = MAX_TOTAL_BYTES,
                          lang: Lang = "en") -> tuple[Path, list[str]]:
    """Store an uploaded dataset (:func:`store_upload`) and validate it like ``citykit validate``.

    Returns
    -------
    source : pathlib.Path
        What to load: the upload's folder, or the workbook / GeoPackage in it.
    notes : list of str
        Valid but noteworthy findings (e.g. no checksum manifest, a layer reprojected).

    Raises
    ------
    UploadError
        The files cannot be stored (see :func:`store_upload`).
    DataValidationError
        The dataset breaks the format (:func:`citykit.data.validate_dataset`); lists every
        problem with its file, row, column and fix.
    """
    folder = store_upload(files, root=root, max_file_bytes=max_file_bytes,
                          max_total_bytes=max_total_bytes, lang=lang)
    source = _dataset_source(folder)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            problems, notes = validate_dataset(source)
    except CityKitError as err:
        problems = list(getattr(err, "problems", None) or [Problem(source.name, str(err))])
        notes = []
    except Exception as err:  # untrusted files: any reader's failure is a finding, not a crash
        problems, notes = [Problem(source.name if source.is_file() else "upload",
                                   f"cannot be read: {err}",
                                   fix="check that each file is what its extension says, saved "
                                       "as UTF-8.")], []
    if problems:
        shutil.rmtree(folder, ignore_errors=True)  # a rejected upload leaves nothing behind
        raise DataValidationError([_relative(p, folder) for p in problems])
    return source, notes


def accept_framework_upload(name: str, data: bytes, *, dataset: Dataset | None = None,
                            root: str | os.PathLike | None = None,
                            max_bytes: int = MAX_FRAMEWORK_BYTES,
                            lang: Lang = "en") -> tuple[Path, Framework]:
    """Store an uploaded framework YAML and load it, checked against `dataset`.

    Returns
    -------
    path : pathlib.Path
        The stored file (pass it as the scenario's ``framework``).
    framework : Framework

    Raises
    ------
    UploadError
        Not a ``.yaml``/``.yml`` file, too big, or not UTF-8 text.
    FrameworkError
        The framework breaks the format or names indicators the dataset does not have
        (:func:`citykit.frameworks.load_framework`).

    Examples
    --------
    >>> import tempfile
    >>> from citykit.frameworks import frameworks_root
    >>> text = (frameworks_root() / "u4ssc.yaml").read_bytes()
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     path, fw = accept_framework_upload("u4ssc.yaml", text, root=tmp)
    ...     fw.id, path.name
    ('u4ssc', 'u4ssc.yaml')
    """
    store = dict(kind="framework", max_file_bytes=max_bytes, max_total_bytes=max_bytes, lang=lang)
    clean = _checked_upload([(name, data)], **store)[0][1]
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as err:
        raise UploadError([Problem(name, tr("data_up_not_text", lang, reason=err.reason,
                                            start=err.start))]) from None
    # Checked in a scratch folder first: a rejected file is deleted, never stored (the stored
    # folder is named by its content, and another session may be using it).
    base = private_folder(root) if root is not None else upload_root()
    scratch = Path(tempfile.mkdtemp(prefix=".check-", dir=base))
    try:
        (scratch / clean).write_bytes(data)
        load_framework(scratch / clean, dataset=dataset)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    folder = store_upload([(name, data)], root=base, **store)
    path = folder / clean
    return path, load_framework(path, dataset=dataset)


def problems_of(error: Exception) -> list[Problem]:
    """The problems an error lists (its message as one problem when it lists none).

    Examples
    --------
    >>> problems_of(ValueError("boom"))
    [Problem(file='', message='boom', row=None, column=None, fix=None, line=None)]
    """
    return list(getattr(error, "problems", None) or [Problem("", str(error))])


def problems_frame(error: Exception | Sequence[Problem], lang: Lang = "en") -> pd.DataFrame:
    """Every problem of an error (or a list of problems) as a table: file, line, row, column,
    problem, fix.

    An error without a ``problems`` list becomes one row with its message.

    Examples
    --------
    >>> err = DataValidationError([Problem("cities.csv", "missing column 'city_id'", row=None,
    ...                                    fix="add it.")])
    >>> problems_frame(err).iloc[0].tolist()
    ['cities.csv', '', '', '', "missing column 'city_id'", 'add it.']
    """
    problems = problems_of(error) if isinstance(error, Exception) else list(error)

    def number(value) -> str:
        return "" if value is None else format_number(value, lang)

    headers = [tr(k, lang) for k in ("data_col_file", "data_col_line", "data_col_row",
                                     "data_col_column", "data_col_problem", "data_col_fix")]
    rows = [(p.file, number(p.line), number(p.row), p.column or "", localise(p, lang),
             localise_fix(p, lang) or "") for p in problems]
    return pd.DataFrame(rows, columns=headers)

