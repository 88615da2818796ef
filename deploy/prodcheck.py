"""`make prod-check`: the production set-up of deploy/, started locally and attacked as an operator would.

Starts PostgreSQL-backed gunicorn (deploy/gunicorn.conf.py, claimserver.wsgi:app, CE_ENV=production)
behind nginx (deploy/nginx/ceportal.conf.template rendered with a self-signed certificate), all on
127.0.0.1 ports chosen by the system, in a throw-away directory; then checks:

- slow clients: 4 slowloris connections (headers trickled one line every 2 s) to nginx, and 4
  straight to gunicorn, while a learner logs in, opens My Activities and the transcript, and logs out;
  every learner request must answer, none slower than 2 s;
- proxy addresses: a client's own X-Forwarded-For is not believed (rate limits key on the address
  nginx saw);
- headers: HSTS, CSP with object-src 'none', frame and type protections, Secure cookies, HTTP →
  HTTPS, the catalogue's CSP, request-size limit (413), the app down → 503 with Retry-After.

Prints one line per check and exits 1 if any failed. Everything it starts is stopped at the end.
Needs nginx and openssl (Debian packages; .ci/run installs them) and PostgreSQL at 127.0.0.1:5432.
"""
from __future__ import annotations

import http.client
import os
import re
import secrets
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from deploy.render_nginx import render  # noqa: E402

PG = os.environ.get("CE_TEST_PG_HOST", "127.0.0.1"), int(os.environ.get("CE_TEST_PG_PORT", "5432"))
DB_NAME = f"{os.environ.get('CEPORTAL_TEST_DB_PREFIX', 'ceportal')}_prodcheck"
APP_HOST, SITE_HOST = "claims.test", "catalogue.test"
PASSWORD = "violet-heron-canal-77"
BIN = Path(sys.executable).parent
results: list[tuple[bool, str]] = []


def check(ok: bool, what: str) -> bool:
    results.append((bool(ok), what))
    print(f"{'ok  ' if ok else 'FAIL'} {what}", flush=True)
    return bool(ok)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port: int, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"prod-check: nothing listens on 127.0.0.1:{port} after {seconds} s")


