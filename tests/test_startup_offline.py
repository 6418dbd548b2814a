"""The app makes no outside lookup at start-up (issue 14, item 8).

A plain ``streamlit run app.py`` (no ``--server.address``) is started under a Python audit hook
that records every address the server process resolves or connects to (``socket.getaddrinfo``,
``socket.connect``, ``socket.sendto``): the Python-level equivalent of
``strace -e trace=connect,sendto``, with no extra tool. With ``server.headless`` Streamlit
otherwise looks up an outside address to print an "External URL", and connects a UDP socket
towards a public address to find the "Network URL".
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request

from .test_e2e import APP, ROOT, _free_port, _wait_healthy, stop_app

#: Addresses that stay on this machine.
LOOPBACK = {"127.0.0.1", "::1", "localhost", "0.0.0.0", "::", ""}

_HOOK = """
import json, sys
log = open(sys.argv.pop(1), "a", buffering=1)
def hook(event, args):
    if event in ("socket.getaddrinfo", "socket.connect", "socket.sendto"):
        target = args[0] if event == "socket.getaddrinfo" else args[1]
        host = target[0] if isinstance(target, tuple) else target
        log.write(json.dumps([event, str(host)]) + "\\n")
sys.addaudithook(hook)
import socket
socket.getaddrinfo("localhost", None)   # proves the hook records (a loopback lookup)
from streamlit.web.cli import main
sys.argv = ["streamlit"] + sys.argv[1:]
main()
"""


def test_a_plain_streamlit_run_contacts_nothing_outside(tmp_path):
    port, log = _free_port(), tmp_path / "sockets.jsonl"
    with (tmp_path / "streamlit.log").open("a") as out:
        proc = subprocess.Popen(
            [sys.executable, "-c", _HOOK, str(log), "run", str(APP), "--server.port", str(port),
             "--server.fileWatcherType", "none"],
            cwd=ROOT, env={**os.environ, "HOME": str(tmp_path)}, stdout=out,
            stderr=subprocess.STDOUT)
    try:
        url = f"http://127.0.0.1:{port}"
        _wait_healthy(url, proc, timeout=60)
        with urllib.request.urlopen(url, timeout=10) as response:   # one page load
            assert response.status == 200
        time.sleep(2)   # the start-up message (and any lookup for it) is printed by now
    finally:
        stop_app(proc)
    printed = (tmp_path / "streamlit.log").read_text(encoding="utf-8")
    assert "You can now view your Streamlit app" in printed, printed[-2000:]
    assert "External URL" not in printed and "Network URL" not in printed, printed[-2000:]
    seen = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    outside = sorted({host for _, host in seen if host not in LOOPBACK
                      and not host.startswith(("127.", "/"))})
    assert ["socket.getaddrinfo", "localhost"] in seen, "the audit hook did not record"
    assert outside == [], f"the server resolved or contacted {outside}"


def test_the_config_shows_no_tracebacks_and_names_no_outside_address():
    """Issue 14, items 4 and 8: users see an error's type, never a traceback with server
    paths (details go to the server's log); the server never looks up an outside address."""
    import tomllib

    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["client"]["showErrorDetails"] == "type"
    assert config["browser"]["serverAddress"] == "localhost"
    assert config["browser"]["gatherUsageStats"] is False
