import YAML from "yaml";
import type { AlertDefinition } from "../../components/alerts/catalogue";
import { annotationsOf, databaseVolumeMount, guardedMetrics, missingMetricAlert, missingMetricAnnotations, type RuleInputs } from "../../components/docker/observability";

/**
 * `promtool test rules` unit tests for every Prometheus alert of the catalogue, generated from the same
 * definitions the rules come from, with data built from the alert's own threshold and duration:
 *
 * - healthy until `onset`, then breaching by a clear margin: no alert at `onset + for` (the condition has
 *   not held for the whole duration yet), firing at `onset + for + 2m` (a minute for the rate window to
 *   fill, a minute of evaluation slack);
 * - breaching on the other side of the threshold only (just inside the healthy side): never fires.
 *
 * So the tests pin the seed's numbers: a rule with a longer `for`, a looser threshold or a rate window
 * that delays it by more than a minute fails.
 */
const scrape = 15; // seconds, as prometheus.yml scrapes
const onsetMinutes = 10;
const samplesPerMinute = 60 / scrape;

interface Series {
    series: string;
    values: string;
}

interface AlertRuleTest {
    eval_time: string;
    alertname: string;
    exp_alerts: { exp_labels: Record<string, string>; exp_annotations?: Record<string, string> }[];
}

interface TestGroup {
    name: string;
    interval: string;
    input_series: Series[];
    alert_rule_test: AlertRuleTest[];
}

/** A counter's cumulative samples: `before` per scrape until the onset, `after` per scrape from then on. */
function counter(before: number, after: number, samples: number): string {
    const onset = onsetMinutes * samplesPerMinute;
    const values: number[] = [];
    let total = 0;
    for (let i = 0; i <= samples; i += 1) {
        if (i > 0) total += i <= onset ? before : after;
        values.push(Math.round(total * 1000) / 1000);
    }
    return values.join(" ");
}

/** A gauge: `before` until the onset, `after` from the next scrape on. */
function gauge(before: number, after: number, samples: number): string {
    const onset = onsetMinutes * samplesPerMinute;
    return Array.from({ length: samples + 1 }, (_, i) => (i <= onset ? before : after)).join(" ");
}

function selector(metric: string, labels: Record<string, string>): string {
    const pairs = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
    return pairs.length === 0 ? metric : `${metric}{${pairs.join(", ")}}`;
}

/** A value on the breaching side (`breach`) or the healthy side of the threshold, by a clear margin. */
function sideOf(alert: AlertDefinition, breach: boolean, ceiling = Infinity): number {
    const t = alert.threshold;
    const up = alert.comparison === "above" === breach;
    if (up) return Math.min(t === 0 ? 1 : t * 1.2, ceiling === Infinity ? Infinity : t + (ceiling - t) / 2);
    return t * 0.8;
}

/** The input series that put `alert` on the breaching side (or the healthy side) after the onset. */
function seriesFor(alert: AlertDefinition, inputs: RuleInputs, breach: boolean, samples: number): { series: Series[]; labels: Record<string, string> } {
    const m = inputs.metrics;
    const api = { job: inputs.apiJob };
    const requestsPerScrape = 1000;
    switch (alert.id) {
        case "apiErrorRateCritical":
        case "apiErrorRateWarning": {
            const percent = sideOf(alert, breach, 100);
            return {
                series: [
                    { series: selector(m.requests, { ...api, instance: "api:8000" }), values: counter(requestsPerScrape, requestsPerScrape, samples) },
                    { series: selector(m.errors, { ...api, instance: "api:8000" }), values: counter(0, (requestsPerScrape * percent) / 100, samples) },
                ],
                labels: {},
            };
        }
        case "apiLatencyP95": {
            // Buckets around the threshold: every request in (t/2, t] keeps p95 below t; in (t, 2.5t] above it.
            const t = alert.threshold;
            const bounds = [t / 2, t, t * 2.5];
            const slowBucket = breach ? 2 : 1;
            const series = [...bounds.map(String), "+Inf"].map((le, index) => ({
                series: selector(`${m.requestDuration}_bucket`, { ...api, instance: "api:8000", le }),
                // Before the onset every request is in the lowest bucket; after it, in `slowBucket` (cumulative buckets).
                values: counter(requestsPerScrape, index >= slowBucket ? requestsPerScrape : 0, samples),
            }));
            return { series, labels: {} };
        }
        case "healthCheckFailing":
            return {
                series: inputs.services.map((s) => ({ series: selector("up", { job: s.job, instance: `${s.job}:80` }), values: gauge(1, s.job === inputs.apiJob && breach ? 0 : 1, samples) })),
                labels: { job: inputs.apiJob },
            };
        case "databaseConnectionErrors": {
            const perMinute = breach ? alert.threshold + 1 : alert.threshold * 0.5;
            return { series: [{ series: selector(m.dbConnectionErrors, { job: "worker", instance: "worker:8080" }), values: counter(0, perMinute / samplesPerMinute, samples) }], labels: {} };
        }
        case "cacheHitRateLow": {
            const hitPercent = sideOf(alert, breach, 100);
            return {
                series: [
                    { series: selector(m.cacheHits, { ...api, instance: "api:8000" }), values: counter(900, hitPercent * 10, samples) },
                    { series: selector(m.cacheMisses, { ...api, instance: "api:8000" }), values: counter(100, 1000 - hitPercent * 10, samples) },
                ],
                labels: {},
            };
        }
        case "diskHigh": {
            const size = 100 * 1024 ** 3;
            const usedPercent = sideOf(alert, breach, 100);
            const fs = { job: "node", instance: "node-exporter:9100", mountpoint: databaseVolumeMount, device: "/dev/vda1", fstype: "ext4" };
            return {
                series: [
                    { series: selector("node_filesystem_size_bytes", fs), values: gauge(size, size, samples) },
                    { series: selector("node_filesystem_avail_bytes", fs), values: gauge(size / 2, Math.round(size * (1 - usedPercent / 100)), samples) },
                ],
                labels: {},
            };
        }
        case "memoryHigh": {
            const service = inputs.services.find((s) => s.job === inputs.apiJob) ?? inputs.services[0];
            const limit = service.memoryMiB * 1024 * 1024;
            const usedPercent = sideOf(alert, breach, 100);
            return {
                series: [{ series: selector("process_resident_memory_bytes", { job: service.job, instance: `${service.job}:80` }), values: gauge(Math.round(limit * 0.1), Math.round((limit * usedPercent) / 100), samples) }],
                labels: { job: service.job },
            };
        }
    }
}

