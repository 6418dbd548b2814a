"""The ``citykit`` command line.

``citykit datasets`` lists the bundled datasets; ``citykit frameworks`` lists the frameworks
with their coverage on a dataset (``--gaps`` prints the data-collection agenda);
``citykit validate PATH`` checks a dataset folder
or file, a framework YAML or a scenario JSON, and prints a one-line verdict with the first reason,
then every problem (exit 0 when valid, 2 when not); ``citykit checksums PATH`` seals
a dataset folder with a checksum manifest; ``citykit build iran`` rebuilds the bundled dataset from
its raw sources; ``citykit rank`` ranks a dataset's candidates (or any decision matrix) and
``citykit robustness`` reports how often each candidate makes the top k when the weights vary.
Errors are printed as messages, never as tracebacks.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from . import __version__
from .exceptions import CityKitError

__all__ = ["main"]

EXIT_OK, EXIT_ERROR, EXIT_INVALID = 0, 1, 2
_UNSET = argparse.SUPPRESS  # an option left out keeps the scenario's setting


def _cmd_datasets(args: argparse.Namespace) -> int:
    from .data import bundled_datasets, load_dataset

    names = bundled_datasets()
    if not names:
        print("No bundled datasets found.")
        return EXIT_OK
    header = f"{'name':<8} {'provinces':>9} {'counties':>8} {'cities':>6} {'indicators':>10} " \
             f"{'values':>7} {'sources':>7}  integrity"
    print(header)
    for name in names:
        ds = load_dataset(name, verify="warn" if args.allow_modified else True)
        n = ds.summary()
        print(f"{name:<8} {n['provinces']:>9} {n['counties']:>8} {n['cities']:>6} "
              f"{n['indicators']:>10} {n['values']:>7} {n['sources']:>7}  "
              f"{'verified' if ds.verified else 'NOT verified'}")
        print(f"         {ds.title}")
    return EXIT_OK


def _kind_of(path: str) -> str:
    """What `citykit validate` checks: a framework (.yaml/.yml), a scenario (.json that is not a
    GeoJSON table) or a dataset (anything else: folder, workbook, GeoPackage, table file, name)."""
    from pathlib import Path

    target = Path(path)
    suffix = target.suffix.lower()
    if suffix in (".yaml", ".yml"):
        return "framework"
    if target.name == "dataset.json":
        return "dataset"  # the manifest alone is not a dataset: validate_dataset says so
    if suffix == ".json" and target.is_file():
        with open(target, "rb") as handle:
            head = handle.read(4096).decode("utf-8", "replace")
        return "dataset" if '"FeatureCollection"' in head or '"Feature"' in head else "scenario"
    return "dataset"


def _one_line(text: str, width: int = 300) -> str:
    line = " ".join(str(text).split())
    return line if len(line) <= width else line[:width - 1] + "…"


def _validate(path: str) -> tuple[list[str], list[str]]:
    """Problems (as text, the first one the headline) and warnings of the file at `path`."""
    import warnings

    from .exceptions import DataValidationError, FrameworkError, IntegrityError

    kind = _kind_of(path)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            if kind == "framework":
                from .frameworks import load_framework

                load_framework(path)
                problems: list = []
            elif kind == "scenario":
                from pathlib import Path

                from .scenario import Scenario, check_scenario_targets

                scenario = Scenario.from_json(Path(path), workspace=Path.cwd())
                problems = check_scenario_targets(scenario)
            else:
                from .data import validate_dataset

                problems, notes = validate_dataset(path)
                for note in notes:
                    warnings.warn(note, stacklevel=1)
        except (DataValidationError, FrameworkError, IntegrityError) as err:
            problems = err.problems
        except CityKitError as err:
            problems = [str(err)]
        except (OSError, RecursionError, MemoryError) as err:  # unreadable: still a message
            problems = [f"could not read {path}: {type(err).__name__}: {err}"]
    return [str(p) for p in problems], [str(w.message) for w in caught]


def _cmd_validate(args: argparse.Namespace) -> int:
    problems, notes = _validate(args.path)
    if problems:
        print(f"{args.path}: invalid: {_one_line(problems[0])}")
        print(f"{len(problems)} problem{'s' if len(problems) != 1 else ''}:")
        for problem in problems:
            print(f"  - {problem}")
        for note in notes:
            print(f"warning: {note}")
        return EXIT_INVALID
    for note in notes:
        print(f"warning: {note}")
    print(f"{args.path}: valid")
    return EXIT_OK


def _cmd_checksums(args: argparse.Namespace) -> int:
    from .integrity import write_manifest

    path = write_manifest(args.path)
    print(f"wrote {path}")
    return EXIT_OK


def _cmd_templates(args: argparse.Namespace) -> int:
    from .templates import write_templates

    for path in write_templates(args.folder):
        print(f"wrote {path}")
    return EXIT_OK


def _cmd_frameworks(args: argparse.Namespace) -> int:
    from .data import load_dataset
    from .frameworks import bundled_frameworks, coverage, crosswalk, load_framework

    dataset = load_dataset(args.dataset)
    names = [args.framework] if args.framework else bundled_frameworks()
    frameworks = sorted((load_framework(name, dataset=dataset) for name in names),
                        key=lambda fw: (fw.kind != "standard", fw.id))
    if args.crosswalk:
        table = crosswalk(frameworks, dataset)
        table.to_csv(args.crosswalk, index=False)
        print(f"wrote {len(table)} crosswalk links to {args.crosswalk}")
        return EXIT_OK
    reports = [coverage(fw, dataset) for fw in frameworks]
    print(f"coverage on dataset {dataset.name!r} ({len(dataset.cities)} candidate cities); "
          "cells = cities x leaf components with a value, proxies included")
    print(f"{'framework':<20} {'kind':<9} {'components':>10} {'leaves':>6} "
          f"{'with data':>9} {'leaves %':>8} {'cells %':>7}  name")
    for fw, cov in zip(frameworks, reports, strict=True):
        n = cov.summary
        print(f"{fw.id:<20} {fw.kind:<9} {len(fw.components):>10} {n['leaves']:>6} "
              f"{n['leaves_with_data']:>9} {n['leaf_coverage_pct']:>8.1f} "
              f"{n['cell_coverage_pct']:>7.1f}  {fw.name_en}")
    _print_city_level_share(args.dataset, dataset, frameworks)
    if args.framework:
        _print_detail(frameworks[0], reports[0])
    if args.gaps:
        _print_gaps(frameworks, reports)
    return EXIT_OK


def _print_city_level_share(source: str, dataset, frameworks) -> None:
    """How much of the default ranking's weight rests on values measured for the cities."""
    from .scenario import Scenario, run

    default = Scenario(dataset=source)
    framework = next((fw for fw in frameworks if fw.id == default.framework), None)
    if framework is None:
        return
    try:
        result = run(default, dataset=dataset, framework=framework)
    except CityKitError as err:
        print(f"\ndefault scenario cannot rank this dataset: {err}")
        return
    shares = result.weight_by_provenance()
    names = result.ranking.matrix.names()
    low = shares["city-level"].idxmin()
    print(f"\nranking weight on city-level values in the default scenario ("
          f"{default.candidate_preset or 'custom'} candidates: {len(shares)}, framework "
          f"{framework.id}): {100 * shares['city-level'].mean():.1f} % on average (values "
          f"measured for the city or its urban centre); lowest {names[low]} "
          f"{100 * shares.loc[low, 'city-level']:.1f} %; county/province proxies "
          f"{100 * shares['proxy'].mean():.1f} %, imputed {100 * shares['imputed'].mean():.1f} %")


