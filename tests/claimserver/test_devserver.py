"""`make run` (claimserver.devserver) sends queued mail in the background, as the production mail
service does: a new learner signing up on it finds the message with the sign-up link in the outbox."""
from __future__ import annotations

from pathlib import Path

from claimserver.db import database
from claimserver.devserver import start_mail_sender


def test_make_run_sends_the_sign_up_message(app, client, tmp_path):
    r = client.post("/signup", data={"email": "new.learner@example.org", "password": "violet-harbour-tractor-91"})
    assert r.status_code in (200, 302, 303)
    database.close()
    outbox = Path(app.config["MAIL_OUTBOX_DIR"])
    assert not list(outbox.glob("*.eml"))  # requests only queue mail
    where = start_mail_sender(app, every=0.01, runs=1)
    app.extensions["dev_mail_sender"].join(timeout=30)
    assert where == str(outbox)
    [eml] = outbox.glob("*.eml")
    text = eml.read_text(encoding="utf-8")
    assert "new.learner@example.org" in text and "/verify-email/" in text
