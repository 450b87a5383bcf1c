from approvals.views import appointments, calendar, common, enterprise, manager, officer, public

app_name = "approvals"

urlpatterns = [
    *common.urlpatterns,
    *public.urlpatterns,
    *enterprise.urlpatterns,
    *officer.urlpatterns,
    *manager.urlpatterns,
    *calendar.urlpatterns,
    *appointments.urlpatterns,
]
