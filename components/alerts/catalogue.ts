import type { MetricNamesSpec, ThresholdsSpec } from "../../config";

/** Critical alerts page (PagerDuty) and post to Slack; warnings only post to Slack (seed 000). */
export type Severity = "critical" | "warning";

export type AlertId =
    | "apiErrorRateCritical"
    | "apiLatencyP95"
    | "healthCheckFailing"
    | "databaseConnectionErrors"
    | "apiErrorRateWarning"
    | "cacheHitRateLow"
    | "diskHigh"
    | "memoryHigh";

export type AlertBackend = "prometheus" | "cloudwatch" | "digitalocean";

/** How a backend renders an alert: fully, approximately (and how), or not at all (and why). */
export type Coverage = { kind: "yes" } | { kind: "approximate"; how: string } | { kind: "no"; why: string };

/** One of seed 000's alerts, provider-neutral: what it watches, its threshold and how long it must hold. */
export interface AlertDefinition {
    id: AlertId;
    /** The Prometheus alert name (CamelCase); other backends derive their names from the id. */
    name: string;
    severity: Severity;
    /** The comparison, in the unit below: the alert fires when the value is `above` (or `below`) the threshold. */
    comparison: "above" | "below";
    threshold: number;
    unit: "percent" | "seconds" | "per minute" | "boolean";
    /** Minutes the condition must hold before the alert fires. */
    forMinutes: number;
    /** One sentence a person paged reads first. */
    summary: string;
    /** What to do, in order. */
    steps: string[];
    coverage: Record<AlertBackend, Coverage>;
}

const yes: Coverage = { kind: "yes" };

/**
 * Seed 000's alert list ("Alerts": critical pages immediately, warnings notify in Slack) as data. The numbers
 * come from `monitoring.thresholds` (the seed's values by default); nothing else writes a threshold or a
 * duration. Each backend renders the definitions it can express; `coverage` says where it cannot.
 */
