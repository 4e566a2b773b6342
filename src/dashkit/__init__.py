"""dashkit: a dashboard for a study campaign's yearly completion figures across units.

The package is layered (see docs/architecture.md): ``schema`` → ``store`` → ``queries`` →
``metrics`` → ``charts`` / ``report`` → ``ui``. Only ``ui`` imports Streamlit.
"""

from __future__ import annotations

__version__ = "0.1.0"
