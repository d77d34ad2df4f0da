from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from portal.models import Role
from portal.notifications import unread_count

# Each role's navigation: (label, url name). Apps add their pages here as they land.
NAVIGATION = {
    None: [(_("机构目录"), "directory:search"), (_("回执核验"), "filings:receipt_verify_form"), (_("公示"), "filings:notice_list"),
           (_("投诉举报"), "supervision:complaint_new")],
    Role.AGENCY: [(_("工作台"), "portal:dashboard"), (_("我的备案"), "filings:agency_filings"),
                  (_("期满评估"), "assessments:agency_home"), (_("认定批次"), "supervision:batch_list"),
                  (_("检查与整改"), "supervision:inspection_list"), (_("投诉举报"), "supervision:complaint_list"),
                  (_("星级评定"), "supervision:ratings_mine")],
    Role.DISTRICT: [(_("工作台"), "portal:dashboard"), (_("备案审核"), "filings:worklist"),
                    (_("机构"), "filings:agency_list"), (_("期满评估"), "assessments:board"),
                    (_("认定批次"), "supervision:batch_list"), (_("双随机抽查"), "supervision:plan_list"),
                    (_("检查"), "supervision:inspection_list"), (_("整改"), "supervision:rectification_list"),
                    (_("投诉举报"), "supervision:complaint_list"), (_("处理措施"), "supervision:sanction_list"),
                    (_("星级评定"), "supervision:ratings_home")],
    Role.INDUSTRY: [(_("工作台"), "portal:dashboard"), (_("备案审核"), "filings:worklist"),
                    (_("期满评估"), "assessments:board"), (_("投诉举报"), "supervision:complaint_list"),
                    (_("处理措施"), "supervision:sanction_list")],
    Role.CITY: [(_("工作台"), "portal:dashboard"), (_("备案审核"), "filings:worklist"), (_("机构"), "filings:agency_list"),
                (_("期满评估"), "assessments:board"), (_("公示"), "filings:notice_list"),
                (_("认定批次"), "supervision:batch_list"), (_("双随机抽查"), "supervision:plan_list"),
                (_("检查"), "supervision:inspection_list"), (_("整改"), "supervision:rectification_list"),
                (_("投诉举报"), "supervision:complaint_list"), (_("处理措施"), "supervision:sanction_list"),
                (_("终止备案"), "supervision:termination_list"), (_("星级评定"), "supervision:ratings_home")],
    Role.EXPERT: [(_("工作台"), "portal:dashboard"), (_("评审任务"), "filings:expert_assignments")],
    # An inspector sees the inspections they are drawn to, and those agencies' filings while open [SPEC §1].
    Role.INSPECTOR: [(_("工作台"), "portal:dashboard"), (_("检查任务"), "supervision:inspection_list"),
                     (_("抽查计划"), "supervision:plan_list")],
    Role.ADMIN: [(_("工作台"), "portal:dashboard"), (_("系统管理"), "admin:index")],
}


def _resolve(items, path):
    nav = []
    for label, name in items:
        try:
            url = reverse(name)
        except NoReverseMatch:
            continue  # a page whose app has not landed yet
        nav.append({"label": label, "url": url, "active": path == url or (url != "/" and path.startswith(url))})
    return nav


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": _resolve(NAVIGATION[None], request.path)}
    role = Role.ADMIN if user.is_superuser else user.role
    return {"nav_items": _resolve(NAVIGATION.get(role, []), request.path), "unread_count": unread_count(user)}
