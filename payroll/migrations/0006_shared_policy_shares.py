"""Money on shared policies (issue 13 point 5): the ledger lines a statement row of a policy
with several writing producers became each carried the row's FULL premium and gross
commission, so totals counted a 50/50 row twice. Since this release each writer's line
carries its share (``payroll.services.ledger.writer_shares``, split 100: the line is already
the writer's part). This migration brings the lines imported before it into line:

* a row's lines that are **not paid** are corrected in place: their premium and gross become
  the writer's share (the same allocation as new imports, so the row's lines add up to the row
  to the cent), their split 100, and their producer amount the gross share (a line with an
  override keeps the amount the override gave it);
* a **paid** line is never rewritten: an ``adjustment`` line is added beside it, linked to it
  by ``reverses`` (the field a chargeback uses for the line it takes back) and to the same
  statement row, carrying the difference (share - full) in premium and gross commission, split
  0 and a producer amount of 0 (what was paid stays paid), status ``paid``, and a note. Its
  batch's ``transaction_count`` counts it.

A row is left alone (for a person to look at) when one of its lines no longer carries the
row's premium and gross (someone edited it) or when its lines' splits do not total 100. Running
it again changes nothing: corrected lines no longer carry the full amounts, and a paid line
with its adjustment is skipped. Backwards is a no-op: the corrected figures are the true ones.
"""

from decimal import Decimal

from django.db import migrations, models
from django.db.models import Count, F
from django.utils import timezone

from payroll.services.ledger import allocate_shares

HUNDRED = Decimal("100")
PAID = "paid"
ADJUSTMENT = "adjustment"
NOTE = (
    "Adjustment (issue 13, shared policies): line #{id} was imported with the full premium and gross "
    "commission of a policy shared by several producers; this line takes back the part that was not "
    "this producer's. The amount paid is unchanged."
)


def _ordinary(lines):
    """The lines made from statement rows, not the adjustments this migration adds."""
    return lines.exclude(type=ADJUSTMENT, reverses__isnull=False)


def correct_shared_policy_lines(apps, schema_editor):
    Transaction = apps.get_model("payroll", "CommissionTransaction")
    ImportRow = apps.get_model("payroll", "ImportRow")
    ImportBatch = apps.get_model("payroll", "ImportBatch")
    now = timezone.now()
    shared_rows = list(
        _ordinary(Transaction.objects.filter(import_row__isnull=False, import_row__producer__isnull=True))
        .values("import_row_id")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .order_by("import_row_id")
        .values_list("import_row_id", flat=True)
    )
    added: dict[int, int] = {}
    for row in ImportRow.objects.filter(pk__in=shared_rows).select_related("batch").order_by("pk"):
        lines = list(_ordinary(Transaction.objects.filter(import_row=row)).order_by("pk"))
        premium = row.premium if row.premium is not None else Decimal("0.00")
        gross = row.gross_commission
        if gross is None or sum(line.split_percent for line in lines) != HUNDRED:
            continue
        if any(line.premium != premium or line.gross_commission != gross for line in lines):
            continue  # edited by someone, or corrected already
        splits = [line.split_percent for line in lines]
        premiums = allocate_shares(premium, splits)
        grosses = allocate_shares(gross, splits)
        for line, share_premium, share_gross in zip(lines, premiums, grosses, strict=True):
            if line.status != PAID:
                changes = {
                    "premium": share_premium,
                    "gross_commission": share_gross,
                    "split_percent": HUNDRED,
                    "updated_at": now,
                }
                if line.latest_override_id is None:
                    changes["producer_amount"] = share_gross
                Transaction.objects.filter(pk=line.pk).update(**changes)
                continue
            if Transaction.objects.filter(reverses=line, type=ADJUSTMENT).exists():
                continue
            Transaction.objects.create(
                organisation_id=line.organisation_id,
                policy_id=line.policy_id,
                producer_id=line.producer_id,
                carrier_id=line.carrier_id,
                workspace_id=line.workspace_id,
                line_of_business_id=line.line_of_business_id,
                category_id=line.category_id,
                statement_period=line.statement_period,
                transaction_date=line.transaction_date,
                premium=share_premium - line.premium,
                gross_commission=share_gross - line.gross_commission,
                split_percent=Decimal("0"),
                producer_amount=Decimal("0.00"),
                type=ADJUSTMENT,
                status=PAID,
                source=line.source,
                external_id="",
                import_row_id=row.pk,
                reverses_id=line.pk,
                notes=NOTE.format(id=line.pk),
            )
            added[row.batch_id] = added.get(row.batch_id, 0) + 1
            if row.batch.parent_id is not None:
                added[row.batch.parent_id] = added.get(row.batch.parent_id, 0) + 1
    for batch_id, count in added.items():
        ImportBatch.objects.filter(pk=batch_id).update(transaction_count=F("transaction_count") + count)


class Migration(migrations.Migration):
    dependencies = [
        ("payroll", "0005_importbatch_job_fields"),
    ]

    operations = [
        migrations.AlterField(
            model_name="commissiontransaction",
            name="reverses",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                editable=False,
                help_text=(
                    "For a chargeback: the line whose commission it takes back; for an adjustment: "
                    "the line it corrects."
                ),
                null=True,
                on_delete=models.deletion.PROTECT,
                related_name="chargebacks",
                to="payroll.commissiontransaction",
            ),
        ),
        migrations.RunPython(correct_shared_policy_lines, migrations.RunPython.noop, elidable=True),
    ]
