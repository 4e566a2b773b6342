"""One script per page: ``st.navigation`` runs the file, which calls its ``render()``.

Not called ``pages/``: Streamlit treats a ``pages/`` folder beside the entry script as
its legacy multipage app and answers a deep link (``/import``) with "page not found".
"""