/** The promtool test file (rule file path relative to the test file) for the rendered rules. */
export function alertRuleTests(inputs: RuleInputs, ruleFile: string): string {
    const groups: TestGroup[] = [];
    const alerts = inputs.catalogue.filter((alert) => alert.coverage.prometheus.kind !== "no");
    const samples = (onsetMinutes + Math.max(...alerts.map((a) => a.forMinutes)) + 5) * samplesPerMinute;
    // promtool sets up a database per test group (a quarter of a second each): alerts share a group
    // unless they read the same series (the two error-rate alerts), which then need a timeline each.
    for (const breach of [true, false]) {
        const packed: { series: Series[]; tests: AlertRuleTest[] }[] = [];
        for (const alert of alerts) {
            const data = seriesFor(alert, inputs, breach, samples);
            const tests: AlertRuleTest[] = breach
                ? [
                      { eval_time: `${onsetMinutes}m`, alertname: alert.name, exp_alerts: [] },
                      { eval_time: `${onsetMinutes + alert.forMinutes}m`, alertname: alert.name, exp_alerts: [] },
                      {
                          eval_time: `${onsetMinutes + alert.forMinutes + 2}m`,
                          alertname: alert.name,
                          exp_alerts: [{ exp_labels: { severity: alert.severity, alert_id: alert.id, ...data.labels }, exp_annotations: annotationsOf(alert) }],
                      },
                  ]
                : [{ eval_time: `${onsetMinutes + alert.forMinutes + 5}m`, alertname: alert.name, exp_alerts: [] }];
            const names = new Set(data.series.map((s) => s.series));
            const group = packed.find((g) => g.series.every((s) => !names.has(s.series)));
            if (group) {
                group.series.push(...data.series);
                group.tests.push(...tests);
            } else {
                packed.push({ series: [...data.series], tests });
            }
        }
        packed.forEach((group, index) =>
            groups.push({
                name: breach
                    ? `${index + 1}: breaching from ${onsetMinutes} min: each alert fires after its duration, not before (${group.tests.map((t) => t.alertname).filter((n, i, all) => all.indexOf(n) === i).join(", ")})`
                    : `${index + 1}: on the healthy side of each threshold from ${onsetMinutes} min: no alert fires`,
                interval: `${scrape}s`,
                input_series: group.series,
                alert_rule_test: group.tests,
            }),
        );
    }
    // The absent() guards: with no app metrics at all, each guard fires after missingMetricMinutes, not before.
    const guards = guardedMetrics(inputs);
    const expectedGuards = guards.map(({ metric, selector: labels }) => ({ exp_labels: { severity: "warning", metric, ...labels }, exp_annotations: missingMetricAnnotations(metric, inputs.missingMetricMinutes) }));
    groups.push({
        name: `${missingMetricAlert} fires for each metric the alerts read once it is missing ${inputs.missingMetricMinutes} min`,
        interval: `${scrape}s`,
        input_series: [{ series: selector("up", { job: inputs.apiJob, instance: "api:8000" }), values: gauge(1, 1, (inputs.missingMetricMinutes + 3) * samplesPerMinute) }],
        alert_rule_test: [
            { eval_time: `${inputs.missingMetricMinutes - 1}m`, alertname: missingMetricAlert, exp_alerts: [] },
            { eval_time: `${inputs.missingMetricMinutes + 1}m`, alertname: missingMetricAlert, exp_alerts: expectedGuards },
        ],
    });
    return YAML.stringify({ rule_files: [ruleFile], evaluation_interval: `${scrape}s`, tests: groups }, { aliasDuplicateObjects: false, lineWidth: 0 });
}