def _print_detail(framework, report) -> None:
    print(f"\n{framework.name_en} - by top-level component")
    print(report.by_root[["root", "leaves", "leaves_with_data", "leaf_coverage_pct",
                          "cell_coverage_pct", "own_pct_of_filled", "centre_pct_of_filled",
                          "county_proxy_pct_of_filled",
                          "province_proxy_pct_of_filled"]].to_string(index=False))
    print("\nleaf components (status = finest level with data; proxies are county or province "
          "values standing in for cities)")
    print(report.leaves[["code", "root", "status", "cities_own", "cities_centre",
                         "cities_county_proxy",
                         "cities_province_proxy", "cities_missing", "years", "indicators"]]
          .to_string(index=False))


def _print_gaps(frameworks, reports) -> None:
    print("\ndata-collection agenda: components without data")
    for fw, cov in zip(frameworks, reports, strict=True):
        if cov.gaps.empty:
            continue
        print(f"\n{fw.id} ({len(cov.gaps)} of {cov.summary['leaves']} leaves)")
        for label, group in cov.gaps.groupby("group", sort=False):
            print(f"  {label}:")
            for row in group.itertuples():
                link = f"  [{row.crosswalk}]" if row.crosswalk else ""
                print(f"    - {row.code}: {row.name_en}{link}")


