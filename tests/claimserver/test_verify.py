"""Public verification: valid, revoked, unknown (same page, 404), normalised codes, rate limit."""
from __future__ import annotations

import datetime as dt

import pytest

from claimserver.models import Certificate, RateLimitHit
from claimserver.records import operations as ops
from tests import factories as F


def issued(**learner) -> Certificate:
    who = F.create_learner(**learner)
    claim = F.create_claim(who, "stewardship-webinar", "ama_pra_1", hours="1.25")
    return Certificate.create(claim=claim, code=ops.new_code(), name=who.certificate_name,
                              issued_at=dt.datetime(2027, 3, 13, 15))


def test_valid_certificate_shows_just_enough(ctx, client):
    cert = issued(email="private@example.org", nabp_epid="7654321", certificate_name="Ada Verified")
    resp = client.get(f"/verify/{cert.code}")
    page = resp.get_data(as_text=True)
    assert resp.status_code == 200
    for text in ("Valid", "Ada Verified", "Antimicrobial Stewardship in the Clinical Laboratory",
                 "March 12, 2027", "AMA PRA Category 1 Credit™", "1.25", "American Society for Microbiology"):
        assert text in page
    for private in ("private@example.org", "7654321", "Log out"):
        assert private not in page


@pytest.mark.parametrize("mangle", [
    lambda c: c.lower(),
    lambda c: c.replace("-", ""),
    lambda c: c.replace("-", " "),
    lambda c: " " + c.replace("0", "o").replace("1", "l") + " ",
    lambda c: c.replace("1", "I"),
])
def test_codes_are_normalised(ctx, client, mangle):
    cert = issued()
    assert "Valid" in client.get(f"/verify/{mangle(cert.code)}").get_data(as_text=True)


def test_revoked_certificate_says_revoked(ctx, client, clock):
    cert = issued()
    ops.revoke(cert, None, "claimed in error")
    page = client.get(f"/verify/{cert.code}").get_data(as_text=True)
    assert "Revoked" in page and "Revoked on March 13, 2027: claimed in error" in page and ">Valid<" not in page


def test_revoking_twice_changes_and_audits_once(ctx, clock):
    from claimserver.models import AuditLog

    cert = issued()
    assert ops.revoke(cert, None, "claimed in error") is True
    clock.advance(days=1)
    assert ops.revoke(cert, None, "again") is False
    again = Certificate.get_by_id(cert.id)
    assert again.revoked_reason == "claimed in error" and again.revoked_at.date() == dt.date(2027, 3, 13)
    assert AuditLog.select().where(AuditLog.action == "certificate.revoked").count() == 1


def test_unknown_code_gets_the_same_page_with_404(ctx, client):
    issued()
    known = client.get(f"/verify/{Certificate.get().code}").get_data(as_text=True)
    # (A NUL, "%00", is refused with 400 before any page: test_failsoft.)
    for code in ("ZZZZ-ZZZZ-ZZZZ-ZZZZ", "not-a-code", "x" * 300, "UUUU-UUUU-UUUU-UUUU"):
        resp = client.get(f"/verify/{code}")
        page = resp.get_data(as_text=True)
        assert resp.status_code == 404 and "Not found" in page
        assert page.split("<h1>")[0] == known.split("<h1>")[0]  # same template and layout


def test_verify_form_redirects_to_the_normalised_code(ctx, client):
    cert = issued()
    resp = client.get("/verify", query_string={"code": cert.code.lower()})
    assert resp.status_code == 302 and resp.headers["Location"] == f"/verify/{cert.code}"


def test_codes_are_80_bit_crockford_groups():
    codes = {ops.new_code() for _ in range(2000)}
    assert len(codes) == 2000
    for c in codes:
        assert ops.normalise_code(c) == c and len(c.replace("-", "")) == 16
        assert not set(c) & set("ILOU")


def test_staff_revoke_command_shows_revoked_on_verify(rows, runner, client):
    code = issued().code
    assert "valid" in runner.invoke(args=["certificates", "show", code.lower()]).output
    result = runner.invoke(args=["certificates", "revoke", code, "--reason", "Issued in error"])
    assert result.exit_code == 0, result.output
    again = runner.invoke(args=["certificates", "revoke", code, "--reason", "again"])
    assert again.exit_code == 1 and "already revoked" in again.output
    page = client.get(f"/verify/{code}").get_data(as_text=True)
    assert "Revoked" in page and "Issued in error" in page  # the command promises the reason is shown
    assert Certificate.get(Certificate.code == code).revoked_reason == "Issued in error"
    assert runner.invoke(args=["certificates", "show", "0000-0000-0000-0000"]).exit_code == 1


def test_staff_page_looks_up_and_revokes_a_certificate(rows, client):
    code = issued().code
    staff = F.create_learner(roles="staff")
    learner = F.create_learner()
    F.login(client, learner)
    assert client.get("/staff/certificates").status_code == 404
    assert client.post(f"/staff/certificates/{code}/revoke", data={"reason": "x"}).status_code == 404
    client.post("/logout")
    F.login(client, staff)
    page = client.get("/staff/certificates", query_string={"code": code.lower().replace("-", " ")})
    assert page.status_code == 200 and "Valid" in page.text and code in page.text
    unknown = client.get("/staff/certificates", query_string={"code": "0000-0000-0000-0000"})
    assert "No certificate has that code." in unknown.text
    empty = client.post(f"/staff/certificates/{code}/revoke", data={"reason": "  "})
    assert empty.status_code == 400 and "Say why the certificate is revoked." in empty.text
    assert Certificate.get(Certificate.code == code).revoked_at is None
    done = client.post(f"/staff/certificates/{code}/revoke", data={"reason": "Attendance not confirmed"},
                       follow_redirects=True)
    assert "is revoked" in done.text
    assert "Attendance not confirmed" in client.get(f"/verify/{code}").text
