"""One-click unsubscribe (RFC 8058) from the follow-up emails, with CSRF protection on."""
from __future__ import annotations

import pytest

from claimserver.models import Learner, Outbox
from tests.factories import create_evaluation, create_learner, create_order, create_participation

WEBINAR = "stewardship-webinar"


@pytest.fixture
def app_config(app_config):
    return {**app_config, "WTF_CSRF_ENABLED": True}


def test_mail_clients_can_unsubscribe_with_one_click(rows, runner, clock, client):
    learner = create_learner()
    create_order(learner, WEBINAR)
    create_participation(learner, WEBINAR)
    create_evaluation(learner, WEBINAR)
    clock.advance(days=91)
    assert runner.invoke(args=["outcomes", "send-due"]).exit_code == 0
    message = Outbox.get(Outbox.kind == "follow-up")
    assert message.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    url = message.headers["List-Unsubscribe"].strip("<>")
    assert url.startswith("http://ce.test/follow-up/stop/")
    path = url.removeprefix("http://ce.test")

    assert client.get(path).status_code == 200  # a link scanner's GET stops nothing
    assert not Learner.get_by_id(learner.id).follow_up_opt_out
    resp = client.post(path, data={"List-Unsubscribe": "One-Click"})  # no CSRF token: a mail client
    assert resp.status_code == 200
    assert Learner.get_by_id(learner.id).follow_up_opt_out
    assert client.post(path[:-3] + "xyz", data={"List-Unsubscribe": "One-Click"}).status_code in (400, 404)


def test_the_email_file_carries_the_list_unsubscribe_headers(rows, runner, clock, app, tmp_path):
    import email

    learner = create_learner()
    create_order(learner, WEBINAR)
    create_participation(learner, WEBINAR)
    create_evaluation(learner, WEBINAR)
    clock.advance(days=91)
    runner.invoke(args=["outcomes", "send-due"])
    from pathlib import Path

    files = sorted(Path(app.config["MAIL_OUTBOX_DIR"]).glob("*follow-up*.eml"))
    msg = email.message_from_bytes(files[0].read_bytes())
    assert msg["List-Unsubscribe"].startswith("<http://ce.test/follow-up/stop/")
    assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
