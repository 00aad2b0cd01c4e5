#!/usr/bin/env bash
# The container image's build stage (Dockerfile), as a script so that CI runs the very same
# commands without a Docker daemon (.ci/container-check). Writes into OUT:
# - `idbridge`: the binary, built with the locked dependency versions;
# - `idbridge.toml`: the shipped configuration without its demo tenant. The demo keys are
#   public and meant for loopback; the image listens on every interface, so it ships no
#   tenant at all until the operator mounts a configuration.
#   packaging/build-stage.sh PROFILE OUT     (PROFILE: release in the image, dev in CI)
set -euo pipefail
profile="${1:?profile (release or dev)}"
out="${2:?output directory}"
cargo build --locked --profile "$profile" --bin idbridge
case "$profile" in
    dev) dir=debug ;;
    *) dir="$profile" ;;
esac
install -D -m 0755 "${CARGO_TARGET_DIR:-target}/$dir/idbridge" "$out/idbridge"
sed '/^# DEMO TENANT/,/^key = "demo-admin-key"$/d' config/idbridge.toml >"$out/idbridge.toml"
if grep -q 'demo-' "$out/idbridge.toml"; then
    echo "build stage: demo keys left in the image's configuration" >&2
    exit 1
fi
"$out/idbridge" --version
