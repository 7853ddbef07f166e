"""Indexes measured by the benchmark (OPTIMIZATIONS.md): crate lists by unit and status in
their display order, and trigram indexes for the `?search=` (icontains) of crate and document
numbers and titles on PostgreSQL (pg_trgm is a trusted extension: the database owner may
create it). SQLite, the embedded default, gets the plain index only."""

from django.db import migrations, models

TRIGRAM_INDEXES = [
    ("crates_document_number_trgm", "crates_document", 'UPPER("number"::text)'),
    ("crates_document_title_trgm", "crates_document", 'UPPER("title"::text)'),
    ("crates_crate_number_trgm", "crates_crate", 'UPPER("number"::text)'),
]


def create_trigram_indexes(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm", params=None)
    for name, table, expression in TRIGRAM_INDEXES:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin (({expression}) gin_trgm_ops)", params=None
        )


def drop_trigram_indexes(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _table, _expression in TRIGRAM_INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}", params=None)


class Migration(migrations.Migration):
    dependencies = [("crates", "0001_initial")]

    operations = [
        migrations.AddIndex(
            model_name="crate",
            index=models.Index(
                models.F("unit"),
                models.F("status"),
                models.F("created_at").desc(),
                models.F("id").desc(),
                name="crate_unit_status_recent_idx",
            ),
        ),
        migrations.RunPython(create_trigram_indexes, drop_trigram_indexes),
    ]
