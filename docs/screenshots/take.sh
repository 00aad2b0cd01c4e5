#!/usr/bin/env bash
# Retakes the screenshots of the pages in this folder (front, docs, console-subject, capture): the browser
# suite saves them while it runs. Needs Chromium and chromedriver, as the suite does
# (Debian: apt-get install chromium chromium-driver).
set -euo pipefail
cd "$(dirname "$0")/../.."
IDB_SCREENSHOTS=docs/screenshots cargo test --features ci-tests --test browser