def _read_matrix(path: str, directions: str, weights: str | None):
    from pathlib import Path

    import pandas as pd

    from .data import read_table
    from .exceptions import DataValidationError, Problem
    from .matrix import CityMatrix
    from .validation import coerce_numeric

    if not Path(path).is_file():
        raise DataValidationError([Problem(path, "no such file")])
    # The dataset reader: size limit, UTF-8 check, duplicate or empty column names refused.
    frame = read_table(path)
    if frame.shape[1] < 2:
        raise DataValidationError([Problem(path, f"expected a first column of alternatives and "
                                                 f"at least one criterion; got {frame.shape[1]} "
                                                 "column(s)")])
    problems = []
    frame = frame.set_index(frame.columns[0])
    frame.index.name = None  # a first column called e.g. "name" must not clash with the output
    for column in frame.columns:
        frame[column] = coerce_numeric(frame[column], file=path, column=column,
                                       problems=problems)
    if problems:
        raise DataValidationError(problems)
    matrix = CityMatrix.from_frame(frame, [d.strip() for d in directions.split(",")])
    parsed = None
    if weights:
        values = [w.strip() for w in weights.split(",")]
        if len(values) != frame.shape[1]:
            raise DataValidationError([Problem("--weights", f"got {len(values)} weights for "
                                                            f"{frame.shape[1]} criteria")])
        try:
            parsed = pd.Series([float(v) for v in values], index=matrix.values.columns)
        except ValueError:
            raise DataValidationError([Problem("--weights", f"not numbers: {weights!r}")]) \
                from None
    return matrix, parsed


#: Columns a terminal table shows, in this order (those a command's table has), and how.
_TERMINAL_COLUMNS = {
    "rank": ("Rank", "int"), "alternative": ("Alternative", "text"), "name": ("City", "text"),
    "name_en": ("City", "text"), "province_name": ("Province", "text"),
    "score": ("Score", "num3"), "p_top_k": ("P(top k)", "pct"), "p_first": ("P(first)", "pct"),
    "rank_p5": ("Rank 5 %", "int"), "rank_median": ("Median rank", "int"),
    "rank_p95": ("Rank 95 %", "int"), "city_level_weight": ("City-level weight", "pct"),
    "imputed_share": ("Imputed", "pct"), "peer_group_name": ("Peer group", "text"),
}


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of rows >= 1, got {text!r}")
    return value


def _add_format_flag(p: argparse.ArgumentParser) -> None:
    p.add_argument("--format", choices=["table", "csv", "json"], default=None,
                   help="table (for people; the default at a terminal), csv (the default in a "
                        "pipe or file) or json; csv and json keep full precision")


def _output_format(args: argparse.Namespace) -> str:
    """``--format``, else a table for a person at a terminal and CSV for a pipe or a file."""
    return args.format or ("table" if sys.stdout.isatty() else "csv")


def _limit_rows(table, top: int | None) -> tuple:
    """The first `top` rows (in rank order), and a note on the rows left out that share the
    last row's rank (a tie at the cut), or None."""
    if not top or len(table) <= top:
        return table, None
    shown = table.iloc[:top]
    last = shown["rank"].iloc[-1]
    tied = int((table["rank"].iloc[top:] == last).sum())
    note = (f"{tied} more share rank {last} with the last row shown; --top {top + tied} shows "
            "them" if tied else None)
    return shown, note


def _print_terminal(table, title: str, summary: str) -> None:
    """An aligned, rounded table for people (rich), its title and a one-line summary."""
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    out = Table(title=title, title_justify="left", header_style="bold", show_edge=False)
    columns, order = [], list(_TERMINAL_COLUMNS)
    chances = [c for c in table.columns if c.startswith("p_top_") and c != "p_top_k"]
    order[order.index("p_top_k"):order.index("p_top_k")] = chances  # P(top 5) beside P(top k)
    for column in (c for c in order if c in table.columns):
        label, kind = _TERMINAL_COLUMNS.get(column, (f"P(top {column[6:]})", "pct"))
        if label not in {c[1] for c in columns}:  # "name" and "name_en": one City column
            columns.append((column, label, kind))
    for _, label, kind in columns:
        out.add_column(label, justify="left" if kind == "text" else "right")
    for row in table[[c for c, _, _ in columns]].itertuples(index=False, name=None):
        cells = []
        for v, (_, _, kind) in zip(row, columns, strict=True):
            if v is None or (isinstance(v, float) and v != v):
                cells.append("—")
            elif kind == "int":
                cells.append(f"{int(v):,}")
            elif kind == "num3":
                cells.append(f"{float(v):.3f}")
            elif kind == "pct":
                cells.append(f"{100 * float(v):.0f} %")
            else:
                cells.append(Text(str(v)))  # data, never markup
        out.add_row(*cells)
    console = Console(highlight=False)
    console.print(out)
    console.print(Text(summary, style="dim"))


def _print_table(table, fmt: str, extra: dict | None = None) -> None:
    import json

    if fmt == "json":
        records = json.loads(table.to_json(orient="records", force_ascii=False))
        print(json.dumps({**(extra or {}), "results": records}, ensure_ascii=False, indent=2))
    else:
        from .export import escape_frame

        # The dossier's rule: text that a spreadsheet would run as a formula is quoted.
        print(escape_frame(table).to_csv(index=False, lineterminator="\n"), end="")


