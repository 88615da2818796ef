"""Transcript page of a learner with 200 claims against a minimal Flask + peewee page of 20 rows.

Both apps run under gunicorn with 2 sync workers on 127.0.0.1, on SQLite, in the same run, under
the same load: 8 client threads for 10 seconds each (a new connection per request, as gunicorn's
sync workers close them). The transcript is fetched with a logged-in session cookie and must
contain every claim. Bar: transcript requests/s ≥ 0.5 × the minimal page's.
"""
from __future__ import annotations

import datetime as dt
import http.client
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "activities"
WORKERS = 2
THREADS = 8
SECONDS = 10.0
ACTIVITIES = 40
CREDITS = ("ama_pra_1", "acpe", "pace", "california_cls", "florida")  # 40 × 5 = 200 claims
MIN_RATIO = 0.5
SECRET = "bench-secret-key-0123456789-abcdefghijklmnop"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def catalogue(folder: Path) -> None:
    source = (FIXTURES / "stewardship-webinar.md").read_text()
    for i in range(ACTIVITIES):
        # each part is its own ACPE activity and P.A.C.E. program: the checker refuses shared numbers
        text = (source.replace("title: Antimicrobial Stewardship in the Clinical Laboratory",
                               f"title: Stewardship Case Series, Part {i + 1}")
                .replace("0001-0000-27-001-L01-P", f"0001-0000-27-{i + 100:03d}-L01-P")
                .replace("116-001-27", f"116-{i + 100:03d}-27"))
        (folder / f"bench-activity-{i:02d}.md").write_text(text)


def populate(db_url: str, folder: Path) -> str:
    """Sync the catalogue, make one learner with 200 claims and certificates; return a session cookie."""
    from claimserver import create_app
    from claimserver.catalog_sync import sync
    from claimserver.cli import upgrade
    from claimserver.db import database
    from claimserver.models import Activity, Certificate, Claim
    from claimserver.records import operations as ops
    from claimserver.reports import ledger
    from tests import factories as F

    app = create_app({"CE_ENV": "testing", "SECRET_KEY": SECRET, "DATABASE_URL": db_url,
                      "CATALOG_PATH": str(folder), "WTF_CSRF_ENABLED": False})
    with app.app_context():
        upgrade()
        sync(str(folder))
        who = F.create_learner(profession="laboratory-professional", nabp_epid="1234567", birth_mmdd="0101",
                               california_licence="CLS-1", florida_licence="CH-1")
        with database.atomic():
            for n, row in enumerate(Activity.select().where(Activity.slug.startswith("bench-"))):
                v = row.current
                for key in CREDITS:
                    d = v.model().designation(key)
                    c = Claim.create(learner=who, activity=row, version=v, credit_type=key, quarter_hours=6,
                                     designation=d.as_dict(),
                                     participated_on=dt.date(2025, 1, 1) + dt.timedelta(days=9 * n))
                    Certificate.create(claim=c, code=ops.new_code(), name=who.certificate_name)
                    ledger.record_claim(c)
        count = Claim.select().where(Claim.learner == who).count()
        database.close()
    assert count == ACTIVITIES * len(CREDITS), count
    client = app.test_client()
    resp = F.login(client, who)
    assert resp.status_code == 302, resp.status_code
    return client.get_cookie("session").value


def start(args: list[str], env: dict, port: int, path: str, log: Path) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-m", "gunicorn", "-w", str(WORKERS), "-b", f"127.0.0.1:{port}",
                             "--log-level", "warning", *args], env={**os.environ, **env}, cwd=ROOT,
                            stdout=log.open("wb"), stderr=subprocess.STDOUT)
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            c.request("GET", path)
            if c.getresponse().status < 500:
                return proc
        except OSError:
            time.sleep(0.2)
    proc.terminate()
    raise RuntimeError(f"gunicorn did not start: {log.read_text()[-2000:]}")


def load(port: int, path: str, headers: dict, must_contain: bytes) -> tuple[float, int, int]:
    """THREADS clients for SECONDS; returns (requests per second, ok, failed)."""
    ok = [0] * THREADS
    bad = [0] * THREADS
    stop = time.perf_counter() + SECONDS

    def client(i: int) -> None:
        while time.perf_counter() < stop:
            try:
                c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                c.request("GET", path, headers=headers)
                r = c.getresponse()
                body = r.read()
                c.close()
                if r.status == 200 and must_contain in body:
                    ok[i] += 1
                else:
                    bad[i] += 1
            except OSError:
                bad[i] += 1

    t0 = time.perf_counter()
    threads = [threading.Thread(target=client, args=(i,)) for i in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sum(ok) / (time.perf_counter() - t0), sum(ok), sum(bad)


def main() -> int:
    sys.path.insert(0, str(ROOT))
    tmp = Path(tempfile.mkdtemp(prefix="bench-transcript-"))
    procs: list[subprocess.Popen] = []
    try:
        folder = tmp / "activities"
        folder.mkdir()
        catalogue(folder)
        db_url = f"sqlite:///{tmp / 'claims.sqlite3'}"
        print(f"populating {ACTIVITIES * len(CREDITS)} claims …", flush=True)
        cookie = populate(db_url, folder)
        from bench import minimal_app

        minimal_app.create(str(tmp / "minimal.sqlite3"))
        p1, p2 = free_port(), free_port()
        procs.append(start(["bench.minimal_app:app"], {"BENCH_MINIMAL_DB": str(tmp / "minimal.sqlite3")},
                           p1, "/", tmp / "minimal.log"))
        procs.append(start(["claimserver:create_app()"],
                           {"DATABASE_URL": db_url, "SECRET_KEY": SECRET, "CE_ENV": "development",
                            "CE_CATALOG_PATH": str(folder), "CE_MAIL_OUTBOX_DIR": str(tmp / "outbox")},
                           p2, "/healthz", tmp / "claimserver.log"))
        print(f"gunicorn × {WORKERS} workers each; {THREADS} client threads × {SECONDS:.0f} s per page", flush=True)
        floor, ok1, bad1 = load(p1, "/", {}, b"Activity 19")
        print(f"minimal page (20 rows):       {floor:7.1f} req/s  ({ok1} ok, {bad1} failed)", flush=True)
        ours, ok2, bad2 = load(p2, "/transcript", {"Cookie": f"session={cookie}"}, b"Part 40</td>")
        print(f"transcript (200 claims):      {ours:7.1f} req/s  ({ok2} ok, {bad2} failed)", flush=True)
        ratio = ours / floor if floor else 0.0
        print(f"ratio transcript/minimal: {ratio:.2f} (bar ≥ {MIN_RATIO})")
        return 0 if ratio >= MIN_RATIO and bad2 == 0 else 1
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
