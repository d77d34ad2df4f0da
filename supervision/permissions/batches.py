"""Who may act on an evaluation batch: the one place these rules live [003 §15, §17].

The authority that manages the filing files the plan (the district for district filings, the city
for city filings); 技师、高级技师 batches of district filings then go to the city [003 §15(1)].
Who may *see* a batch is `supervision.selectors.batches`."""

from portal.models import Role


def _within(user, region) -> bool:
    return user.region_id is not None and region is not None and region.path.startswith(user.region.path)


def is_agency_member(batch, user) -> bool:
    return user.role == Role.AGENCY and user.agency_id is not None and user.agency_id == batch.agency_id


def is_city_reviewer(batch, user) -> bool:
    return user.role == Role.CITY and _within(user, batch.filing.region)


def is_local_reviewer(batch, user) -> bool:
    """属地人力资源社会保障部门 [003 §15(1)]: the managing authority of the batch's filing."""
    if batch.filing.managing_level == "city":
        return is_city_reviewer(batch, user)
    return user.role == Role.DISTRICT and _within(user, batch.filing.region)


def is_reviewer_now(batch, user) -> bool:
    """Whoever holds the plan now may return it."""
    if batch.state == "city_review":
        return is_city_reviewer(batch, user)
    return is_local_reviewer(batch, user)


def is_supervising_authority(batch, user) -> bool:
    """The district and the city may send supervisors to spot-check [003 §15(2), §17]."""
    return user.role in (Role.DISTRICT, Role.CITY) and _within(user, batch.filing.region)


def may_answer_objection(batch, user) -> bool:
    """An objection to the result notice is answered by the agency, or by the authority that manages
    its filing [003 §15(3)]."""
    return is_agency_member(batch, user) or is_local_reviewer(batch, user)
