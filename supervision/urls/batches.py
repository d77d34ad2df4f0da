"""URLs of evaluation batches [003 §15]."""
from django.urls import path

from supervision.views import batches as v

urlpatterns = [
    path("batches/", v.batch_list, name="batch_list"),
    path("batches/new/", v.batch_new, name="batch_new"),
    path("batches/template/<str:kind>/", v.batch_template, name="batch_template"),
    path("batches/<int:pk>/", v.batch_detail, name="batch_detail"),
    path("batches/<int:pk>/group/", v.batch_group, name="batch_group"),
    path("batches/<int:pk>/staff/", v.batch_staff, name="batch_staff"),
    path("batches/<int:pk>/candidates/", v.batch_candidates, name="batch_candidates"),
    path("batches/<int:pk>/results/", v.batch_results, name="batch_results"),
    path("batches/<int:pk>/export/", v.batch_export, name="batch_export"),
    path("batches/<int:pk>/document/", v.batch_document, name="batch_document"),
    path("batches/<int:pk>/supervise/", v.batch_supervise, name="batch_supervise"),
    path("batches/<int:pk>/do/<str:action>/", v.batch_action, name="batch_action"),
    path("batches/<int:pk>/objections/<int:opk>/answer/", v.batch_objection_answer, name="batch_objection_answer"),
    path("batches/<int:pk>/objections/<int:opk>/evidence/", v.batch_objection_evidence,
         name="batch_objection_evidence"),
    path("results/", v.batch_public, name="batch_public"),
    path("results/objections/filed/", v.batch_objection_filed, name="batch_objection_filed"),
    path("results/objections/track/", v.batch_objection_track, name="batch_objection_track"),
    path("results/<int:pk>/", v.batch_public_detail, name="batch_public_detail"),
]
