#!/usr/bin/env sh
# Prints the path of the pinned grpcurl (the tool the gRPC-tooling e2e suite drives against every
# port, without .proto files). When .tools/bin/grpcurl is missing or another version, builds it
# from the Go module proxy with `go install` (needs the go command; idempotent, ~1 min once).
set -eu
GRPCURL_VERSION="v1.9.3"
root=$(CDPATH= cd -- "$(dirname -- "$0")/../.." && pwd)
bin="$root/.tools/bin/grpcurl"
# `go install` stamps no version into grpcurl (`-version` says "dev build"): a marker file records it.
marker="$bin.version"
if [ ! -x "$bin" ] || [ "$(cat "$marker" 2>/dev/null)" != "$GRPCURL_VERSION" ]; then
  # The Go toolchain's usual home when a login shell did not put it on PATH.
  command -v go >/dev/null 2>&1 || PATH="$PATH:/usr/local/go/bin"
  command -v go >/dev/null 2>&1 || { echo "grpcurl $GRPCURL_VERSION is needed and go is not installed (apt-get install golang-go, or put go on PATH)" >&2; exit 1; }
  GOBIN="$root/.tools/bin" GOFLAGS=-mod=mod go install "github.com/fullstorydev/grpcurl/cmd/grpcurl@$GRPCURL_VERSION" >&2
  echo "$GRPCURL_VERSION" > "$marker"
fi
echo "$bin"
