# The entry points a newcomer looks for. Each target sets up .venv on a fresh machine (Python >= 3.11 and pip only).
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
EVENT  ?= events/deepseek-r1.toml

.PHONY: run test bench verify figures report notebooks clean help

help:
	@echo "make run    - set up, execute the notebooks into build/<event>/, export the charts, write build/<event>/index.html,"
	@echo "              print the headline table (the flagship; another event: make run EVENT=events/other.toml)"
	@echo "make test   - set up and run the test suite (offline)"
	@echo "make bench  - set up and run the benchmarks in bench/"
	@echo "make verify - check every file of the offline cache in data/"
	@echo "make report - print the headline table only;  make figures - export the charts only"
	@echo "make notebooks - bring each notebook and its py:percent script in step, outputs cleared"

# jupyter-config/ holds the project's Jupyter server settings (each notebook listed once: the paired py:percent
# scripts are hidden from the file browser); they are installed into the environment's etc/jupyter.
$(STAMP): pyproject.toml jupyter-config/jupyter_server_config.json
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	@mkdir -p $(VENV)/etc/jupyter
	cp jupyter-config/jupyter_server_config.json $(VENV)/etc/jupyter/jupyter_server_config.json
	@touch $(STAMP)

# Python reads a module's compiled bytecode when it is up to date, but PYTHONDONTWRITEBYTECODE (set on some machines)
# stops it writing any: compiling the package once here spares every command and notebook kernel about 0.1 s.
BYTECODE = @$(PY) -m compileall -q analysis

run: $(STAMP)
	$(BYTECODE)
	$(PY) -m analysis cache verify
	$(PY) -m analysis run --event-file $(EVENT)

test: $(STAMP)
	$(BYTECODE)
	$(PY) -m pytest

bench: $(STAMP)
	$(BYTECODE)
	$(PY) bench/run_all.py

verify: $(STAMP)
	$(PY) -m analysis cache verify

report: $(STAMP)
	$(PY) -m analysis report --event-file $(EVENT)

figures: $(STAMP)
	$(PY) -m analysis figures --event-file $(EVENT)

notebooks: $(STAMP)
	$(VENV)/bin/jupytext --sync notebooks/[0-9]*.ipynb
	$(PY) -c "from analysis.notebooks import sync_notebooks; sync_notebooks()"

clean:
	rm -rf build .pytest_cache
