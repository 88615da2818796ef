"""Web hygiene with CSRF switched on: forms without a token are refused with our 400 page."""
from __future__ import annotations

import re

import pytest

from claimserver.models import Learner, Order
from tests.claimserver.test_purchase import BEFORE_TELECONFERENCE
from tests.factories import PASSWORD, create_learner


@pytest.fixture
def app_config(app_config):
    return {**app_config, "WTF_CSRF_ENABLED": True}


def _token(page: str) -> str:
    m = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"', page)
    return m.group(1) or m.group(2)


@pytest.mark.parametrize("path, data", [
    ("/signup", {"email": "x@example.org", "password": "purple-otter-lamp-42"}),
    ("/login", {"email": "x@example.org", "password": PASSWORD}),
    ("/forgot", {"email": "x@example.org"}),
    ("/logout", {}),
])
def test_post_without_token_is_refused(client, rows, path, data):
    r = client.post(path, data=data)
    assert r.status_code == 400
    assert "Request not accepted" in r.text and "The form expired" in r.text
    assert "Traceback" not in r.text
    assert Learner.select().count() == 0


def test_logged_in_forms_need_the_token_too(client, rows, clock):
    clock.at = BEFORE_TELECONFERENCE  # the free session can still be bought
    learner = create_learner()
    page = client.get("/login").text
    r = client.post("/login", data={"email": learner.email, "password": PASSWORD,
                                    "csrf_token": _token(page)})
    assert r.status_code == 302
    assert client.post("/activities/free-teleconference-tb/purchase").status_code == 400
    assert client.post("/profile", data={"first_name": "Eve"}).status_code == 400
    assert Order.select().count() == 0
    page = client.get("/activities/free-teleconference-tb").text
    r = client.post("/activities/free-teleconference-tb/purchase", data={"csrf_token": _token(page)})
    assert r.status_code == 302 and Order.select().count() == 1


def test_pages_carry_security_headers_and_are_not_cached(client, rows):
    r = client.get("/login")
    assert r.headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in r.headers["Content-Security-Policy"]
    assert r.headers["Cache-Control"] == "no-store"
    assert "HttpOnly" in r.headers["Set-Cookie"] and "SameSite=Lax" in r.headers["Set-Cookie"]


@pytest.mark.parametrize("name, header", [
    ("transcript.csv", "attachment; filename=\"transcript.csv\"; filename*=UTF-8''transcript.csv"),
    ("Zoë \"Ångström\".pdf", "attachment; filename=\"Zo_ __ngstr_m_.pdf\"; "
                             "filename*=UTF-8''Zo%C3%AB%20%22%C3%85ngstr%C3%B6m%22.pdf"),
])
def test_downloads_name_the_file_for_every_browser(name, header):
    from claimserver.text import content_disposition

    assert content_disposition(name) == header
