"""The app's layer over the library: state, widgets bound to the Scenario, and page view models.

:mod:`citykit.ui.urlstate` turns a Scenario into a short URL-safe token and back (pure).
:mod:`citykit.ui.session` holds one user's state in Streamlit's session (the Scenario, the
language, the cities chosen for comparison), keeps it in the query string, and caches the
shared read-only data and the results. The other modules build the tables and figures of one
page each; ``app.py`` and ``app_pages/`` only wire widgets to them.
"""
