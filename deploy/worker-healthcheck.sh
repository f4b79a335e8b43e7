#!/bin/sh
# A container's health check for `portal worker`, e.g. in a Dockerfile:
#   HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 CMD /srv/portal/deploy/worker-healthcheck.sh
# Healthy while the worker's Dramatiq answers on its metrics port (PORTAL_WORKER_METRICS_PORT, 9191):
# that server runs only while `portal worker`'s Dramatiq is up, and a restart after a killed process
# (a worker process or Dramatiq's main one: nothing of the old Dramatiq keeps the port) takes a few
# seconds, well inside the retries.
exec python3 -c "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/' % os.environ.get('PORTAL_WORKER_METRICS_PORT', '9191'), timeout=4)"
