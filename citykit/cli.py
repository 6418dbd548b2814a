"""The ``citykit`` command line.

``citykit datasets`` lists the bundled datasets; ``citykit frameworks`` lists the frameworks
with their coverage on a dataset (``--gaps`` prints the data-collection agenda);
``citykit validate PATH`` checks a dataset folder
or file and prints every problem (exit 0 when valid, 2 when not); ``citykit checksums PATH`` seals
a dataset folder with a checksum manifest; ``citykit build iran`` rebuilds the bundled dataset from
its raw sources. Errors are printed as messages, never as tracebacks.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from . import __version__
from .exceptions import CityKitError

__all__ = ["main"]

EXIT_OK, EXIT_ERROR, EXIT_INVALID = 0, 1, 2


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


def _cmd_validate(args: argparse.Namespace) -> int:
    from .data import validate_dataset

    try:
        problems, notes = validate_dataset(args.path)
    except CityKitError as err:
        print(f"error: {err}", file=sys.stderr)
        return EXIT_INVALID
    except Exception as err:  # a file so broken that a reader fails: still a message
        print(f"error: could not read {args.path}: {type(err).__name__}: {err}", file=sys.stderr)
        return EXIT_INVALID
    for note in notes:
        print(f"warning: {note}")
    if problems:
        print(f"{args.path}: {len(problems)} problem{'s' if len(problems) != 1 else ''}")
        for problem in problems:
            print(f"  - {problem}")
        return EXIT_INVALID
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
    frameworks = sorted((load_framework(name, dataset=dataset if args.framework else None)
                         for name in names), key=lambda fw: (fw.kind != "standard", fw.id))
    if args.crosswalk:
        table = crosswalk([load_framework(n) for n in bundled_frameworks()], dataset)
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
    if args.framework:
        _print_detail(frameworks[0], reports[0])
    if args.gaps:
        _print_gaps(frameworks, reports)
    return EXIT_OK


def _print_detail(framework, report) -> None:
    print(f"\n{framework.name_en} - by top-level component")
    print(report.by_root[["root", "leaves", "leaves_with_data", "leaf_coverage_pct",
                          "cell_coverage_pct", "own_pct_of_filled", "county_proxy_pct_of_filled",
                          "province_proxy_pct_of_filled"]].to_string(index=False))
    print("\nleaf components (status = finest level with data; proxies are county or province "
          "values standing in for cities)")
    print(report.leaves[["code", "root", "status", "cities_own", "cities_county_proxy",
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

    p = sub.add_parser("validate", help="check a dataset folder or file; print every problem")
    p.add_argument("path", help="dataset folder, .xlsx workbook, .gpkg, one table file, or a "
                                "bundled dataset name")
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


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
