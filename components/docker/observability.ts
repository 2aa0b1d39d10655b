import YAML from "yaml";
import type { MetricNamesSpec } from "../../config";
import type { AlertDefinition } from "../alerts/catalogue";

/** A scrape target: the container's network alias and the port its metrics are on. */
export interface ScrapeTarget {
    job: string;
    hosts: string[];
    port: number;
    /** Keep only the scrape's own series (`up`, `scrape_*`): the target's samples are read from another job. */
    upOnly?: boolean;
}

/** prometheus.yml: scrape every app container, evaluate the alert rules, send alerts to Alertmanager. */
export function prometheusConfig(targets: ScrapeTarget[], alertmanagerHost: string): string {
    return YAML.stringify({
        global: { scrape_interval: "15s", evaluation_interval: "15s" },
        // Relative to this file: /etc/prometheus/rules in the container, rules/ next to it where tools/alerts writes it.
        rule_files: ["rules/*.yml"],
        alerting: { alertmanagers: [{ static_configs: [{ targets: [`${alertmanagerHost}:9093`] }] }] },
        scrape_configs: [
            { job_name: "prometheus", static_configs: [{ targets: ["localhost:9090"] }] },
            ...targets.map((t) => ({
                job_name: t.job,
                metrics_path: "/metrics",
                static_configs: [{ targets: t.hosts.map((h) => `${h}:${t.port}`) }],
                ...(t.upOnly ? { metric_relabel_configs: [{ source_labels: ["__name__"], regex: ".+", action: "drop" }] } : {}),
            })),
        ],
    });
}

/** Where node-exporter sees the database's data volume (mounted read-only): the disk alert's filesystem. */
export const databaseVolumeMount = "/volumes/postgres";

/** The short window each rate is taken over: 4 scrapes at 15 s, so a condition shows within a minute of starting. */
const rateWindow = "1m";

/** What the rules read: the app's metric names, the services scraped, their memory limits. */
export interface RuleInputs {
    catalogue: AlertDefinition[];
    metrics: MetricNamesSpec;
    /** The job the api's request metrics come from. */
    apiJob: string;
    /** Every app service's job and memory limit (MiB). */
    services: { job: string; memoryMiB: number }[];
    missingMetricMinutes: number;
    /** Jobs besides the services whose targets the health alert watches (the load balancer's). */
    extraHealthJobs?: string[];
}

interface PrometheusRule {
    alert: string;
    expr: string;
    for: string;
    labels: Record<string, string>;
    annotations: Record<string, string>;
}

/** What a person reads on the alert: the catalogue's summary and its steps. */
export function annotationsOf(alert: AlertDefinition): Record<string, string> {
    return { summary: alert.summary, runbook: alert.steps.map((step, i) => `(${i + 1}) ${step}`).join(" ") };
}

export function missingMetricAnnotations(metric: string, minutes: number): Record<string, string> {
    return {
        summary: `No ${metric} series for ${minutes} minutes: the alerts that read it cannot fire.`,
        runbook: "(1) Check the app still exports it at /metrics (a rename?). (2) Set monitoring.metrics to the app's name for it.",
    };
}

/** The PromQL of a catalogue alert: one rule, or one per service (memory). */
export function prometheusRules(inputs: RuleInputs): PrometheusRule[] {
    const { metrics: m, apiJob } = inputs;
    const api = `{job="${apiJob}"}`;
    const rate = (metric: string, selector = "") => `sum(rate(${metric}${selector}[${rateWindow}]))`;
    const rules: PrometheusRule[] = [];
    for (const alert of inputs.catalogue) {
        if (alert.coverage.prometheus.kind === "no") continue;
        const base = {
            alert: alert.name,
            for: `${alert.forMinutes}m`,
            labels: { severity: alert.severity, alert_id: alert.id },
            annotations: annotationsOf(alert),
        };
        const op = alert.comparison === "above" ? ">" : "<";
        switch (alert.id) {
            case "apiErrorRateCritical":
            case "apiErrorRateWarning":
                rules.push({ ...base, expr: `${rate(m.errors, api)} / ${rate(m.requests, api)} * 100 ${op} ${alert.threshold}` });
                break;
            case "apiLatencyP95":
                rules.push({ ...base, expr: `histogram_quantile(0.95, sum by (le) (rate(${m.requestDuration}_bucket${api}[${rateWindow}]))) ${op} ${alert.threshold}` });
                break;
            case "healthCheckFailing":
                rules.push({ ...base, expr: `min by (job) (up{job=~"${[...inputs.services.map((s) => s.job), ...(inputs.extraHealthJobs ?? [])].join("|")}"}) == 0` });
                break;
            case "databaseConnectionErrors":
                rules.push({ ...base, expr: `${rate(m.dbConnectionErrors)} * 60 ${op} ${alert.threshold}` });
                break;
            case "cacheHitRateLow":
                rules.push({ ...base, expr: `${rate(m.cacheHits)} / (${rate(m.cacheHits)} + ${rate(m.cacheMisses)}) * 100 ${op} ${alert.threshold}` });
                break;
            case "diskHigh": {
                const fs = `{mountpoint="${databaseVolumeMount}"}`;
                rules.push({ ...base, expr: `max(1 - node_filesystem_avail_bytes${fs} / node_filesystem_size_bytes${fs}) * 100 ${op} ${alert.threshold}` });
                break;
            }
            case "memoryHigh": {
                // One rule over every service (`or`), each against its own limit: the alert carries the job.
                const shares = inputs.services.map((s) => `max by (job) (process_resident_memory_bytes{job="${s.job}"}) / ${s.memoryMiB * 1024 * 1024}`);
                rules.push({ ...base, expr: `(${shares.join(" or ")}) * 100 ${op} ${alert.threshold}` });
                break;
            }
        }
    }
    return rules;
}

