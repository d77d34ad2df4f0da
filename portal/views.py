from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal import dashboard_charts, dashboards, page_reads, schedule, workdays
from portal.models import Notification, Role
from portal.schedule_forms import ScheduleForm, example


def home(request):
    """People who are signed in land on their dashboard; the public on the agency directory."""
    return redirect("portal:dashboard" if request.user.is_authenticated else "directory:search")


@login_required
def dashboard(request, today=None):
    """`today` is for tests that need a fixed date; the URL never passes it."""
    user = request.user
    role = Role.ADMIN if user.is_superuser else user.role
    with page_reads.page():  # the panels and the charts share what they both count [issue #15 §6]
        context = {"panels": dashboards.panels_for(user), "role": Role(role),
                   "charts": dashboard_charts.charts_for(user, today)}  # issue #15: fixed queries per chart
    if role == Role.ADMIN:
        context["unknown_years"] = workdays.unknown_years(today or timezone.localdate())
    return render(request, f"dashboards/{role}.html", context)


@login_required
def inbox(request):
    page = Paginator(Notification.objects.filter(recipient=request.user), 20).get_page(request.GET.get("page"))
    return render(request, "portal/inbox.html", {"page_obj": page})


@login_required
@require_POST
def open_notification(request, pk):
    note = get_object_or_404(Notification, pk=pk, recipient=request.user)
    if note.read_at is None:
        Notification.objects.filter(pk=note.pk).update(read_at=timezone.now())
    return redirect(note.url or "portal:inbox")


@login_required
def design(request):
    """The style guide is a tool for those who build and review the portal (Django staff): for
    anyone else it does not exist."""
    if not request.user.is_staff:
        raise Http404
    return render(request, "design.html")


@login_required
def holiday_schedule(request):
    """An administrator loads a year's State Council holiday schedule at once (portal/schedule.py)."""
    if not (request.user.is_superuser or request.user.role == Role.ADMIN):
        raise Http404
    form = ScheduleForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        summary = schedule.load(schedule=form.cleaned_data["schedule"], actor=request.user)
        messages.success(request, _("已载入 %(year)s 年节假日安排：休息日 %(rest)s 天，调休上班 %(work)s 天；"
                                    "%(moved)s 个进行中的期限随之调整，已通知相关各方。")
                         % {"year": summary["year"], "rest": summary["rest_days"], "work": summary["workdays"],
                            "moved": summary["deadlines_moved"]})
        return redirect("portal:holiday_schedule")
    today = timezone.localdate()
    years = [{"year": y, "library": workdays.library_knows(y), "provisional": workdays.is_provisional(y)}
             for y in range(today.year, today.year + 3)]
    return render(request, "portal/holiday_schedule.html", {"form": form, "years": years, "example": example()})
