"""Every notebook runs top to bottom against the bundled data (cells executed in order).

The cells are executed in one namespace with plain ``exec``, so the suite needs no Jupyter
kernel; a failing cell reports its notebook and number.
"""

import json
from pathlib import Path

import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_runs(path):
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    namespace: dict = {"__name__": "__notebook__"}
    code_cells = [c for c in cells if c["cell_type"] == "code"]
    assert code_cells, f"{path.name} has no code"
    for number, cell in enumerate(code_cells, start=1):
        source = "".join(cell["source"])
        try:
            exec(compile(source, f"{path.name}[code cell {number}]", "exec"), namespace)
        except Exception as err:  # pragma: no cover - the message is the point
            pytest.fail(f"{path.name}, code cell {number} failed: {type(err).__name__}: {err}")
