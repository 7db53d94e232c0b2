"""Storage: engine and audited unit of work, tables, audit chain, migrations, backup."""
