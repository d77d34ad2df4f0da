"""Each screen module owns its own url list; this file only stitches them together."""

from importlib import import_module

from django.urls import include, path

app_name = "filings"

MODULES = ["views_agency", "views_review", "views_expert", "views_notice", "views_receipt", "views_change"]
urlpatterns = []
for name in MODULES:
    try:
        module = import_module(f"filings.{name}")
    except ModuleNotFoundError as exc:
        if exc.name != f"filings.{name}":
            raise
        continue
    urlpatterns.append(path("", include(module.urlpatterns)))
