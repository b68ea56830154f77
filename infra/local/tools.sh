#!/usr/bin/env bash
# Test tools that are not servers, installed once into .local/tools (git-ignored).
#   bash infra/local/tools.sh schemathesis   -> prints the path of the schemathesis binary
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
tools="$root/.local/tools"
SCHEMATHESIS_VERSION=4.32.5

case "${1:-}" in
  schemathesis)
    bin="$tools/venv/bin/schemathesis"
    if [[ ! -x $bin ]] || ! "$bin" --version 2>/dev/null | grep -q "$SCHEMATHESIS_VERSION"; then
      echo "installing schemathesis $SCHEMATHESIS_VERSION into $tools/venv" >&2
      mkdir -p "$tools"
      python3 -m venv "$tools/venv" >&2
      "$tools/venv/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION" >&2
    fi
    echo "$bin"
    ;;
  *)
    echo "usage: bash infra/local/tools.sh schemathesis" >&2
    exit 2
    ;;
esac
