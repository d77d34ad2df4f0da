"""择优遴选: at most N social training evaluation organisations per occupation in the jurisdiction
(policy setting) [003 §7, 002 §11]."""

from django.db.models import Avg

from filings.choices import IN_FORCE, AgencyKind, FilingState
from portal.models import PolicyProfile


def _competing(filing, occupation_id):
    from filings.models import Filing

    return (Filing.objects.filter(agency__kind=AgencyKind.SOCIAL, scope__occupation_id=occupation_id,
                                  region__path__startswith=filing.region.top_path)
            .exclude(pk=filing.pk))


def selection_conflicts(filing) -> list[dict]:
    """For each occupation where the quota is already used, the occupation and the organisations
    holding it. Empty when the filing may be selected (always empty for non-social agencies)."""
    limit = PolicyProfile.active().social_orgs_per_occupation
    if not filing.is_social or not limit:
        return []
    conflicts = []
    for item in filing.scope.select_related("occupation"):
        holders = _competing(filing, item.occupation_id).filter(
            state__in=[*IN_FORCE, FilingState.PUBLIC_NOTICE]).select_related("agency")
        if holders.count() >= limit:
            conflicts.append({"occupation": item.occupation, "limit": limit, "holders": list(holders)})
    return conflicts


def ranking(filing, occupation_id) -> list:
    """Candidates for one occupation still in review, best panel average first."""
    return list(
        _competing(filing, occupation_id).filter(state__in=[FilingState.EXPERT_REVIEW, FilingState.SELECTION])
        .annotate(panel_score=Avg("panel__score")).select_related("agency").order_by("-panel_score")
    ) 
