"""URLs of sanctions [003 §20, §22] and voluntary termination [002 §31]."""
from django.urls import path

from supervision.views import sanctions as v

urlpatterns = [
    path("sanctions/", v.sanction_list, name="sanction_list"),
    path("sanctions/propose/", v.sanction_propose, name="sanction_propose"),
    path("sanctions/<int:pk>/", v.sanction_detail, name="sanction_detail"),
    path("sanctions/<int:pk>/review/", v.sanction_review, name="sanction_review"),
    path("sanctions/public/", v.sanction_public, name="sanction_public"),
    path("terminations/", v.termination_list, name="termination_list"),
    path("terminations/new/", v.termination_new, name="termination_new"),
    path("terminations/<int:pk>/", v.termination_detail, name="termination_detail"),
]
