"""Claim-server settings: one table of defaults, every key documented, then overrides.

Order: DEFAULTS → the instance folder's `config.py` → environment (`DATABASE_URL`, `SECRET_KEY`,
and `CE_<KEY>` for every other key) → the `test_config` mapping given to `create_app`.
Unknown `CE_*` keys warn; values are checked at start-up (`validate`).
"""
from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from typing import Any

from catalog import credits

log = logging.getLogger(__name__)
REPO = Path(__file__).resolve().parent.parent

DEFAULTS: dict[str, Any] = {
    # "development" (file mail, demo data allowed), "production" (strict) or "testing".
    "CE_ENV": "development",
    # Signs sessions, CSRF tokens and emailed links. Production refuses a weak or default one.
    "SECRET_KEY": "dev-only-not-secret",
    # peewee URL: sqlite:///path (default: instance/claimserver.sqlite3) or postgresql://user@host/db.
    "DATABASE_URL": "",
    # PostgreSQL connection pool, per worker process: at most this many connections (one per
    # thread is enough), each closed after this many seconds instead of being reused; a request
    # waits at most DB_CONNECT_TIMEOUT_SECONDS for a connection or for the server, then gets a 503.
    "DB_POOL_SIZE": 10,
    "DB_POOL_RECYCLE_SECONDS": 300,
    "DB_CONNECT_TIMEOUT_SECONDS": 5,
    # SQLite: a writer waits this long for another's lock, then the request gets a 503.
    "DB_BUSY_TIMEOUT_SECONDS": 10,
    # Folder of activity Markdown files that `flask catalog sync` reads.
    "CATALOG_PATH": str(REPO / "catalog" / "activities"),
    # Public URL of the static catalogue site (links back from the server).
    "SITE_URL": "http://127.0.0.1:8000",
    # Public URL of this server, used in emails, certificates and QR codes.
    "SERVER_URL": "http://127.0.0.1:5000",
    # The accredited provider's name as printed in every statement.
    "PROVIDER_NAME": credits.DEFAULT_PROVIDER,
    # Provider numbers printed on certificates and in report files.
    "ACCME_PROVIDER_ID": "0000123",
    "ACPE_PROVIDER_ID": "0001",
    "PACE_PROVIDER_NUMBER": "116",
    "CE_BROKER_PROVIDER_ID": "50-1234",
    # CE Broker's profession code for the society's Florida licensees (CE Broker's "Profession
    # Codes" list; the roster column reads Profession=<code>). "XX" is a placeholder CE Broker
    # rejects: the code could not be confirmed from CE Broker's public pages. Blank: nothing is
    # exported to CE Broker (listed as blocked).
    "CE_BROKER_PROFESSION_CODE": "XX",
    "CALIFORNIA_ACCREDITING_AGENCY": "ASCLS P.A.C.E.® (Provider 116)",
    # Every certificate carries the provider's signature line (Florida's 64B3-11.003 requires one):
    # an image file (PNG or JPEG, printed about 13 mm high above the line) and/or the printed name
    # of the CE director, e.g. "Dr Jane Roe, Director of Continuing Education". Neither set: the
    # line reads "For <PROVIDER_NAME>".
    "CE_SIGNATURE_IMAGE": "",
    "CE_SIGNATURE_NAME": "",
    # Reporting (claimserver.reports). ACCME PARS learner data: "all" queues every AMA PRA claim
    # (a completion PARS does not need costs one upload line; a missed MOC/REMS one cannot be
    # recovered later), "off" queues none.
    "PARS_REPORTING": "all",
    # Days after participation by which PARS items should be sent; 0 = no deadline (ACCME sets none).
    "PARS_REPORT_DAYS": 0,
    # Days after an export with no accepted/rejected result before the reporting page flags the
    # item (the destination may never have received it); 0 = never flag.
    "REPORT_RESULT_DAYS": 14,
    # Time zone whose calendar date is "today" when counting days left to a reporting deadline.
    "REPORTING_TIMEZONE": "America/New_York",
    # Mail: "file" writes each message to MAIL_OUTBOX_DIR and the log; "smtp" sends.
    "MAIL_BACKEND": "file",
    "MAIL_OUTBOX_DIR": "",
    "MAIL_FROM": "CE Portal <ce@example.org>",
    "SMTP_HOST": "127.0.0.1",
    "SMTP_PORT": 25,
    "SMTP_USER": "",
    "SMTP_PASSWORD": "",
    "SMTP_STARTTLS": False,
    # Each SMTP operation gives up after this many seconds; one whole send after the deadline.
    "MAIL_SMTP_TIMEOUT_SECONDS": 10,
    "MAIL_SEND_DEADLINE_SECONDS": 60,
    # A sender's claim on one message lasts this long; another sender may take it over after.
    # Must exceed the send deadline (checked at start-up) so a lapsed claim is never acted on.
    "MAIL_LEASE_SECONDS": 300,
    # Payment gateway (claimserver/payments): "stripe", or "test", the built-in test gateway whose
    # clearly marked local payment page approves 4242 4242 4242 4242 and declines 4000 0000 0000 0002.
    # Production refuses "test" unless TEST_PAYMENTS_IN_PRODUCTION is set (a staging site, or a
    # society whose activities are all free).
    "PAYMENT_GATEWAY": "test",
    "TEST_PAYMENTS_IN_PRODUCTION": False,
    # Stripe (PAYMENT_GATEWAY=stripe), from the Stripe dashboard's Developers → API keys: the secret
    # key (sk_live_… / sk_test_…) and the publishable key (pk_…) Stripe.js uses in the browser.
    "STRIPE_SECRET_KEY": "",
    "STRIPE_PUBLISHABLE_KEY": "",
    # The signing secret of the webhook endpoint (whsec_…); during a rotation, old and new separated by
    # a comma. See docs/staff/payments.md for the endpoint URL and the events to send.
    "STRIPE_WEBHOOK_SECRET": "",
    # Where the SDK sends API calls; empty = Stripe itself. Tests point it at a local localstripe.
    "STRIPE_API_BASE": "",
    # The Stripe.js script the pay page loads (tests: localstripe's stand-in at <base>/js.stripe.com/v3/).
    "STRIPE_JS_URL": "https://js.stripe.com/v3/",
    # The society's name and postal address printed on receipts (address lines separated by newlines
    # or "\n"); the name defaults to PROVIDER_NAME.
    "SOCIETY_NAME": "",
    "SOCIETY_ADDRESS": "",
    # "Remember me": a remembered login ends this many days after it was made (on the server too).
    "REMEMBER_DAYS": 14,
    # A login without "remember me" ends when the browser closes, and on the server this many
    # hours after it was made.
    "SESSION_HOURS": 12,
    # Email-confirmation links (sent at sign-up; purchases need a confirmed address) last this many days.
    "VERIFY_LINK_DAYS": 7,
    # Password-reset links expire after this many minutes.
    "RESET_LINK_MINUTES": 60,
    # Minimum password length.
    "PASSWORD_MIN_LENGTH": 10,
    # Days after evaluation when the practice questionnaire is due (per activity: follow_up_days).
    "FOLLOW_UP_DAYS": credits.DEFAULT_FOLLOW_UP_DAYS,
    # Days after the questionnaire when one reminder goes out.
    "FOLLOW_UP_REMINDER_DAYS": 14,
    # Questionnaire links stay valid this many days.
    "FOLLOW_UP_LINK_DAYS": 60,
    # A director's shared planning-brief link (/brief/<token>) stays valid this many days.
    "BRIEF_LINK_DAYS": 30,
    # Log-in: failed attempts allowed per account in any 15 minutes (a sliding window), then it
    # waits until the oldest of them is 15 minutes old (or the password is reset).
    "LOGIN_FAILURES_PER_15_MIN": 10,
    # Log-in: attempts allowed per client address per minute, whichever accounts they name.
    "LOGIN_ATTEMPTS_PER_MINUTE": 30,
    # Password-reset emails sent per address per hour (the page answers the same either way).
    "RESET_EMAILS_PER_HOUR": 3,
    # Attendance codes: wrong codes allowed per learner and session in 15 minutes, then it waits.
    "ATTENDANCE_CODE_FAILURES_PER_15_MIN": 10,
    # Public verification: attempts allowed per client address per minute.
    "VERIFY_RATE_PER_MINUTE": 30,
    # Transcript state views: the first day of any one 2-year licence cycle (YYYY-MM-DD); the
    # current cycle is found by counting 2-year steps from it. California CLS licences renew every
    # two years; Florida clinical laboratory licences by biennium. *confirm* against the boards.
    "CALIFORNIA_CYCLE_START": "2025-01-01",
    "FLORIDA_BIENNIUM_START": "2025-09-01",
    # Development and testing only: pretend it is this moment (ISO date or date-time, UTC), e.g. to
    # try `flask outcomes send-due` 90 days on. Refused in production.
    "CLOCK": "",
    # Reverse proxies in front of the server whose X-Forwarded-For/-Proto/-Host/-Port are believed
    # (Werkzeug ProxyFix): 0 = none (rate limits key on the socket address), 1 = one nginx.
    "TRUSTED_PROXIES": 0,
    # With a trusted proxy stamping X-Request-Start: a request that waited longer than this for a
    # worker gets a 503 with Retry-After at once (load shedding in a spike); 0 = never.
    "QUEUE_TIMEOUT_SECONDS": 5,
    # Cookies only over HTTPS (on in production).
    "SESSION_COOKIE_SECURE": False,
}

