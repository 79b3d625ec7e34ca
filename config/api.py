"""The API's routes: /api/v1/ (versioned resources), /api/schema/ and /api/docs/."""

from csp.decorators import csp_update
from django.urls import include, path
from drf_spectacular.plumbing import set_query_parameters
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from accounts.api import OrganisationViewSet
from breaches.api import BreachViewSet
from discovery.api import ColumnViewSet, ScanViewSet, SourceViewSet
from inventory.api import (
    CountryViewSet,
    DataFieldViewSet,
    DataSubjectCategoryViewSet,
    RecipientViewSet,
    SystemViewSet,
)
from processing.api import ActivityViewSet
from processing.compliance.api import FindingViewSet
from processing.reports.api import ExportViewSet

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False  # the schema and /api/docs/ describe the API
router.include_format_suffixes = False  # JSON only
router.register("organisations", OrganisationViewSet, basename="organisation")
router.register("countries", CountryViewSet, basename="country")
router.register("data-fields", DataFieldViewSet, basename="data-field")
router.register("data-subject-categories", DataSubjectCategoryViewSet, basename="data-subject-category")
router.register("recipients", RecipientViewSet, basename="recipient")
router.register("systems", SystemViewSet, basename="system")
router.register("activities", ActivityViewSet, basename="activity")
router.register("findings", FindingViewSet, basename="finding")
router.register("breaches", BreachViewSet, basename="breach")
router.register("exports", ExportViewSet, basename="export")
router.register("data-sources", SourceViewSet, basename="data-source")
router.register("scans", ScanViewSet, basename="scan")
router.register("scanned-columns", ColumnViewSet, basename="scanned-column")


class ApiExplorerView(SpectacularSwaggerSplitView):
    """Swagger UI (drf-spectacular-sidecar, pinned) in a page of ours: ``templates/api/explorer.html``
    gives it a language and colours that meet WCAG 2.1 AA (``static/css/api-explorer.css``).

    The API's names and most of its descriptions are English, and so is Swagger UI: the schema is
    asked for in English whatever the user's language, so that the page says ``lang="en"`` truly.
    """

    template_name = "api/explorer.html"

    def _get_schema_url(self, request):
        return set_query_parameters(url=super()._get_schema_url(request), lang="en")


# The page's one <style> element is allowed by its hash on this page only; everything else keeps
# the site's strict policy.
docs_view = csp_update({"style-src": ["'sha256-MMpT0iDxyjALd9PdfepImGX3DBfJPXZ4IlDWdPAgtn0='"]})(
    ApiExplorerView.as_view(url_name="api-schema")
)

urlpatterns = [
    path("v1/", include((router.urls, "api"), namespace="v1")),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", docs_view, name="api-docs"),
]
