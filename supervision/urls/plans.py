"""URLs of plans and draws, and the public pages of 双随机、一公开."""

from django.urls import path

from supervision.views import plans as v

urlpatterns = [
    path("plans/", v.plan_list, name="plan_list"),
    path("plans/new/", v.plan_new, name="plan_new"),
    path("plans/items/", v.plan_items, name="plan_items"),
    path("plans/items/new/", v.item_new, name="plan_item_new"),
    path("plans/public/", v.plan_public, name="plan_public"),
    path("plans/<int:pk>/", v.plan_detail, name="plan_detail"),
    path("plans/<int:pk>/act/", v.plan_act, name="plan_act"),
    path("plans/<int:pk>/recusal/", v.plan_recusal, name="plan_recusal"),
    path("draws/public/", v.draw_public_list, name="draw_public_list"),
    path("draws/public/<int:pk>/", v.draw_public, name="draw_public"),
    path("draws/<int:pk>/", v.draw_detail, name="draw_detail"),
    path("draws/<int:pk>/act/", v.draw_act, name="draw_act"),
    path("plans/panel/filing/<int:pk>/", v.panel_draw, name="plan_panel_draw"),
    path("plans/panel/renewal/<int:pk>/", v.renewal_panel_draw, name="plan_renewal_panel_draw"),
]
