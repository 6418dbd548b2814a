"""The pipeline that builds bundled datasets from verbatim raw source files.

Nothing in ``datasets/<name>/`` (other than ``raw/`` and ``curated/``) is edited by hand: every
table there is written by :func:`citykit.build.iran.build` from ``raw/`` (verbatim copies of public
source files) and ``curated/`` (our own text: indicator names, definitions, directions, crosswalks).
The build needs the optional ``build`` extra (``xlrd`` for the census's legacy ``.xls`` workbooks).
"""
