import { execFile, spawnSync } from "node:child_process";
import { createHmac } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { parser } from "@prometheus-io/lezer-promql";
import { expect } from "chai";
import YAML from "yaml";
import { alertCatalogue, coverageTable } from "../components/alerts/catalogue";
import { dockerRuleInputs } from "../components/docker/backend";
import { alertRules } from "../components/docker/observability";
import { loadEnvironmentSpec } from "../config";
import { alertFilesOf, configWithDestinations, ruleExpressions, runDockerStack, type AlertFiles } from "../tools/alerts/files";
import { reveal, updateStack, withLookups, type Preview } from "./helpers";

const run = promisify(execFile);
const onPath = (tool: string) => spawnSync(tool, ["--version"], { stdio: "ignore" }).status === 0;
const promtool = onPath("promtool");
const amtool = onPath("amtool");
const missing = (tool: string, present: boolean) => (present ? "" : ` (SKIPPED: ${tool} is not on the PATH; .ci/run installs Debian's prometheus and prometheus-alertmanager)`);

const container = "docker:index/container:Container";
const envsOf = (preview: Preview, suffix: string) => ((reveal(preview.named(suffix, container).inputs) as { envs?: string[] }).envs ?? []).map(String);

/** The dev stack with its committed config, thresholds and metric names overridden. */
function devSpec(overrides: Record<string, unknown> = {}) {
    const { config, secretKeys } = configWithDestinations("dev");
    for (const [key, value] of Object.entries(overrides)) config[`fraud-platform:${key}`] = JSON.stringify(value);
    return loadEnvironmentSpec({ project: "fraud-platform", stack: "dev", values: config, secretKeys: new Set(secretKeys) });
}