def _scenario_from_args(args: argparse.Namespace, **changes):
    """The Scenario the command's flags describe: a saved one (--scenario) or the default one,
    with every choice given on the command line applied on top."""
    from .scenario import Scenario

    scenario = Scenario.from_json(args.scenario) if args.scenario else Scenario(
        dataset=args.dataset, framework=args.framework)
    for key in ("method", "normalisation", "weights", "missing"):
        if getattr(args, key, None):
            changes[key] = getattr(args, key)
    if getattr(args, "normalise_weights", False):
        changes["normalise_weights"] = True
    preset = getattr(args, "candidates", None)
    floor = getattr(args, "min_population", None)
    if preset is not None or floor is not None:
        changes["eligibility"] = _candidate_rules(scenario, preset, floor)
    if getattr(args, "include_capital", False):
        changes["eligibility"] = tuple(r for r in changes.get("eligibility",
                                                              scenario.eligibility)
                                       if r.get("rule") != "exclude-capital")
    return scenario.with_(**changes)


def _candidate_rules(scenario, preset: str | None, floor: float | None) -> tuple[dict, ...]:
    """The eligibility rules of --candidates PRESET and --min-population N.

    --min-population alone changes the population floor of the scenario's own rules, keeping
    the others (a custom rule chain keeps its rules; a floor is replaced or added).
    """
    from .eligibility import preset_rules

    if preset is not None:
        return preset_rules(preset, min_population=floor)
    rules = [dict(r) for r in scenario.eligibility if r.get("rule") != "population-floor"]
    if floor:
        rules.append({"rule": "population-floor", "minimum": floor})
    return tuple(rules)


def _min_population(text: str) -> float:
    try:
        value = float(text.replace(",", "").replace("_", ""))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of people, got {text!r}") from None
    if not (0 <= value <= 1e10):
        raise argparse.ArgumentTypeError(f"expected 0 to 10,000,000,000 people, got {text!r}")
    return int(value) if value.is_integer() else value


def _add_candidate_flags(p: argparse.ArgumentParser) -> None:
    from .eligibility import DEFAULT_PRESET, PRESETS

    p.add_argument("--candidates", choices=list(PRESETS), metavar="PRESET",
                   help=f"candidate preset: {', '.join(PRESETS)} (default: {DEFAULT_PRESET}, "
                        "the metropolises other than the capital)")
    p.add_argument("--min-population", dest="min_population", type=_min_population,
                   metavar="N", help="population floor for the candidates (0: none)")


def _cmd_rank(args: argparse.Namespace) -> int:
    from .ranking import rank
    from .scenario import run

    if args.matrix:
        if not args.directions:
            print("error: --matrix needs --directions (one max/min per criterion)",
                  file=sys.stderr)
            return EXIT_INVALID
        matrix, weights = _read_matrix(args.matrix, args.directions, args.weights)
        result = rank(matrix, method=args.method or "wsum", normalisation=args.normalisation,
                      weights=weights if weights is not None else "equal",
                      normalise_weights=args.normalise_weights)
        table = result.table().rename_axis("alternative").reset_index()
        table, cut = _limit_rows(table[["alternative", "score", "rank"]], args.top)
        summary = (f"{result.method} on {result.normalisation}; {len(table)} of "
                   f"{len(result.scores)} alternatives shown" + (f"; {cut}" if cut else ""))
        if _output_format(args) == "table":
            _print_terminal(table, "Ranking", summary)
        else:
            _print_table(table, _output_format(args), {"method": result.method,
                                                       "normalisation": result.normalisation})
            if cut:
                print(f"# {cut}", file=sys.stderr)
        return EXIT_OK
    scenario = _scenario_from_args(args)
    result = run(scenario)
    table = result.ranking.table().rename_axis("city_id").reset_index()
    table, cut = _limit_rows(table.sort_values("rank", kind="stable"), args.top)
    extra = {"scenario": scenario.to_dict(), "method": result.ranking.method,
             "normalisation": result.ranking.normalisation,
             "eligibility": str(result.audit).splitlines(), "missing": str(result.missing)}
    shares = result.weight_by_provenance()
    summary = (f"{result.ranking.method} on {result.ranking.normalisation}; "
               f"{len(table)} of {len(result.ranking.scores)} eligible candidates shown; "
               f"candidates: {scenario.candidate_preset or 'custom rules'} "
               f"({result.audit.start} cities -> {len(result.ranking.scores)}); "
               f"{100 * shares['city-level'].mean():.0f} % of the ranking weight on city-level "
               f"values, {100 * shares['imputed'].mean():.0f} % imputed (`citykit frameworks` "
               "for details)" + (f"; {cut}" if cut else ""))
    fmt = _output_format(args)
    if fmt == "table":
        provinces = result.dataset.provinces["name_en"]
        cities = result.dataset.cities.reindex(table["city_id"])
        table = table.assign(province_name=cities["province_code"].map(provinces).to_numpy())
        _print_terminal(table, "Ranking", summary)
        return EXIT_OK
    _print_table(table, fmt, extra)
    if fmt == "csv":
        print(f"# {summary}", file=sys.stderr)
    elif cut:
        print(f"# {cut}", file=sys.stderr)
    return EXIT_OK


