import YAML from "yaml";
import type { ServiceSpec, ThresholdsSpec } from "../../config";

/** A scrape target: the container's network alias and the port its metrics are on. */
export interface ScrapeTarget {
    job: string;
    hosts: string[];
    port: number;
}

/** prometheus.yml: scrape every app container, evaluate the alert rules, send alerts to Alertmanager. */
export function prometheusConfig(targets: ScrapeTarget[], alertmanagerHost: string): string {
    return YAML.stringify({
        global: { scrape_interval: "15s", evaluation_interval: "15s" },
        rule_files: ["/etc/prometheus/rules/*.yml"],
        alerting: { alertmanagers: [{ static_configs: [{ targets: [`${alertmanagerHost}:9093`] }] }] },
        scrape_configs: [
            { job_name: "prometheus", static_configs: [{ targets: ["localhost:9090"] }] },
            ...targets.map((t) => ({
                job_name: t.job,
                metrics_path: "/metrics",
                static_configs: [{ targets: t.hosts.map((h) => `${h}:${t.port}`) }],
            })),
        ],
    });
}

/**
 * Seed 000's alerts as Prometheus rules. Metric names are the ones prometheus-fastapi-instrumentator
 * and the app's cache counters export; each rule's summary says what to do.
 */
export function alertRules(thresholds: ThresholdsSpec, api: ServiceSpec, services: ServiceSpec[]): string {
    const errorRatio = thresholds.errorRatePercent / 100;
    const latencySeconds = thresholds.p95LatencyMs / 1000;
    return YAML.stringify({
        groups: [
            {
                name: "fraud-api",
                rules: [
                    {
                        alert: "ApiErrorRateHigh",
                        expr: `sum(rate(http_requests_total{job="${api.name}",status=~"5.."}[${thresholds.errorRateMinutes}m])) / clamp_min(sum(rate(http_requests_total{job="${api.name}"}[${thresholds.errorRateMinutes}m])), 1e-9) > ${errorRatio}`,
                        for: `${thresholds.errorRateMinutes}m`,
                        labels: { severity: "critical" },
                        annotations: { summary: `api 5xx rate above ${thresholds.errorRatePercent}% for ${thresholds.errorRateMinutes} min: check the api logs and roll back the last release if it started then.` },
                    },
                    {
                        alert: "ApiLatencyP95High",
                        expr: `histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket{job="${api.name}"}[${thresholds.latencyMinutes}m]))) > ${latencySeconds}`,
                        for: `${thresholds.latencyMinutes}m`,
                        labels: { severity: "warning" },
                        annotations: { summary: `api p95 latency above ${thresholds.p95LatencyMs} ms for ${thresholds.latencyMinutes} min: check the database and ml service latency.` },
                    },
                    {
                        alert: "CacheHitRateLow",
                        expr: `sum(rate(cache_hits_total[10m])) / clamp_min(sum(rate(cache_hits_total[10m])) + sum(rate(cache_misses_total[10m])), 1e-9) < ${thresholds.cacheHitRatePercent / 100}`,
                        for: "10m",
                        labels: { severity: "warning" },
                        annotations: { summary: `cache hit rate below ${thresholds.cacheHitRatePercent}%: check Redis memory and evictions.` },
                    },
                    ...services.map((s) => ({
                        alert: `${capitalise(s.name)}Down`,
                        expr: `up{job="${s.name}"} == 0`,
                        for: "2m",
                        labels: { severity: "critical" },
                        annotations: { summary: `${s.name} is not answering its metrics endpoint: \`docker logs\` the container and check its health check.` },
                    })),
                    ...services.map((s) => ({
                        alert: `${capitalise(s.name)}MemoryHigh`,
                        expr: `max(process_resident_memory_bytes{job="${s.name}"}) > ${Math.round((s.memory * 1024 * 1024 * thresholds.memoryPercent) / 100)}`,
                        for: "5m",
                        labels: { severity: "warning" },
                        annotations: { summary: `${s.name} uses more than ${thresholds.memoryPercent}% of its ${s.memory} MiB limit: look for a leak or raise services.${s.name}.memory.` },
                    })),
                ],
            },
        ],
    });
}

/** Alertmanager routes to Slack and PagerDuty when configured; otherwise alerts stay visible in its UI. */
export function alertmanagerConfig(destinations: { slackWebhookUrl?: string; pagerDutyIntegrationKey?: string }): string {
    const receiver: Record<string, unknown> = { name: "oncall" };
    if (destinations.slackWebhookUrl) {
        receiver.slack_configs = [{ api_url: destinations.slackWebhookUrl, send_resolved: true, title: "{{ .CommonLabels.alertname }}", text: "{{ .CommonAnnotations.summary }}" }];
    }
    if (destinations.pagerDutyIntegrationKey) {
        receiver.pagerduty_configs = [{ routing_key: destinations.pagerDutyIntegrationKey, send_resolved: true }];
    }
    return YAML.stringify({
        route: { receiver: "oncall", group_by: ["alertname"], group_wait: "30s", repeat_interval: "4h" },
        receivers: [receiver],
    });
}

/** Grafana data source provisioning: Prometheus as the default data source. */
export function grafanaDatasource(prometheusHost: string): string {
    return YAML.stringify({
        apiVersion: 1,
        datasources: [{ name: "Prometheus", type: "prometheus", access: "proxy", url: `http://${prometheusHost}:9090`, isDefault: true, editable: false }],
    });
}

function capitalise(word: string): string {
    return word.charAt(0).toUpperCase() + word.slice(1);
}
