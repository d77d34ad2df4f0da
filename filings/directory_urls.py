"""The public directory (机构目录) [SPEC §7]."""

from django.urls import path

from filings.views import directory as views

app_name = "directory"
urlpatterns = [
    path("", views.search, name="search"),
    path("export/csv/", views.export, {"fmt": "csv"}, name="export_csv"),
    path("export/xlsx/", views.export, {"fmt": "xlsx"}, name="export_xlsx"),
    path("<str:filing_number>/", views.agency, name="agency"),
]
