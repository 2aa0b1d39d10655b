import YAML from "yaml";
import type { MetricNamesSpec } from "../../config";
import type { AlertDefinition } from "../alerts/catalogue";
import { databaseVolumeMount } from "./observability";

/** Seed 000's four dashboards, by uid (the seed's URLs: /d/main, /d/api, /d/ml, /d/infra). */
export const dashboardUids = ["main", "api", "ml", "infra"] as const;

interface Panel {
    title: string;
    unit: string;
    targets: { expr: string; legend: string }[];
    /** A threshold line (the catalogue's, where an alert watches the panel). */
    threshold?: number;
}

/** Where Grafana reads the dashboards from: outside its data volume, so a new image or re-up refreshes them. */
export const dashboardDirectory = "/etc/grafana/dashboards";

/** Grafana's dashboard provider: every JSON file of {@link dashboardDirectory}, read-only in the UI. */
export function grafanaDashboardProvider(): string {
    return YAML.stringify({
        apiVersion: 1,
        providers: [{ name: "fraud-platform", type: "file", disableDeletion: true, allowUiUpdates: false, updateIntervalSeconds: 60, options: { path: dashboardDirectory } }],
    });
}

/**
 * The four dashboards as Grafana JSON, each panel on the catalogue's metric names and thresholds:
 * main (the on-call overview), api performance, ML metrics, infrastructure.
 */
