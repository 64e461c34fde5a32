#!/usr/bin/env python
"""Django's command-line utility, on local settings unless DJANGO_SETTINGS_MODULE says otherwise."""

import os
import sys


def main() -> None:
    # Local settings by default; deployments set DJANGO_SETTINGS_MODULE explicitly.
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    # A command serves no metrics: in a server's container (a liveness probe that runs a command
    # every minute, say) its samples would pile up in the server's directory, files per run.
    os.environ.pop("PROMETHEUS_MULTIPROC_DIR", None)
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
