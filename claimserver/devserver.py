"""`make run`: serve the built catalogue (site/) and the claim server side by side, print the URLs."""
from __future__ import annotations

import argparse
import functools
import http.server
import os
import threading
from pathlib import Path

from werkzeug.serving import run_simple

REPO = Path(__file__).resolve().parent.parent


#: How often `make run` sends queued mail (production runs `flask send-mail --every 15` as a service).
MAIL_EVERY = 3.0


def start_mail_sender(app, every: float = MAIL_EVERY, runs: int | None = None) -> str:
    """Drain the outbox in the background, as the production mail service does: requests only queue
    mail, so without this a learner signing up on `make run` would wait for a message that never
    comes. Returns where the development ("file") backend writes the messages."""
    from .mail import _outbox_dir, serve

    def loop() -> None:
        with app.app_context():
            serve(every, runs)

    thread = threading.Thread(target=loop, name="mail-sender", daemon=True)
    thread.start()
    with app.app_context():
        where = str(_outbox_dir()) if app.config["MAIL_BACKEND"] == "file" else "the SMTP relay"
    app.extensions["dev_mail_sender"] = thread
    return where


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=5000)
    ap.add_argument("--site-port", type=int, default=8000)
    ap.add_argument("--site-dir", default=str(REPO / "site"))
    args = ap.parse_args()
    site_url = f"http://{args.host}:{args.site_port}"
    os.environ.setdefault("CE_SITE_URL", site_url)
    os.environ.setdefault("CE_SERVER_URL", f"http://{args.host}:{args.port}")

    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=args.site_dir)
    httpd = http.server.ThreadingHTTPServer((args.host, args.site_port), handler)
    httpd.RequestHandlerClass.log_message = lambda *a, **k: None  # keep the console for the server
    threading.Thread(target=httpd.serve_forever, daemon=True).start()

    from claimserver import create_app

    app = create_app()
    outbox = start_mail_sender(app)
    print("\n  CE Portal is running")
    print(f"  Catalogue:    {site_url}/")
    print(f"  Claim server: http://{args.host}:{args.port}/")
    print("  Demo logins:  see `flask demo load` output above (password: demo-password-1)")
    print(f"  Mail:         sent every {MAIL_EVERY:g} s as .eml files to {outbox}/ (the sign-up link is there)")
    print("  Stop with Ctrl-C\n", flush=True)
    run_simple(args.host, args.port, app, threaded=True, use_reloader=False)


if __name__ == "__main__":
    main()
