"""Issue 13 point 14: the keys every import row and imported ledger line carries are checked once
per statement by triggers (trackyoursheets.statement_keys, installed after every migrate)
instead of a foreign-key constraint checked per row. This migration drops the constraints; the
``post_migrate`` receiver of the payroll app installs the triggers. Backwards, the constraints
come back and the triggers go."""

import django.db.models.deletion
import trackyoursheets.statement_keys
from django.db import migrations


def remove_triggers(apps, schema_editor):
    trackyoursheets.statement_keys.uninstall(schema_editor.connection.alias)


class Migration(migrations.Migration):
    dependencies = [
        ("payroll", "0013_claims_run_key_unchecked"),
    ]

    operations = [
        migrations.AlterField(
            model_name="commissiontransaction",
            name="carrier",
            field=trackyoursheets.statement_keys.CheckedForeignKey(
                on_delete=django.db.models.deletion.PROTECT, related_name="transactions", to="payroll.carrier"
            ),
        ),
        migrations.AlterField(
            model_name="commissiontransaction",
            name="import_row",
            field=trackyoursheets.statement_keys.CheckedForeignKey(
                blank=True,
                editable=False,
                help_text="The statement row this line was imported from.",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="transactions",
                to="payroll.importrow",
            ),
        ),
        migrations.AlterField(
            model_name="commissiontransaction",
            name="organisation",
            field=trackyoursheets.statement_keys.CheckedForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="organisations.organisation",
                verbose_name="organisation",
            ),
        ),
        migrations.AlterField(
            model_name="commissiontransaction",
            name="policy",
            field=trackyoursheets.statement_keys.CheckedForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="transactions",
                to="payroll.policy",
            ),
        ),
        migrations.AlterField(
            model_name="commissiontransaction",
            name="producer",
            field=trackyoursheets.statement_keys.CheckedForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="commission_transactions",
                to="organisations.producer",
            ),
        ),
        migrations.AlterField(
            model_name="commissiontransaction",
            name="workspace",
            field=trackyoursheets.statement_keys.CheckedForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="commission_transactions",
                to="organisations.workspace",
            ),
        ),
        migrations.AlterField(
            model_name="importrow",
            name="batch",
            field=trackyoursheets.statement_keys.CheckedForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="rows",
                to="payroll.importbatch",
            ),
        ),
        migrations.AlterField(
            model_name="importrow",
            name="organisation",
            field=trackyoursheets.statement_keys.CheckedForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="organisations.organisation",
                verbose_name="organisation",
            ),
        ),
        migrations.AlterField(
            model_name="importrow",
            name="policy",
            field=trackyoursheets.statement_keys.CheckedForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="payroll.policy",
            ),
        ),
        migrations.AlterField(
            model_name="importrow",
            name="producer",
            field=trackyoursheets.statement_keys.CheckedForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="organisations.producer",
            ),
        ),
        # unapplied: the triggers go before the constraints come back (see the docstring)
        migrations.RunPython(migrations.RunPython.noop, remove_triggers),
    ]
