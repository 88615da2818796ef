"""A second claim-server worker in its own process, for tests where two workers race.

`python -m tests.worker_server` builds the app from the environment (DATABASE_URL, SECRET_KEY,
CE_* as in production), serves it on an ephemeral port and prints `port N` once it listens.
"""
from __future__ import annotations

import sys

from werkzeug.serving import make_server

from claimserver import create_app


def main() -> None:
    server = make_server("127.0.0.1", 0, create_app(), threaded=True)
    print(f"port {server.server_port}", flush=True)
    sys.stdout.close()
    server.serve_forever()


if __name__ == "__main__":
    main()
