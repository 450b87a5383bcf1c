from django.contrib import admin
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from approvals.models import CalendarDay, CalendarYear, Policy

admin.site.site_header = _("shixian (时限) administration")
admin.site.site_title = _("shixian administration")
admin.site.index_title = _("Data and settings")


@admin.register(CalendarYear)
class CalendarYearAdmin(admin.ModelAdmin):
    list_display = ["year", "official", "source", "updated_at"]
    list_filter = ["official"]
    search_fields = ["year", "source"]


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    list_display = ["date", "weekday", "kind", "name", "notice_year", "updated_at"]
    list_filter = ["kind", "notice_year"]
    search_fields = ["name", "date"]
    date_hierarchy = "date"

    @admin.display(description=_("weekday"))
    def weekday(self, day: CalendarDay) -> str:
        return date_format(day.date, "l")


@admin.register(Policy)
class PolicyAdmin(admin.ModelAdmin):
    list_display = ["procedure", "effective_from", "promised", "statutory", "pauses_allowed", "max_extension"]
    list_filter = ["procedure"]

    @admin.display(description=_("promised limit"))
    def promised(self, policy: Policy) -> str:
        return policy.promised

    @admin.display(description=_("statutory limit"))
    def statutory(self, policy: Policy) -> str:
        return policy.statutory
