"""Exports: tables as CSV/XLSX files people open in Excel, and (later) the review report.

Contract: every exported cell that a spreadsheet would run as a formula (text starting with
``=``, ``+``, ``-``, ``@``, a tab or a carriage return) is written as text, so a unit name like
``=HYPERLINK(…)`` from an imported file can never execute on the office's machine.
"""

from __future__ import annotations

from dashkit.report.safe import neutralise, safe_csv

__all__ = ["neutralise", "safe_csv"]
