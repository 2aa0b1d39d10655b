#!/usr/bin/env bash
# The local stack at a glance (seed 001's `make health-check`): every container of the stack with its state
# and Docker health, one line each, then the readiness endpoints answered from the host. Exits 1 when any
# container is not running and healthy or any endpoint does not answer.
#   npm run health-check [-- <stack>]      (default: dev)
# Ports: API_PORT, PROMETHEUS_PORT, ALERTMANAGER_PORT, GRAFANA_PORT (the docker.*HostPort defaults otherwise).
set -uo pipefail
stack="${1:-dev}"
host="${HOST_ADDRESS:-127.0.0.1}"
status=0

containers=$(docker ps -a --filter "label=com.dygsom.stack=${stack}" --format '{{.Names}}' | sort)
if [ -z "$containers" ]; then
    echo "no containers labelled com.dygsom.stack=${stack}: is the stack up (pulumi up)?" >&2
    exit 1
fi
for name in $containers; do
    read -r state health < <(docker inspect -f '{{.State.Status}} {{if .State.Health}}{{.State.Health.Status}}{{else}}none{{end}}' "$name")
    printf '%-34s %-10s health: %s\n' "$name" "$state" "$health"
    if [ "$state" != "running" ] || { [ "$health" != "healthy" ] && [ "$health" != "none" ]; }; then status=1; fi
done

probe() {
    local what="$1" url="$2"
    if curl -fsS -o /dev/null --max-time 5 "$url"; then
        printf '%-34s ready      %s\n' "$what" "$url"
    else
        printf '%-34s NOT READY  %s\n' "$what" "$url"
        status=1
    fi
}
probe "api readiness" "http://${host}:${API_PORT:-8000}/health/ready"
probe "prometheus readiness" "http://${host}:${PROMETHEUS_PORT:-9090}/-/ready"
probe "alertmanager readiness" "http://${host}:${ALERTMANAGER_PORT:-9093}/-/ready"
probe "grafana health" "http://${host}:${GRAFANA_PORT:-3001}/api/health"
exit "$status"