export function alertCatalogue(t: ThresholdsSpec, metrics: MetricNamesSpec): AlertDefinition[] {
    const latencySeconds = t.p95LatencyMs / 1000;
    return [
        {
            id: "apiErrorRateCritical",
            name: "ApiErrorRateCritical",
            severity: "critical",
            comparison: "above",
            threshold: t.errorRatePercent,
            unit: "percent",
            forMinutes: t.errorRateMinutes,
            summary: `More than ${t.errorRatePercent} % of api requests failed for ${t.errorRateMinutes} minutes.`,
            steps: ["Check the api logs for the failing endpoint.", "If it started with the last release, roll back.", "Check the database and the ml service."],
            coverage: {
                prometheus: yes,
                cloudwatch: { kind: "approximate", how: "5xx answers (targets and load balancer) over all requests at the load balancer, not the app's error counter" },
                digitalocean: { kind: "no", why: "App Platform alerts cover CPU, memory, restarts and deployments only; no request or error metrics" },
            },
        },
        {
            id: "apiLatencyP95",
            name: "ApiLatencyP95High",
            severity: "critical",
            comparison: "above",
            threshold: latencySeconds,
            unit: "seconds",
            forMinutes: t.latencyMinutes,
            summary: `The api's p95 response time was above ${latencySeconds} s for ${t.latencyMinutes} minutes.`,
            steps: ["Check database query duration and the ml service's latency.", "Check CPU and memory of the api.", "Scale out or roll back the last release."],
            coverage: {
                prometheus: yes,
                cloudwatch: { kind: "approximate", how: "the load balancer's TargetResponseTime p95" },
                digitalocean: { kind: "approximate", how: "an uptime check's latency on the health URL (one probe, not the p95 of real requests)" },
            },
        },
        {
            id: "healthCheckFailing",
            name: "HealthCheckFailing",
            severity: "critical",
            comparison: "below",
            threshold: 1,
            unit: "boolean",
            forMinutes: t.healthCheckMinutes,
            summary: `A service failed its health check for ${t.healthCheckMinutes} minutes.`,
            steps: ["Look at the service's logs and its last restarts.", "Check its dependencies (database, cache, ml service).", "Roll back if a release caused it."],
            coverage: {
                prometheus: { kind: "approximate", how: "the service's metrics endpoint not answering Prometheus (`up == 0`); `npm run health-check` lists Docker's own health checks" },
                cloudwatch: { kind: "approximate", how: "api tasks failing the load balancer's readiness check, and no healthy api task at all" },
                digitalocean: { kind: "approximate", how: "an uptime check on the api's health URL" },
            },
        },
        {
            id: "databaseConnectionErrors",
            name: "DatabaseConnectionErrors",
            severity: "critical",
            comparison: "above",
            threshold: t.databaseConnectionErrorsPerMinute,
            unit: "per minute",
            forMinutes: t.databaseConnectionErrorMinutes,
            summary: `The app could not connect to the database (more than ${t.databaseConnectionErrorsPerMinute} errors a minute for ${t.databaseConnectionErrorMinutes} minutes).`,
            steps: ["Check the database is up and accepting connections.", "Check the connection count against max_connections.", "Check the app's DATABASE_URL and credentials."],
            coverage: {
                prometheus: yes,
                cloudwatch: { kind: "no", why: `the app's ${metrics.dbConnectionErrors} is not published to CloudWatch; the unhealthy-hosts page covers it, as the api's readiness checks the database` },
                digitalocean: { kind: "no", why: "DigitalOcean database alerts cover CPU, memory, disk and load, not connection failures" },
            },
        },
        {
            id: "apiErrorRateWarning",
            name: "ApiErrorRateWarning",
            severity: "warning",
            comparison: "above",
            threshold: t.warningErrorRatePercent,
            unit: "percent",
            forMinutes: t.warningErrorRateMinutes,
            summary: `More than ${t.warningErrorRatePercent} % of api requests failed for ${t.warningErrorRateMinutes} minutes.`,
            steps: ["Check the api logs for the failing endpoint.", "Watch whether it grows towards the critical rate."],
            coverage: {
                prometheus: yes,
                cloudwatch: { kind: "approximate", how: "5xx answers over all requests at the load balancer" },
                digitalocean: { kind: "no", why: "App Platform alerts have no request or error metrics" },
            },
        },
        {
            id: "cacheHitRateLow",
            name: "CacheHitRateLow",
            severity: "warning",
            comparison: "below",
            threshold: t.cacheHitRatePercent,
            unit: "percent",
            forMinutes: t.cacheHitRateMinutes,
            summary: `Fewer than ${t.cacheHitRatePercent} % of cache lookups were hits for ${t.cacheHitRateMinutes} minutes, so most requests reach PostgreSQL.`,
            steps: ["Check Redis memory and evictions.", "Check the key TTLs of the last release."],
            coverage: {
                prometheus: yes,
                cloudwatch: { kind: "approximate", how: "ElastiCache's CacheHitRate (Redis keyspace hits), not the app's counters" },
                digitalocean: { kind: "no", why: "DigitalOcean has no cache hit-rate alert" },
            },
        },
        {
            id: "diskHigh",
            name: "DiskUsageHigh",
            severity: "warning",
            comparison: "above",
            threshold: t.diskPercent,
            unit: "percent",
            forMinutes: t.diskMinutes,
            summary: `The database's disk is more than ${t.diskPercent} % full.`,
            steps: ["Find the growing tables or logs.", "Raise the storage (cloud) or free space on the host (Docker)."],
            coverage: {
                prometheus: { kind: "approximate", how: "the filesystem that holds the database volume (node-exporter), which Docker shares with the host" },
                cloudwatch: { kind: "approximate", how: "RDS free storage against the storage allocated at creation (autoscaling grows it)" },
                digitalocean: yes,
            },
        },
        {
            id: "memoryHigh",
            name: "MemoryUsageHigh",
            severity: "warning",
            comparison: "above",
            threshold: t.memoryPercent,
            unit: "percent",
            forMinutes: t.memoryMinutes,
            summary: `A service used more than ${t.memoryPercent} % of its memory for ${t.memoryMinutes} minutes.`,
            steps: ["Look for a leak in the last release.", "Raise the service's memory."],
            coverage: {
                prometheus: { kind: "approximate", how: "the process's resident memory against the container's memory limit" },
                cloudwatch: yes,
                digitalocean: yes,
            },
        },
    ];
}

/** The catalogue's definition with this id. */
export function alertById(catalogue: AlertDefinition[], id: AlertId): AlertDefinition {
    const found = catalogue.find((a) => a.id === id);
    if (!found) throw new Error(`alert catalogue has no ${id}`);
    return found;
}

/** A markdown table of which backend renders which alert: the gap table in docs/alerts.md is this output. */
export function coverageTable(catalogue: AlertDefinition[]): string {
    const cell = (c: Coverage) => (c.kind === "yes" ? "yes" : c.kind === "approximate" ? `approximate: ${c.how}` : `**no**: ${c.why}`);
    const rows = catalogue.map((a) => `| ${a.name} (${a.severity}) | ${cell(a.coverage.prometheus)} | ${cell(a.coverage.cloudwatch)} | ${cell(a.coverage.digitalocean)} |`);
    return ["| Alert | Docker (Prometheus) | AWS (CloudWatch) | DigitalOcean |", "| --- | --- | --- | --- |", ...rows].join("\n");
}
