"""What the ratings area registers when the app is ready: audit actions, the directory mark, the
demo seeder, dashboard panels."""

from django.utils.translation import gettext_lazy as _

from filings import directory_marks
from portal import audit_actions, dashboards, demo
from portal.models import Role
from supervision.selectors.ratings import star_marks
from supervision.services.ratings import FORMULA_MACHINE, RATING_MACHINE, ROUND_MACHINE

FORMULA_MACHINE.register_audit_actions()
ROUND_MACHINE.register_audit_actions()
RATING_MACHINE.register_audit_actions()
audit_actions.register({
    "rating_formula.create": _("新建星级评定计分办法"),
    "rating_round.create": _("新建年度星级评定"),
})
directory_marks.register_mark(star_marks)


def _seed():
    from supervision.demo_ratings import seed

    return seed()


demo.register("supervision.ratings", _seed)


def city_panel(user):
    from supervision.views.ratings import city_panel as panel

    return panel(user)


def district_panel(user):
    from supervision.views.ratings import district_panel as panel

    return panel(user)


def agency_panel(user):
    from supervision.views.ratings import agency_panel as panel

    return panel(user)


dashboards.register(Role.CITY, city_panel)
dashboards.register(Role.DISTRICT, district_panel)
dashboards.register(Role.AGENCY, agency_panel)