def _shortlist_constraints(args: argparse.Namespace, base: dict | None = None):
    import json
    from pathlib import Path

    from .exceptions import ShortlistError
    from .shortlist import Constraints

    data = dict(base or {})  # the scenario's own constraints, overridden by a file and flags
    if args.constraints:
        try:
            data = json.loads(Path(args.constraints).read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ShortlistError(f"no such constraints file: {args.constraints}") from None
        except json.JSONDecodeError as err:
            raise ShortlistError(f"{args.constraints} is not valid JSON: {err}") from None
        if not isinstance(data, dict):
            raise ShortlistError(f"{args.constraints} must hold a JSON object of constraints")
        data = {**(base or {}), **data}
    ids = lambda text: [t.strip() for t in text.split(",") if t.strip()]  # noqa: E731
    given = {"k": args.k, "max_per_province": args.max_per_province,
             "max_per_region": args.max_per_region, "min_distance_km": args.min_distance_km,
             "min_readiness": args.min_readiness,
             "must_include": ids(args.must_include) if args.must_include else None,
             "must_exclude": ids(args.must_exclude) if args.must_exclude else None,
             "one_per_peer_group": True if args.peer_groups else None}
    data.update({key: value for key, value in given.items() if value is not None})
    if "k" not in data:
        raise ShortlistError("give -k (the number of pilots) or a --constraints file with k")
    return Constraints.from_dict(data)


def _shortlist_p_top_k(result, k: int):
    """P(top-k) per candidate from citykit.robustness when it is available, and a note."""
    try:
        from .robustness import robustness
    except ImportError:
        return None, "p_top_k left empty: citykit.robustness is not available"
    acc = robustness(result, top_k=k)  # the scenario's draws, concentration and seed
    return acc.p_top_k, f"p_top_k from {acc.draws} weight draws (seed {acc.seed})"


def _cmd_shortlist(args: argparse.Namespace) -> int:
    import json

    from .exceptions import ShortlistError
    from .peers import peer_groups_of
    from .scenario import run
    from .shortlist import shortlist

    scenario = _scenario_from_args(args)
    constraints = _shortlist_constraints(args, scenario.shortlist)
    scenario = scenario.with_(shortlist=constraints.to_dict())
    peers_k = None
    if args.peer_groups and args.peer_groups != "auto":
        if not args.peer_groups.isdigit() or int(args.peer_groups) < 2:
            raise ShortlistError(f"--peer-groups must be a whole number >= 2 or 'auto'; got "
                                 f"{args.peer_groups!r}")
        peers_k = int(args.peer_groups)
    result = run(scenario)
    ranking = result.ranking
    peers = peer_groups_of(ranking, k=peers_k) if constraints.one_per_peer_group else None
    if args.objective == "p_top_k":
        p_top_k, note = _shortlist_p_top_k(result, constraints.k)
        if p_top_k is None:
            raise ShortlistError(f"--objective p_top_k needs citykit.robustness ({note})")
        chosen = shortlist(result, constraints, peers=peers, expected=p_top_k)
    else:  # solve first, so that a conflict is reported before any robustness run
        chosen = shortlist(result, constraints, peers=peers)
        p_top_k, note = _shortlist_p_top_k(result, constraints.k)
    pilots = chosen.pilots.copy()
    pilots["score"] = ranking.scores.reindex(pilots.index)  # the method's own score and rank
    pilots["rank"] = ranking.ranks.reindex(pilots.index)
    pilots["p_top_k"] = None if p_top_k is None else p_top_k.reindex(pilots.index)
    columns = ["name_en", "name_fa", "province_code", "province_name", "latitude", "longitude",
               "score", "rank", "p_top_k"] + [c for c in ("peer_group", "peer_group_name")
                                               if c in pilots.columns]
    table = pilots.reindex(columns=columns).rename_axis("city_id").reset_index()
    price = {"absolute": chosen.price_of_diversity, "percent": chosen.price_of_diversity_pct}
    fmt = _output_format(args)
    if fmt == "table":
        pct = "" if price["percent"] is None else f" ({price['percent']:.2f}%)"
        _print_terminal(table, f"Shortlist: {constraints.k} pilots",
                        f"price of diversity {price['absolute']:.4f}{pct} of the unconstrained "
                        f"top {constraints.k}; {note}"
                        + "".join(f"; binding: {b}" for b in chosen.binding))
        return EXIT_OK
    if fmt == "json":
        doc = {"pilots": json.loads(table.to_json(orient="records", force_ascii=False)),
               "objective": args.objective, "price_of_diversity": price,
               "binding": [str(b) for b in chosen.binding], "p_top_k": note,
               "constraints": constraints.to_dict(), "scenario": scenario.to_dict(),
               "model": chosen.model}
        print(json.dumps(doc, ensure_ascii=False, indent=2))
    else:
        from .export import escape_frame

        # The dossier's rule: text that a spreadsheet would run as a formula is quoted.
        print(escape_frame(table).to_csv(index=False, lineterminator="\n"), end="")
    pct = "" if price["percent"] is None else f" ({price['percent']:.2f}%)"
    print(f"# price of diversity: {price['absolute']:.4f}{pct} of the unconstrained top "
          f"{constraints.k}; {note}", file=sys.stderr)
    for line in chosen.binding:
        print(f"# binding: {line}", file=sys.stderr)
    return EXIT_OK


def _concentration(text: str):
    """--concentration: a number > 0, 'uniform' (None) or 'inf' (no spread)."""
    if text.strip().lower() == "uniform":
        return None
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number > 0, 'uniform' or 'inf'; got "
                                         f"{text!r}") from None


