from django.urls import path

from assessments import views

app_name = "assessments"
urlpatterns = [
    path("", views.agency_home, name="agency_home"),
    path("board/", views.board, name="board"),
    path("filings/<int:filing_pk>/open/", views.open_renewal, name="open"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/application/", views.application, name="application"),
    path("<int:pk>/self-assessment/", views.self_assessment, name="self_assessment"),
    path("<int:pk>/materials/", views.materials, name="materials"),
    path("<int:pk>/materials/<int:attachment_pk>/", views.download, name="download"),
    path("<int:pk>/pledge/", views.pledge, name="pledge"),
    path("<int:pk>/review/", views.review, name="review"),
    path("<int:pk>/panel/", views.panel, name="panel"),
    path("<int:pk>/act/<str:action>/", views.act, name="act"),
    path("<int:pk>/wrap-up/<str:task>/", views.wrap_up, name="wrap_up"),
]
