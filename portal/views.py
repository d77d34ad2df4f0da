from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from portal import dashboards, workdays
from portal.models import Notification, Role


def home(request):
    """People who are signed in land on their dashboard; the public on the agency directory."""
    return redirect("portal:dashboard" if request.user.is_authenticated else "directory:search")


@login_required
def dashboard(request, today=None):
    """`today` is for tests that need a fixed date; the URL never passes it."""
    user = request.user
    role = Role.ADMIN if user.is_superuser else user.role
    context = {"panels": dashboards.panels_for(user), "role": Role(role)}
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


def design(request):
    return render(request, "design.html")
