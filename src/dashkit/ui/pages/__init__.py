"""One module per page, each with a ``render()`` that ``st.Page`` calls."""
