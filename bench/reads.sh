#!/usr/bin/env bash
# Read benchmark (not a test): every vendor's hot reads, and two writes, with 1,000 and then
# 1,000,000 documents stored, as ratios to a minimal axum JSON route measured in the same
# run (the machine is shared and noisy). Writes are also compared with a bare loop of fsynced
# SQLite commits from the same run. Prints a Markdown table for docs/benchmarks.md.
#
# Usage: bash bench/reads.sh            (SIZES="1000 1000000" DURATION=8 by default)
#        SIZES=1000 DURATION=3 bash bench/reads.sh   (a quick look)
# Needs wrk (installed when missing); builds the release binary and the `reads` bench
# helper (benches/reads.rs), which serves the ceiling route, seeds the store directly through
# `Store`, and runs the commit loop.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v wrk >/dev/null || apt-get install -y --no-install-recommends wrk >/dev/null
SIZES=${SIZES:-"1000 1000000"}
DURATION=${DURATION:-8}
cargo build --release --quiet --bin idbridge
HELPER=$(cargo build --release --bench reads --message-format=json 2>/dev/null |
  python3 -c 'import json,sys
for l in sys.stdin:
    m = json.loads(l)
    if m.get("reason") == "compiler-artifact" and m["target"]["name"] == "reads" and m.get("executable"):
        print(m["executable"])')
BIN="$PWD/target/release/idbridge"
WORK=$(mktemp -d "${BENCH_DIR:-/var/tmp}/idb-reads.XXXXXX")
PIDS=()
trap 'kill "${PIDS[@]}" 2>/dev/null || true; rm -rf "$WORK"' EXIT
KEY=bench-api-key
ADMIN=bench-admin-key
PORT=18301
BASE="http://127.0.0.1:$PORT"
CEILING=http://127.0.0.1:18300

"$HELPER" ceiling --listen 127.0.0.1:18300 & PIDS+=($!)
until curl -sf "$CEILING/json" >/dev/null; do sleep 0.1; done

# One wrk run: prints "req/s p50_ms p99_ms non2xx". Extra arguments go to wrk (-H, -s).
drive() {
  local conns=$1 url=$2
  shift 2
  wrk -t1 -c"$conns" -d"${DURATION}s" --latency -s bench/report.lua "$@" "$url" 2>/dev/null |
    awk '/^RESULT/ {print $2, $3, $4, $5}'
}

# Starts the server over the store in $1; sets SERVER.
serve() {
  cat > "$WORK/server.toml" <<TOML
[server]
listen = "127.0.0.1:$PORT"
public_base_url = "$BASE"
[storage]
data_dir = "$1"
master_key = "KioqKioqKioqKioqKioqKioqKioqKioqKioqKioqKio="
[[tenants]]
id = "bench"
api_keys = ["$KEY"]
[[tenants]]
id = "other"
api_keys = ["other-api-key"]
[[admin_keys]]
tenant = "bench"
key = "$ADMIN"
TOML
  RUST_LOG=warn "$BIN" serve --config "$WORK/server.toml" & SERVER=$!
  PIDS+=("$SERVER")
  until curl -sf "$BASE/readyz" >/dev/null; do
    kill -0 "$SERVER" || { echo "the server died"; exit 1; }
    sleep 0.1
  done
}

token() {
  curl -sf -XPOST "$BASE/admin/v1/subjects/$1/client-tokens" -H "authorization: Bearer $ADMIN" \
    -H 'content-type: application/json' -d '{}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])'
}

field() { python3 -c "import json,sys; d=json.load(open('$1')); print(d$2)"; }

# The write bodies.
python3 - "$WORK" <<'PY'
import base64, json, os, sys
work = sys.argv[1]
png = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==")
# A valid PNG grown to 100 KB with an ancillary chunk readers skip.
pad = b"x" * (100 * 1024 - len(png) - 12)
import zlib, struct
chunk = struct.pack(">I", len(pad)) + b"teXt" + pad + struct.pack(">I", zlib.crc32(b"teXt" + pad))
big = png[:-12] + chunk + png[-12:]
json.dump({"data": base64.b64encode(big).decode(), "image_type": "FRONT"}, open(f"{work}/image.json", "w"))
json.dump({"type": "BANK_STATEMENT", "number": "W-1"}, open(f"{work}/create.json", "w"))
PY

post_script() { # $1 body file → a wrk script that POSTs it
  cat > "$WORK/$2.lua" <<LUA
wrk.method = "POST"
wrk.headers["content-type"] = "application/json"
local f = io.open("$1", "rb"); wrk.body = f:read("*a"); f:close()
$(cat bench/report.lua)
LUA
  echo "$WORK/$2.lua"
}

COMMITS=$("$HELPER" commits --dir "$WORK/commits" --seconds "$DURATION")
ROWS=()
row() { # name conns result... ; ratio against the ceiling of the same concurrency
  local name=$1 conns=$2 rps=$3 p50=$4 p99=$5 bad=$6 base
  if [[ $name == write:* ]]; then base=$COMMITS; else base=${CEIL[$conns]}; fi
  ROWS+=("| $SIZE | $name | $conns | $rps | $p50 | $p99 | $(python3 -c "print(f'{$rps/$base:.3f}')") | $bad |")
}

declare -A CEIL
for SIZE in $SIZES; do
  echo "seeding $SIZE documents" >&2
  "$HELPER" seed --dir "$WORK/$SIZE" --documents "$SIZE" > "$WORK/$SIZE.json"
  cat "$WORK/$SIZE.json" >&2
  serve "$WORK/$SIZE"
  S=$(field "$WORK/$SIZE.json" '["small"]["subject"]')
  SD=$(field "$WORK/$SIZE.json" '["small"]["document"]')
  L=$(field "$WORK/$SIZE.json" '["large"]["subject"]')
  LD=$(field "$WORK/$SIZE.json" '["large"]["document"]')
  DEEP=$(field "$WORK/$SIZE.json" '["deep_subject"]')
  TS=$(token "$S"); TL=$(token "$L")
  SEQ=$(curl -sf "$BASE/api/v2/my/documents?limit=1" -H "authorization: Bearer $TS" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["data"][0]["id"])')
  N=(-H "apikey: $KEY")
  for c in 50 1; do
    CEIL[$c]=$(drive $c "$CEILING/json" | cut -d' ' -f1)
    ROWS+=("| $SIZE | ceiling: minimal axum JSON route | $c | ${CEIL[$c]} | | | 1.000 | |")
    row "/healthz" $c $(drive $c "$BASE/healthz")
    row "nCore get (10-document subject)" $c $(drive $c "$BASE/v1/users/hot-small/identifications/$SD" "${N[@]}")
    row "nCore list, 10 documents" $c $(drive $c "$BASE/v1/users/hot-small/identifications?limit=20" "${N[@]}")
    row "nCore list, large subject, first page" $c $(drive $c "$BASE/v1/users/hot-large/identifications?limit=20" "${N[@]}")
    row "nCore list, large subject, middle page" $c $(drive $c "$BASE/v1/users/hot-large/identifications?limit=20&after=$LD" "${N[@]}")
    row "B2Core list, 10 documents" $c $(drive $c "$BASE/api/v2/my/documents?limit=20" -H "authorization: Bearer $TS")
    row "B2Core list, large subject, first page" $c $(drive $c "$BASE/api/v2/my/documents?limit=20" -H "authorization: Bearer $TL")
    row "B2Core details" $c $(drive $c "$BASE/api/v2/my/documents/$SEQ" -H "authorization: Bearer $TS")
    row "PassFort profile" $c $(drive $c "$BASE/4.0/profiles/$S" "${N[@]}")
    row "PassFort collected_data" $c $(drive $c "$BASE/4.0/profiles/$S/collected_data" "${N[@]}")
    row "PassFort document_images (10)" $c $(drive $c "$BASE/4.0/profiles/$S/document_images" "${N[@]}")
    row "admin subject view" $c $(drive $c "$BASE/admin/v1/subjects/$S" -H "authorization: Bearer $ADMIN")
    row "admin subjects, deep page (after)" $c $(drive $c "$BASE/admin/v1/subjects?limit=20&after=$DEEP" -H "authorization: Bearer $ADMIN")
  done
  ROWS+=("| $SIZE | server peak RSS after the reads | | $(awk '/VmHWM/ {printf "%.0f MB", $2/1024}' "/proc/$SERVER/status") | | | | |")
  row "write: nCore create" 50 $(drive 50 "$BASE/v1/users/writer/identifications" "${N[@]}" -s "$(post_script "$WORK/create.json" create)")
  row "write: PassFort document image, 100 KB" 50 $(drive 50 "$BASE/4.0/profiles/$S/document_images" "${N[@]}" -s "$(post_script "$WORK/image.json" image)")
  ROWS+=("| $SIZE | server peak RSS after the writes | | $(awk '/VmHWM/ {printf "%.0f MB", $2/1024}' "/proc/$SERVER/status") | | | | |")
  kill "$SERVER"; wait "$SERVER" 2>/dev/null || true
done

echo "Write ceiling (bare fsynced SQLite commits, 50 writers, same run): $COMMITS commits/s"
echo
echo "| documents | route | conns | req/s | p50 ms | p99 ms | ratio | non-2xx |"
echo "|---|---|---|---|---|---|---|---|"
printf '%s\n' "${ROWS[@]}"
