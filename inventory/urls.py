from django.urls import path, register_converter

from . import views
from .catalogue import CatalogueKindConverter

register_converter(CatalogueKindConverter, "catalogue_kind")

app_name = "inventory"

urlpatterns = [
    path("catalogue/", views.catalogue_index, name="catalogue"),
    path("catalogue/defaults/", views.load_defaults, name="load_defaults"),
    path("catalogue/<catalogue_kind:kind>/", views.item_list, name="item_list"),
    path("catalogue/<catalogue_kind:kind>/new/", views.item_create, name="item_create"),
    path("catalogue/<catalogue_kind:kind>/<int:pk>/", views.item_edit, name="item_edit"),
    path("catalogue/<catalogue_kind:kind>/<int:pk>/history/", views.item_history, name="item_history"),
    path("catalogue/<catalogue_kind:kind>/<int:pk>/archive/", views.item_archive, name="item_archive"),
    path("catalogue/<catalogue_kind:kind>/<int:pk>/restore/", views.item_restore, name="item_restore"),
]
