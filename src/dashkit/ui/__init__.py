"""The Streamlit app: navigation, pages, widgets and caching. Only this package imports streamlit.

Pages are thin: read the selection from the widgets, call one cached data function, branch on
"no data", render. Caches are keyed by the store's data version, so a commit from anywhere
(this server, the CLI, another process) shows up on the next rerun without a restart.
"""
