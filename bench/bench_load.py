"""Load: N simulated learners' whole journey against the production configuration on PostgreSQL.

The claim server runs as deployed (deploy/gunicorn.conf.py: gthread, 2 workers × 8 threads,
claimserver.wsgi:app, CE_ENV=production with CSRF on) on a fresh PostgreSQL database; beside it,
under the same gunicorn settings and the same load generator, the floor: bench/minimal_app.py (a
trivial Flask + peewee page). Loopback only; every loop is bounded in count and time.

1. Floor: 50 client threads on the minimal page for 10 s.
2. Journey: 50 learners at once, each once through sign up → confirm the emailed link → profile →
   log out → log in → buy → open the material → post-test → evaluation → claim → certificate PDF
   → verify → transcript (CSRF tokens as a browser sends them; at most 180 s).
3. Duplicates afterwards, straight from the database (orders, claims, certificates, emails).
4. Cost per request: argon2 verification against the log-in time, certificate PDF rendering
   against the PDF download time (same process, same parameters).
5. Spike: 200 learners log in and open the transcript at once (requests stamped with
   X-Request-Start as nginx does): each must answer within 10 s, normally or with 429/503 and
   Retry-After.

Bar: 0 errors and 0 duplicates at 50 learners; in the spike nothing slower than 10 s and every
refusal a 429/503 with Retry-After.
"""
from __future__ import annotations

import datetime as dt
import http.client
import os
import re
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "activities"
PG = ("127.0.0.1", 5432)
DB_NAME = f"{os.environ.get('CEPORTAL_TEST_DB_PREFIX', 'ceportal')}_bench_load"
LEARNERS, SPIKE = 50, 200
FLOOR_SECONDS, JOURNEY_DEADLINE, SPIKE_LIMIT = 10.0, 180.0, 10.0
SLUG = "bench-journal"
PASSWORD = "violet-heron-canal-77"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def activity_file(folder: Path) -> None:
    """The fixture journal activity, free, released a month ago, open for claims for 300 days."""
    today = dt.date.today()
    starts = today - dt.timedelta(days=30)
    text = (FIXTURES / "journal-candida-auris.md").read_text()
    text = re.sub(r"^starts: .*$", f"starts: {starts.isoformat()}T09:00:00-05:00", text, flags=re.M)
    text = re.sub(r"^claim_until: .*$", f"claim_until: {today + dt.timedelta(days=300)}", text, flags=re.M)
    text = re.sub(r"^price: .*$", "price: 0", text, flags=re.M)
    text = re.sub(r"attested: \d{4}-\d{2}-\d{2}", f"attested: {starts - dt.timedelta(days=10)}", text)
    (folder / f"{SLUG}.md").write_text(text)


class Form(HTMLParser):
    """The fields of the first <form method=post> that posts to `want` (or to the page itself),
    filled as a learner would: the first choice of each radio group (or `answers`), every checkbox
    ticked, text kept or filled."""

    def __init__(self, want: str, answers: dict[str, str] | None = None):
        super().__init__()
        self.answers, self.want = answers or {}, want
        self.fields: dict[str, str] = {}
        self.action: str | None = None
        self.done = False
        self._in, self._textarea = False, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if self.done:
            return
        if tag == "form" and (a.get("method") or "").lower() == "post" and (
                (a.get("action") or "") in ("", self.want)):
            self._in, self.action, self.fields = True, a.get("action") or "", {}
        elif self._in and tag == "input":
            name, kind = a.get("name"), (a.get("type") or "text").lower()
            if not name:
                return
            if kind == "radio":
                if name in self.answers:
                    self.fields[name] = self.answers[name]
                else:
                    self.fields.setdefault(name, a.get("value", ""))
            elif kind == "checkbox":
                self.fields[name] = a.get("value") or "y"
            elif kind != "submit":
                self.fields[name] = a.get("value") or self.answers.get(name, "")
        elif self._in and tag == "textarea":
            self._textarea = a.get("name")
            self.fields[self._textarea] = "Call blood culture Gram stains to the stewardship team first."
        elif self._in and tag == "select":
            self._select = a.get("name")

    def handle_endtag(self, tag):
        if tag == "form" and self._in:
            self._in = False
            self.done = True


