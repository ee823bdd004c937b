#!/usr/bin/env bash
# Builds schedviz (with its GIL sampler) for each CPython 3.11-3.13 found, and runs the tests
# that depend on the interpreter: the GIL lane's data, the drop-in executor suite and the
# asyncio step timer (C and Python) on real loops.
set -euo pipefail
cd "$(dirname "$0")/.."
found=0
for minor in 11 12 13; do
  py=""
  if command -v pyenv >/dev/null 2>&1; then
    v=$(pyenv versions --bare 2>/dev/null | grep -E "^3\.${minor}(\.[0-9]+)?$" | sort -V | tail -n 1 || true)
    [ -n "$v" ] && py="$(pyenv root)/versions/$v/bin/python"
  fi
  [ -z "$py" ] && py=$(command -v "python3.${minor}" || true)
  if [ -z "$py" ] || [ ! -x "$py" ]; then
    echo "== Python 3.${minor}: not found, not tested"
    continue
  fi
  found=$((found + 1))
  venv=".venv-3.${minor}"
  echo "== Python 3.${minor}: $py"
  [ -x "$venv/bin/python" ] || "$py" -m venv "$venv"
  "$venv/bin/python" -m pip install -q --upgrade pip
  "$venv/bin/python" -m pip install -q -e . pytest pytest-timeout
  "$venv/bin/python" -c "from schedviz.instrument import gil; m, why = gil.load(); print('GIL sampler:', 'ok' if m else why); raise SystemExit(0 if m else 1)"
  "$venv/bin/python" -c "from schedviz.instrument import aio; print('asyncio C step timer:', 'ok' if aio.ACCELERATED else aio.WHY_NOT_ACCELERATED); raise SystemExit(0 if aio.ACCELERATED else 1)"
  # Without Playwright here, its --output option (pyproject's addopts) is not known: set addopts
  # again without it.
  "$venv/bin/python" -m pytest -q -p no:cacheprovider -p no:playwright -p no:base_url \
    -o addopts="-ra --strict-markers" \
    tests/instrument/test_gil_sampler.py tests/instrument/test_dropin.py \
    tests/instrument/test_aio_steps.py tests/lab/test_aio_runs.py \
    tests/lab/test_flusher_failure.py tests/test_event_tuples.py
done
if [ "$found" = 0 ]; then
  echo "no CPython 3.11-3.13 found" >&2
  exit 1
fi
