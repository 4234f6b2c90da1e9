"""gunicorn settings of the portal, used by `make run` (scripts/run.sh) and in production
(deploy/systemd/portal-web.service). Why each value is what it is: README.md, "Web server".

Environment: PORTAL_GUNICORN_BIND, PORTAL_GUNICORN_WORKERS, PORTAL_GUNICORN_TIMEOUT.
"""

import gc
import os

wsgi_app = "app:app"
bind = [os.environ.get("PORTAL_GUNICORN_BIND", "127.0.0.1:8000")]

# Sync workers serve one request per process, and the master kills a worker that has not
# reported back within `timeout` seconds: a client that sends its body a byte at a time loses
# the connection after `timeout` seconds instead of holding a process for ever.
worker_class = "sync"
workers = int(
    os.environ.get("PORTAL_GUNICORN_WORKERS", min(2 * len(os.sched_getaffinity(0)) + 1, 12))
)
timeout = int(os.environ.get("PORTAL_GUNICORN_TIMEOUT", 60))
# A stop lets every request that is still within its timeout finish.
graceful_timeout = timeout
# Ignored by sync workers, which close each connection after its response: an idle
# keep-alive connection never holds a process.
keepalive = 2

# Open311 may list 200 case references in one query string (about 3.3 KB); 8190 is the most
# gunicorn allows. The header limits are gunicorn's defaults.
limit_request_line = 8190
limit_request_fields = 100
limit_request_field_size = 8190

# Replace each process after about 10,000 requests, giving back memory it gathered (large
# images decoded by Pillow); the jitter keeps them from restarting all at once. At 1,000 a
# worker serving cached pages was replaced every second under load, and each new one paid its
# warm-up again (bench/pages.py); `when_ready` below makes that warm-up mostly the master's.
max_requests = 10000
max_requests_jitter = 1000

# Load the app once in the master, then fork: a worker's boot would otherwise count against
# `timeout`, and a broken setting now stops the server at start with its error. Safe because
# creating the app opens no database or Redis connection (tests/test_run_server.py).
preload_app = True

# gunicorn's control socket defaults to one path per user ($HOME/.gunicorn/gunicorn.ctl),
# which two servers on one machine would fight over; the portal does not use it.
control_socket_disable = True


def when_ready(server):  # noqa: ANN001  (gunicorn's hook signature)
    """Compile templates and read catalogues once in the master (portal/warmup.py), so that a
    worker that replaces another after `max_requests` starts warm."""
    from flask import Flask

    from portal.warmup import warm_up

    app = server.app.wsgi()
    if isinstance(app, Flask):
        count = warm_up(app)
        server.log.info("warmed up: %d templates compiled before forking workers", count)


def pre_fork(server, worker):  # noqa: ANN001, ARG001  (gunicorn's hook signature)
    """Move everything the preloaded app allocated out of the cyclic collector's sight.

    Python's advice for fork without exec (the `gc.freeze` documentation): the collector then
    never walks the app's ~200,000 long-lived objects in each worker, and does not touch their
    pages (copy-on-write memory stays shared).
    """
    gc.freeze()
