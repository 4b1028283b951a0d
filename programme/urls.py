from django.urls import path  # noqa: F401 (each area adds its pages)

from .views import actions, cycle
from .views import sites as site_views

app_name = "programme"

urlpatterns = [
    *actions.routes,
    *cycle.routes,
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
