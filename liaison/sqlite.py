"""SQLite settings for the embedded database: WAL, a busy timeout, foreign keys, immediate writes."""
from sqlalchemy import event


def configure_engine(engine):
    """Make SQLite behave under several threads or processes; a no-op on other databases.

    A transaction that reads first and writes later cannot be saved by a busy timeout ("database
    is locked"), so every transaction starts with ``BEGIN IMMEDIATE``: writers queue up instead.
    """
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        # Let SQLAlchemy's "begin" event issue BEGIN, instead of pysqlite's implicit one.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=15000")
        cursor.execute("PRAGMA foreign_keys=ON")
        # In WAL mode NORMAL is still safe against corruption; a power cut may lose the last commit.
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        connection.exec_driver_sql("BEGIN IMMEDIATE")