class Client:
    """HTTPS through nginx with a cookie jar (one learner's browser)."""

    def __init__(self, port: int, host: str = APP_HOST):
        self.port, self.host, self.cookies = port, host, {}
        self.ctx = ssl.create_default_context()
        self.ctx.check_hostname, self.ctx.verify_mode = False, ssl.CERT_NONE

    def request(self, method: str, path: str, body: bytes | None = None, headers: dict | None = None,
                timeout: float = 15):
        conn = http.client.HTTPSConnection("127.0.0.1", self.port, context=self.ctx, timeout=timeout)
        h = {"Host": self.host, **(headers or {})}
        if self.cookies:
            h["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if body is not None:
            h.setdefault("Content-Type", "application/x-www-form-urlencoded")
            h.setdefault("Referer", f"https://{self.host}:{self.port}/")  # as a browser sends it
        started = time.monotonic()
        conn.request(method, path, body=body, headers=h)
        r = conn.getresponse()
        data = r.read()
        elapsed = time.monotonic() - started
        for name, value in r.getheaders():
            if name.lower() == "set-cookie":
                k, v = value.split(";", 1)[0].split("=", 1)
                self.cookies[k] = v
        conn.close()
        return r, data.decode("utf-8", "replace"), elapsed


def slowloris(port: int, use_tls: bool, stop: threading.Event, held: list) -> None:
    """One connection that never finishes its headers: a line every 2 s until stopped."""
    try:
        raw = socket.create_connection(("127.0.0.1", port), timeout=30)
        sock = raw
        if use_tls:
            ctx = ssl._create_unverified_context()
            sock = ctx.wrap_socket(raw, server_hostname=APP_HOST)
        sock.sendall(f"GET /login HTTP/1.1\r\nHost: {APP_HOST}\r\n".encode())
        held.append(1)
        i = 0
        while not stop.wait(2):
            i += 1
            sock.sendall(f"X-Slow-{i}: {'a' * 10}\r\n".encode())
    except OSError:
        pass  # the server gave up on us: exactly what it should do


_TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"')


def token(page: str) -> str:
    m = _TOKEN.search(page)
    return quote(m.group(1) or m.group(2)) if m else ""


def learner_journey(client: Client, email: str, seconds: float) -> list[tuple[str, int, float]]:
    """Log in, then My Activities and the transcript with a short pause between pages, then log out
    (CSRF tokens as a browser sends them)."""
    out = []

    def step(method, path, body=None):
        started = time.monotonic()
        try:
            r, page, elapsed = client.request(method, path, body)
        except OSError as e:  # a timeout: the slow clients starved the server
            out.append((f"{method} {path}", type(e).__name__, time.monotonic() - started))
            return ""
        out.append((f"{method} {path}", r.status, elapsed))
        return page

    page = step("GET", "/login")
    step("POST", "/login", f"csrf_token={token(page)}&email={quote(email)}&password={PASSWORD}".encode())
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        step("GET", "/my-activities")
        page = step("GET", "/transcript")
        time.sleep(0.1)
    step("POST", "/logout", f"csrf_token={token(page)}".encode())
    return out


def main() -> int:
    if not shutil.which("nginx") or not shutil.which("openssl"):
        print("prod-check: needs nginx and openssl (apt-get install nginx openssl)", file=sys.stderr)
        return 2
    import psycopg2

    tmp = Path(tempfile.mkdtemp(prefix="ceportal-prodcheck-"))
    os.chmod(tmp, 0o755)
    procs: list[subprocess.Popen] = []
    try:
        conn = psycopg2.connect(host=PG[0], port=PG[1], user="postgres", dbname="postgres")
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}"')
            cur.execute(f'CREATE DATABASE "{DB_NAME}"')
        conn.close()
        app_port, https_port, http_port = free_port(), free_port(), free_port()
        env = {**os.environ, "CE_ENV": "production", "SECRET_KEY": secrets.token_urlsafe(48),
               "DATABASE_URL": f"postgresql://postgres@{PG[0]}:{PG[1]}/{DB_NAME}",
               "CE_TRUSTED_PROXIES": "1", "CE_TEST_PAYMENTS_IN_PRODUCTION": "1",
               "CE_SERVER_URL": f"https://{APP_HOST}:{https_port}", "CE_SITE_URL": f"https://{SITE_HOST}:{https_port}",
               "CE_CATALOG_PATH": str(ROOT / "tests" / "fixtures" / "activities"),
               "CE_MAIL_BACKEND": "file", "CE_MAIL_OUTBOX_DIR": str(tmp / "outbox"),
               # the shipped thread count: gthread hands each accepted connection to a thread, so 4 slow
               # clients landing on one worker of 4 threads starved it (seen); 8 leaves it room
               "CEPORTAL_BIND": f"127.0.0.1:{app_port}", "CEPORTAL_WORKERS": "2", "CEPORTAL_THREADS": "8",
               "FLASK_APP": "claimserver"}
        for args in (["db", "upgrade"], ["catalog", "sync"]):
            subprocess.run([str(BIN / "flask"), *args], env=env, cwd=ROOT, check=True, capture_output=True)
        email = "pat.prodcheck@example.org"
        subprocess.run([sys.executable, "-c", f"""
from claimserver import create_app
from claimserver.auth import hash_password
from claimserver.models import Learner, utcnow
app = create_app()
with app.app_context():
    Learner.create(email={email!r}, password_hash=hash_password({PASSWORD!r}), first_name="Pat",
                   last_name="Check", certificate_name="Pat Check", profession="physician", degree="MD",
                   email_verified_at=utcnow())
"""], env=env, cwd=ROOT, check=True)

        site = tmp / "site"
        (site).mkdir()
        (site / "index.html").write_text("<!doctype html><html><head><meta http-equiv=\"Content-Security-Policy\" "
                                         "content=\"object-src 'none'\"></head><body>Catalogue</body></html>")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj",
                        f"/CN={APP_HOST}", "-keyout", str(tmp / "key.pem"), "-out", str(tmp / "cert.pem")],
                       check=True, capture_output=True)
        values = {"NGINX_SERVER_NAME": APP_HOST, "NGINX_CATALOGUE_NAME": SITE_HOST,
                  "NGINX_TLS_CERT": str(tmp / "cert.pem"), "NGINX_TLS_KEY": str(tmp / "key.pem"),
                  "NGINX_HTTP_PORT": f"127.0.0.1:{http_port}", "NGINX_HTTPS_PORT": f"127.0.0.1:{https_port}",
                  "NGINX_APP_ADDRESS": f"127.0.0.1:{app_port}", "NGINX_SITE_ROOT": str(site),
                  "NGINX_BUSY_ROOT": str(ROOT / "deploy" / "nginx")}
        (tmp / "ceportal.conf").write_text(render(values))
        (tmp / "logs").mkdir()
        (tmp / "nginx.conf").write_text(f"""
worker_processes 1;
pid {tmp}/nginx.pid;
error_log {tmp}/logs/error.log warn;
{'user root;' if os.geteuid() == 0 else ''}
events {{ worker_connections 256; }}
http {{
    include /etc/nginx/mime.types;
    access_log {tmp}/logs/access.log;
    client_body_temp_path {tmp}/body; proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi; uwsgi_temp_path {tmp}/uwsgi; scgi_temp_path {tmp}/scgi;
    include {tmp}/ceportal.conf;
}}
""")
        test = subprocess.run(["nginx", "-t", "-p", str(tmp), "-c", str(tmp / "nginx.conf")], capture_output=True, text=True)
        check(test.returncode == 0, "nginx accepts the rendered deploy/nginx configuration" +
              ("" if test.returncode == 0 else f": {test.stderr.strip()}"))
        if test.returncode:
            return 1
        gunicorn = subprocess.Popen([str(BIN / "gunicorn"), "-c", "deploy/gunicorn.conf.py", "claimserver.wsgi:app"],
                                    env=env, cwd=ROOT, stdout=open(tmp / "logs" / "gunicorn.log", "w"),
                                    stderr=subprocess.STDOUT, start_new_session=True)
        procs.append(gunicorn)
        nginx = subprocess.Popen(["nginx", "-p", str(tmp), "-c", str(tmp / "nginx.conf"), "-g", "daemon off;"],
                                 stdout=subprocess.DEVNULL, stderr=open(tmp / "logs" / "nginx.out", "w"),
                                 start_new_session=True)
        procs.append(nginx)
        wait_port(app_port)
        wait_port(https_port)

        learner = Client(https_port)
        r, _, _ = learner.request("GET", "/readyz")
        check(r.status == 200, f"/readyz through nginx answers 200 (got {r.status})")

        # Headers
        r, text, _ = learner.request("GET", "/login")
        csp = r.getheader("Content-Security-Policy") or ""
        check(r.getheader("Strict-Transport-Security") == "max-age=31536000", "claim server sends HSTS")
        check("object-src 'none'" in csp and "frame-ancestors 'none'" in csp, "claim server CSP has object-src 'none' and frame-ancestors 'none'")
        check(r.getheader("X-Content-Type-Options") == "nosniff" and r.getheader("X-Frame-Options") == "DENY",
              "claim server sends nosniff and X-Frame-Options DENY")
        cookie = r.getheader("Set-Cookie") or ""
        check("Secure" in cookie and "HttpOnly" in cookie, "session cookie is Secure and HttpOnly behind the proxy")
        plain = http.client.HTTPConnection("127.0.0.1", http_port, timeout=5)
        plain.request("GET", "/login", headers={"Host": APP_HOST})
        pr = plain.getresponse()
        check(pr.status == 301 and pr.getheader("Location", "").startswith(f"https://{APP_HOST}"),
              "plain HTTP is redirected to HTTPS")
        plain.close()
        cat = Client(https_port, SITE_HOST)
        r, text, _ = cat.request("GET", "/")
        check(r.status == 200 and "frame-ancestors 'none'" in (r.getheader("Content-Security-Policy") or "")
              and "Content-Security-Policy" in text, "static catalogue served by nginx with its CSP header and meta tag")
        r, _, _ = learner.request("POST", "/login", body=b"x" * (5 * 1024 * 1024))
        check(r.status == 413, f"a 5 MB request body is refused by nginx with 413 (got {r.status})")

        # Proxy addresses: a spoofed X-Forwarded-For is replaced by the address nginx saw
        for _ in range(2):
            _, page, _ = learner.request("GET", "/login")
            learner.request("POST", "/login", body=f"csrf_token={token(page)}&email=nobody%40example.org"
                                                   "&password=wrong-guess-123".encode(),
                            headers={"X-Forwarded-For": "203.0.113.9"})
        keys = psycopg2.connect(env["DATABASE_URL"])
        with keys.cursor() as cur:
            cur.execute("SELECT key FROM rate_limit_hit WHERE key LIKE 'login-ip:%%'")
            seen = sorted({k for (k,) in cur.fetchall()})
        keys.close()
        check(seen == ["login-ip:127.0.0.1"], f"rate limits key on the address nginx saw, not the client's header ({seen})")

        # Slow clients, through nginx and straight to gunicorn
        for label, port, tls in (("nginx", https_port, True), ("gunicorn directly", app_port, False)):
            stop, held = threading.Event(), []
            slow = [threading.Thread(target=slowloris, args=(port, tls, stop, held), daemon=True) for _ in range(4)]
            for t in slow:
                t.start()
            time.sleep(1.5)
            steps = learner_journey(Client(https_port), email, seconds=8)
            stop.set()
            bad = [s for s in steps if s[1] not in (200, 302)]
            logged_in = sum(1 for s in steps if s[0] == "GET /transcript" and s[1] == 200)
            worst = max(s[2] for s in steps)
            check(len(held) == 4 and not bad and logged_in and worst < 2.0,
                  f"4 slow clients held on {label}: a learner made {len(steps)} requests "
                  f"({logged_in} transcripts), {len(bad)} failed{f' (first: {bad[0]})' if bad else ''}, "
                  f"slowest {worst:.2f} s")

        # The app down: nginx answers 503 with Retry-After (never a bare 502)
        os.killpg(gunicorn.pid, signal.SIGTERM)
        gunicorn.wait(timeout=40)
        r, text, _ = learner.request("GET", "/my-activities")
        check(r.status == 503 and r.getheader("Retry-After") == "30" and "Back in a moment" in text,
              f"app stopped: nginx answers 503 with Retry-After and the busy page (got {r.status})")
    finally:
        for p in procs:
            if p.poll() is None:
                try:
                    os.killpg(p.pid, signal.SIGTERM)
                    p.wait(timeout=40)
                except (ProcessLookupError, subprocess.TimeoutExpired):
                    os.killpg(p.pid, signal.SIGKILL)
        shutil.rmtree(tmp, ignore_errors=True)
    failed = [w for ok, w in results if not ok]
    print(f"prod-check: {len(results) - len(failed)} of {len(results)} checks passed")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
