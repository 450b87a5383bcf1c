from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter
from rest_framework.urlpatterns import format_suffix_patterns

from approvals import actions
from approvals.api import calendar, documents, verify, views

app_name = "api"

router = DefaultRouter()
router.register("applications", views.ApplicationViewSet, basename="application")
router.register("notifications", views.NotificationViewSet, basename="notification")
router.register("alerts", views.AlertViewSet, basename="alert")
router.register("calendar/days", calendar.CalendarDayViewSet, basename="calendar-day")


def _dashed(name: str) -> str:
    return name.replace("_", "-")


#: The workflow's actions: POST /api/applications/{id}/<action>/, named api:application-<action>
#: (refuse_to_accept: /api/applications/{id}/refuse-to-accept/, api:application-refuse-to-accept),
#: one route for each action of approvals.catalogue.ENTRIES that takes input on the screens (its
#: ``form``: approvals.actions.ACTIONS), served by views.ActionView with that action's form.
#: (The id's pattern and the .json suffix are the router's, as for the other application routes.)
ACTION_ROUTES = format_suffix_patterns(
    [
        re_path(
            rf"^applications/(?P<pk>[^/.]+)/{_dashed(name)}/$",
            views.ActionView.as_view(action_name=name),
            name=f"application-{_dashed(name)}",
        )
        for name in actions.ACTIONS
    ]
)

urlpatterns = [
    *ACTION_ROUTES,
    path("applications/<int:pk>/documents/", documents.DocumentList.as_view(), name="application-documents"),
    path(
        "applications/<int:pk>/documents/<int:doc_id>/pdf/",
        documents.DocumentPdf.as_view(),
        name="application-document-pdf",
    ),
    path("auth/token/", views.TokenView.as_view(), name="token"),
    path("verify/", verify.VerifyView.as_view(), name="verify"),
    path("calendar/years/", calendar.CalendarYearView.as_view(), name="calendar-years"),
    path("calendar/previews/<int:pk>/", calendar.CalendarPreviewView.as_view(), name="calendar-preview"),
    path(
        "calendar/previews/<int:pk>/confirm/",
        calendar.CalendarPreviewConfirmView.as_view(),
        name="calendar-preview-confirm",
    ),
    path("deadline/", calendar.DeadlineView.as_view(), name="deadline"),
    path("reports/", include("approvals.api.reports")),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves Swagger UI's start-up script as a file of its own (?script): no inline
    # script, so the page works under the Content-Security-Policy.
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    path("", include(router.urls)),
]
# Last: any other path under /api/ is a 404 in the API's error format, not the site's HTML page.
urlpatterns += [re_path(r"^[\s\S]*/$", views.not_found)]  # [\s\S]: a newline in a path too
