"""gunicorn settings: `gunicorn -c gunicorn.conf.py moviedb.wsgi` (what `make run` does).

Each variable below may be overridden from the environment or on the command line.
`kill -HUP <master pid>` reloads gracefully: new workers start with the new code and
configuration, old ones finish the requests they hold, and no request is dropped.
"""

import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")

# Workers share the CPUs; threads overlap the waits on PostgreSQL and Redis.
workers = int(os.environ.get("WEB_CONCURRENCY") or 2 * (os.cpu_count() or 1) + 1)
threads = int(os.environ.get("GUNICORN_THREADS") or 4)
worker_class = "gthread"

# A worker that stops answering its master for `timeout` seconds is killed and replaced.
# A single slow query is cut short sooner by PostgreSQL's statement_timeout.
timeout = int(os.environ.get("GUNICORN_TIMEOUT") or 60)
# On HUP or TERM, workers get this long to finish the requests they hold.
graceful_timeout = 30
keepalive = 5
# Replace each worker after some ten thousand requests, so slow leaks cannot build up. The
# jitter is half the limit so that workers started together are not all replaced in the same
# second, which left nothing answering under load.
max_requests = 10000
max_requests_jitter = 5000
# The heartbeat file lives in memory, not on a disk that may stall.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None

# The proxy in front of gunicorn: addresses allowed to set X-Forwarded-Proto.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")

# The site writes the access log itself, to stdout, one line per request with the request's
# id (moviedb/request_log.py); gunicorn's error log and the site's errors go to stderr.
accesslog = None
errorlog = "-"
