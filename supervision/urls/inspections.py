"""URLs of inspections and rectification orders, and the public 结果公告."""

from django.urls import path

from supervision.views import inspections as v

urlpatterns = [
    path("inspections/", v.inspection_list, name="inspection_list"),
    path("inspections/new/", v.inspection_new, name="inspection_new"),
    path("inspections/results/", v.inspection_results, name="inspection_results"),
    path("inspections/<int:pk>/", v.inspection_detail, name="inspection_detail"),
    path("inspections/<int:pk>/checklist/", v.inspection_checklist, name="inspection_checklist"),
    path("inspections/<int:pk>/findings/", v.inspection_finding, name="inspection_finding"),
    path("inspections/<int:pk>/evidence/", v.inspection_evidence, name="inspection_evidence"),
    path("inspections/<int:pk>/notes/", v.inspection_notes, name="inspection_notes"),
    path("inspections/<int:pk>/act/", v.inspection_act, name="inspection_act"),
    path("inspections/<int:pk>/order/", v.inspection_order, name="inspection_order"),
    path("inspections/evidence/<int:pk>/", v.inspection_evidence_download, name="inspection_evidence_download"),
    path("rectification/", v.rectification_list, name="rectification_list"),
    path("rectification/<int:pk>/", v.rectification_detail, name="rectification_detail"),
    path("rectification/<int:pk>/respond/", v.rectification_respond, name="rectification_respond"),
    path("rectification/<int:pk>/evidence/", v.rectification_evidence, name="rectification_evidence"),
    path("rectification/<int:pk>/act/", v.rectification_act, name="rectification_act"),
    path("rectification/evidence/<int:pk>/", v.rectification_evidence_download,
         name="rectification_evidence_download"),
]
