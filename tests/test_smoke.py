from sqlalchemy import inspect


def test_migrations_create_every_table(db):
    names = set(inspect(db).get_table_names())
    assert {"user", "thread", "post", "outbox_event", "outbox_delivery", "notification"} <= names
