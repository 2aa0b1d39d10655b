import type * as docker from "@pulumi/docker";
import type { HealthCheckSpec } from "../../config";

type HealthcheckInput = docker.types.input.ContainerHealthcheck;

/** A Docker health check from a command, with the service's timings. */
export function healthcheck(test: string[], timing: Pick<HealthCheckSpec, "intervalSeconds" | "timeoutSeconds" | "unhealthyThreshold" | "startPeriodSeconds">): HealthcheckInput {
    return {
        tests: test,
        interval: `${timing.intervalSeconds}s`,
        timeout: `${timing.timeoutSeconds}s`,
        retries: timing.unhealthyThreshold,
        // No startInterval: it needs Docker Engine 25 or newer, and older engines refuse the container.
        startPeriod: `${timing.startPeriodSeconds}s`,
    };
}

/**
 * Probes an HTTP path from inside the container. The app images are Python and ship no curl,
 * so the probe uses the interpreter the image already has.
 */
export function httpProbe(port: number, path: string, timeoutSeconds: number): string[] {
    const url = `http://127.0.0.1:${port}${path}`;
    return ["CMD", "python", "-c", `import urllib.request; urllib.request.urlopen('${url}', timeout=${timeoutSeconds})`];
}

/** Publishes a container port on a loopback address only: nothing else on the network reaches the dev stack. */
export function loopbackPort(hostAddress: string, containerPort: number, hostPort: number): docker.types.input.ContainerPort {
    return { internal: containerPort, external: hostPort, ip: hostAddress, protocol: "tcp" };
}

/** Docker labels from the stack's tags, so `docker ps --filter label=…` finds an environment's containers. */
export function labels(tags: Record<string, string>): docker.types.input.ContainerLabel[] {
    return Object.entries(tags).map(([key, value]) => ({ label: `com.dygsom.${key}`, value }));
}

/** Rotated json-file logs: an unbounded log fills a laptop's disk in days. */
export const logOptions = { logDriver: "json-file", logOpts: { "max-size": "10m", "max-file": "3" } };

/**
 * The end of a backup job's script: one backup at start-up, then one a day at $BACKUP_WINDOW_START (UTC, HH:MM,
 * from the container's environment). The script defines a shell function `backup` before it.
 */
export const dailyAtBackupWindow = `backup
while true; do
    now=$(date -u +%s)
    next=$(date -u -d "$(date -u +%Y-%m-%d) $BACKUP_WINDOW_START" +%s)
    [ "$next" -gt "$now" ] || next=$((next + 86400))
    sleep $((next - now))
    backup
done
`;
