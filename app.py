"""citykit in the browser: page navigation only.

Run with ``streamlit run app.py``. Every page is a thin layer over :mod:`citykit` (see
``app_pages/`` and :mod:`citykit.ui`); the maps draw from bundled geometry with MapLibre's
``white-bg`` style and ``.streamlit/config.toml`` turns off usage statistics, so the app makes no
request outside this machine.
"""

import streamlit as st

from citykit.ui import shell

st.set_page_config(page_title="citykit", page_icon="🏙️", layout="wide")
shell.start()
st.navigation(shell.pages()).run()
