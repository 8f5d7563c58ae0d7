"""The SQLite record: engine, schema migrations, ORM models and the repository. No Qt."""
