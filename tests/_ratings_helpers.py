"""Shared set-up for the ratings tests: two agencies in force (浦东, 徐汇), a published formula and
rounds driven through the real services."""

import datetime

from supervision.services import ratings as svc

YEAR = 2025
COMPUTED_ON = datetime.date(2026, 1, 12)  # a Monday
PUBLISHED_ON = datetime.date(2026, 1, 13)
AFTER_REPLIES = datetime.date(2026, 3, 2)
WEIGHTS = {"supplement_notices": -2, "inspection_findings": -2, "rectification_overdue": -10, "late_reports": -5}


def in_force(w):
    """A filing in force for the 浦东 enterprise and the 徐汇 social organisation."""
    if not hasattr(w, "pd_filing"):
        w.pd_filing = w.filing(agency=w.pudong_enterprise, state="active")
        w.xh_filing = w.filing(agency=w.xuhui_social, state="active", occupations=[w.carer])
    return w


def published_formula(w, weights=None, thresholds=(60, 70, 80, 90), year=2024):
    formula = svc.create_formula(title="测试计分办法", effective_year=year, weights=weights or WEIGHTS,
                                 thresholds=list(thresholds), actor=w.city)
    return svc.perform(svc.FORMULA_MACHINE, pk=formula.pk, action="publish", actor=w.city, today=COMPUTED_ON)


def round_in(w, state="computed", year=YEAR, formula=None, published_on=PUBLISHED_ON):
    in_force(w)
    formula = formula or published_formula(w)
    rnd = svc.create_round(year=year, actor=w.city, formula=formula)
    if state == "draft":
        return rnd
    svc.compute_ratings(round_id=rnd.pk, actor=w.city, today=COMPUTED_ON)
    if state == "computed":
        return rnd
    svc.publish_round(round_id=rnd.pk, actor=w.city, today=published_on)
    if state == "published":
        return rnd
    rnd.refresh_from_db()
    svc.confirm_round(round_id=rnd.pk, actor=w.city, today=AFTER_REPLIES)
    return rnd


def rating_of(rnd, agency):
    return rnd.ratings.get(agency=agency)
