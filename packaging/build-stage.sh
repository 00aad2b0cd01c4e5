#!/usr/bin/env bash
# The container image's build stage (Dockerfile), as a script so that CI runs the very same
# commands without a Docker daemon (.ci/container-check). Builds the idbridge binary with the
# locked dependency versions and installs it at DEST.
#   packaging/build-stage.sh PROFILE DEST     (PROFILE: release in the image, dev in CI)
set -euo pipefail
profile="${1:?profile (release or dev)}"
dest="${2:?destination path of the binary}"
cargo build --locked --profile "$profile" --bin idbridge
case "$profile" in
    dev) dir=debug ;;
    *) dir="$profile" ;;
esac
install -D -m 0755 "${CARGO_TARGET_DIR:-target}/$dir/idbridge" "$dest"
"$dest" --version
