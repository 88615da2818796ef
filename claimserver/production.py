"""Start-up checks and wiring that only matter when serving for real.

- `CE_TRUSTED_PROXIES` (a hop count): how many reverse proxies in front of the server may be
  believed about the client's address and scheme (`X-Forwarded-For`, `-Proto`, `-Host`, `-Port`,
  through Werkzeug's ProxyFix). 0 (the default) believes none: rate limits key on the socket
  address. Behind one nginx, 1. Never more than the proxies you run: a client can send the
  headers too.
- Demonstration accounts: production refuses to start while any demo learner (`flask demo load`)
  can log in, since their password is published in the README; `flask demo remove` deletes them.
  Even if a server started anyway (the database was unreachable at start), demo logins are refused.
"""
from __future__ import annotations

import logging

from flask import Flask
from peewee import OperationalError
from werkzeug.middleware.proxy_fix import ProxyFix

from .config import ConfigError

log = logging.getLogger(__name__)


def trust_proxies(app: Flask) -> None:
    hops = int(app.config["TRUSTED_PROXIES"])
    if hops < 0:
        raise ConfigError("TRUSTED_PROXIES is a number of proxies: 0 or more")
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops)


def demo_logins() -> list[str]:
    """Emails of demo learners who could log in."""
    from .models import Learner

    return [e for (e,) in Learner.select(Learner.email).where(Learner.is_demo == True)  # noqa: E712
            .order_by(Learner.email).tuples()]


def refuse_demo_accounts(app: Flask) -> None:
    """Raise ConfigError in production while demo accounts exist (called when serving starts)."""
    if app.config["CE_ENV"] != "production":
        return
    from .db import database

    with app.app_context():
        try:
            database.connect(reuse_if_open=True)
            found = demo_logins()
        except OperationalError as e:
            log.warning("database unreachable at start-up (%s); demo accounts are checked at log-in", e)
            return
        finally:
            if not database.is_closed():
                database.close()
    if found:
        raise ConfigError(
            f"{len(found)} demonstration account(s) can log in with the README's published password "
            f"(for example {found[0]}): this database once ran `flask demo load`. Remove them with "
            "`flask demo remove` before serving in production.")
