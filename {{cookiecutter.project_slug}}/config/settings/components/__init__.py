"""Settings per concern, one module each, included by base.py one after another.

A component imports what it reads: `env`, `rate`, BASE_DIR and PACKAGE from config/settings/env.py,
a setting of another component from that component, a core setting from base.py (defined before
base.py includes the components). An option's component exists only in projects baked with it.
"""
