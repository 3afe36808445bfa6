#!/bin/bash
# Entry point of the one service image: runs the service named by the first argument, or by
# $SERVICE when there is none (e.g. `docker run IMAGE loans`, or SERVICE=loans).
#   --healthcheck: exit 0 when this container's admin port answers GET /readyz with 200.
set -euo pipefail
services="gateway auth loans approvals analysis-worker notifications analytics"

if [[ "${1:-}" == --healthcheck ]]; then
  exec 3<>"/dev/tcp/127.0.0.1/${ADMIN_PORT:-9100}"
  printf 'GET /readyz HTTP/1.0\r\nHost: localhost\r\n\r\n' >&3
  read -r -t 5 _ status _ <&3
  [[ "$status" == 200 ]]
  exit
fi

service="${SERVICE:-}"
if [[ $# -gt 0 && " $services " == *" $1 "* ]]; then
  service="$1"
  shift
fi
if [[ -z "$service" || " $services " != *" $service "* ]]; then
  echo "usage: docker run IMAGE <service> (or SERVICE=<service>); services: $services" >&2
  exit 64
fi
exec "/app/bin/$service" "$@"
