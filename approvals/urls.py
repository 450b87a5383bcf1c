from approvals.views import (
    appointments,
    calendar,
    common,
    documents,
    enterprise,
    feeds,
    manager,
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
