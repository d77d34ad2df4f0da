"""Open data API, read-only [SPEC §7]."""

app_name = "api"
urlpatterns: list = []
