#!/usr/bin/env bash
# Scale-out benchmark (not a test): throughput of an nCore metadata GET (wrk) and of 10 MB
# uploads (curl, 8 at a time), on one node and on two nodes, over SQLite + a directory and
# over PostgreSQL + S3 (moto), all in one run. Ratios are against one node on SQLite + files,
# measured in the same run (the machine is shared and noisy).
# Usage: bash bench/scale-out.sh   (starts PostgreSQL with fsync on and moto_server through
# .ci/pg and .ci/s3, installs wrk when missing, builds the release binary)
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ -z "${IDB_TEST_POSTGRES:-}" ]]; then PG_FSYNC=on exec .ci/pg "$0" "$@"; fi
if [[ -z "${IDB_TEST_S3_ENDPOINT:-}" ]]; then exec .ci/s3 "$0" "$@"; fi
command -v wrk >/dev/null || apt-get install -y --no-install-recommends wrk >/dev/null
cargo build --release --quiet
BIN="$PWD/target/release/idbridge"
WORK=$(mktemp -d)
PIDS=()
trap 'kill "${PIDS[@]}" 2>/dev/null || true; rm -rf "$WORK"' EXIT
KEY=bench-api-key-1
DURATION=${DURATION:-10}
UPLOADS=${UPLOADS:-24}
PSQL=/usr/lib/postgresql/15/bin/psql

now() { date +%s.%N; }

# The [storage] keys of scenario $1 (sqlite | postgres), in a store of its own.
storage() {
  case "$1" in
    sqlite) echo "data_dir = \"$WORK/$2\"" ;;
    postgres)
      "$PSQL" -q "$IDB_TEST_POSTGRES" -c "CREATE DATABASE bench_$2" >/dev/null
      curl -sf -XPUT "$IDB_TEST_S3_ENDPOINT/bench-$2" >/dev/null
      cat <<TOML
data_dir = "$WORK/$2"
metadata_url = "${IDB_TEST_POSTGRES%/*}/bench_$2"
blob_url = "s3://bench-$2/blobs"
s3 = { endpoint = "$IDB_TEST_S3_ENDPOINT", region = "us-east-1", access_key_id = "bench", secret_access_key = "bench", path_style = true, allow_http = true }
TOML
      ;;
  esac
}

# Starts node $2 (port 1818$2) of scenario $1 over the store named $3.
start_node() {
  local port="1818$2"
  cat > "$WORK/$3-$2.toml" <<TOML
[server]
listen = "127.0.0.1:$port"
public_base_url = "http://127.0.0.1:$port"
[storage]
master_key = "KioqKioqKioqKioqKioqKioqKioqKioqKioqKioqKio="
$(cat "$WORK/$3.storage")
[[tenants]]
id = "bench"
api_keys = ["$KEY"]
TOML
  RUST_LOG=warn "$BIN" serve --config "$WORK/$3-$2.toml" & PIDS+=($!)
  until curl -sf "http://127.0.0.1:$port/readyz" >/dev/null; do
    kill -0 "${PIDS[-1]}" || { echo "node $2 of $1 died"; exit 1; }
    sleep 0.1
  done
}

new_identification() {
  curl -sf -XPOST "$1/v1/users/bench-user/identifications" -H "apikey: $KEY" \
    -H 'content-type: application/json' -d '{"type":"BANK_STATEMENT","number":"B-1"}' |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])'
}

SIZE=$((10 * 1000 * 1000))
{ printf '%%PDF-1.7\n'; head -c $((SIZE - 9)) /dev/urandom; } > "$WORK/ten.pdf"

# Runs scenario $1 (engine) with $2 nodes; sets GET[$1$2] (req/s) and UP[$1$2] (MB/s).
scenario() {
  local engine=$1 nodes=$2 name="$1$2" bases=()
  storage "$engine" "$name" > "$WORK/$name.storage"
  for n in $(seq "$nodes"); do
    start_node "$engine" "$n" "$name"
    bases+=("http://127.0.0.1:1818$n")
  done
  local id
  id=$(new_identification "${bases[0]}")
  # GET: one wrk per node at once, 16 connections each; the sum of their rates.
  local path="/v1/users/bench-user/identifications/$id"
  local loads=()
  for n in $(seq "$nodes"); do
    wrk -t1 -c16 -d"${DURATION}s" -H "apikey: $KEY" "${bases[$((n - 1))]}$path" > "$WORK/wrk-$name-$n" &
    loads+=($!)
  done
  wait "${loads[@]}"
  local get
  get=$(cat "$WORK"/wrk-"$name"-* | awk '/Requests\/sec/ { s += $2 } END { printf "%.0f", s }')
  # Uploads: $UPLOADS files of 10 MB, 8 in flight, spread over the nodes in turn; each to
  # an identification of its own (nCore allows 10 files per identification).
  : > "$WORK/jobs-$name"
  for i in $(seq "$UPLOADS"); do
    local base="${bases[$((i % nodes))]}"
    echo "$base $(new_identification "$base")" >> "$WORK/jobs-$name"
  done
  local t0 t1
  t0=$(now)
  xargs -P 8 -L 1 sh -c 'curl -sf -o /dev/null -XPUT "$0/v1/users/bench-user/identifications/$1/files" \
    -H "apikey: '"$KEY"'" -F "file=@'"$WORK"'/ten.pdf;filename=ten.pdf"' < "$WORK/jobs-$name"
  t1=$(now)
  GET[$name]=$get
  UP[$name]=$(awk -v n="$UPLOADS" -v s="$SIZE" -v a="$t0" -v b="$t1" 'BEGIN { printf "%.0f", n * s / 1e6 / (b - a) }')
  kill "${PIDS[@]}" 2>/dev/null || true
  wait "${PIDS[@]}" 2>/dev/null || true
  PIDS=()
}

declare -A GET UP
for engine in sqlite postgres; do
  for nodes in 1 2; do
    scenario "$engine" "$nodes"
  done
done

echo "nCore GET of one identification (wrk, 16 connections per node, ${DURATION} s) and"
echo "$UPLOADS uploads of 10 MB (8 at a time), $(date -u +%Y-%m-%d), $(nproc) cores"
echo "| metadata + blobs | nodes | GET req/s | ratio | 10 MB uploads MB/s | ratio |"
echo "|---|---|---|---|---|---|"
for engine in sqlite postgres; do
  label=$([[ $engine == sqlite ]] && echo "SQLite + directory" || echo "PostgreSQL + S3 (moto)")
  for nodes in 1 2; do
    k=$engine$nodes
    echo "| $label | $nodes | ${GET[$k]} | $(awk -v a="${GET[$k]}" -v b="${GET[sqlite1]}" 'BEGIN { printf "%.2fx", a / b }') | ${UP[$k]} | $(awk -v a="${UP[$k]}" -v b="${UP[sqlite1]}" 'BEGIN { printf "%.2fx", a / b }') |"
  done
done