_UNPREFIXED = ("SECRET_KEY", "DATABASE_URL")
#: CE_* variables the catalogue site reads (catalog.site); they may share an environment with the
#: server, so they are not "unknown settings".
SITE_VARIABLES = frozenset({"CE_CATALOG_TODAY", "CE_CLAIM_URL", "CE_SITE_URL"})


def _parse(value: str, default: Any) -> Any:
    if isinstance(default, bool):
        return value.strip().lower() in ("1", "true", "yes", "on")
    if isinstance(default, int):
        return int(value)
    try:
        return json.loads(value) if value[:1] in "[{" else value
    except ValueError:
        return value


def from_environment(environ: os._Environ | dict = os.environ) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, default in DEFAULTS.items():
        name = key if key in _UNPREFIXED or key.startswith("CE_") else f"CE_{key}"
        if name in environ:
            out[key] = _parse(environ[name], default)
    known = {k if k.startswith("CE_") else f"CE_{k}" for k in DEFAULTS}
    for name in environ:
        if name.startswith("CE_") and name not in known and name not in SITE_VARIABLES:
            log.warning("unknown setting %s ignored", name)
    return out


def parse_clock(value: str):
    """'2027-06-15' or '2027-06-15T12:00[:00][Z|+00:00]' -> an aware datetime (UTC if no offset)."""
    import datetime as dt

    value = value.strip()
    t = dt.datetime.fromisoformat(value.replace("Z", "+00:00")) if "T" in value else \
        dt.datetime.combine(dt.date.fromisoformat(value), dt.time(12))
    return t if t.tzinfo else t.replace(tzinfo=dt.timezone.utc)


