"""Shared set-up for the sanctions, cancellation and termination tests: filings in force through the
real services, and shortcuts to propose and decide."""

import datetime

from supervision.models import Sanction
from supervision.services import sanctions as svc

DAY = datetime.date(2026, 3, 2)


def in_force(w, agency=None, today=DAY):
    return w.filing(agency=agency or w.pudong_enterprise, state="active", today=today)


def propose(w, filing, measure=Sanction.Measure.INTERVIEW, *, actor=None, grounds="违反 [002 §26(四)]，超范围认定",
            today=DAY, **kw):
    if measure == Sanction.Measure.REMOVE and grounds.startswith("违反"):
        grounds = "7"
    return svc.propose_sanction(agency=filing.agency, filing=filing, measure=measure, grounds=grounds,
                                reason=kw.pop("reason", "检查发现超出备案职业范围开展认定"),
                                origin=kw.pop("origin", Sanction.Origin.INSPECTION), origin_id=kw.pop("origin_id", None),
                                actor=actor or w.pudong_reviewer, today=today, **kw)
