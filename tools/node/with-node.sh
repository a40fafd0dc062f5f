#!/usr/bin/env sh
# Runs a command with a Node >= 22 first on PATH (see ensure-node.sh), so `npm start` and
# `npm test` work on machines whose system node is older than the project's runtime.
set -eu
bin=$(sh "$(dirname -- "$0")/ensure-node.sh")
PATH="$bin:$PATH"
export PATH
exec "$@"
