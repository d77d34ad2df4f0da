"""URLs of complaints [002 §27, 003 §19]: public (no sign-in) and staff."""
from django.urls import path

from supervision.views import complaints as v

urlpatterns = [
    path("complaints/new/", v.complaint_new, name="complaint_new"),
    path("complaints/filed/", v.complaint_filed, name="complaint_filed"),
    path("complaints/track/", v.complaint_track, name="complaint_track"),
    path("complaints/track/reopen/", v.complaint_reopen, name="complaint_reopen"),
    path("complaints/", v.complaint_list, name="complaint_list"),
    path("complaints/figures/", v.complaint_figures, name="complaint_figures"),
    path("complaints/<int:pk>/", v.complaint_detail, name="complaint_detail"),
    path("complaints/<int:pk>/do/", v.complaint_act, name="complaint_act"),
    path("complaints/<int:pk>/note/", v.complaint_note, name="complaint_note"),
    path("complaints/<int:pk>/ask/", v.complaint_ask, name="complaint_ask"),
    path("complaints/<int:pk>/answer/", v.complaint_answer, name="complaint_answer"),
    path("complaints/<int:pk>/inspect/", v.complaint_inspect, name="complaint_inspect"),
    path("complaints/evidence/<int:pk>/", v.complaint_evidence, name="complaint_evidence"),
]
