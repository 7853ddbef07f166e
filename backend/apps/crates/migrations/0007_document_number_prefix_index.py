"""A prefix index on documents' numbers (upper case, `text_pattern_ops`): a search term shaped
like a document number matches numbers that start with it (apps/crates/selectors.py), an index
range scan whose cost does not grow with the table, where the trigram index had to read the
posting lists of the trigrams every number shares ("DOC", "OC-"): 17.75 ms of PostgreSQL per
search on 300,000 documents and 68.58 ms on 3,000,000 (OPTIMIZATIONS.md). PostgreSQL only."""

from django.db import migrations

INDEX = "crates_document_number_prefix"


def create_index(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS {INDEX} ON crates_document ((UPPER("number"::text)) text_pattern_ops)',
            params=None,
        )


def drop_index(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}", params=None)


class Migration(migrations.Migration):
    dependencies = [("crates", "0006_legal_hold_flag_removed")]

    operations = [migrations.RunPython(create_index, drop_index)]
