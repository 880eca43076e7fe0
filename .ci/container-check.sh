#!/usr/bin/env bash
# The container check: the Pulumi program's plan with the CI configuration
# (.ci/container-check.config.yaml: NATS, 2 mail + 2 push) started in a real
# Docker engine, on images built on this machine (no registry; the service
# images through the Engine API as Pulumi's provider builds them, BuildKit
# when the engine has it), and one email plus one push per user checked end
# to end; and the NATS broker lets in only a client with its token.
#
#   bash .ci/container-check.sh [users]      (as root; Node >= 22 on PATH)
#
# Installs Debian's docker.io when dockerd is missing, starts dockerd when no
# engine answers (and stops it again at the end), and removes every container
# and network it created, pass or fail.
set -euo pipefail
cd "$(dirname "$0")/.."
started=$(date +%s)
users="${1:-20}"
dockerd_pid=""
log_dir=".workshop/logs"
mkdir -p "$log_dir"

finish() {
  local code=$?
  # Whatever the check left behind (it removes its own; this is for a crash).
  if docker info >/dev/null 2>&1; then
    ids=$(docker ps -aq --filter label=workshop.check)
    [ -n "$ids" ] && docker rm -f $ids >/dev/null 2>&1 || true
    nets=$(docker network ls -q --filter label=workshop.check)
    [ -n "$nets" ] && docker network rm $nets >/dev/null 2>&1 || true
  fi
  if [ -n "$dockerd_pid" ]; then
    echo "--- stopping dockerd (pid $dockerd_pid)"
    kill "$dockerd_pid" 2>/dev/null || true
    for _ in $(seq 1 30); do kill -0 "$dockerd_pid" 2>/dev/null || break; sleep 1; done
  fi
  echo "container check: exit $code, wall time $(($(date +%s) - started)) s"
  exit "$code"
}
trap finish EXIT

if ! command -v dockerd >/dev/null 2>&1; then
  echo "--- installing docker.io"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends docker.io >/dev/null
fi

if ! docker info >/dev/null 2>&1; then
  echo "--- starting dockerd (log: $log_dir/dockerd.log)"
  dockerd >"$log_dir/dockerd.log" 2>&1 &
  dockerd_pid=$!
  for _ in $(seq 1 60); do
    docker info >/dev/null 2>&1 && break
    kill -0 "$dockerd_pid" 2>/dev/null || { tail -20 "$log_dir/dockerd.log"; exit 1; }
    sleep 1
  done
  docker info >/dev/null 2>&1 || { echo "dockerd did not answer within 60 s"; tail -20 "$log_dir/dockerd.log"; exit 1; }
fi

echo "--- container check (node $(node --version))"
npx tsx workshop/src/ci/container-check.ts "$users"
