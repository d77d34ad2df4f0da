"""URLs of ratings [003 §21, 002 §29]."""

from django.urls import path

from supervision.views import ratings as views

urlpatterns: list = [
    path("ratings/", views.ratings_home, name="ratings_home"),
    path("ratings/mine/", views.ratings_mine, name="ratings_mine"),
    path("ratings/public/", views.ratings_public, name="ratings_public"),
    path("ratings/formula/new/", views.ratings_formula_new, name="ratings_formula_new"),
    path("ratings/formula/<int:pk>/", views.ratings_formula, name="ratings_formula"),
    path("ratings/round/new/", views.ratings_round_new, name="ratings_round_new"),
    path("ratings/round/<int:pk>/", views.ratings_round, name="ratings_round"),
    path("ratings/rating/<int:pk>/", views.ratings_rating, name="ratings_rating"),
]
