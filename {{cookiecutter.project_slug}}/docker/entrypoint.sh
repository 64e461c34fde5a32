#!/bin/sh
# Runs before the container's command. Migrations run here only when asked (RUN_MIGRATIONS=1,
# typically one release step), never from every replica at once.
set -eu
if [ "${RUN_MIGRATIONS:-0}" = "1" ]; then
    python manage.py migrate --no-input
fi
exec "$@"
