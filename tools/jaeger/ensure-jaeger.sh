#!/usr/bin/env sh
# Prints the path of the pinned Jaeger binary (all-in-one: OTLP in, query API and UI out) that the
# tracing suites start, building it once from the Go module proxy into .tools/jaeger. The version is
# pinned by this folder's go.mod/go.sum (`tool github.com/jaegertracing/jaeger/cmd/jaeger`); a rebuild
# happens only when the binary for that version is missing. Needs Go (the machine's /usr/local/go).
set -eu
JAEGER_VERSION="v1.75.0"
here=$(CDPATH= cd -- "$(dirname -- "$0")" && pwd)
root=$(CDPATH= cd -- "$here/../.." && pwd)
dest="$root/.tools/jaeger/jaeger-$JAEGER_VERSION"
if [ ! -x "$dest" ]; then
  go_bin=$(command -v go || echo /usr/local/go/bin/go)
  [ -x "$go_bin" ] || { echo "ensure-jaeger: Go is needed to build Jaeger (none on PATH or at /usr/local/go)" >&2; exit 1; }
  mkdir -p "$root/.tools/jaeger"
  (cd "$here" && "$go_bin" build -o "$dest.tmp" github.com/jaegertracing/jaeger/cmd/jaeger) >&2
  mv "$dest.tmp" "$dest"
fi
echo "$dest"
