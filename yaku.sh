#!/usr/bin/env bash
# Yaku in two commands:
#   ./yaku.sh up     install what is missing, migrate, seed, run API + worker + beat (foreground)
#   ./yaku.sh test   install what is missing and run the whole test suite
# Anything after the command is passed on (to `yaku up` or to pytest).
set -euo pipefail
cd "$(dirname "$0")"
# shellcheck source=scripts/setup.sh
source scripts/setup.sh

command="${1:-up}"
[ $# -gt 0 ] && shift
case "$command" in
  up)
    setup_runtime
    exec .venv/bin/yaku up "$@"
    ;;
  test)
    setup_runtime
    ensure_test_tools
    .venv/bin/ruff check .
    .venv/bin/ruff format --check .
    .venv/bin/mypy
    exec .venv/bin/pytest "$@"
    ;;
  *)
    echo "usage: ./yaku.sh up|test [args...]" >&2
    exit 2
    ;;
esac
