"""The procedures' limits: the statutory ones from the Administrative Licensing Law's entry into
force, and the administration's compressed promises from 2021-05-14 (an administrator can correct
that date in the admin).

Before the compression the promised limits were the statutory ones. docs/domain.md gives the
number-resource figure as "30 WD": that is the 20 working-day statutory limit plus the 10-day
extension, not a promise; a promise longer than the law would put the red alert after the severe
one, so the pre-compression promise is seeded as 20 working days with a 10-day extension.
"""

from datetime import date

from django.db import migrations

LAW_IN_FORCE = date(2004, 7, 1)  # 行政许可法 in force
COMPRESSED = date(2021, 5, 14)  # the administration's published commitments

WD, CD = "working_days", "calendar_days"

STATUTORY = {
    # procedure: (limit, unit, counts from receipt, pauses allowed, max extension, basis)
    "telecom_licence": (60, CD, True, True, 10, "电信业务经营许可管理办法; 行政许可法 第四十二、四十五条"),
    "number_resource": (20, WD, False, True, 10, "电信网码号资源管理办法; 行政许可法 第四十二、四十五条"),
    "website_filing": (20, WD, False, False, 0, "非经营性互联网信息服务备案管理办法 第十二条"),
}
PROMISED = {"telecom_licence": (26, WD), "number_resource": (10, WD), "website_filing": (8, WD)}


def seed(apps, schema_editor):
    Policy = apps.get_model("approvals", "Policy")
    for procedure, (limit, unit, from_receipt, pauses, extension, basis) in STATUTORY.items():
        common = {
            "statutory_limit": limit,
            "statutory_unit": unit,
            "statutory_from_receipt": from_receipt,
            "pauses_allowed": pauses,
            "max_extension": extension,
            "basis": basis,
        }
        Policy.objects.get_or_create(
            procedure=procedure,
            effective_from=LAW_IN_FORCE,
            defaults={"promised_limit": limit, "promised_unit": unit, **common},
        )
        promised_limit, promised_unit = PROMISED[procedure]
        Policy.objects.get_or_create(
            procedure=procedure,
            effective_from=COMPRESSED,
            defaults={"promised_limit": promised_limit, "promised_unit": promised_unit, **common},
        )


def unseed(apps, schema_editor):
    Policy = apps.get_model("approvals", "Policy")
    Policy.objects.filter(effective_from__in=[LAW_IN_FORCE, COMPRESSED]).delete()


class Migration(migrations.Migration):
    dependencies = [("approvals", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
