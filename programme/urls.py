from django.urls import path  # noqa: F401 (each area adds its pages)

from .views import actions, cycle, pairing
from .views import sites as site_views

app_name = "programme"

urlpatterns = [
    *actions.routes,
    *cycle.routes,
    # Pairing units with communities (programme/views/pairing.py).
    path("pairing/", pairing.pair_list, name="pair_list"),
    path("pairing/new/", pairing.pair_create, name="pair_create"),
    path("pairing/<int:pk>/", pairing.pair_detail, name="pair_detail"),
    path("pairing/<int:pk>/end/", pairing.pair_end, name="pair_end"),
    path("pairing/<int:pk>/tasks/", pairing.pair_task_add, name="pair_task_add"),
    path("pairing/<int:pk>/visits/", pairing.pair_visit_record, name="pair_visit_record"),
    path("pairing/tasks/", pairing.task_list, name="pair_task_list"),
    path("pairing/tasks/<int:pk>/done/", pairing.pair_task_done, name="pair_task_done"),
    path("pairing/tasks/<int:pk>/<str:move>/", pairing.pair_task_move, name="pair_task_move"),
    path("pairing/units/<int:unit_id>/", pairing.unit_pairs, name="unit_pairs"),
    path("pairing/communities/", pairing.community_list, name="community_list"),
    path("pairing/photos/<int:pk>/", pairing.pair_photo, name="pair_photo"),
    path("pairing/photos/<int:pk>/thumb/", pairing.pair_photo, {"thumbnail": True}, name="pair_photo_thumb"),
    path("pairing/communities/import/", pairing.community_import, name="community_import"),
]

urlpatterns += [  # model sites and the sample points' build-out (views/sites.py)
    path("models/", site_views.model_site_gallery, name="model_site_gallery"),
    path("models/mark/", site_views.model_site_mark, name="model_site_mark"),
    path("models/<int:pk>/", site_views.model_site_detail, name="model_site_detail"),
    path("models/<int:pk>/withdraw/", site_views.model_site_withdraw, name="model_site_withdraw"),
    path("models/<int:pk>/photos/", site_views.model_site_photos_add, name="model_site_photos_add"),
    path("models/photos/<int:pk>/", site_views.model_site_photo, name="model_site_photo"),
    path("models/photos/<int:pk>/thumb/", site_views.model_site_photo, {"thumbnail": True},
         name="model_site_photo_thumb"),
    path("buildout/", site_views.buildout_report, name="buildout_report"),
    path("buildout/points/", site_views.buildout_list, name="buildout_list"),
    path("buildout/points/<int:point_pk>/", site_views.buildout_point, name="buildout_point"),
]
