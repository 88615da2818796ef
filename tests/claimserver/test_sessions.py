"""Sessions end on the server: logout, password change and "log out everywhere" make old cookies
worthless, remember tokens expire REMEMBER_DAYS after issue, and a remembered login must give the
password again before changing the password or the name on certificates."""
from __future__ import annotations

import pytest

from claimserver.models import Learner, LoginSession
from tests.factories import PASSWORD, create_learner

NEW = "violet-heron-canal-77"


@pytest.fixture
def app_config(app_config):
    return {**app_config, "SESSION_HOURS": 12, "REMEMBER_DAYS": 14}


def log_in(client, learner, remember=False):
    data = {"email": learner.email, "password": PASSWORD}
    if remember:
        data["remember"] = "y"
    r = client.post("/login", data=data)
    assert r.status_code == 302 and r.location == "/my-activities"


def cookie(client, name):
    c = client.get_cookie(name)
    return c.value if c else None


def with_cookies(app, **cookies):
    """A fresh client (another browser) carrying only the given cookies."""
    c = app.test_client()
    for name, value in cookies.items():
        c.set_cookie(name, value)
    return c


def logged_in(client) -> bool:
    r = client.get("/my-activities")
    return r.status_code == 200


def test_a_saved_session_cookie_is_dead_after_logout(app, client, rows):
    learner = create_learner()
    log_in(client, learner)
    saved = cookie(client, "session")
    assert logged_in(with_cookies(app, session=saved))
    client.post("/logout")
    assert not logged_in(with_cookies(app, session=saved))
    row = LoginSession.get(LoginSession.learner == learner)
    assert row.ended_at is not None and row.ended_why == "logout"


def test_the_remember_cookie_alone_is_dead_after_logout(app, client, rows):
    log_in(client, create_learner(), remember=True)
    token = cookie(client, "remember_token")
    assert token and logged_in(with_cookies(app, remember_token=token))
    client.post("/logout")
    assert not logged_in(with_cookies(app, remember_token=token))


def test_a_remember_token_expires_remember_days_after_it_was_issued(app, client, rows, clock):
    learner = create_learner()
    log_in(client, learner, remember=True)
    token = cookie(client, "remember_token")
    row = LoginSession.get(LoginSession.learner == learner)
    assert row.remembered and (row.expires_at - row.issued_at).days == 14
    clock.advance(days=13, hours=23)
    assert logged_in(with_cookies(app, remember_token=token))
    clock.advance(hours=2)
    assert not logged_in(with_cookies(app, remember_token=token))


def test_a_browser_session_ends_on_the_server_after_session_hours(client, rows, clock):
    log_in(client, create_learner())
    clock.advance(hours=11)
    assert logged_in(client)
    clock.advance(hours=2)
    assert not logged_in(client)


def test_changing_the_password_ends_every_other_session(app, rows):
    learner = create_learner()
    here, there = app.test_client(), app.test_client()
    log_in(here, learner)
    log_in(there, learner, remember=True)
    token = cookie(there, "remember_token")
    r = here.post("/password", data={"current": PASSWORD, "password": NEW})
    assert r.status_code == 302 and r.location == "/profile"
    assert logged_in(here)
    assert not logged_in(there)
    assert not logged_in(with_cookies(app, remember_token=token))


def test_log_out_everywhere_ends_this_and_every_other_session(app, rows):
    learner = create_learner()
    here, there = app.test_client(), app.test_client()
    log_in(here, learner)
    log_in(there, learner, remember=True)
    saved = cookie(here, "session")
    here.post("/logout-everywhere")
    assert not logged_in(here) and not logged_in(there)
    assert not logged_in(with_cookies(app, session=saved))
    assert LoginSession.select().where(LoginSession.ended_at.is_null()).count() == 0


def test_a_remembered_login_asks_for_the_password_before_changing_it(app, client, rows):
    learner = create_learner()
    log_in(client, learner, remember=True)
    browser = with_cookies(app, remember_token=cookie(client, "remember_token"))
    r = browser.get("/password")
    assert r.status_code == 302 and r.location.startswith("/reauthenticate?next=")
    r = browser.post("/password", data={"current": PASSWORD, "password": NEW})
    assert r.status_code == 302 and r.location.startswith("/reauthenticate")
    assert Learner.get_by_id(learner.id).password_hash == learner.password_hash
    r = browser.post("/reauthenticate?next=/password", data={"current": "wrong-password-00"})
    assert "That is not your current password." in r.text
    r = browser.post("/reauthenticate?next=/password", data={"current": PASSWORD})
    assert r.status_code == 302 and r.location == "/password"
    assert browser.get("/password").status_code == 200


def test_a_remembered_login_asks_for_the_password_before_changing_the_certificate_name(app, client, rows):
    learner = create_learner(certificate_name="Ada Lovelace", profession="physician", degree="MD")
    log_in(client, learner, remember=True)
    browser = with_cookies(app, remember_token=cookie(client, "remember_token"))
    form = {"certificate_name": "Ada Lovelace", "first_name": learner.first_name, "last_name": learner.last_name,
            "degree": "PhD", "profession": "physician"}
    r = browser.post("/profile", data=form)
    assert r.status_code == 302 and r.location == "/profile"
    assert Learner.get_by_id(learner.id).degree == "PhD"  # other fields need no new password
    r = browser.post("/profile", data={**form, "certificate_name": "Mallory Impostor"})
    assert r.status_code == 302 and r.location.startswith("/reauthenticate")
    assert Learner.get_by_id(learner.id).certificate_name == "Ada Lovelace"
    browser.post("/reauthenticate", data={"current": PASSWORD})
    browser.post("/profile", data={**form, "certificate_name": "Ada King"})
    assert Learner.get_by_id(learner.id).certificate_name == "Ada King"
