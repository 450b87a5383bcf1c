from approvals.views import (
    appointments,
    calendar,
    common,
    documents,
    elder,
    enterprise,
    feeds,
    manager,
    notifications,
    officer,
    provider,
    public,
    reports,
    verify,
)

app_name = "approvals"

urlpatterns = [
    *common.urlpatterns,
    *documents.urlpatterns,
    *elder.urlpatterns,
    *notifications.urlpatterns,
    *public.urlpatterns,
    *enterprise.urlpatterns,
    *provider.urlpatterns,
    *officer.urlpatterns,
    *manager.urlpatterns,
    *reports.urlpatterns,
    *calendar.urlpatterns,
    *appointments.urlpatterns,
    *feeds.urlpatterns,
    *verify.urlpatterns,
]
