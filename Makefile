# The course's commands. `make help` lists them with what they take on a 2-core machine.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
# numpy and torch share processes here; without this OpenBLAS threads spin and torch's
# CPU ops slow down badly.
export OPENBLAS_THREAD_TIMEOUT ?= 4
export PYDEVD_DISABLE_FILE_VALIDATION := 1
# nbgrader runs tools such as `alembic` by name: the environment's bin must come first.
export PATH := $(CURDIR)/$(BIN):$(PATH)
ASSIGNMENTS := $(notdir $(patsubst %/,%,$(wildcard solutions/*/)))
PYTEST_ARGS ?=

.PHONY: help venv book test release bench train-numpy lock clean

help:  ## this list
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-8s %s\n", $$1, $$2}'

venv: $(STAMP)  ## create .venv and install the pinned environment (first time ~1 min)

# Re-install only when the pins change; the stamp makes both commands idempotent.
$(STAMP): requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $(STAMP)

book: $(STAMP)  ## build the HTML book into _build/html (first time ~1 min)
	$(BIN)/jupyter-book build . --warningiserror --nitpick --keep-going
	@echo "The book is at $(CURDIR)/_build/html/index.html"

test: $(STAMP)  ## run every test: units, notebooks (nbval), nbgrader workflow, book build
	$(BIN)/python -m pytest -n 2 --dist loadfile $(PYTEST_ARGS)

release: $(STAMP)  ## regenerate assignments/ from solutions/ with nbgrader
	for a in $(ASSIGNMENTS); do $(BIN)/nbgrader generate_assignment "$$a" --force || exit 1; done

bench: $(STAMP)  ## time the reference naive and fast layers against PyTorch (a few minutes)
	$(BIN)/python -m cs231n_utils.benchmark --notebooks solutions/layers

train-numpy: $(STAMP)  ## train the numpy ConvNet on CIFAR-10 (about 20 minutes), record in results/
	$(BIN)/python -m cs231n_utils.train_numpy --notebooks solutions/layers

lock: $(STAMP)  ## rewrite requirements.lock from the installed environment
	{ sed -n '1,3p' requirements.lock; $(BIN)/python -m pip freeze --all --exclude-editable | grep -vE '^(pip)==' | sed 's/^torch==\(.*\)+cpu$$/torch==\1/'; } > requirements.lock.new
	mv requirements.lock.new requirements.lock

clean:  ## remove built files (keeps .venv)
	rm -rf _build .pytest_cache
