"""Exports: tables as CSV/XLSX files people open in Excel, and the year's review report.

Contract: every exported cell that a spreadsheet would run as a formula (text starting with
``=``, ``+``, ``-``, ``@``, a tab or a carriage return) is written as text, so a unit name like
``=HYPERLINK(…)`` from an imported file can never execute on the office's machine.

The review report (``dashkit.report.export.write_report``, behind ``dashkit report``) flows
one way: ``content`` (figures from metrics and queries, ``facts`` for the report's own SQL) →
``tables`` and ``narrative`` (catalogue templates) and ``figures`` → ``images`` (PNG via
Kaleido) → ``outline`` → one writer per format (``docx_writer``, ``xlsx_writer``,
``markdown_writer``). It is imported from its modules, not from here, so that the light
helpers below do not pull in python-docx, openpyxl and Kaleido.
"""

from __future__ import annotations

from dashkit.report.safe import neutralise, safe_csv

__all__ = ["neutralise", "safe_csv"]
