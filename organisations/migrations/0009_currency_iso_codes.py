"""Organisations whose currency is not an ISO 4217 code (issue 14 point 10: "dollars" used to be
saved as "DOL") get the best guess: dollar spellings and "$" -> USD, euro spellings -> EUR, pound
and sterling spellings -> GBP, a lower-case valid code -> that code, anything else -> USD.
Only the currency column changes (``update()``: not even ``updated_at``). Not reversible in
meaning (the old text is not kept), so going back leaves the codes as they are."""

from django.db import migrations

from organisations.currencies import CURRENCY_CODES

EURO = ("EU", "€")
POUND = ("GB", "POU", "STE", "UK", "£")


def iso_code(value: str) -> str:
    text = (value or "").strip().upper()
    if text in CURRENCY_CODES:
        return text
    if text.startswith(EURO) or "€" in text:
        return "EUR"
    if text.startswith(POUND) or "£" in text:
        return "GBP"
    return "USD"  # "DOL", "US", "$" and whatever cannot be read


def currencies_to_iso(apps, schema_editor):
    Organisation = apps.get_model("organisations", "Organisation")
    for pk, currency in Organisation.objects.exclude(currency__in=CURRENCY_CODES).values_list("pk", "currency"):
        Organisation.objects.filter(pk=pk).update(currency=iso_code(currency))


class Migration(migrations.Migration):
    dependencies = [
        ("organisations", "0008_viewer_role"),
    ]

    operations = [
        migrations.RunPython(currencies_to_iso, migrations.RunPython.noop, elidable=True),
    ]
