"""Supervision's part of the API at /api/v1/ (namespace "supervision_api"): complaints filed and
followed as Open311 GeoReport v2 requests [SPEC §9]."""

from django.urls import re_path

from supervision import api

app_name = "supervision_api"
urlpatterns = [
    re_path(r"^complaints/services\.json$", api.service_list, name="complaint_services"),
    re_path(r"^complaints/requests\.json$", api.request_create, name="complaint_request_create"),
    re_path(r"^complaints/requests/(?P<service_request_id>[0-9A-Za-z]{1,24})\.json$", api.request_detail,
            name="complaint_request_detail"),
]
