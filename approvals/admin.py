from django.contrib import admin
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from approvals.models import CalendarDay, CalendarYear, Policy


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
    list_display = [
        "procedure",
        "effective_from",
        "promised_limit",
        "promised_unit",
        "statutory_limit",
        "statutory_unit",
        "statutory_from_receipt",
        "pauses_allowed",
        "max_extension",
    ]
    list_filter = ["procedure"]
