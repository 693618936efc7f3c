"""Time is claimed by timesheet days rather than by entry (issue 18: a 5,000-employee run wrote
100,000 time claims); paid holidays are claimed by employee and date. Live per-entry time claims
become one claim per run, employee and approved timesheet (the days they covered). On
PostgreSQL an exclusion constraint keeps one employee's live time claims from overlapping."""

import django.db.models.deletion
from django.db import migrations, models

import payroll.models.runs


def claims_by_timesheet(apps, schema_editor):
    Claim = apps.get_model("payroll", "PayrollSourceClaim")
    Timesheet = apps.get_model("timetracking", "Timesheet")
    spans: dict[tuple, list] = {}
    for claim in Claim.objects.filter(kind="time_entry", released=False).exclude(day=None):
        key = (claim.organisation_id, claim.run_id, claim.employee_id)
        span = spans.setdefault(key, [claim.day, claim.day])
        span[0], span[1] = min(span[0], claim.day), max(span[1], claim.day)
    Claim.objects.filter(kind="time_entry", released=False).delete()
    Claim.objects.filter(kind="time_entry", released=True).update(day_to=models.F("day"))
    new = []
    for (organisation_id, run_id, employee_id), (first, last) in spans.items():
        sheets = Timesheet.objects.filter(
            employee_id=employee_id, status="approved", period_start__lte=last, period_end__gte=first
        )
        for sheet in sheets:
            new.append(
                Claim(
                    organisation_id=organisation_id,
                    run_id=run_id,
                    kind="time_entry",
                    object_id=sheet.pk,
                    employee_id=employee_id,
                    day=max(first, sheet.period_start),
                    day_to=min(last, sheet.period_end),
                )
            )
    Claim.objects.bulk_create(new)
    if schema_editor.connection.vendor == "postgresql":
        # fire the deferred foreign-key checks now: the constraints below cannot be built on a
        # table with pending trigger events
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")


class Migration(migrations.Migration):
    dependencies = [
        ("hr", "0006_leave_external_id"),
        ("organisations", "0009_currency_iso_codes"),
        ("payroll", "0009_import_and_ledger_indexes"),
        ("timetracking", "0008_expenses"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="payrollsourceclaim",
            name="payroll_claim_once",
        ),
        migrations.AddField(
            model_name="payrollsourceclaim",
            name="day_to",
            field=models.DateField(blank=True, null=True, verbose_name="last day"),
        ),
        migrations.RunPython(claims_by_timesheet, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="payrollsourceclaim",
            constraint=models.UniqueConstraint(
                condition=models.Q(
                    ("released", False), models.Q(("kind__in", ["time_entry", "holiday"]), _negated=True)
                ),
                fields=("organisation", "kind", "object_id"),
                name="payroll_claim_once",
            ),
        ),
        migrations.AddConstraint(
            model_name="payrollsourceclaim",
            constraint=models.UniqueConstraint(
                condition=models.Q(("released", False), ("kind__in", ["time_entry", "holiday"])),
                fields=("organisation", "kind", "employee", "day"),
                name="payroll_claim_employee_day_once",
            ),
        ),
        migrations.AddConstraint(
            model_name="payrollsourceclaim",
            constraint=payroll.models.runs.PostgresExclusionConstraint(
                condition=models.Q(("released", False), ("kind", "time_entry")),
                expressions=[
                    (
                        payroll.models.runs.Int8Range(models.F("employee"), models.F("employee"), models.Value("[]")),
                        "&&",
                    ),
                    (payroll.models.runs.DateRange(models.F("day"), models.F("day_to"), models.Value("[]")), "&&"),
                ],
                name="payroll_claim_time_days",
            ),
        ),
        migrations.AlterField(
            model_name="payrollsourceclaim",
            name="created_at",
            field=models.DateTimeField(auto_now_add=True, verbose_name="created at"),
        ),
        migrations.AlterField(
            model_name="payrollsourceclaim",
            name="employee",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="hr.employee",
            ),
        ),
        migrations.AlterField(
            model_name="payrollsourceclaim",
            name="updated_at",
            field=models.DateTimeField(auto_now=True, verbose_name="updated at"),
        ),
        migrations.RemoveIndex(
            model_name='payrollsourceclaim',
            name='payroll_claim_employee_day',
        ),
        migrations.AddIndex(
            model_name='payrollsourceclaim',
            index=models.Index(condition=models.Q(('day__isnull', False)), fields=['employee', 'day'], name='payroll_claim_employee_day'),
        ),

    ]
