"""Streamlit entry point (``streamlit run app.py``, Streamlit Community Cloud): navigation only."""

from dashkit.ui.app import run

run()
