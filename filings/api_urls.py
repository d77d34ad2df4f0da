"""Open data API, read-only [SPEC §7]."""

from django.urls import path

from filings import api

app_name = "api"
urlpatterns = [
    path("directory/", api.directory_list, name="directory"),
    path("directory/<str:filing_number>/", api.directory_detail, name="directory_detail"),
    path("openapi.json", api.openapi, name="openapi"),
]
