from django.db import migrations


class Migration(migrations.Migration):
    """The portal sorts by what needs the applicant today (overdue, waiting for them) and the
    running clock's due date (selectors.portal, issue 16): an order that depends on today, which
    no index holds. application_org_portal (corrections first, newest first) served the old
    order only; an organisation's rows are still found by application_org_newest."""

    dependencies = [
        ("approvals", "0019_user_elder_mode"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="application", name="application_org_portal"),
    ]