def _cmd_robustness(args: argparse.Namespace) -> int:
    from .robustness import robustness
    from .scenario import run

    scenario = _scenario_from_args(args)
    settings = dict(scenario.robustness)
    for key in ("draws", "top_k", "seed", "concentration"):
        value = getattr(args, key, _UNSET)
        if value is not _UNSET:
            settings[key] = value
    scenario = scenario.with_(robustness=settings)
    result = run(scenario)

    def progress(done: int, total: int) -> None:
        print(f"\rrobustness: {done:,}/{total:,} weight draws", end="", file=sys.stderr,
              flush=True)

    acc = robustness(result, progress=progress)
    print(file=sys.stderr)
    table, cut = _limit_rows(acc.to_frame().rename_axis("city_id").reset_index(), args.top)
    spread = "uniform over all weights" if acc.concentration is None else \
        f"Dirichlet concentration {acc.concentration:g} around the chosen weights"
    extra = {"scenario": scenario.to_dict(), "method": acc.method,
             "normalisation": acc.normalisation, "draws": acc.draws, "top_k": acc.top_k,
             "seed": acc.seed, "concentration": acc.concentration,
             "weights": acc.weights.round(6).to_dict()}
    summary = (f"{acc.method} on {acc.normalisation}; {acc.draws:,} weight draws ({spread}), "
               f"seed {acc.seed}; p_top_{acc.top_k} = probability of ranking in the top "
               f"{acc.top_k}, rank_p5..rank_p95 = 90 % rank interval" + (f"; {cut}" if cut
                                                                         else ""))
    if _output_format(args) == "table":
        _print_terminal(table, f"Robustness: how often each city is in the top {acc.top_k}",
                        summary)
        return EXIT_OK
    _print_table(table, _output_format(args), extra)
    print(f"# {summary}", file=sys.stderr)
    return EXIT_OK


def _cmd_export(args: argparse.Namespace) -> int:
    from pathlib import Path

    from .export import export_dossier
    from .scenario import Scenario, run

    scenario = Scenario()
    if args.scenario:
        if not Path(args.scenario).is_file():
            print(f"error: no scenario file {args.scenario!r}; write one with `citykit scenario "
                  "new --out FILE`", file=sys.stderr)
            return EXIT_INVALID
        try:
            scenario = Scenario.from_json(Path(args.scenario))
        except (OSError, UnicodeDecodeError) as err:
            print(f"error: cannot read the scenario {args.scenario!r}: {err}", file=sys.stderr)
            return EXIT_INVALID
    dossier = export_dossier(run(scenario), args.out, k=args.k, lang=args.lang,
                             robustness=None if args.no_robustness else "scenario")
    for path in dossier.paths.values():
        print(f"wrote {path}")
    return EXIT_OK


def _cmd_scenario_new(args: argparse.Namespace) -> int:
    from .export import write_scenario
    from .scenario import Scenario

    scenario = Scenario()
    if args.candidates is not None or args.min_population is not None:
        scenario = scenario.with_(eligibility=_candidate_rules(scenario, args.candidates,
                                                               args.min_population))
    print(f"wrote {write_scenario(scenario, args.out, overwrite=args.force)}")
    return EXIT_OK


