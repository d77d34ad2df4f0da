"""择优遴选: at most N social training evaluation organisations per occupation in the jurisdiction
(policy setting) [003 §7, 002 §11]."""

from django.db.models import Avg

from filings.choices import FilingState
from filings.models import Filing


def ranking(filing: Filing, occupation_id: int) -> list[Filing]:
    """Candidates for one occupation still in review, best panel average first."""
    return list(
        Filing.objects.competing_with(filing, occupation_id)
        .filter(state__in=[FilingState.EXPERT_REVIEW, FilingState.SELECTION])
        .annotate(panel_score=Avg("panel__score")).select_related("agency").order_by("-panel_score")
    ) 
