from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from portal import dashboard_charts, import_views, ledger_views, views
from portal.accounts import PortalAuthenticationForm

app_urls = [
    path("dashboard/", views.dashboard, name="dashboard"),
    path("inbox/", views.inbox, name="inbox"),
    path("calendar/", views.holiday_schedule, name="holiday_schedule"),
    path("inbox/<int:pk>/open/", views.open_notification, name="open_notification"),
    path("design/", views.design, name="design"),
    # Ledgers, imports and dashboard charts (issue #15): one pattern per ledger, import and chart
    # (the name is the pattern's default, not a URL parameter), so no URL takes an id.
    *ledger_views.urls(), *import_views.urls(), *dashboard_charts.urls(),
]

urlpatterns = [
    path("", views.home, name="home"),
    path("accounts/login/", auth_views.LoginView.as_view(authentication_form=PortalAuthenticationForm,
                                                         redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("", include((app_urls, "portal"))),
    path("", include("filings.urls")),
    path("directory/", include("filings.directory_urls")),
    path("api/v1/", include("filings.api_urls")),
    path("renewals/", include("assessments.urls")),
    path("supervision/", include("supervision.urls")),
    path("api/v1/", include("supervision.api_urls")),
]