def _cmd_build(args: argparse.Namespace) -> int:
    from .build import iran

    builders = {"iran": iran.main}
    written = builders[args.dataset]()
    print(f"rebuilt {args.dataset}: {', '.join(written)} and checksums.sha256")
    return EXIT_OK


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="citykit", description="Smart-city pilot selection: data, frameworks, rankings.")
    parser.add_argument("--version", action="version", version=f"citykit {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("datasets", help="list the bundled datasets with their counts")
    p.add_argument("--allow-modified", action="store_true",
                   help="load datasets whose files differ from their checksums (with a warning)")
    p.set_defaults(func=_cmd_datasets)

    p = sub.add_parser("validate", help="check a dataset, framework or scenario; print every "
                                        "problem (first line: the verdict and the first reason)")
    p.add_argument("path", help="dataset folder, .xlsx workbook, .gpkg, one table file, a "
                                "bundled dataset name, a framework .yaml/.yml, or a scenario "
                                ".json (its paths must stay inside the current directory or "
                                "the bundled datasets)")
    p.set_defaults(func=_cmd_validate)

    p = sub.add_parser("checksums", help="write checksums.sha256 for a dataset folder")
    p.add_argument("path", help="dataset folder")
    p.set_defaults(func=_cmd_checksums)

    p = sub.add_parser("templates", help="write empty CSV and XLSX templates of every table")
    p.add_argument("folder", help="where to write them")
    p.set_defaults(func=_cmd_templates)

    p = sub.add_parser("frameworks", help="list frameworks with their coverage on a dataset")
    p.add_argument("--dataset", default="iran", help="dataset name or path (default: iran)")
    p.add_argument("--framework", help="show one framework in detail (bundled id or YAML path)")
    p.add_argument("--gaps", action="store_true", help="list components without data")
    p.add_argument("--crosswalk", metavar="OUT.csv",
                   help="write every crosswalk link between frameworks and indicators")
    p.set_defaults(func=_cmd_frameworks)

    p = sub.add_parser("rank", help="rank candidates of a dataset, or the rows of any matrix")
    source = p.add_mutually_exclusive_group()
    source.add_argument("--matrix", metavar="FILE.csv",
                        help="plain decision matrix: first column names the alternatives")
    source.add_argument("--dataset", default="iran", help="dataset name or path (default: iran)")
    p.add_argument("--scenario", metavar="FILE.json", help="start from a saved scenario")
    p.add_argument("--directions", help="with --matrix: max,min,... one per criterion")
    p.add_argument("--framework", default="iran_national",
                   help="framework id or YAML path (default: iran_national)")
    p.add_argument("--method", choices=["wsum", "geometric", "topsis", "vikor", "promethee2"],
                   help="aggregation method (default: the scenario's, else wsum)")
    p.add_argument("--normalisation", help="minmax, zscore, vector, sum, rank or goalposts "
                                           "(default: the method's usual one)")
    p.add_argument("--weights", help="with --matrix: w1,w2,...; with a dataset: framework, "
                                     "equal, entropy, critic or pca")
    p.add_argument("--normalise-weights", action="store_true",
                   help="rescale weights that do not sum to 1 (otherwise an error)")
    p.add_argument("--missing", help="missing-data policy: none, drop-criteria, "
                                     "drop-candidates, median, knn, province-mean")
    p.add_argument("--include-capital", action="store_true",
                   help="keep the national capital among the candidates")
    _add_candidate_flags(p)
    p.add_argument("--top", type=_positive, metavar="N",
                   help="show the best N rows (and say how many more share the N-th rank)")
    _add_format_flag(p)
    p.set_defaults(func=_cmd_rank)

    p = sub.add_parser("robustness", help="how often each candidate makes the top k when the "
                                          "weights vary (Monte-Carlo rank acceptability)")
    p.add_argument("--dataset", default="iran", help="dataset name or path (default: iran)")
    p.add_argument("--scenario", metavar="FILE.json", help="start from a saved scenario")
    p.add_argument("--framework", default="iran_national",
                   help="framework id or YAML path (default: iran_national)")
    p.add_argument("--method", choices=["wsum", "geometric", "topsis", "vikor", "promethee2"],
                   help="aggregation method (default: the scenario's, else wsum)")
    p.add_argument("--normalisation", help="default: the method's usual one")
    p.add_argument("--weights", help="framework, equal, entropy, critic or pca")
    p.add_argument("--missing", help="missing-data policy (see citykit rank --help)")
    _add_candidate_flags(p)
    p.add_argument("--draws", type=int, default=_UNSET,
                   help="weight draws (default: the scenario's, 2000)")
    p.add_argument("--top-k", dest="top_k", type=int, default=_UNSET,
                   help="shortlist size k (default: the scenario's, 5)")
    p.add_argument("--seed", type=int, default=_UNSET, help="random seed (default: 0)")
    p.add_argument("--concentration", type=_concentration, default=_UNSET,
                   help="Dirichlet concentration around the chosen weights (default 100; larger "
                        "= closer), 'uniform' for any weights, 'inf' for no spread")
    p.add_argument("--top", type=_positive, metavar="N",
                   help="show the best N rows (and say how many more share the N-th rank)")
    _add_format_flag(p)
    p.set_defaults(func=_cmd_robustness)

    p = sub.add_parser("shortlist", help="choose k pilots under constraints (exact MILP)")
    p.add_argument("--dataset", default="iran", help="dataset name or path (default: iran)")
    p.add_argument("--framework", default="iran_national",
                   help="framework id or YAML path (default: iran_national)")
    p.add_argument("--scenario", metavar="FILE.json", help="start from a saved scenario")
    p.add_argument("--method", choices=["wsum", "geometric", "topsis", "vikor", "promethee2"],
                   help="aggregation method (default: the scenario's, else wsum)")
    p.add_argument("--weights", help="framework, equal, entropy, critic or pca")
    p.add_argument("--missing", help="missing-data policy (see `citykit rank --help`)")
    p.add_argument("--include-capital", action="store_true",
                   help="keep the national capital among the candidates")
    _add_candidate_flags(p)
    p.add_argument("-k", type=int, help="number of pilots")
    p.add_argument("--constraints", metavar="FILE.json",
                   help="constraints as JSON (citykit.shortlist.Constraints.to_dict); the "
                        "options below override it")
    p.add_argument("--max-per-province", type=int, metavar="M")
    p.add_argument("--max-per-region", type=int, metavar="M",
                   help="needs 'regions' in --constraints")
    p.add_argument("--min-distance-km", type=float, metavar="D")
    p.add_argument("--must-include", metavar="ID,...", help="city ids that must be pilots")
    p.add_argument("--must-exclude", metavar="ID,...", help="city ids that must not be pilots")
    p.add_argument("--min-readiness", type=float, metavar="X",
                   help="minimum readiness sub-index score")
    p.add_argument("--peer-groups", metavar="N|auto",
                   help="at least one pilot per peer group (N groups, or chosen by silhouette)")
    p.add_argument("--objective", choices=["score", "p_top_k"], default="score",
                   help="maximise the total score (default) or the total P(top-k)")
    _add_format_flag(p)
    p.set_defaults(func=_cmd_shortlist)

    p = sub.add_parser("export", help="write the decision dossier of a scenario: CSV, XLSX, "
                                      "GeoJSON/GPKG, an offline HTML brief and a manifest")
    p.add_argument("--scenario", metavar="FILE.json",
                   help="the scenario to run (default: the default Scenario)")
    p.add_argument("--out", required=True, metavar="DIR", help="folder to write the dossier to")
    p.add_argument("--lang", choices=["en", "fa"], default="en",
                   help="language of the brief and the methodology (default: en)")
    p.add_argument("-k", type=int, default=5,
                   help="pilots taken from the top of the ranking (default: 5)")
    p.add_argument("--no-robustness", action="store_true",
                   help="skip the Monte-Carlo robustness run (the dossier then says so)")
    p.set_defaults(func=_cmd_export)

    p = sub.add_parser("scenario", help="write a scenario file to edit")
    scenario_sub = p.add_subparsers(dest="scenario_command", required=True)
    q = scenario_sub.add_parser("new", help="write the default Scenario as JSON")
    q.add_argument("--out", required=True, metavar="FILE.json", help="where to write it")
    q.add_argument("--force", action="store_true", help="overwrite an existing file")
    _add_candidate_flags(q)
    q.set_defaults(func=_cmd_scenario_new)

    p = sub.add_parser("build", help="rebuild a bundled dataset from its raw sources")
    p.add_argument("dataset", choices=["iran"])
    p.set_defaults(func=_cmd_build)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    args = _parser().parse_args(argv)
    try:
        return args.func(args)
    except CityKitError as err:
        print(f"error: {err}", file=sys.stderr)
        return EXIT_INVALID
    except (FileNotFoundError, IsADirectoryError, PermissionError) as err:
        print(f"error: {err}", file=sys.stderr)
        return EXIT_INVALID
    except Exception as err:  # a bug, not the user's input: say so, without a traceback
        print(f"internal error ({type(err).__name__}): {err}. Please report it with the "
              "command you ran.", file=sys.stderr)
        return EXIT_ERROR


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
