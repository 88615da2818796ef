"""gunicorn settings for the claim server: `gunicorn -c deploy/gunicorn.conf.py claimserver.wsgi:app`.

Worker class: **gthread**, behind nginx with request buffering on. Two defences against slow
clients, either of which alone held the 4-slowloris test (make prod-check):

- nginx reads each request completely (headers within 10 s, body within 10 s) before it opens a
  connection to gunicorn, so a client that trickles its headers never reaches a worker;
- if something does reach gunicorn directly, a gthread worker parks idle and half-read connections
  in its event loop and serves requests from a pool of threads: one slow connection holds one
  thread for at most `timeout` seconds, never the whole worker (sync workers, as first deployed,
  gave each of 4 slow connections a whole worker for 30 s).

Counts: 2 workers per core (a worker is one Python process: threads share one GIL, processes use
the cores) with 8 threads each, since most of a request's time is spent waiting on PostgreSQL.
The PostgreSQL pool per worker (CE_DB_POOL_SIZE, 10) must be at least `threads`. Override with
CEPORTAL_BIND, CEPORTAL_WORKERS, CEPORTAL_THREADS in the environment.
"""
import multiprocessing
import os

bind = os.environ.get("CEPORTAL_BIND", "127.0.0.1:8000")
worker_class = "gthread"
workers = int(os.environ.get("CEPORTAL_WORKERS", 2 * multiprocessing.cpu_count()))
threads = int(os.environ.get("CEPORTAL_THREADS", 8))
# A request that runs longer than this is killed (the worker restarts); PDFs take well under 1 s.
timeout = 30
graceful_timeout = 30
# Idle keep-alive connections from nginx are closed after this long.
keepalive = 5
# Requests nginx would refuse anyway; belt and braces when something talks to gunicorn directly.
limit_request_line = 8190
limit_request_fields = 100
limit_request_field_size = 8190
# Restart workers now and then so a slow leak cannot grow for months.
max_requests = 5000
max_requests_jitter = 500
# Only nginx on this host may set X-Forwarded-*; the app applies them (CE_TRUSTED_PROXIES=1).
forwarded_allow_ips = "127.0.0.1"
accesslog = "-"
errorlog = "-"
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms "%({x-forwarded-for}i)s"'
