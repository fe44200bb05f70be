"""A credential inside a Lambda variable's value, whatever the variable is called: a password in
a connection URL, a password= pair in a DSN. References and plain settings stay clean."""

from __future__ import annotations

import pytest

from checks.aws.secrets import _literal_secret


@pytest.mark.parametrize(
    ("name", "value"),
    [("DATABASE_URL", "postgres://admin:UrlEmbeddedPw77@db.internal/x"),
     ("BROKER", "amqps://svc:s3cr3t@mq.example.com:5671"),
     ("NOTE", "password=Zebra9xyz"),
     ("DSN", "host=db port=5432 user=app password=hunter2")],
)  # fmt: skip
def test_a_credential_inside_the_value_is_found(name, value):
    assert _literal_secret(name, value)


@pytest.mark.parametrize(
    ("name", "value"),
    [("DB_HOST", "db.internal:5432"), ("URL", "https://example.com/a?b=c"),
     ("ENDPOINT", "http://user@host/"), ("DSN", "host=db port=5432 dbname=x"),
     ("SECRET_ARN", "arn:aws:secretsmanager:us-east-1:123456789012:secret:db")],
)  # fmt: skip
def test_settings_and_references_are_not_secrets(name, value):
    assert _literal_secret(name, value) is None
