# Nexus template: the commands a contributor (or a curious newcomer) needs.
#   make demo   bake the defaults, install, migrate, seed and serve on http://127.0.0.1:8000
#   make test   the template's whole test suite
#   make upgrade  move the versions every bake installs to the newest releases, then test them
PYTHON ?= python3
VENV := $(CURDIR)/.venv
UV := $(VENV)/bin/uv
DEMO_DIR := $(CURDIR)/build/demo
DEMO := $(DEMO_DIR)/nexus_shop
# Never let uv download an interpreter: use the machine's (found by scripts/find_python.py).
export UV_PYTHON_DOWNLOADS := never

.DEFAULT_GOAL := help
.PHONY: help bootstrap test test-fast lint demo docs screenshots bench clean lock upgrade

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  %-12s %s\n", $$1, $$2}'

# A plain venv with uv in it, then uv installs the locked tooling (uv itself is one of them).
$(UV):
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install --quiet --disable-pip-version-check uv

$(VENV)/.synced: $(UV) pyproject.toml uv.lock
	$(UV) sync --locked --python $(VENV)/bin/python
	@touch $@

bootstrap: $(VENV)/.synced ## Create .venv with the template's tooling

test: bootstrap lint ## Run the whole template suite (bakes, hooks, installs and runs the baked projects)
	$(VENV)/bin/pytest

test-fast: bootstrap ## Everything but the installs of baked projects
	$(VENV)/bin/pytest -m "not slow"

lint: bootstrap ## Lint the template's own code
	$(VENV)/bin/ruff check hooks tests scripts benchmarks
	$(VENV)/bin/ruff format --check hooks tests scripts benchmarks
	$(VENV)/bin/mypy hooks tests scripts benchmarks

demo: bootstrap ## Bake the defaults into build/demo and serve them on 127.0.0.1:8000
	rm -rf $(DEMO_DIR)
	$(VENV)/bin/cookiecutter --no-input --output-dir $(DEMO_DIR) $(CURDIR)
	cd $(DEMO) && UV_PYTHON=$$($(VENV)/bin/python $(CURDIR)/scripts/find_python.py 3.12) \
		$(MAKE) --no-print-directory install UV=$(UV)
	cd $(DEMO) && $(UV) run --no-sync python manage.py migrate --no-input
	cd $(DEMO) && $(UV) run --no-sync python manage.py seed_catalog
	cd $(DEMO) && DJANGO_SUPERUSER_PASSWORD=demo-password $(UV) run --no-sync \
		python manage.py createsuperuser --no-input --email demo@example.com
	@echo
	@echo "  Swagger UI:  http://127.0.0.1:8000/api/docs/"
	@echo "  Redoc:       http://127.0.0.1:8000/api/redoc/"
	@echo "  Catalogue:   http://127.0.0.1:8000/api/v1/products/"
	@echo "  Storefront:  http://127.0.0.1:8000/shop/"
	@echo "  Admin:       http://127.0.0.1:8000/admin/  (demo@example.com / demo-password)"
	@echo "  The project: $(DEMO)"
	@echo
	cd $(DEMO) && $(UV) run --no-sync python manage.py runserver 127.0.0.1:8000

docs: bootstrap ## Serve the learning hub (docs/) on http://127.0.0.1:8001 with live reload
	$(VENV)/bin/mkdocs serve --dev-addr 127.0.0.1:8001

# The browser tests save what they see in build/screenshots/ (tests/conftest.py, SCREENSHOTS).
screenshots: bootstrap ## Retake the screenshots docs/getting-started.md shows (Chromium, PostgreSQL, Redis)
	rm -rf build/screenshots
	$(VENV)/bin/pytest -p no:cacheprovider -n 2 tests/test_hub_browser.py \
		"tests/test_generated_project.py::test_generated_suite_passes_on_real_postgres_and_redis[default]"
	mkdir -p docs/screenshots
	cp build/screenshots/*.png docs/screenshots/

clean: ## Remove build output and the tooling venv
	rm -rf build .venv

# COMPARE=<a cookiecutter-django checkout>: its DRF API served beside Nexus's, in the same rounds.
COMPARE ?=
bench: bootstrap ## Measure the template and its API side by side (writes docs/benchmarks.md, .json and the capacity model)
	@command -v wrk >/dev/null || { echo "installing wrk (Debian package)"; apt-get install -y -q wrk >/dev/null; }
	$(VENV)/bin/python benchmarks/run.py $(if $(COMPARE),--compare $(COMPARE))

# The versions every bake installs: {{cookiecutter.project_slug}}/locks/ (scripts/pins.py).
lock: bootstrap ## Re-lock the bakes' versions after editing the project template's dependencies
	$(VENV)/bin/python scripts/pins.py

upgrade: bootstrap ## Move the bakes' pinned versions to the newest releases, then run the whole suite
	$(VENV)/bin/python scripts/pins.py --upgrade
	$(MAKE) --no-print-directory test
	@echo "Every suite passed on the new versions: commit the locks with build/pins-changes.md as the message."