class ConfigError(RuntimeError):
    """A setting that would make the server unsafe or broken."""


def validate(cfg: dict[str, Any]) -> None:
    if cfg["CE_ENV"] not in ("development", "production", "testing"):
        raise ConfigError(f"CE_ENV must be development, production or testing, not {cfg['CE_ENV']!r}")
    if cfg["CE_ENV"] == "production":
        key = cfg.get("SECRET_KEY") or ""
        if key == DEFAULTS["SECRET_KEY"] or len(key) < 32 or len(set(key)) < 10:
            raise ConfigError("SECRET_KEY must be set to a random string of at least 32 characters "
                              "in production (python -c 'import secrets; print(secrets.token_urlsafe(48))')")
        if not cfg.get("DATABASE_URL"):
            raise ConfigError("DATABASE_URL must be set in production")
        if cfg.get("PAYMENT_GATEWAY", "test") == "test" and not cfg.get("TEST_PAYMENTS_IN_PRODUCTION"):
            raise ConfigError("PAYMENT_GATEWAY cannot be the test gateway in production: it takes "
                              "no money and approves the published test card (set "
                              "CE_TEST_PAYMENTS_IN_PRODUCTION=1 only for a staging site)")
    if cfg.get("CLOCK"):
        if cfg["CE_ENV"] == "production":
            raise ConfigError("CE_CLOCK cannot be set in production")
        try:
            parse_clock(cfg["CLOCK"])
        except ValueError:
            raise ConfigError(f"CE_CLOCK must be a date or date-time like 2027-06-15T12:00, "
                              f"not {cfg['CLOCK']!r}") from None
    if cfg.get("PAYMENT_GATEWAY", "test") not in ("test", "stripe"):
        raise ConfigError(f"PAYMENT_GATEWAY must be test or stripe, not {cfg['PAYMENT_GATEWAY']!r}")
    if cfg.get("PAYMENT_GATEWAY") == "stripe":
        missing = [f"CE_{k}" for k in ("STRIPE_SECRET_KEY", "STRIPE_PUBLISHABLE_KEY", "STRIPE_WEBHOOK_SECRET")
                   if not cfg.get(k)]
        if missing:
            raise ConfigError(f"PAYMENT_GATEWAY=stripe needs {', '.join(missing)} (see the staff page "
                              "'Payments' in the documentation)")
    if int(cfg["MAIL_LEASE_SECONDS"]) < 2 * float(cfg["MAIL_SEND_DEADLINE_SECONDS"]):
        raise ConfigError("MAIL_LEASE_SECONDS must be at least twice MAIL_SEND_DEADLINE_SECONDS, "
                          "so a claim never lapses while its message is being sent")
    if cfg["MAIL_BACKEND"] not in ("file", "smtp"):
        raise ConfigError("MAIL_BACKEND must be file or smtp")
    image = cfg.get("CE_SIGNATURE_IMAGE") or ""
    if image:
        try:
            with open(image, "rb") as f:
                head = f.read(8)
        except OSError as e:
            raise ConfigError(f"CE_SIGNATURE_IMAGE cannot be read: {image} ({e.strerror})") from None
        if not (head.startswith(b"\x89PNG") or head.startswith(b"\xff\xd8")):
            raise ConfigError(f"CE_SIGNATURE_IMAGE must be a PNG or JPEG file: {image}")
    try:
        if int(cfg.get("REPORT_RESULT_DAYS") or 0) < 0:
            raise ValueError
    except (TypeError, ValueError):
        raise ConfigError(f"REPORT_RESULT_DAYS must be a whole number of days (0 or more), not "
                          f"{cfg.get('REPORT_RESULT_DAYS')!r}") from None
    if cfg.get("PARS_REPORTING", "all") not in ("off", "all"):
        raise ConfigError("PARS_REPORTING must be off or all")
    try:
        from zoneinfo import ZoneInfo

        ZoneInfo(cfg.get("REPORTING_TIMEZONE") or "America/New_York")
    except (ValueError, KeyError, OSError):
        raise ConfigError(f"REPORTING_TIMEZONE is not a time zone: {cfg.get('REPORTING_TIMEZONE')!r}") from None
