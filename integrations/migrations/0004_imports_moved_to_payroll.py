"""Statement imports moved to payroll (issue 12): forget the models here, keep their tables
(payroll's 0004 took them over in Django's state, under the same table names)."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('integrations', '0003_imports'),
        ('payroll', '0004_imports_from_integrations'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.DeleteModel(name='ImportAlias'),
                migrations.DeleteModel(name='ImportRow'),
                migrations.DeleteModel(name='ImportBatch'),
            ],
        ),
    ]
