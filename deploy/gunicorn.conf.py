"""gunicorn settings for ankle-intake: ``gunicorn -c deploy/gunicorn.conf.py``.

Read by gunicorn itself (it is a Python file of settings). Values come from the
environment so the systemd unit, the container and the tests share this file:

- ``ANKLE_BIND`` (default ``unix:/run/ankle-intake/gunicorn.sock``): a Unix socket
  that only nginx's group can open, because the authorize hook trusts the SSO
  header from whoever connects, and on loopback that is every local process.
  Under systemd, ``ankle-intake.socket`` makes the socket (mode 0660, group
  ``www-data``) and gunicorn inherits it; run by hand, gunicorn makes it itself
  with ``umask`` below (mode 0660, its own group). ``ANKLE_BIND=127.0.0.1:8000``
  (comma-separated for several) is for the load benchmark and the container.
- ``ANKLE_WORKERS`` (default: 2 per core plus 1, at most 8), ``ANKLE_THREADS`` (default 1),
  ``ANKLE_TIMEOUT`` (default 30 s), ``ANKLE_MAX_REQUESTS`` (default 0 = never recycle).
- ``ANKLE_ACCESS_LOG`` (default ``-`` = stdout, the journal): set it empty for none.
- ``ANKLE_FORWARDED_ALLOW_IPS`` (default ``127.0.0.1,::1``): who may set X-Forwarded-Proto.
"""

from __future__ import annotations

import os

_here = os.path.dirname(os.path.abspath(__file__))


def _int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


# The app: deploy/wsgi.py builds it from the environment.
chdir = _here
wsgi_app = "wsgi:create_app()"

#: The default: a socket in systemd's /run, reachable only by its owner and group.
_SOCKET = "unix:/run/ankle-intake/gunicorn.sock"
bind = [b.strip() for b in os.environ.get("ANKLE_BIND", _SOCKET).split(",") if b.strip()]
# A socket gunicorn makes itself is rw for owner and group only (0660): no other local
# user can connect and send X-Remote-User. Files gunicorn writes get the same mask.
umask = 0o117
workers = _int("ANKLE_WORKERS", min(2 * (os.cpu_count() or 1) + 1, 8))
threads = _int("ANKLE_THREADS", 1)  # more than 1 switches gunicorn to its gthread worker
timeout = _int("ANKLE_TIMEOUT", 30)  # a stuck worker is killed and replaced after this
graceful_timeout = 30  # systemd's TimeoutStopSec is a little longer
keepalive = 5
max_requests = _int("ANKLE_MAX_REQUESTS", 0)
max_requests_jitter = max_requests // 10
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None

# Requests are small: the plugin reads at most ANKLE_INTAKE_MAX_BODY_BYTES of JSON.
limit_request_line = 4094
limit_request_fields = 100
limit_request_field_size = 8190

# Only the proxy may say the request came over HTTPS (in compose: the network's gateway).
forwarded_allow_ips = os.environ.get("ANKLE_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
# A header spelt with underscores (X_Remote_User) is dropped, never mapped onto
# X-Remote-User: a browser must not be able to smuggle in the SSO header.
header_map = "drop"
# gunicorn 25+ opens a control socket under $HOME; a service needs none, and two
# instances on one server would fight over the same path.
control_socket_disable = True

# Logs: never patient data. The plugin's URLs hold only record ids (random UUIDs),
# never answers; still, the access log writes the path without its query string
# (%(U)s, not %(r)s), no referrer, no user agent, no headers and no bodies
# (gunicorn never logs bodies). The SSO user name is not logged here either.
accesslog = os.environ.get("ANKLE_ACCESS_LOG", "-") or None
access_log_format = '%(h)s %(t)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms'
errorlog = "-"
loglevel = os.environ.get("ANKLE_LOG_LEVEL", "info").lower()
capture_output = False
proc_name = "ankle-intake"


def on_starting(server: object) -> None:
    """Create the table once, in the master, before any worker starts.

    Workers that each made it on first use would race (two CREATE TABLEs, one
    500); and a database that cannot be reached stops the start here, loudly,
    so systemd or compose restarts the service instead of serving 500s.
    """
    import sys

    if _here not in sys.path:
        sys.path.insert(0, _here)
    from wsgi import prepare_database

    prepare_database()
