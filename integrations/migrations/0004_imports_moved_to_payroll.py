"""Statement imports moved to payroll (issue 12): forget the models here, keep their tables
(payroll's 0004 took them over in Django's state, under the same table names). Their content
types follow them, so admin history and permissions stay attached."""

from django.db import migrations

MOVED = ("importbatch", "importrow", "importalias")


def move_content_types(apps, schema_editor, *, source="integrations", target="payroll"):
    ContentType = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    taken = set(
        ContentType.objects.using(db).filter(app_label=target, model__in=MOVED).values_list("model", flat=True)
    )
    ContentType.objects.using(db).filter(app_label=source, model__in=set(MOVED) - taken).update(app_label=target)


def restore_content_types(apps, schema_editor):
    move_content_types(apps, schema_editor, source="payroll", target="integrations")


class Migration(migrations.Migration):

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
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
        migrations.RunPython(move_content_types, restore_content_types),
    ]
