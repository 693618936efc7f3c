"""Statement imports move from the integrations app to payroll (issue 12) without touching the
database: the models keep their tables (``db_table = "integrations_import..."``), their
indexes, constraints and sequences, so this migration and integrations' 0004 change only
Django's state. The ledger's ``import_row`` foreign key now names ``payroll.ImportRow``; its
database constraint already points at the same table.
"""

import django.db.models.deletion
from decimal import Decimal
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('integrations', '0003_imports'),
        ('organisations', '0005_readable_constraint_messages'),
        ('payroll', '0003_ledger_indexes'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name='ImportBatch',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('created_at', models.DateTimeField(auto_now_add=True, db_index=True, verbose_name='created at')),
                        ('updated_at', models.DateTimeField(auto_now=True, db_index=True, verbose_name='updated at')),
                        ('source', models.CharField(choices=[('csv', 'CSV file'), ('xlsx', 'Excel workbook'), ('json', 'JSON payouts')], max_length=10, verbose_name='source')),
                        ('original_filename', models.CharField(blank=True, max_length=255, verbose_name='original file name')),
                        ('file_path', models.CharField(blank=True, help_text='Relative to PRIVATE_FILES_ROOT.', max_length=500, verbose_name='stored file')),
                        ('payload', models.JSONField(blank=True, null=True, verbose_name='JSON payouts')),
                        ('status', models.CharField(choices=[('queued', 'Queued'), ('processing', 'Processing'), ('review', 'Ready for review'), ('finalised', 'Finalised'), ('rolled_back', 'Rolled back'), ('failed', 'Failed'), ('split', 'Split by carrier')], db_index=True, default='queued', max_length=20, verbose_name='status')),
                        ('rows_processed', models.PositiveIntegerField(default=0, verbose_name='rows processed')),
                        ('rows_expected', models.PositiveIntegerField(default=0, verbose_name='rows expected')),
                        ('total_rows', models.PositiveIntegerField(default=0, verbose_name='rows')),
                        ('matched_rows', models.PositiveIntegerField(default=0, verbose_name='matched')),
                        ('unmatched_rows', models.PositiveIntegerField(default=0, verbose_name='unmatched')),
                        ('duplicate_rows', models.PositiveIntegerField(default=0, verbose_name='duplicates')),
                        ('error_rows', models.PositiveIntegerField(default=0, verbose_name='errors')),
                        ('skipped_rows', models.PositiveIntegerField(default=0, verbose_name='skipped')),
                        ('chargeback_rows', models.PositiveIntegerField(default=0, verbose_name='chargebacks')),
                        ('premium_total', models.DecimalField(decimal_places=2, default=Decimal('0.00'), max_digits=14, verbose_name='premium total')),
                        ('gross_total', models.DecimalField(decimal_places=2, default=Decimal('0.00'), max_digits=14, verbose_name='gross commission total')),
                        ('transaction_count', models.PositiveIntegerField(default=0, verbose_name='ledger lines')),
                        ('column_mapping', models.JSONField(blank=True, default=dict, help_text='Ledger field -> the column header it was read from.', verbose_name='column mapping')),
                        ('date_format', models.CharField(blank=True, choices=[('%Y-%m-%d', 'YYYY-MM-DD'), ('%m/%d/%Y', 'MM/DD/YYYY'), ('%d/%m/%Y', 'DD/MM/YYYY'), ('%m-%d-%Y', 'MM-DD-YYYY'), ('%d.%m.%Y', 'DD.MM.YYYY')], max_length=20, verbose_name='date format')),
                        ('statement_period', models.DateField(blank=True, null=True, verbose_name='statement period')),
                        ('failure_reason', models.TextField(blank=True, verbose_name='why it failed')),
                        ('created_by_label', models.CharField(blank=True, max_length=300, verbose_name='imported by')),
                        ('completed_at', models.DateTimeField(blank=True, null=True, verbose_name='processed at')),
                        ('finalised_at', models.DateTimeField(blank=True, null=True, verbose_name='finalised at')),
                        ('finalised_by_label', models.CharField(blank=True, max_length=300, verbose_name='finalised by')),
                        ('rolled_back_at', models.DateTimeField(blank=True, null=True, verbose_name='rolled back at')),
                        ('rolled_back_by_label', models.CharField(blank=True, max_length=300, verbose_name='rolled back by')),
                        ('carrier', models.ForeignKey(blank=True, help_text='Empty while a file with a carrier column waits to be split.', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='import_batches', to='payroll.carrier')),
                        ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('office', models.ForeignKey(blank=True, help_text='Managers of this office see the batch.', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='import_batches', to='organisations.office')),
                        ('organisation', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='organisations.organisation', verbose_name='organisation')),
                        ('parent', models.ForeignKey(blank=True, help_text='The uploaded file this batch was split from (one batch per carrier).', null=True, on_delete=django.db.models.deletion.CASCADE, related_name='children', to='payroll.importbatch')),
                        ('workspace', models.ForeignKey(blank=True, help_text='Producers are matched in this workspace (its only producer is the last resort).', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='import_batches', to='organisations.workspace')),
                    ],
                    options={
                        'verbose_name_plural': 'import batches',
                        'db_table': 'integrations_importbatch',
                        'ordering': ['-created_at', '-id'],
                    },
                ),
                migrations.CreateModel(
                    name='ImportRow',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created at')),
                        ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated at')),
                        ('line', models.PositiveIntegerField(help_text="The file's line (the header is line 1), or the item number.", verbose_name='line')),
                        ('raw', models.JSONField(default=dict, verbose_name='raw data')),
                        ('policy_number', models.CharField(blank=True, max_length=100, verbose_name='policy number')),
                        ('producer_ref', models.CharField(blank=True, max_length=300, verbose_name='producer as written')),
                        ('producer_key', models.CharField(blank=True, help_text='Normalised producer reference.', max_length=300)),
                        ('customer_name', models.CharField(blank=True, max_length=200, verbose_name='customer')),
                        ('transaction_date', models.DateField(blank=True, null=True, verbose_name='transaction date')),
                        ('statement_period', models.DateField(blank=True, null=True, verbose_name='statement period')),
                        ('premium', models.DecimalField(blank=True, decimal_places=2, max_digits=14, null=True, verbose_name='premium')),
                        ('gross_commission', models.DecimalField(blank=True, decimal_places=2, max_digits=14, null=True, verbose_name='gross commission')),
                        ('rate', models.DecimalField(blank=True, decimal_places=4, max_digits=7, null=True, verbose_name='rate %')),
                        ('split_percent', models.DecimalField(blank=True, decimal_places=4, max_digits=7, null=True, verbose_name='split %')),
                        ('type', models.CharField(choices=[('new', 'New business'), ('renewal', 'Renewal'), ('chargeback', 'Chargeback'), ('adjustment', 'Adjustment')], default='new', max_length=20, verbose_name='type')),
                        ('external_id', models.CharField(blank=True, max_length=200, verbose_name='external id')),
                        ('status', models.CharField(choices=[('matched', 'Matched'), ('unmatched', 'Unmatched'), ('duplicate', 'Duplicate'), ('error', 'Error'), ('skipped', 'Skipped')], max_length=20, verbose_name='match status')),
                        ('match_method', models.CharField(blank=True, choices=[('', 'Not matched'), ('alias', 'Learned alias'), ('producer_code', 'Producer code'), ('email', 'Producer email'), ('name', 'Producer name'), ('policy', "Policy's writing producers"), ('only_producer', "The workspace's only producer"), ('person', 'Matched by a person')], max_length=20, verbose_name='matched by')),
                        ('confidence', models.DecimalField(decimal_places=2, default=Decimal('0.00'), max_digits=3, verbose_name='confidence')),
                        ('errors', models.JSONField(blank=True, default=list, verbose_name='errors')),
                        ('warnings', models.JSONField(blank=True, default=list, verbose_name='warnings')),
                        ('fingerprint', models.CharField(blank=True, max_length=32, verbose_name='fingerprint')),
                        ('claim', models.UUIDField(blank=True, editable=False, null=True, unique=True)),
                        ('batch', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='rows', to='payroll.importbatch')),
                        ('commission_rule', models.ForeignKey(blank=True, db_index=False, help_text='The rule that computed the gross commission, when the row had none.', null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='payroll.commissionrule')),
                        ('duplicate_of', models.ForeignKey(blank=True, db_index=False, help_text='The row imported earlier (or higher up in the file) that this one repeats.', null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='payroll.importrow')),
                        ('line_of_business', models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='payroll.category')),
                        ('organisation', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='organisations.organisation', verbose_name='organisation')),
                        ('policy', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='payroll.policy')),
                        ('producer', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='organisations.producer')),
                    ],
                    options={
                        'db_table': 'integrations_importrow',
                        'ordering': ['batch', 'line', 'id'],
                    },
                ),
                migrations.AlterField(
                    model_name='commissiontransaction',
                    name='import_row',
                    field=models.ForeignKey(blank=True, editable=False, help_text='The statement row this line was imported from.', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='transactions', to='payroll.importrow'),
                ),
                migrations.CreateModel(
                    name='ImportAlias',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('created_at', models.DateTimeField(auto_now_add=True, db_index=True, verbose_name='created at')),
                        ('updated_at', models.DateTimeField(auto_now=True, db_index=True, verbose_name='updated at')),
                        ('kind', models.CharField(choices=[('producer', 'Producer'), ('policy', 'Policy'), ('carrier', 'Carrier')], max_length=20, verbose_name='kind')),
                        ('text', models.CharField(max_length=300, verbose_name='text')),
                        ('created_by_label', models.CharField(blank=True, max_length=300, verbose_name='learned from')),
                        ('carrier', models.ForeignKey(blank=True, help_text='The carrier whose statements use a policy alias.', null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='payroll.carrier')),
                        ('organisation', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='organisations.organisation', verbose_name='organisation')),
                        ('policy', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='payroll.policy')),
                        ('producer', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='organisations.producer')),
                        ('target_carrier', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='payroll.carrier', verbose_name='means carrier')),
                    ],
                    options={
                        'verbose_name_plural': 'import aliases',
                        'db_table': 'integrations_importalias',
                        'ordering': ['kind', 'text', 'id'],
                        'constraints': [models.UniqueConstraint(condition=models.Q(('carrier__isnull', True)), fields=('organisation', 'kind', 'text'), name='integrations_importalias_unique_text', violation_error_message='This alias already exists.'), models.UniqueConstraint(condition=models.Q(('carrier__isnull', False)), fields=('organisation', 'kind', 'carrier', 'text'), name='integrations_importalias_unique_carrier_text', violation_error_message='This alias already exists for this carrier.')],
                    },
                ),
                migrations.AddIndex(
                    model_name='importbatch',
                    index=models.Index(fields=['organisation', 'status'], name='integrations_import_status'),
                ),
                migrations.AddIndex(
                    model_name='importrow',
                    index=models.Index(fields=['batch', 'status', 'line'], name='integrations_importrow_queue'),
                ),
                migrations.AddIndex(
                    model_name='importrow',
                    index=models.Index(fields=['batch', 'line'], name='integrations_importrow_line'),
                ),
                migrations.AddIndex(
                    model_name='importrow',
                    index=models.Index(condition=models.Q(('duplicate_of__isnull', False)), fields=['duplicate_of'], name='integrations_importrow_dup'),
                ),
            ],
        ),
    ]
