"""Error reporting: Sentry when SENTRY_DSN is set, with personal data scrubbed; nothing otherwise.

Always present. The release is the project's version from pyproject.toml unless SENTRY_RELEASE
names one (the image's tag, a commit). core/observability/error_reporting.py does the work.
"""

from ..env import PACKAGE, VERSION, env

SENTRY_DSN = env.str("SENTRY_DSN", default="")
if SENTRY_DSN:
    from {{ cookiecutter.project_slug }}.core.observability.error_reporting import (
        init_error_reporting,
    )

    init_error_reporting(
        dsn=SENTRY_DSN,
        release=env.str("SENTRY_RELEASE", default=f"{PACKAGE}@{VERSION}"),
        environment=env.str("SENTRY_ENVIRONMENT", default="production"),
    )
