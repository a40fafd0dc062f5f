#!/usr/bin/env sh
# `npm run -s jest -- <project dir> [jest args…]`: runs one project's jest (its own jest.config) from
# the repository root, under the Node 24 the npm scripts use — `cd <dir> && npx jest` needs a system
# node ≥ 22 (the specs are TypeScript run by Node's type stripping).
set -eu
if [ $# -lt 1 ] || [ ! -f "$1/package.json" ]; then
  echo "usage: npm run -s jest -- <project dir, e.g. apps/router> [jest arguments]" >&2
  exit 2
fi
dir=$1
shift
root=$(cd "$(dirname -- "$0")/../.." && pwd)
cd "$dir"
exec "$root/node_modules/.bin/jest" "$@"
