"""The Scenario in a URL: a short, URL-safe token that reproduces every choice exactly.

The token is the scenario's JSON without its defaults, compressed (zlib) and written in
URL-safe base64, so a link carries the whole view (framework, weights, methods, robustness and
shortlist settings) and stays a few hundred characters long.

Examples
--------
>>> from citykit.scenario import Scenario
>>> s = Scenario(method="topsis", weights={"a": 0.25, "b": 0.75})
>>> decode_scenario(encode_scenario(s)) == s
True
>>> encode_scenario(Scenario())
''
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import os
import zlib

from ..exceptions import CityKitError
from ..scenario import Scenario, ScenarioError

__all__ = ["MAX_TOKEN_CHARS", "decode_scenario", "encode_scenario"]

#: Longest token accepted from a URL (a link longer than this was not made by citykit).
MAX_TOKEN_CHARS = 16_000
_DEFAULTS = {k: v for k, v in Scenario().to_dict().items() if k not in ("schema",)}
_log = logging.getLogger(__name__)


def encode_scenario(scenario: Scenario, *, base: Scenario | None = None) -> str:
    """A URL-safe token of the choices that differ from `base` (default: ``Scenario()``).

    Returns ``""`` when nothing differs.
    """
    defaults = _DEFAULTS if base is None else base.to_dict()
    data = {k: v for k, v in scenario.to_dict().items()
            if k not in ("schema", "citykit_version") and v != defaults.get(k)}
    if not data:
        return ""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    packed = zlib.compress(text.encode("utf-8"), 9)
    return base64.urlsafe_b64encode(packed).decode("ascii").rstrip("=")


def decode_scenario(token: str, *, base: Scenario | None = None,
                    workspace: str | os.PathLike | None = None) -> Scenario:
    """The Scenario a token of :func:`encode_scenario` stands for (on top of `base`).

    With `workspace`, a dataset or framework path in the token must lie inside it or the
    bundled datasets folder (:func:`citykit.scenario.check_paths`): a link is data from
    someone else and may not make the server read any folder it names.

    Raises
    ------
    ScenarioError
        If the token is too long, not a citykit token, or names an invalid scenario: out of
        :data:`citykit.scenario.BOUNDS`, nested too deeply, an unknown eligibility rule or
        missing-data policy, a path with NUL. A token is someone else's data, so nothing it
        holds may end in another exception (and a traceback in the app): whatever else goes
        wrong is logged on the server and reported as a ScenarioError.

    Examples
    --------
    >>> decode_scenario("not-a-token")
    Traceback (most recent call last):
    ...
    citykit.scenario.ScenarioError: the link's scenario (s=not-a-token) is not a citykit scenario token: it does not decode (...); open the app without it, or paste a link copied from citykit
    """
    base_dict = (base or Scenario()).to_dict()
    if not token:
        return Scenario.from_dict(base_dict, workspace=workspace)
    shown = token if len(token) <= 24 else token[:24] + "…"
    if len(token) > MAX_TOKEN_CHARS:
        raise ScenarioError(f"the link's scenario token is {len(token):,} characters long, more "
                            f"than the {MAX_TOKEN_CHARS:,} citykit writes; use a scenario file")
    try:
        packed = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        data = json.loads(zlib.decompressobj().decompress(packed, 1_000_000).decode("utf-8"))
    except (binascii.Error, zlib.error, UnicodeDecodeError, ValueError, RecursionError) as err:
        raise ScenarioError(f"the link's scenario (s={shown}) is not a citykit scenario token: "
                            f"it does not decode ({type(err).__name__}); open the app without "
                            "it, or paste a link copied from citykit") from None
    if not isinstance(data, dict):
        raise ScenarioError(f"the link's scenario (s={shown}) holds {type(data).__name__}, "
                            "not a scenario")
    try:
        return Scenario.from_dict({**base_dict, **data}, workspace=workspace)
    except CityKitError:
        raise
    except Exception as err:  # noqa: BLE001 - a link must never end in a traceback
        _log.warning("scenario token s=%s refused", shown, exc_info=True)
        raise ScenarioError(f"the link's scenario (s={shown}) is not a valid scenario "
                            f"({type(err).__name__}); open the app without it, or paste a link "
                            "copied from citykit") from None
