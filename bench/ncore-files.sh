#!/usr/bin/env bash
# nCore file transfer benchmark (not a test): a 128 MB upload and download through the real
# server with curl, next to a plain-file write (fsync) and read of the same bytes measured in
# the same run, and the server's peak RSS during 8 concurrent 128 MB uploads.
# Usage: bash bench/ncore-files.sh        (needs curl; builds the release binary)
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
BIN="$PWD/target/release/idbridge"
WORK=$(mktemp -d "$PWD/bench-tmp.XXXXXX")
trap 'kill "$PID" 2>/dev/null || true; rm -rf "$WORK"' EXIT
PORT=18080
BASE="http://127.0.0.1:$PORT"
KEY=bench-api-key-1
mkdir -p "$WORK/config"
cat > "$WORK/config/idbridge.toml" <<TOML
[server]
listen = "127.0.0.1:$PORT"
public_base_url = "$BASE"
[storage]
data_dir = "$WORK/data"
master_key_file = "$WORK/master.key"
[[tenants]]
id = "bench"
api_keys = ["$KEY"]
TOML
(cd "$WORK" && RUST_LOG=warn "$BIN" serve) & PID=$!
until curl -sf "$BASE/healthz" >/dev/null; do
  kill -0 "$PID" || { echo "server died"; exit 1; }
  sleep 0.1
done

SIZE=$((128 * 1024 * 1024))
{ printf '%%PDF-1.7\n'; head -c $((SIZE - 9)) /dev/urandom; } > "$WORK/big.pdf"
now() { date +%s.%N; }
mbps() { awk -v s="$SIZE" -v t="$1" 'BEGIN { printf "%.0f", s / 1e6 / t }'; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }

# Plain file: write with fsync, then read (page cache, as the server's download is).
t0=$(now); dd if="$WORK/big.pdf" of="$WORK/plain.bin" bs=1M conv=fsync status=none; t1=$(now)
cat "$WORK/plain.bin" > /dev/null; t2=$(now)
PLAIN_W=$(elapsed "$t0" "$t1"); PLAIN_R=$(elapsed "$t1" "$t2")

new_identification() {
  curl -sf -XPOST "$BASE/v1/users/bench-user/identifications" -H "apikey: $KEY" \
    -H 'content-type: application/json' -d '{"type":"BANK_STATEMENT","number":"B-1"}' |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])'
}
ID=$(new_identification)
t0=$(now)
FILE_ID=$(curl -sf -XPUT "$BASE/v1/users/bench-user/identifications/$ID/files" -H "apikey: $KEY" \
  -F "file=@$WORK/big.pdf;filename=big.pdf" | python3 -c 'import json,sys; print(json.load(sys.stdin)["data"][0]["id"])')
t1=$(now)
curl -sf -o "$WORK/back.pdf" "$BASE/v1/users/bench-user/identifications/$ID/files/$FILE_ID:download" -H "apikey: $KEY"
t2=$(now)
UP=$(elapsed "$t0" "$t1"); DOWN=$(elapsed "$t1" "$t2")
cmp -s "$WORK/big.pdf" "$WORK/back.pdf" || { echo "downloaded bytes differ"; exit 1; }

# 8 concurrent uploads (one file each, 8 identifications), peak RSS of the server meanwhile.
echo 5 > "/proc/$PID/clear_refs" 2>/dev/null || true
pids=()
for _ in 1 2 3 4 5 6 7 8; do
  id=$(new_identification)
  curl -sf -o /dev/null -XPUT "$BASE/v1/users/bench-user/identifications/$id/files" -H "apikey: $KEY" \
    -F "file=@$WORK/big.pdf;filename=big.pdf" & pids+=($!)
done
for p in "${pids[@]}"; do wait "$p"; done
PEAK_KB=$(awk '/VmHWM/ { print $2 }' "/proc/$PID/status")

echo "128 MB file, $(date -u +%Y-%m-%d), $(nproc) cores"
echo "| operation | plain file MB/s | idbridge via curl MB/s | ratio |"
echo "|---|---|---|---|"
echo "| write (fsync) / upload | $(mbps "$PLAIN_W") | $(mbps "$UP") | $(awk -v a="$PLAIN_W" -v b="$UP" 'BEGIN { printf "%.2fx", a / b }') |"
echo "| read / download | $(mbps "$PLAIN_R") | $(mbps "$DOWN") | $(awk -v a="$PLAIN_R" -v b="$DOWN" 'BEGIN { printf "%.2fx", a / b }') |"
echo "server peak RSS during 8 concurrent 128 MB uploads: $((PEAK_KB / 1024)) MiB (target < 100 MiB)"
