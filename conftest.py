"""Doctest namespace: every docstring example may use ``np`` and ``pd`` as users would."""

import numpy as np
import pandas as pd
import pytest


@pytest.fixture(autouse=True)
def _doctest_names(doctest_namespace):
    doctest_namespace["np"] = np
    doctest_namespace["pd"] = pd
