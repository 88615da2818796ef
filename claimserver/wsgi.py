"""The WSGI entry point for production servers: `gunicorn claimserver.wsgi:app`.

Makes the app from the environment and runs the start-up checks that only serving needs (see
claimserver.production), so a misconfigured server stops at once with a message instead of serving.
"""
from __future__ import annotations

from . import create_app, production

app = create_app()
production.refuse_demo_accounts(app)
