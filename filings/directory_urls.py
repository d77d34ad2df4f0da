"""The public directory (机构目录) [SPEC §7]."""

app_name = "directory"
urlpatterns: list = []
