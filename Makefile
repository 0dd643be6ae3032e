# The two commands of the README, and the set-up both run first.
.PHONY: setup demo test

setup:
	@bash scripts/setup.sh

demo: setup
	@.venv/bin/course demo

test: setup
	@.venv/bin/python -m pytest -n 2 --dist loadgroup -q tests
