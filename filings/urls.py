"""Each screen module owns its own url list; this file only stitches them together."""

from django.urls import include, path

from filings.views import agency, change, decision, expert, notice, receipt, review

app_name = "filings"

urlpatterns = [path("", include(module.urlpatterns)) for module in (agency, review, expert, notice, receipt, change, decision)]
