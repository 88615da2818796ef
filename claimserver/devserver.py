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
    print("\n  CE Portal is running")
    print(f"  Catalogue:    {site_url}/")
    print(f"  Claim server: http://{args.host}:{args.port}/")
    print("  Demo logins:  see `flask demo load` output above (password: demo-password-1)")
    print("  Stop with Ctrl-C\n", flush=True)
    run_simple(args.host, args.port, app, threaded=True, use_reloader=False)


if __name__ == "__main__":
    main()
