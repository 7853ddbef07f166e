"""The crate's legal-hold flag is gone: a crate is on hold while an active legal hold case covers
it (docs/domain.md). retention 0001 turned each flagged crate into a one-crate hold first."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('crates', '0005_retention_triggers'),
        ('retention', '0001_legal_hold_cases'),
    ]

    operations = [
        migrations.RemoveField(
            model_name='crate',
            name='legal_hold',
        ),
        migrations.RemoveField(
            model_name='crate',
            name='legal_hold_reason',
        ),
    ]