describe("alerts: seed 000's catalogue rendered for Prometheus and Alertmanager (docker)", () => {
    let dev: Preview;
    let files: AlertFiles;
    let dir: string;
    let ruleTests: Promise<{ stdout: string }> | undefined;
    let checks: Promise<{ stdout: string }[]> | undefined;
    let routes: Promise<string[]> | undefined;

    before(async () => {
        dev = withLookups(await runDockerStack("dev"));
        files = alertFilesOf(dev, "dev");
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "alerts-"));
        for (const [file, content] of Object.entries(files)) {
            fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
            fs.writeFileSync(path.join(dir, file), content);
        }
        // The slowest check (a few seconds), started now on the second core while the rest of this file runs.
        // Prometheus's own tools run in the background (the second core) while the rest of this file runs.
        if (promtool) ruleTests = run("promtool", ["test", "rules", "rules.test.yml"], { cwd: dir });
        if (promtool && amtool) {
            checks = Promise.all([
                run("promtool", ["check", "config", "prometheus.yml"], { cwd: dir }),
                run("promtool", ["check", "rules", "rules/fraud-api.yml"], { cwd: dir }),
                run("amtool", ["check-config", "alertmanager.yml"], { cwd: dir }),
            ]);
        }
        if (amtool) {
            const route = async (...labels: string[]) => (await run("amtool", ["config", "routes", "test", "--config.file", "alertmanager.yml", ...labels], { cwd: dir })).stdout.trim();
            routes = Promise.all([
                route("severity=critical", "alertname=ApiErrorRateCritical"),
                route("severity=warning", "alertname=CacheHitRateLow"),
                route("severity=warning", "alertname=AlertMetricMissing"),
            ]);
        }
        for (const pending of [ruleTests, checks, routes]) pending?.catch(() => undefined);
    });

    after(() => {
        if (dir) fs.rmSync(dir, { recursive: true, force: true });
    });

    it("renders every catalogue alert with the seed's threshold and duration, critical or warning as the seed says", () => {
        const rules = YAML.parse(files["rules/fraud-api.yml"]) as { groups: { rules: { alert: string; expr: string; for: string; labels: Record<string, string> }[] }[] };
        const all = rules.groups.flatMap((g) => g.rules);
        const seed = {
            ApiErrorRateCritical: ["critical", "> 5", "5m"],
            ApiLatencyP95High: ["critical", "> 1", "5m"],
            HealthCheckFailing: ["critical", "== 0", "2m"],
            DatabaseConnectionErrors: ["critical", "> 0", "1m"],
            ApiErrorRateWarning: ["warning", "> 1", "10m"],
            CacheHitRateLow: ["warning", "< 50", "15m"],
            DiskUsageHigh: ["warning", "> 80", "5m"],
            MemoryUsageHigh: ["warning", "> 85", "5m"],
        } as const;
        for (const [name, [severity, comparison, duration]] of Object.entries(seed)) {
            const rule = all.find((r) => r.alert === name);
            expect(rule, name).to.not.equal(undefined);
            expect([rule!.labels.severity, rule!.for], name).to.deep.equal([severity, duration]);
            expect(rule!.expr.endsWith(comparison), `${name}: ${rule!.expr}`).to.equal(true);
        }
        expect(all.find((r) => r.alert === "ApiLatencyP95High")!.expr).to.include('histogram_quantile(0.95, sum by (le) (rate(api_request_duration_seconds_bucket{job="api"}[1m])))');
        expect(all.find((r) => r.alert === "ApiErrorRateCritical")!.expr).to.include("api_request_errors_total").and.include("api_requests_total");
    });

    it("guards every metric the alerts read with absent(), so a renamed metric raises a warning", () => {
        const guards = ruleExpressions(files["rules/fraud-api.yml"]).filter((r) => r.alert === "AlertMetricMissing").map((r) => r.expr);
        for (const metric of ["api_requests_total", "api_request_errors_total", "api_request_duration_seconds_bucket", "cache_hits_total", "cache_misses_total", "db_query_duration_seconds_bucket", "db_connection_errors_total"]) {
            expect(guards.some((g) => g.startsWith(`absent(${metric}`)), metric).to.equal(true);
        }
    });

    it("parses every rule expression as PromQL (@prometheus-io/lezer-promql)", () => {
        const expressions = ruleExpressions(files["rules/fraud-api.yml"]);
        expect(expressions.length).to.be.greaterThan(10);
        for (const { alert, expr } of expressions) {
            const errors: number[] = [];
            parser.parse(expr).iterate({ enter: (node) => void (node.type.isError ? errors.push(node.from) : undefined) });
            expect(errors, `${alert}: ${expr}`).to.deep.equal([]);
        }
    });

    it("takes thresholds, durations and metric names from config, and nothing else", () => {
        const spec = devSpec({
            monitoring: { thresholds: { errorRatePercent: 3, errorRateMinutes: 7, cacheHitRateMinutes: 20 }, metrics: { requests: "http_requests_total", requestDuration: "http_request_duration_seconds" } },
        });
        const rules = ruleExpressions(alertRules(dockerRuleInputs(spec)));
        const critical = rules.find((r) => r.alert === "ApiErrorRateCritical")!.expr;
        expect(critical).to.match(/http_requests_total\{job="api"\}\[1m\]\)\) \* 100 > 3$/);
        const yaml = alertRules(dockerRuleInputs(spec));
        expect(yaml).to.include("for: 7m").and.include("for: 20m").and.include("absent(http_request_duration_seconds_bucket");
        expect(alertCatalogue(spec.monitoring.thresholds, spec.monitoring.metrics).find((a) => a.id === "apiErrorRateCritical")!.forMinutes).to.equal(7);
    });

    it("documents the one gap table the catalogue generates (docs/alerts.md)", () => {
        const spec = devSpec();
        const docs = fs.readFileSync(path.join(__dirname, "..", "docs", "alerts.md"), "utf8");
        expect(docs).to.include(coverageTable(alertCatalogue(spec.monitoring.thresholds, spec.monitoring.metrics)));
    });

    it("refuses a metric name Prometheus would not accept, naming the key", () => {
        expect(() => devSpec({ monitoring: { metrics: { requests: "api-requests" } } })).to.throw(/monitoring\.metrics\.requests[\s\S]*Prometheus metric name/);
    });

    it("provisions Grafana with seed 000's four dashboards (main, api, ml, infra), every panel valid PromQL on the catalogue's metrics", () => {
        const grafana = reveal(dev.named("-grafana", container).inputs) as { uploads: { file: string; content: string }[] };
        const dashboards = grafana.uploads.filter((u) => u.file.startsWith("/etc/grafana/dashboards/")).map((u) => JSON.parse(u.content) as { uid: string; panels: { targets: { expr: string }[] }[] });
        expect(dashboards.map((d) => d.uid)).to.deep.equal(["main", "api", "ml", "infra"]);
        expect(grafana.uploads.some((u) => u.file.startsWith("/etc/grafana/provisioning/dashboards/") && u.content.includes("/etc/grafana/dashboards"))).to.equal(true);
        const expressions = dashboards.flatMap((d) => d.panels.flatMap((p) => p.targets.map((t) => t.expr)));
        for (const expr of expressions) {
            let broken = false;
            parser.parse(expr).iterate({ enter: (node) => void (node.type.isError ? (broken = true) : undefined) });
            expect(broken, expr).to.equal(false);
        }
        for (const metric of ["api_requests_total", "api_request_errors_total", "api_request_duration_seconds_bucket", "cache_hits_total", "db_query_duration_seconds_bucket", "fraud_score_distribution"]) {
            expect(expressions.some((e) => e.includes(metric)), metric).to.equal(true);
        }
    });

    it("publishes Alertmanager on loopback and names the routes in the stack's alertTarget", () => {
        const ports = (reveal(dev.named("-alertmanager", container).inputs) as { ports: { internal: number; external: number; ip: string }[] }).ports;
        expect(ports).to.deep.equal([{ internal: 9093, external: 9093, ip: "127.0.0.1", protocol: "tcp" }]);
        expect(dev.outputs.alertTarget).to.equal("alertmanager at http://127.0.0.1:9093 (critical: pagerduty + slack; warning: slack)");
    });

    it(`routes critical alerts to PagerDuty and Slack, warnings to Slack only (amtool config routes test)${missing("amtool", amtool)}`, async function () {
        const config = YAML.parse(files["alertmanager.yml"]) as { receivers: { name: string; pagerduty_configs?: unknown[]; slack_configs?: unknown[] }[] };
        expect(config.receivers.find((r) => r.name === "pagerduty")?.pagerduty_configs, "PagerDuty configured").to.have.length(1);
        expect(config.receivers.find((r) => r.name === "slack")?.slack_configs, "Slack configured").to.have.length(1);
        if (!routes) this.skip();
        expect(await routes!).to.deep.equal(["pagerduty,slack", "slack", "slack"]);
    });

    it(`passes promtool check config, promtool check rules and amtool check-config${missing("promtool/amtool", promtool && amtool)}`, async function () {
        if (!checks) this.skip();
        const [config, rules, alertmanager] = await checks!;
        expect(config.stdout).to.include("SUCCESS: prometheus.yml is valid");
        expect(rules.stdout).to.match(/SUCCESS: \d+ rules found/);
        expect(alertmanager.stdout).to.include("SUCCESS");
    });

    it("keeps the dev stack's credentials across a destroy and up: derived from credentialSeed, no generated password", async () => {
        // A second update from an empty state is what `pulumi up` after `pulumi destroy` runs (the volumes are kept).
        // The committed dev file carries no seed (nothing undecryptable is committed); a developer sets one once.
        const seed = "5f0c2a9e7d41b38c6e2f9a0b1c4d7e8f5a6b3c2d1e0f9a8b7c6d5e4f3a2b1c0d";
        const first = await updateStack("dev", { credentialSeed: seed }, ["credentialSeed"]);
        const again = await updateStack("dev", { credentialSeed: seed }, ["credentialSeed"]);
        const derived = (purpose: string) => createHmac("sha256", seed).update(`fraud-platform/dev/${purpose}`).digest("hex");
        for (const run of [first, again]) {
            expect(run.resources.filter((r) => r.type.startsWith("random:")), "nothing generated per state").to.deep.equal([]);
            expect(envsOf(run, "-postgres")).to.include(`POSTGRES_PASSWORD=${derived("postgres-password")}`);
            expect(envsOf(run, "-db-backup")).to.include(`PGPASSWORD=${derived("postgres-password")}`);
            expect(envsOf(run, "-redis")).to.include(`REDIS_PASSWORD=${derived("redis-password")}`);
            expect(envsOf(run, "-grafana")).to.include(`GF_SECURITY_ADMIN_PASSWORD=${derived("grafana-admin-password")}`);
            expect(envsOf(run, "-api")).to.include(`APP_SECRET_KEY=${derived("app-secret-key")}`);
            expect(envsOf(run, "-api").find((e) => e.startsWith("DATABASE_URL="))).to.include(`fraud_app:${derived("postgres-password")}@postgres`);
        }
        for (const suffix of ["-postgres", "-db-backup", "-redis", "-grafana", "-api", "-worker", "-ml"]) expect(envsOf(again, suffix), suffix).to.deep.equal(envsOf(first, suffix));
        // Nothing is generated per state once the seed is set (the update path requires it: test/config.test.ts).
        expect(dev.resources.filter((r) => r.type.startsWith("random:"))).to.deep.equal([]);
        expect((reveal(again.named("-redis", container).inputs) as { user?: string }).user, "Redis as its image's unprivileged user").to.equal("redis");
    });

    it(`fires each alert at the seed's threshold after the seed's duration, not before (promtool test rules)${missing("promtool", promtool)}`, async function () {
        if (!ruleTests) this.skip();
        this.timeout(30000);
        const result = await ruleTests!;
        expect(result.stdout).to.include("SUCCESS");
    });
});
