"""Supervision's pages, mounted at /supervision/ (namespace "supervision"); each area keeps its own
module and this one only joins them."""

from . import batches, complaints, inspections, plans, ratings, sanctions

app_name = "supervision"
urlpatterns = [*plans.urlpatterns, *inspections.urlpatterns, *sanctions.urlpatterns, *ratings.urlpatterns,
               *complaints.urlpatterns, *batches.urlpatterns]