export function grafanaDashboards(metrics: MetricNamesSpec, catalogue: AlertDefinition[], apiJob: string): Record<(typeof dashboardUids)[number], string> {
    const threshold = (id: AlertDefinition["id"]) => catalogue.find((a) => a.id === id)?.threshold;
    const api = `{job="${apiJob}"}`;
    const requests = `sum(rate(${metrics.requests}${api}[5m]))`;
    const errorRate = `100 * sum(rate(${metrics.errors}${api}[5m])) / ${requests}`;
    const quantile = (q: number, metric: string, selector = "") => `histogram_quantile(${q}, sum by (le) (rate(${metric}_bucket${selector}[5m])))`;
    const hitRate = `100 * sum(rate(${metrics.cacheHits}[5m])) / (sum(rate(${metrics.cacheHits}[5m])) + sum(rate(${metrics.cacheMisses}[5m])))`;
    const panels: Record<(typeof dashboardUids)[number], { title: string; panels: Panel[] }> = {
        main: {
            title: "Main",
            panels: [
                { title: "Request rate", unit: "reqps", targets: [{ expr: requests, legend: "requests/s" }] },
                { title: "Error rate", unit: "percent", targets: [{ expr: errorRate, legend: "errors %" }], threshold: threshold("apiErrorRateCritical") },
                { title: "Latency p95", unit: "s", targets: [{ expr: quantile(0.95, metrics.requestDuration, api), legend: "p95" }], threshold: threshold("apiLatencyP95") },
                { title: "Services up", unit: "none", targets: [{ expr: "sum by (job) (up)", legend: "{{job}}" }] },
                { title: "Cache hit rate", unit: "percent", targets: [{ expr: hitRate, legend: "hit %" }], threshold: threshold("cacheHitRateLow") },
                { title: "Firing alerts", unit: "none", targets: [{ expr: 'sum by (severity) (ALERTS{alertstate="firing"})', legend: "{{severity}}" }] },
            ],
        },
        api: {
            title: "API performance",
            panels: [
                { title: "Requests by status", unit: "reqps", targets: [{ expr: `sum by (status) (rate(${metrics.requests}${api}[5m]))`, legend: "{{status}}" }] },
                { title: "Error rate", unit: "percent", targets: [{ expr: errorRate, legend: "errors %" }], threshold: threshold("apiErrorRateWarning") },
                {
                    title: "Latency p50 / p95 / p99",
                    unit: "s",
                    targets: [0.5, 0.95, 0.99].map((q) => ({ expr: quantile(q, metrics.requestDuration, api), legend: `p${Math.round(q * 100)}` })),
                    threshold: threshold("apiLatencyP95"),
                },
                { title: "Database query duration p95", unit: "s", targets: [{ expr: quantile(0.95, metrics.dbQueryDuration), legend: "p95" }] },
                { title: "Database connection errors", unit: "short", targets: [{ expr: `sum(rate(${metrics.dbConnectionErrors}[5m])) * 60`, legend: "errors/min" }] },
                { title: "Cache hits / misses", unit: "ops", targets: [{ expr: `sum(rate(${metrics.cacheHits}[5m]))`, legend: "hits" }, { expr: `sum(rate(${metrics.cacheMisses}[5m]))`, legend: "misses" }] },
            ],
        },
        ml: {
            title: "ML metrics",
            panels: [
                { title: "Fraud score distribution (p50 / p95)", unit: "none", targets: [0.5, 0.95].map((q) => ({ expr: quantile(q, "fraud_score_distribution"), legend: `p${Math.round(q * 100)}` })) },
                { title: "Transaction volume", unit: "ops", targets: [{ expr: "sum(rate(transaction_volume_total[5m]))", legend: "transactions/s" }] },
                { title: "Fraud rate", unit: "percent", targets: [{ expr: "avg(fraud_rate_percentage)", legend: "fraud %" }] },
                { title: "Risk level distribution", unit: "ops", targets: [{ expr: "sum by (risk_level) (rate(risk_level_distribution_total[5m]))", legend: "{{risk_level}}" }] },
                { title: "ml service latency p95", unit: "s", targets: [{ expr: quantile(0.95, metrics.requestDuration, '{job="ml"}'), legend: "p95" }] },
            ],
        },
        infra: {
            title: "Infrastructure",
            panels: [
                { title: "Memory by service", unit: "bytes", targets: [{ expr: "max by (job) (process_resident_memory_bytes)", legend: "{{job}}" }] },
                { title: "CPU by service", unit: "percentunit", targets: [{ expr: "sum by (job) (rate(process_cpu_seconds_total[5m]))", legend: "{{job}}" }] },
                {
                    title: "Database volume disk used",
                    unit: "percent",
                    targets: [{ expr: `100 * (1 - max(node_filesystem_avail_bytes{mountpoint="${databaseVolumeMount}"} / node_filesystem_size_bytes{mountpoint="${databaseVolumeMount}"}))`, legend: "used %" }],
                    threshold: threshold("diskHigh"),
                },
                { title: "Scrape targets up", unit: "none", targets: [{ expr: "up", legend: "{{job}} {{instance}}" }] },
            ],
        },
    };
    const render = (uid: (typeof dashboardUids)[number]) =>
        JSON.stringify(
            {
                uid,
                title: panels[uid].title,
                tags: ["fraud-platform"],
                timezone: "utc",
                schemaVersion: 39,
                refresh: "30s",
                time: { from: "now-3h", to: "now" },
                links: dashboardUids.filter((other) => other !== uid).map((other) => ({ title: panels[other].title, type: "link", url: `/d/${other}` })),
                panels: panels[uid].panels.map((panel, index) => ({
                    id: index + 1,
                    type: "timeseries",
                    title: panel.title,
                    datasource: { type: "prometheus", uid: "prometheus" },
                    gridPos: { x: (index % 2) * 12, y: Math.floor(index / 2) * 8, w: 12, h: 8 },
                    fieldConfig: {
                        defaults: {
                            unit: panel.unit,
                            ...(panel.threshold === undefined
                                ? {}
                                : { thresholds: { mode: "absolute", steps: [{ color: "green", value: null }, { color: "red", value: panel.threshold }] }, custom: { thresholdsStyle: { mode: "line" } } }),
                        },
                        overrides: [],
                    },
                    targets: panel.targets.map((target, ref) => ({ refId: String.fromCharCode(65 + ref), expr: target.expr, legendFormat: target.legend, datasource: { type: "prometheus", uid: "prometheus" } })),
                })),
            },
            null,
            2,
        );
    return { main: render("main"), api: render("api"), ml: render("ml"), infra: render("infra") };
}
