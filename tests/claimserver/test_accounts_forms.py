"""Account forms with bad input: each refused with its message, nothing saved (SQLite only)."""
from __future__ import annotations

import re

import pytest

from claimserver.models import Learner
from tests.factories import PASSWORD, create_learner, outbox

GOOD = "purple-otter-lamp-42"


@pytest.fixture
def db_url(tmp_path):
    """Form validation does not depend on the database: these tables run on SQLite only."""
    return f"sqlite:///{tmp_path / 'test.sqlite3'}"


def _reset_link(body: str) -> str:
    return re.search(r"http://ce\.test(/reset/\S+)", body).group(1)


@pytest.mark.parametrize("email, password, error", [
    ("", GOOD, "Enter your email address."),
    ("not-an-email", GOOD, "Enter an email address like name@example.org."),
    ("ann@example.org", "", "Choose a password."),
    ("ann@example.org", "short-1", "Use at least 10 characters."),
    ("ann@example.org", "Password123", "one of the most common"),
    ("ann@example.org", "qwertyuiop", "one of the most common"),
    ("ann@example.org", "ann-secret-code", "must not contain your email address"),
    ("annabelle@example.org", "xxANNABELLExx", "must not contain your email address"),
])
def test_signup_refuses_bad_input_and_keeps_the_email(client, rows, email, password, error):
    r = client.post("/signup", data={"email": email, "password": password})
    assert r.status_code == 200
    assert error in r.text
    assert 'aria-invalid="true"' in r.text
    if email:
        assert f'value="{email}"' in r.text
    if password:
        assert password not in r.text  # passwords are never echoed back
    assert Learner.select().count() == 0


@pytest.mark.parametrize("target", [
    "//evil.com", "https://evil.com", "http://evil.com/my-activities", "/\\evil.com", "\\\\evil.com",
    "javascript:alert(1)", "/%09/evil.com".replace("%09", "\t"), "evil.com", "",
])
def test_login_never_redirects_off_site(client, rows, target):
    learner = create_learner()
    r = client.post("/login", query_string={"next": target},
                    data={"email": learner.email, "password": PASSWORD})
    assert r.status_code == 302
    assert r.location == "/my-activities"


@pytest.mark.parametrize("link", ["/reset/garbage", "/reset/eyJpZCI6MX0.AAAA.BBBB"])
def test_tampered_reset_links_are_refused(client, rows, link):
    assert client.get(link).status_code == 400


def test_reset_refuses_a_weak_password(client, rows):
    create_learner(email="weak@example.org")
    client.post("/forgot", data={"email": "weak@example.org"})
    link = _reset_link(outbox("password-reset")[0].body)
    r = client.post(link, data={"password": "password123"})
    assert r.status_code == 200 and "one of the most common" in r.text




@pytest.mark.parametrize("blank", [" " * 15, "\t" * 12, "\u00a0" * 12 + " \u3000"])
def test_whitespace_only_passwords_are_refused_everywhere(app, rows, blank):
    error = "A password cannot be only spaces"
    client = app.test_client()
    r = client.post("/signup", data={"email": "blank@example.org", "password": blank})
    assert r.status_code == 200 and error in r.text and Learner.select().count() == 0

    learner = create_learner(email="space@example.org")
    client.post("/forgot", data={"email": "space@example.org"})
    r = client.post(_reset_link(outbox("password-reset")[0].body), data={"password": blank})
    assert r.status_code == 200 and error in r.text

    other = app.test_client()
    other.post("/login", data={"email": learner.email, "password": PASSWORD})
    r = other.post("/password", data={"current": PASSWORD, "password": blank})
    assert r.status_code == 200 and error in r.text
    assert Learner.get_by_id(learner.id).password_hash == learner.password_hash