def form_of(page: str, want: str, **kw) -> Form:
    f = Form(want, **kw)
    f.feed(page)
    return f


class Learner:
    """One browser: cookies, and a record of (step, status, seconds) for every request."""

    def __init__(self, port: int, record: list, stamp: bool = False):
        self.port, self.record, self.stamp, self.cookies = port, record, stamp, {}

    def request(self, step: str, method: str, path: str, fields: dict | None = None, timeout: float = 60):
        h = {"Host": "claims.test"}
        if self.cookies:
            h["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if fields is not None:
            body = urlencode(fields).encode()
            h["Content-Type"] = "application/x-www-form-urlencoded"
        if self.stamp:
            h["X-Request-Start"] = f"t={time.time():.3f}"
        started = time.monotonic()
        try:
            c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
            c.request(method, path, body=body, headers=h)
            r = c.getresponse()
            data = r.read()
            c.close()
        except OSError as e:
            self.record.append((step, type(e).__name__, time.monotonic() - started, None))
            return None, b""
        self.record.append((step, r.status, time.monotonic() - started, r.getheader("Retry-After")))
        for name, value in r.getheaders():
            if name.lower() == "set-cookie":
                k, v = value.split(";", 1)[0].split("=", 1)
                if v:
                    self.cookies[k] = v
                else:
                    self.cookies.pop(k, None)
        return r, data

    def page(self, step, path):
        r, data = self.request(step, "GET", path)
        return (r.status if r else None), data.decode("utf-8", "replace")

    def submit(self, step, path, page, extra=None, **kw):
        f = form_of(page, path, **kw)
        fields = {**f.fields, **(extra or {})}
        r, data = self.request(step, "POST", f.action or path, fields)
        return r, data


def journey(port: int, n: int, dsn: str, record: list, deadline: float) -> None:
    import psycopg2

    me = Learner(port, record)
    email = f"learner{n:03d}@bench.example.org"
    _, page = me.page("sign up (form)", "/signup")
    me.submit("sign up", "/signup", page, {"email": email, "password": PASSWORD})
    link = None
    while link is None and time.monotonic() < deadline:
        with psycopg2.connect(dsn) as conn, conn.cursor() as cur:
            cur.execute("SELECT body FROM outbox WHERE kind = 'verify-email' AND \"to\" = %s", (email,))
            row = cur.fetchone()
        conn.close()
        m = re.search(r"(/verify-email/\S+)", row[0]) if row else None
        link = m.group(1) if m else None
        if link is None:
            time.sleep(0.2)
    if link is None:
        record.append(("confirm email", "no link", 0.0, None))
        return
    me.request("confirm email", "GET", link)
    _, page = me.page("profile (form)", "/profile")
    me.submit("profile", "/profile", page, {"certificate_name": f"Bench Learner {n}", "first_name": "Bench",
                                            "last_name": f"Learner {n}", "degree": "MD",
                                            "profession": "physician"})
    _, page = me.page("my activities", "/my-activities")
    me.submit("log out", "/logout", page)
    _, page = me.page("log in (form)", "/login")
    me.submit("log in", "/login", page, {"email": email, "password": PASSWORD})
    _, page = me.page("activity page", f"/activities/{SLUG}")
    me.submit("buy", f"/activities/{SLUG}/purchase", page)
    _, page = me.page("participate page", f"/activities/{SLUG}/participate")
    me.submit("open material", f"/activities/{SLUG}/material", page)
    _, page = me.page("participate page", f"/activities/{SLUG}/participate")
    me.submit("post-test", f"/activities/{SLUG}/participate", page,
              answers={"q0": "0", "q1": "0", "q2": "1"})
    _, page = me.page("evaluation (form)", f"/activities/{SLUG}/evaluation")
    me.submit("evaluation", f"/activities/{SLUG}/evaluation", page)
    _, page = me.page("claim (form)", f"/activities/{SLUG}/claim")
    r, _ = me.submit("claim", f"/activities/{SLUG}/claim", page, {"credit": "ama_pra_1", "hours": "1", "attest": "y"})
    where = urlsplit(r.getheader("Location") or "").path if r is not None else ""
    if not re.fullmatch(r"/certificates/\d+", where):
        record.append(("claim gave a certificate", f"went to {where!r}", 0.0, None))
        return
    _, cert_page = me.page("certificate page", where)
    me.request("certificate PDF", "GET", where + ".pdf")
    code = re.search(r"/verify/([A-Z0-9-]+)", cert_page)
    if code:
        me.request("verify", "GET", f"/verify/{code.group(1)}")
    else:
        record.append(("verify link on the certificate", "missing", 0.0, None))
    me.page("transcript", "/transcript")


def pct(values: list[float], p: float) -> float:
    if not values:
        return 0.0
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def report(record: list, seconds: float, ok_status=(200, 302)) -> tuple[int, Counter]:
    by_step = defaultdict(list)
    errors = Counter()
    for step, status, secs, _retry in record:
        by_step[step].append(secs)
        if status not in ok_status:
            errors[(step, status)] += 1
    print(f"  {len(record)} requests in {seconds:.1f} s = {len(record) / seconds:.1f} req/s")
    print(f"  {'step':<22} {'n':>4} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}")
    for step, secs in by_step.items():
        print(f"  {step:<22} {len(secs):>4} {pct(secs, 50) * 1000:>8.0f} {pct(secs, 95) * 1000:>8.0f} "
              f"{pct(secs, 99) * 1000:>8.0f}")
    print(f"  errors by status: {dict(errors) or 'none'}")
    return sum(errors.values()), errors


def duplicates(dsn: str) -> dict[str, int]:
    import psycopg2

    checks = {
        "learners per email": "SELECT count(*) FROM (SELECT email FROM learner GROUP BY email HAVING count(*) > 1) x",
        "orders per learner+activity": "SELECT count(*) FROM (SELECT 1 FROM orders GROUP BY learner_id, activity_id HAVING count(*) > 1) x",
        "claims per learner+activity+credit": "SELECT count(*) FROM (SELECT 1 FROM claim GROUP BY learner_id, activity_id, credit_type HAVING count(*) > 1) x",
        "certificates per claim": "SELECT count(*) FROM (SELECT 1 FROM certificate GROUP BY claim_id HAVING count(*) > 1) x",
        "receipts per order": "SELECT count(*) FROM (SELECT 1 FROM outbox WHERE kind = 'receipt' GROUP BY dedupe_key HAVING count(*) > 1) x",
        "confirmation emails per address": "SELECT count(*) FROM (SELECT 1 FROM outbox WHERE kind = 'verify-email' GROUP BY \"to\" HAVING count(*) > 1) x",
        "participations per learner+activity": "SELECT count(*) FROM (SELECT 1 FROM participation GROUP BY learner_id, activity_id HAVING count(*) > 1) x",
    }
    out = {}
    with psycopg2.connect(dsn) as conn, conn.cursor() as cur:
        for what, sql in checks.items():
            cur.execute(sql)
            out[what] = cur.fetchone()[0]
        cur.execute("SELECT count(*) FROM certificate")
        out["(certificates issued)"] = cur.fetchone()[0]
    conn.close()
    return out


def costs(port: int, email: str, record: list) -> None:
    """argon2's share of a log-in and the PDF renderer's share of a certificate download, each on
    the idle server (one request at a time) beside the same work done in this process."""
    from argon2 import PasswordHasher

    from claimserver.auth import _hasher

    def each(fn, n=5):
        t0 = time.perf_counter()
        for _ in range(n):
            fn()
        return (time.perf_counter() - t0) / n

    h = _hasher.hash(PASSWORD)
    argon = each(lambda: _hasher.verify(h, PASSWORD))
    default = PasswordHasher()
    argon_default = each(lambda: default.verify(default.hash(PASSWORD), PASSWORD), 3) / 2
    solo: list = []
    me = Learner(port, solo)
    for _ in range(5):
        _, page = me.page("solo log-in page", "/login")
        me.submit("solo log in", "/login", page, {"email": email, "password": PASSWORD})
        _, page = me.page("solo transcript", "/transcript")
        me.submit("solo log out", "/logout", page)
    login = statistics.median([s for step, st, s, _ in solo if step == "solo log in"] or [0])
    print(f"  argon2id as configured (time_cost={_hasher.time_cost}, memory_cost={_hasher.memory_cost} KiB, "
          f"parallelism={_hasher.parallelism}): {argon * 1000:.0f} ms per verify; the library default "
          f"(3, 65536 KiB, 4): {argon_default * 1000:.0f} ms")
    print(f"  one log-in on the idle server: {login * 1000:.0f} ms → argon2 ≈ "
          f"{100 * argon / login if login else 0:.0f}% of it")
    pdf = statistics.median([s for step, st, s, _ in record if step == "certificate PDF" and st == 200] or [0])
    print(f"  certificate PDF download under load: median {pdf * 1000:.0f} ms "
          f"(rendering alone: bench_certificates)")


def spike(port: int, dsn: str, emails: list[str]) -> tuple[bool, str]:
    record: list = []
    barrier = threading.Barrier(SPIKE)

    def one(i: int) -> None:
        me = Learner(port, record, stamp=True)
        try:
            barrier.wait(timeout=30)
        except threading.BrokenBarrierError:
            return
        email = emails[i % len(emails)]
        r, data = me.request("spike: log-in page", "GET", "/login", timeout=30)
        if r is None or r.status != 200:
            return
        f = form_of(data.decode("utf-8", "replace"), "/login")
        r, _ = me.request("spike: log in", "POST", "/login", {**f.fields, "email": email, "password": PASSWORD},
                          timeout=30)
        if r is not None and r.status == 302:
            me.request("spike: transcript", "GET", "/transcript", timeout=30)

    t0 = time.monotonic()
    threads = [threading.Thread(target=one, args=(i,)) for i in range(SPIKE)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    secs = time.monotonic() - t0
    report(record, secs, ok_status=(200, 302, 429, 503))
    slow = [r for r in record if r[2] > SPIKE_LIMIT]
    refused = [r for r in record if r[1] in (429, 503)]
    no_retry = [r for r in refused if not r[3]]
    broken = [r for r in record if r[1] not in (200, 302, 429, 503)]
    worst = max((r[2] for r in record), default=0)
    summary = (f"{len(record)} requests, slowest {worst:.1f} s, {len(refused)} answered 429/503 "
               f"({len(no_retry)} without Retry-After), {len(broken)} other errors")
    return not slow and not no_retry and not broken, summary


def main() -> int:
    sys.path.insert(0, str(ROOT))
    import psycopg2

    try:
        socket.create_connection(PG, timeout=2).close()
    except OSError:
        print("PostgreSQL is not reachable at 127.0.0.1:5432: this benchmark needs it")
        return 2
    tmp = Path(tempfile.mkdtemp(prefix="bench-load-"))
    procs: list[subprocess.Popen] = []
    admin = psycopg2.connect(host=PG[0], port=PG[1], user="postgres", dbname="postgres")
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
        cur.execute(f'CREATE DATABASE "{DB_NAME}"')
    dsn = f"postgresql://postgres@{PG[0]}:{PG[1]}/{DB_NAME}"
    try:
        folder = tmp / "activities"
        folder.mkdir()
        activity_file(folder)
        app_port, floor_port = free_port(), free_port()
        env = {**os.environ, "CE_ENV": "production", "SECRET_KEY": secrets.token_urlsafe(48), "DATABASE_URL": dsn,
               "CE_TEST_PAYMENTS_IN_PRODUCTION": "1", "CE_TRUSTED_PROXIES": "1", "CE_CATALOG_PATH": str(folder),
               "CE_SERVER_URL": "http://claims.test", "CE_MAIL_BACKEND": "file",
               "CE_MAIL_OUTBOX_DIR": str(tmp / "outbox"),
               # Loopback: every simulated learner shares 127.0.0.1, so the per-address limits are
               # lifted (in production each learner has an address of their own).
               "CE_LOGIN_ATTEMPTS_PER_MINUTE": "1000000", "CE_VERIFY_RATE_PER_MINUTE": "1000000",
               "CEPORTAL_WORKERS": "2", "CEPORTAL_THREADS": "8", "FLASK_APP": "claimserver",
               "BENCH_MINIMAL_DB": str(tmp / "minimal.sqlite3")}
        for args in (["db", "upgrade"], ["catalog", "sync"]):
            subprocess.run([str(Path(sys.executable).parent / "flask"), *args], env=env, cwd=ROOT, check=True,
                           capture_output=True)
        from bench import minimal_app

        minimal_app.create(str(tmp / "minimal.sqlite3"))
        for port, target, log in ((app_port, "claimserver.wsgi:app", "app.log"),
                                  (floor_port, "bench.minimal_app:app", "minimal.log")):
            procs.append(subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py", "--access-logfile", "/dev/null",
                 target], env={**env, "CEPORTAL_BIND": f"127.0.0.1:{port}"}, cwd=ROOT,
                stdout=(tmp / log).open("wb"), stderr=subprocess.STDOUT))
        for port, path in ((app_port, "/readyz"), (floor_port, "/")):
            deadline = time.monotonic() + 30
            while True:
                try:
                    c = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                    c.request("GET", path)
                    if c.getresponse().status == 200:
                        break
                except OSError:
                    pass
                if time.monotonic() > deadline:
                    print((tmp / "app.log").read_text()[-3000:])
                    return 2
                time.sleep(0.2)
        print(f"gunicorn gthread, 2 workers × 8 threads each; PostgreSQL {DB_NAME}; production settings", flush=True)

        print(f"\nfloor: minimal Flask + peewee page, {LEARNERS} client threads × {FLOOR_SECONDS:.0f} s", flush=True)
        floor: list = []
        stop = time.monotonic() + FLOOR_SECONDS

        def hammer():
            c = Learner(floor_port, floor)
            while time.monotonic() < stop:
                c.request("minimal page", "GET", "/")

        t0 = time.monotonic()
        ts = [threading.Thread(target=hammer) for _ in range(LEARNERS)]
        for t in ts:
            t.start()
        for t in ts:
            t.join()
        report(floor, time.monotonic() - t0)

        print(f"\njourney: {LEARNERS} learners at once, each once through all 13 steps", flush=True)
        record: list = []
        deadline = time.monotonic() + JOURNEY_DEADLINE
        t0 = time.monotonic()
        ts = [threading.Thread(target=journey, args=(app_port, n, dsn, record, deadline)) for n in range(LEARNERS)]
        for t in ts:
            t.start()
        for t in ts:
            t.join(timeout=max(1.0, deadline - time.monotonic()))
        errors, _ = report(record, time.monotonic() - t0)
        dups = duplicates(dsn)
        print("  duplicates in the database afterwards: "
              + ", ".join(f"{k} {v}" for k, v in dups.items()))
        dup_total = sum(v for k, v in dups.items() if not k.startswith("("))
        issued = dups["(certificates issued)"]

        print("\ncost per request", flush=True)
        costs(app_port, "learner000@bench.example.org", record)

        print(f"\nspike: {SPIKE} learners log in and open the transcript at once", flush=True)
        spike_ok, spike_summary = spike(app_port, dsn, [f"learner{n:03d}@bench.example.org" for n in range(LEARNERS)])
        print(f"  {spike_summary}")

        ok = errors == 0 and dup_total == 0 and issued == LEARNERS and spike_ok
        print(f"\nbar: {LEARNERS} learners with 0 errors ({errors}), 0 duplicates ({dup_total}), "
              f"{LEARNERS} certificates ({issued}); spike answered within {SPIKE_LIMIT:.0f} s or "
              f"429/503 with Retry-After ({'yes' if spike_ok else 'no'})")
        return 0 if ok else 1
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            try:
                p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                p.kill()
        with admin.cursor() as cur:
            cur.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
        admin.close()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