/** The app metrics the alerts read, each with the selector its absence is checked on. */
export function guardedMetrics(inputs: RuleInputs): { metric: string; selector: Record<string, string> }[] {
    const m = inputs.metrics;
    const api = { job: inputs.apiJob };
    return [
        { metric: m.requests, selector: api },
        { metric: m.errors, selector: api },
        { metric: `${m.requestDuration}_bucket`, selector: api },
        { metric: m.cacheHits, selector: {} },
        { metric: m.cacheMisses, selector: {} },
        { metric: `${m.dbQueryDuration}_bucket`, selector: {} },
        { metric: m.dbConnectionErrors, selector: {} },
    ];
}

export const missingMetricAlert = "AlertMetricMissing";

/**
 * Seed 000's alerts as Prometheus rules, from the catalogue, plus an `absent()` guard for each metric they
 * read: a renamed or unexported metric raises a warning instead of silencing its alert.
 */
export function alertRules(inputs: RuleInputs): string {
    const guards = guardedMetrics(inputs).map(({ metric, selector }) => ({
        alert: missingMetricAlert,
        expr: `absent(${metric}${selectorText(selector)})`,
        for: `${inputs.missingMetricMinutes}m`,
        labels: { severity: "warning", metric },
        annotations: missingMetricAnnotations(metric, inputs.missingMetricMinutes),
    }));
    return YAML.stringify({ groups: [{ name: "fraud-api", rules: prometheusRules(inputs) }, { name: "fraud-api-metric-guards", rules: guards }] }, yamlOptions);
}

function selectorText(selector: Record<string, string>): string {
    const pairs = Object.entries(selector).map(([k, v]) => `${k}="${v}"`);
    return pairs.length === 0 ? "" : `{${pairs.join(",")}}`;
}

/** Plain YAML a person can read in the container: no anchors for repeated labels, no folded expressions. */
const yamlOptions = { aliasDuplicateObjects: false, lineWidth: 0 } as const;

export const pagerDutyReceiver = "pagerduty";
export const slackReceiver = "slack";

/**
 * Alertmanager: critical alerts page (PagerDuty) and also post to Slack (`continue`); warnings only post to
 * Slack. A destination that is not configured is a receiver with nothing in it: the alerts stay visible in
 * Alertmanager's UI.
 */
export function alertmanagerConfig(destinations: { slackWebhookUrl?: string; pagerDutyIntegrationKey?: string }): string {
    const slack: Record<string, unknown> = { name: slackReceiver };
    if (destinations.slackWebhookUrl) {
        slack.slack_configs = [
            {
                api_url: destinations.slackWebhookUrl,
                send_resolved: true,
                title: '[{{ .CommonLabels.severity | toUpper }}] {{ .CommonLabels.alertname }}',
                text: "{{ range .Alerts }}{{ .Annotations.summary }} {{ .Annotations.runbook }}\n{{ end }}",
            },
        ];
    }
    const pagerDuty: Record<string, unknown> = { name: pagerDutyReceiver };
    if (destinations.pagerDutyIntegrationKey) {
        pagerDuty.pagerduty_configs = [{ routing_key: destinations.pagerDutyIntegrationKey, send_resolved: true, severity: "critical", description: "{{ .CommonAnnotations.summary }}" }];
    }
    return YAML.stringify({
        route: {
            receiver: slackReceiver,
            group_by: ["alertname", "job"],
            group_wait: "30s",
            group_interval: "5m",
            repeat_interval: "4h",
            routes: [
                { matchers: ['severity="critical"'], receiver: pagerDutyReceiver, continue: true, repeat_interval: "1h" },
                { matchers: ['severity=~"critical|warning"'], receiver: slackReceiver },
            ],
        },
        // A critical error rate also breaches the warning one: page once, do not post the warning on top.
        inhibit_rules: [{ source_matchers: ['alertname="ApiErrorRateCritical"'], target_matchers: ['alertname="ApiErrorRateWarning"'] }],
        receivers: [slack, pagerDuty],
    }, yamlOptions);
}

/** Grafana data source provisioning: Prometheus as the default data source. */
export function grafanaDatasource(prometheusHost: string): string {
    return YAML.stringify({
        apiVersion: 1,
        datasources: [{ name: "Prometheus", uid: "prometheus", type: "prometheus", access: "proxy", url: `http://${prometheusHost}:9090`, isDefault: true, editable: false }],
    });
}

