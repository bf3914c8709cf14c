# The two commands of the README. Both set up .venv first (scripts/setup.sh; re-runs are fast).
.PHONY: demo test test-fast setup lock

SETUP_STAMP := .venv/.setup-done

$(SETUP_STAMP): pyproject.toml requirements/models.txt requirements/constraints.txt scripts/setup.sh
	bash scripts/setup.sh
	touch $(SETUP_STAMP)

setup: $(SETUP_STAMP)

# The main job on the default model.
demo: $(SETUP_STAMP)
	HF_HUB_OFFLINE=1 .venv/bin/sleep-agent demo

# The whole test suite, slow tests (real models, training, langgraph dev) included.
test: $(SETUP_STAMP)
	HF_HUB_OFFLINE=1 .venv/bin/python -m pytest -q

# Only the fast tests (no real model loads), for quick iteration.
test-fast: $(SETUP_STAMP)
	HF_HUB_OFFLINE=1 .venv/bin/python -m pytest -q -m "not slow"

# Pin what the current .venv holds as the versions setups install (after a green `make test`).
lock:
	bash scripts/lock.sh
