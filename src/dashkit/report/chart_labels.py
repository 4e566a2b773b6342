"""Chart labels in the user's language, built once for the pages and the report alike.

Charts take translated labels (they never translate); these helpers fill them from a
``Translator``, so the Overview, the Units page and the review report label the same chart
the same way.
"""

from __future__ import annotations

from dashkit.charts import RankingLabels
from dashkit.i18n import Translator


def ranking_labels(t: Translator, title: str) -> RankingLabels:
    """Labels of the units' ranking chart under ``title``."""
    return RankingLabels(
        title=title,
        x_title=t("charts.rate_axis"),
        met_name=t("charts.met"),
        below_name=t("charts.below"),
        target_name=t("charts.target"),
        separators=t.plotly_separators,
        percent_suffix=t.percent_suffix,
    )
