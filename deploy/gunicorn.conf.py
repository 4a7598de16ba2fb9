"""gunicorn settings for one app instance: ``gunicorn -c deploy/gunicorn.conf.py wsgi:app``.

Each instance is one gunicorn master with its workers; run several (on one machine with different
ports, or on several machines) behind the reverse proxy. Command-line options override these.
"""
import multiprocessing
import os

#: Where this instance listens; nginx's upstream lists every instance's address.
bind = os.environ.get("LIAISON_BIND", "127.0.0.1:8001")
#: Sync workers: nginx buffers slow phone uploads and downloads, so a worker is busy only while the
#: app computes. Each worker holds at most a few PostgreSQL connections (SQLAlchemy's pool).
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
worker_class = "sync"
#: An export of a large district may take several seconds; nothing should take half a minute.
timeout = 60
graceful_timeout = 30
#: Workers are recycled now and then so a slow leak cannot grow without bound.
max_requests = 5000
max_requests_jitter = 500
#: Never load the app before forking: each worker opens its own database connections.
preload_app = False
#: The app logs to stderr (record ids only, never phone numbers or coordinates). No access log here:
#: nginx keeps one, and URLs such as activation links carry one-time tokens.
errorlog = "-"
loglevel = "info"
