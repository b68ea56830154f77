#!/usr/bin/env bash
# Test tools that are not servers, installed once into .local/tools (git-ignored).
#   bash infra/local/tools.sh schemathesis   -> prints the path of the schemathesis binary
#   bash infra/local/tools.sh chromium       -> prints the path of Debian's headless-capable chromium
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
  chromium)
    # Debian's package (the browser the web e2e test drives through playwright-core; no
    # browser download). Fonts are named so screenshots have text on a minimal system.
    if [[ ! -x /usr/bin/chromium || ! -e /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ]]; then
      # shellcheck source=infra/local/lib.sh
      source "$root/infra/local/lib.sh"
      ensure_pkgs /usr/bin/chromium:chromium \
        /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf:fonts-dejavu-core \
        /usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf:fonts-liberation
    fi
    echo /usr/bin/chromium
    ;;
  *)
    echo "usage: bash infra/local/tools.sh schemathesis|chromium" >&2
    exit 2
    ;;
esac
