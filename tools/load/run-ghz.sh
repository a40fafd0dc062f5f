#!/usr/bin/env bash
# Load the gateway's gRPC ChatService and the router with ghz, using the .proto files (not
# reflection) with import paths, and save ghz's JSON reports under reports/ghz/.
#   tools/load/run-ghz.sh [total-requests] [concurrency]
# Installs ghz v0.121.0 from the Go module proxy into .tools/bin when missing; starts the mesh
# (simulators as upstreams) unless SOPHIA_GATEWAY_ADDR and SOPHIA_ROUTER_ADDR are given.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
total=${1:-2000}
conc=${2:-50}
export PATH="$(sh tools/node/ensure-node.sh):$root/.tools/bin:$PATH"
if ! command -v ghz >/dev/null 2>&1; then
  # The Go toolchain's usual home when a login shell did not put it on PATH.
  command -v go >/dev/null 2>&1 || PATH="$PATH:/usr/local/go/bin"
  command -v go >/dev/null 2>&1 || { echo "ghz is needed and go is not installed (apt-get install golang-go, or put go on PATH)" >&2; exit 1; }
  echo "ghz not found: installing ghz v0.121.0 from the Go module proxy into .tools/bin (needs go and network access to the proxy)" >&2
  GOBIN="$root/.tools/bin" go install github.com/bojand/ghz/cmd/ghz@v0.121.0
fi
# ghz refuses more connections than concurrent workers.
conns=$(( conc < 4 ? conc : 4 ))
out="$root/reports/ghz"
mkdir -p "$out"
mesh_pid=""
info=""
cleanup() {
  if [ -n "$mesh_pid" ]; then kill -TERM "$mesh_pid" 2>/dev/null || true; wait "$mesh_pid" 2>/dev/null || true; fi
  if [ -n "$info" ]; then rm -f "$info"; fi
}
trap cleanup EXIT
if [ -z "${SOPHIA_GATEWAY_ADDR:-}" ] || [ -z "${SOPHIA_ROUTER_ADDR:-}" ]; then
  info=$(mktemp)
  SOPHIA_API_KEYS=${SOPHIA_API_KEYS:-ghz-key:ghz} SOPHIA_GATEWAY_PORT=0 SOPHIA_LOG_LEVEL=error \
    node tools/load/src/mesh-for-load.ts >"$info" 2>/dev/null &
  mesh_pid=$!
  for _ in $(seq 1 120); do grep -q '"event":"ready"' "$info" && break; sleep 0.5; done
  grep -q '"event":"ready"' "$info" || { echo "mesh did not start" >&2; exit 1; }
  SOPHIA_GATEWAY_ADDR=$(node -e 'const l=require("fs").readFileSync(process.argv[1],"utf8").split("\n").find(x=>x.includes("\"ready\""));console.log(JSON.parse(l).gateway)' "$info")
  SOPHIA_ROUTER_ADDR=$(node -e 'const l=require("fs").readFileSync(process.argv[1],"utf8").split("\n").find(x=>x.includes("\"ready\""));console.log(JSON.parse(l).router)' "$info")
  API_KEY=$(node -e 'const l=require("fs").readFileSync(process.argv[1],"utf8").split("\n").find(x=>x.includes("\"ready\""));console.log(JSON.parse(l).apiKey)' "$info")
fi
API_KEY=${API_KEY:-${SOPHIA_API_KEYS%%:*}}
msg='{"input":{"model":"auto","messages":[{"role":"ROLE_USER","content":"Say hello in one short sentence."}],"params":{"max_tokens":32}}}'

echo "ghz → gateway ChatService/Complete at $SOPHIA_GATEWAY_ADDR ($total requests, $conc concurrent)"
ghz --insecure --proto proto/sophia/gateway/v1/chat.proto --import-paths proto \
  --call sophia.gateway.v1.ChatService/Complete \
  --metadata "{\"authorization\":\"Bearer $API_KEY\"}" \
  -d "$msg" -n "$total" -c "$conc" --connections "$conns" \
  --format json --output "$out/gateway-complete.json" "$SOPHIA_GATEWAY_ADDR"
node -e 'const r=require(process.argv[1]);console.log(`  rps ${r.rps.toFixed(0)}  p50 ${(r.latencyDistribution.find(x=>x.percentage===50).latency/1e6).toFixed(2)} ms  p99 ${(r.latencyDistribution.find(x=>x.percentage===99).latency/1e6).toFixed(2)} ms  status ${JSON.stringify(r.statusCodeDistribution)}`)' "$out/gateway-complete.json"

rmsg='{"input":{"request_id":"ghz-{{.RequestNumber}}","tenant":"ghz","model":"auto","messages":[{"role":"ROLE_USER","content":"Say hello in one short sentence."}],"params":{"max_tokens":32}}}'
echo "ghz → router RouterService/Generate at $SOPHIA_ROUTER_ADDR"
ghz --insecure --proto proto/sophia/router/v1/router.proto --import-paths proto \
  --call sophia.router.v1.RouterService/Generate \
  -d "$rmsg" -n "$total" -c "$conc" --connections "$conns" \
  --format json --output "$out/router-generate.json" "$SOPHIA_ROUTER_ADDR"
node -e 'const r=require(process.argv[1]);console.log(`  rps ${r.rps.toFixed(0)}  p50 ${(r.latencyDistribution.find(x=>x.percentage===50).latency/1e6).toFixed(2)} ms  p99 ${(r.latencyDistribution.find(x=>x.percentage===99).latency/1e6).toFixed(2)} ms  status ${JSON.stringify(r.statusCodeDistribution)}`)' "$out/router-generate.json"

echo "explain (dry run, no model call) → router RouterService/Explain"
ghz --insecure --proto proto/sophia/router/v1/router.proto --import-paths proto \
  --call sophia.router.v1.RouterService/Explain \
  -d "$rmsg" -n "$total" -c "$conc" --connections "$conns" \
  --format json --output "$out/router-explain.json" "$SOPHIA_ROUTER_ADDR"
node -e 'const r=require(process.argv[1]);console.log(`  rps ${r.rps.toFixed(0)}  p50 ${(r.latencyDistribution.find(x=>x.percentage===50).latency/1e6).toFixed(2)} ms  p99 ${(r.latencyDistribution.find(x=>x.percentage===99).latency/1e6).toFixed(2)} ms  status ${JSON.stringify(r.statusCodeDistribution)}`)' "$out/router-explain.json"
echo "reports saved in $out"
