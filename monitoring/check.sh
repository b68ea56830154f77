#!/usr/bin/env bash
# Static checks of the Prometheus side (`npm run monitoring:check`, run by .ci/run): both scrape
# configs with the rule files they load, the rules, and the rules' unit tests. Needs promtool
# (Debian package prometheus, installed by `npm run services:up`).
set -euo pipefail
cd "$(dirname "$0")/prometheus"
command -v promtool >/dev/null || { echo "promtool not found: run npm run services:up (or apt-get install prometheus)" >&2; exit 1; }
promtool check config prometheus.yml prometheus.local.yml
promtool check rules rules/*.rules.yml
promtool test rules tests/*.test.yml
