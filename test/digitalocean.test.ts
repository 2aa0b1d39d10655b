import { expect } from "chai";
import * as pulumi from "@pulumi/pulumi";
import { componentEnv } from "../components/digitalocean/env";
import { ConfigValidationError } from "../config";
import { parseImageReference } from "../config/digitalocean";
import type { RecordedResource } from "../tools/engine/emulator";
import { readStackConfig } from "../tools/engine/stackFiles";
import { isSecret, plainStrings, reveal, updateStack, type Preview } from "./helpers";

const types = {
    app: "digitalocean:index/app:App",
    cluster: "digitalocean:index/databaseCluster:DatabaseCluster",
    user: "digitalocean:index/databaseUser:DatabaseUser",
    firewall: "digitalocean:index/databaseFirewall:DatabaseFirewall",
    uptimeCheck: "digitalocean:index/uptimeCheck:UptimeCheck",
    uptimeAlert: "digitalocean:index/uptimeAlert:UptimeAlert",
    monitorAlert: "digitalocean:index/monitorAlert:MonitorAlert",
    project: "digitalocean:index/project:Project",
    valkeyConfig: "digitalocean:index/databaseValkeyConfig:DatabaseValkeyConfig",
    vpc: "digitalocean:index/vpc:Vpc",
} as const;

interface HealthCheck {
    httpPath?: string;
    port?: number;
    initialDelaySeconds?: number;
    periodSeconds?: number;
    timeoutSeconds?: number;
    successThreshold?: number;
    failureThreshold?: number;
}
interface Env { key: string; value: unknown; type: string; scope: string }
interface Destinations { emails?: string[]; slackWebhooks?: { channel: string; url: unknown }[] }
interface Component {
    name: string;
    envs: Env[];
    image: { registryType: string; registry?: string; repository: string; tag?: string; digest?: string };
    httpPort?: number;
    internalPorts?: number[];
    instanceCount?: number;
    instanceSizeSlug: string;
    autoscaling?: { minInstanceCount: number; maxInstanceCount: number; metrics: { cpu: { percent: number } } };
    healthCheck?: HealthCheck;
    livenessHealthCheck?: HealthCheck;
    alerts?: { rule: string; operator: string; value: number; window: string; destinations: Destinations }[];
    kind?: string;
    runCommand?: string;
}
interface AppSpec {
    name: string;
    region: string;
    vpcs: { id: string }[];
    services: Component[];
    workers: Component[];
    jobs: Component[];
    alerts: { rule: string; destinations: Destinations }[];
    ingress: { rules: { component?: { name: string }; match: { path: { prefix: string } } }[] };
    domainNames?: { name: string; type: string }[];
}

const slackWebhook = "https://hooks.slack.com/services/T0000/B0000/stagingalertswebhook";
const withSlack = (overrides: Record<string, unknown> = {}) => ({ slackWebhookUrl: slackWebhook, ...overrides });
/** Runs the staging stack as an update, so generated passwords and ids are known; Slack is set as a secret. */
const runStaging = (overrides: Record<string, unknown> = {}) => updateStack("staging", withSlack(overrides), ["slackWebhookUrl"]);

/** The inputs as the engine received them, secret markers kept. */
const appSpecWire = (stack: Preview) => (stack.ofType(types.app)[0].inputs.spec as Record<string, unknown>);
const appSpec = (stack: Preview) => reveal(appSpecWire(stack)) as AppSpec;
const components = (spec: AppSpec) => [...spec.services, ...spec.workers, ...spec.jobs];
const byName = (spec: AppSpec, name: string) => {
    const found = components(spec).find((c) => c.name === name);
    if (!found) throw new Error(`no component ${name}`);
    return found;
};
const revealed = <T>(r: RecordedResource) => reveal(r.inputs) as T;

describe("digitalocean backend (staging stack)", function () {
    this.timeout(30_000);
    let staging: Preview;
    let spec: AppSpec;
    before(async () => {
        staging = await runStaging();
        spec = appSpec(staging);
    });

    describe("App Platform app", () => {
        it("runs the api as a public service with seed 004's health check and a liveness check", () => {
            const api = byName(spec, "api");
            expect(api.httpPort).to.equal(8000);
            expect(api.instanceSizeSlug).to.equal("apps-s-1vcpu-0.5gb");
            expect(api.healthCheck).to.deep.equal({
                httpPath: "/health",
                initialDelaySeconds: 10,
                periodSeconds: 10,
                timeoutSeconds: 5,
                successThreshold: 1,
                failureThreshold: 3,
            });
            expect(api.livenessHealthCheck?.httpPath).to.equal("/health/live");
            expect(api.livenessHealthCheck?.successThreshold).to.equal(1);
            expect(spec.ingress.rules).to.deep.equal([{ component: { name: "api" }, match: { path: { prefix: "/" } } }]);
        });

        it("gives every service its health check: ml readiness and liveness on its internal port, worker liveness", () => {
            const ml = byName(spec, "ml");
            expect(ml.healthCheck?.httpPath).to.equal("/health/ready");
            expect(ml.healthCheck?.port).to.equal(8001);
            expect(ml.livenessHealthCheck?.httpPath).to.equal("/health/live");
            expect(ml.livenessHealthCheck?.port).to.equal(8001);
            const worker = spec.workers.find((w) => w.name === "worker");
            expect(worker?.livenessHealthCheck?.httpPath).to.equal("/health");
            expect(worker?.livenessHealthCheck?.port).to.equal(8080);
            for (const service of [...spec.services, ...spec.workers]) {
                expect(service.healthCheck?.httpPath ?? service.livenessHealthCheck?.httpPath, service.name).to.match(/^\/health/);
                expect(service.livenessHealthCheck?.failureThreshold, service.name).to.equal(3);
            }
        });

        it("keeps ml internal: internal ports only, no http port, no ingress rule", () => {
            const ml = byName(spec, "ml");
            expect(ml.internalPorts).to.deep.equal([8001]);
            expect(ml.httpPort).to.equal(undefined);
            expect(spec.ingress.rules.map((rule) => rule.component?.name)).to.not.include("ml");
            expect(spec.workers.map((w) => w.name)).to.deep.equal(["worker"]);
        });

        it("pulls images from GHCR pinned by tag and runs the worker's command", () => {
            expect(byName(spec, "api").image).to.deep.equal({ registryType: "GHCR", registry: "dygsom", repository: "fraud-api", tag: "1.4.2" });
            expect(byName(spec, "ml").image.repository).to.equal("fraud-ml");
            expect(byName(spec, "worker").runCommand).to.equal("python -m app.worker");
        });

        it("runs the migrations as a PRE_DEPLOY job on the api image, straight to PostgreSQL", () => {
            const migrate = byName(spec, "migrate");
            expect(migrate.kind).to.equal("PRE_DEPLOY");
            expect(migrate.image).to.deep.equal(byName(spec, "api").image);
            expect(migrate.runCommand).to.equal("python -m app.migrate");
            const url = String(migrate.envs.find((e) => e.key === "DATABASE_URL")?.value);
            expect(url).to.match(/^postgresql:\/\/fraud_app:[^@]+@private-[^/]+:25060\/fraud\?sslmode=require$/);
        });

        it("grants the app user CREATE on the public schema as the database owner, before the migrations", () => {
            const grants = byName(spec, "db-grants");
            expect(grants.kind).to.equal("PRE_DEPLOY");
            expect(spec.jobs.map((job) => job.name)).to.deep.equal(["db-grants", "migrate"]);
            expect(grants.image).to.deep.equal({ registryType: "DOCKER_HUB", registry: "library", repository: "postgres", tag: "16-alpine" });
            expect(grants.runCommand).to.equal(
                'psql "$ADMIN_DATABASE_URL" -v ON_ERROR_STOP=1 -c \'GRANT CONNECT, TEMPORARY ON DATABASE fraud TO fraud_app\' -c \'GRANT USAGE, CREATE ON SCHEMA public TO fraud_app\'',
            );
            const admin = grants.envs.find((e) => e.key === "ADMIN_DATABASE_URL");
            expect(admin?.type).to.equal("SECRET");
            // The admin user, on the app's database (not defaultdb), over the private network.
            expect(String(admin?.value)).to.match(/^postgresql:\/\/doadmin:[^@]+@private-[^/]+:25060\/fraud\?sslmode=require$/);
        });

        it("joins the environment's VPC in the matching App Platform region", () => {
            const vpc = staging.ofType(types.vpc)[0];
            expect(revealed<{ region: string; ipRange: string }>(vpc)).to.include({ region: "nyc3", ipRange: "10.116.0.0/20" });
            expect(spec.region).to.equal("nyc");
            expect(spec.vpcs).to.deep.equal([{ id: `${vpc.name}-id` }]);
            for (const cluster of staging.ofType(types.cluster)) {
                expect(revealed<{ privateNetworkUuid: string }>(cluster).privateNetworkUuid, cluster.name).to.equal(`${vpc.name}-id`);
            }
        });

        it("waits for long deployments with custom create and update timeouts", () => {
            const app = staging.ofType(types.app)[0];
            expect(app.customTimeouts).to.include({ create: "45m", update: "45m" });
            expect(staging.ofType(types.cluster).every((c) => c.customTimeouts?.create === "60m")).to.equal(true);
        });

        it("runs the configured count on shared-CPU sizes and autoscales on CPU on dedicated sizes", async () => {
            expect(byName(spec, "api").instanceCount).to.equal(1);
            expect(byName(spec, "api").autoscaling).to.equal(undefined);
            const dedicated = appSpec(await runStaging({
                digitalocean: { ...stagingDigitalOcean(), instanceSizes: { api: "apps-d-1vcpu-2gb" } },
            }));
            const api = byName(dedicated, "api");
            expect(api.autoscaling).to.deep.equal({ minInstanceCount: 2, maxInstanceCount: 10, metrics: { cpu: { percent: 70 } } });
            expect(api.instanceCount).to.equal(undefined);
        });
    });

    describe("secrets", () => {
        it("reach the app only as SECRET env vars whose values are secret on the wire", () => {
            const wire = appSpecWire(staging) as { services: { envs: Env[] }[]; workers: { envs: Env[] }[]; jobs: { envs: Env[] }[] };
            const wireEnvs = [...wire.services, ...wire.workers, ...wire.jobs].flatMap((c) => c.envs);
            const secretKeys = ["APP_SECRET_KEY", "DATABASE_URL", "REDIS_URL"];
            const carried = wireEnvs.filter((e) => secretKeys.includes(e.key));
            expect(carried.length).to.equal(3 * 3 + 1); // api, ml, worker get all three; the migration job DATABASE_URL
            for (const env of carried) {
                expect(env.type, env.key).to.equal("SECRET");
                expect(isSecret(env.value), env.key).to.equal(true);
            }
            for (const env of wireEnvs.filter((e) => e.type === "GENERAL")) {
                expect(isSecret(env.value), env.key).to.equal(false);
                expect(String(env.value), env.key).to.not.match(/:\/\/[^/]*:[^@]+@/);
            }
        });

        it("never puts the database or cache password in plain text in the app spec", () => {
            // The passwords the app receives, taken from the (secret) connection URLs the stack exports.
            const databasePassword = decodeURIComponent(new URL(String(reveal(staging.outputs.databaseUrl))).password);
            const cachePassword = decodeURIComponent(new URL(String(reveal(staging.outputs.cacheUrl))).password);
            expect(databasePassword, "the fake provider generated a password").to.have.length.greaterThan(8);
            expect(cachePassword, "the fake provider generated a password").to.have.length.greaterThan(8);
            const wire = appSpecWire(staging);
            expect(JSON.stringify(reveal(wire)), "the app does receive both").to.include(databasePassword).and.to.include(cachePassword);
            const plain = plainStrings(wire).join("\n");
            expect(plain).to.not.include(databasePassword);
            expect(plain).to.not.include(cachePassword);
            expect(plain).to.not.include(slackWebhook);
        });

        it("builds DATABASE_URL through the PgBouncer pool with TLS, and REDIS_URL as rediss://", () => {
            const api = byName(spec, "api");
            const database = String(api.envs.find((e) => e.key === "DATABASE_URL")?.value);
            const cache = String(api.envs.find((e) => e.key === "REDIS_URL")?.value);
            expect(database).to.match(/^postgresql:\/\/fraud_app:[^@]+@private-[^:]+:25061\/fraud-pool\?sslmode=require$/);
            expect(cache).to.match(/^rediss:\/\/default:[^@]+@private-[^:]+:25061$/);
            expect(isSecret(staging.outputs.databaseUrl)).to.equal(true);
            expect(isSecret(staging.outputs.cacheUrl)).to.equal(true);
        });

        it("orders env vars deterministically: SECRET ones first, then GENERAL ones, each sorted by key", () => {
            for (const component of components(spec)) {
                const keys = component.envs.map((e) => e.key);
                const secret = component.envs.filter((e) => e.type === "SECRET").map((e) => e.key);
                const general = component.envs.filter((e) => e.type === "GENERAL").map((e) => e.key);
                expect(keys, component.name).to.deep.equal([...[...secret].sort(), ...[...general].sort()]);
            }
            const value = pulumi.secret("postgresql://u:p@h:1/d");
            const one = componentEnv({ MODEL_PATH: "m", ENVIRONMENT: "staging", FEATURES_PATH: "f" }, { REDIS_URL: value, DATABASE_URL: value });
            const other = componentEnv({ FEATURES_PATH: "f", MODEL_PATH: "m", ENVIRONMENT: "staging" }, { DATABASE_URL: value, REDIS_URL: value });
            const shape = (env: typeof one) => env.map(({ key, type, scope }) => `${type}:${key}:${scope}`);
            expect(shape(one)).to.deep.equal(shape(other));
            expect(shape(one)).to.deep.equal([
                "SECRET:DATABASE_URL:RUN_TIME",
                "SECRET:REDIS_URL:RUN_TIME",
                "GENERAL:ENVIRONMENT:RUN_TIME",
                "GENERAL:FEATURES_PATH:RUN_TIME",
                "GENERAL:MODEL_PATH:RUN_TIME",
            ]);
            expect(() => componentEnv({ DATABASE_URL: "plain" }, { DATABASE_URL: value })).to.throw(/DATABASE_URL/);
        });

        it("ignores changes to exactly the SECRET values, which App Platform returns encrypted, unless a rollout is asked for", async () => {
            const app = staging.ofType(types.app)[0];
            const wire = appSpecWire(staging);
            const at = (path: string) =>
                path.replace(/^spec\./, "").split(/\.|\[(\d+)\]/).filter(Boolean)
                    .reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], wire);
            expect(app.ignoreChanges).to.have.length(3 * 3 + 2); // three SECRET vars in each of three components, one in each PRE_DEPLOY job
            for (const path of app.ignoreChanges) {
                expect(path, path).to.match(/^spec\.(services|workers|jobs)\[\d\]\.envs\[\d+\]\.value$/);
                expect(isSecret(at(path)), path).to.equal(true);
            }
            const rollout = await runStaging({ digitalocean: { ...stagingDigitalOcean(), rolloutSecretEnv: true } });
            expect(rollout.ofType(types.app)[0].ignoreChanges).to.deep.equal([]);
        });
    });

    describe("databases", () => {
        it("runs PostgreSQL 16 in staging on one node and Valkey with an eviction policy and persistence on", () => {
            const [postgres, cache] = ["db", "cache"].map((kind) =>
                revealed<Record<string, unknown>>(staging.named(`-${kind}-cluster`, types.cluster)));
            expect(postgres).to.include({ engine: "pg", version: "16", nodeCount: 1, size: "db-s-1vcpu-2gb", region: "nyc3" });
            expect(postgres.maintenanceWindows).to.deep.equal([{ day: "sunday", hour: "04:30" }]);
            expect(cache).to.include({ engine: "valkey", version: "8", evictionPolicy: "allkeys_lru", nodeCount: 3 });
            expect(cache.maintenanceWindows).to.deep.equal([{ day: "saturday", hour: "04:30" }]);
            const valkey = revealed<Record<string, unknown>>(staging.ofType(types.valkeyConfig)[0]);
            expect(valkey).to.include({ persistence: "rdb", ssl: true });
            expect(staging.ofType(types.cluster).every((c) => c.protect === false)).to.equal(true);
        });

        it("admits only the app through each cluster's firewall", () => {
            const appId = `${staging.ofType(types.app)[0].name}-id`;
            const clusterIds = staging.ofType(types.cluster).map((c) => `${c.name}-id`).sort();
            const firewalls = staging.ofType(types.firewall).map((f) => revealed<{ clusterId: string; rules: { type: string; value: string }[] }>(f));
            expect(firewalls.map((f) => f.clusterId).sort()).to.deep.equal(clusterIds);
            for (const firewall of firewalls) {
                expect(firewall.rules).to.deep.equal([{ type: "app", value: appId }]);
            }
        });

        it("gives production at least two PostgreSQL nodes and protects both clusters", async () => {
            const production = await runStaging({ environment: "production" });
            const postgres = production.named("-db-cluster", types.cluster);
            expect(revealed<{ nodeCount: number }>(postgres).nodeCount).to.be.at.least(2);
            expect(production.ofType(types.cluster).map((c) => c.protect)).to.deep.equal([true, true]);
            expect(production.named("-db-database").protect).to.equal(true);
        });

        it("refuses fewer than two PostgreSQL nodes in production before registering anything", async () => {
            const attempt = runStaging({ environment: "production", digitalocean: { ...stagingDigitalOcean(), databaseNodeCount: 1 } });
            const error = await attempt.then(() => undefined, (e: unknown) => e);
            expect(error).to.be.instanceOf(ConfigValidationError);
            expect((error as ConfigValidationError).problems.map((p) => p.key)).to.include("fraud-platform:digitalocean.databaseNodeCount");
        });
    });

    describe("alerts", () => {
        const expectDestinations = (to: Destinations | undefined, label: string) => {
            expect(to?.emails, label).to.deep.equal(["platform@dygsom.com"]);
            expect(to?.slackWebhooks, label).to.deep.equal([{ channel: "#fraud-alerts", url: slackWebhook }]);
        };

        it("sends DEPLOYMENT_FAILED and DOMAIN_FAILED app alerts to the emails and Slack", () => {
            expect(spec.alerts.map((a) => a.rule)).to.deep.equal(["DEPLOYMENT_FAILED", "DOMAIN_FAILED"]);
            for (const alert of spec.alerts) expectDestinations(alert.destinations, alert.rule);
        });

        it("alerts on CPU, memory and restarts of every long-running component, to the same destinations", () => {
            for (const component of [...spec.services, ...spec.workers]) {
                const rules = (component.alerts ?? []).map((a) => `${a.rule} ${a.operator} ${a.value} ${a.window}`);
                expect(rules, component.name).to.deep.equal([
                    "CPU_UTILIZATION GREATER_THAN 85 FIVE_MINUTES",
                    "MEM_UTILIZATION GREATER_THAN 85 FIVE_MINUTES",
                    "RESTART_COUNT GREATER_THAN 3 FIVE_MINUTES",
                ]);
                for (const alert of component.alerts ?? []) expectDestinations(alert.destinations, `${component.name} ${alert.rule}`);
            }
        });

        it("checks the public health URL from two regions and alerts when it is down, slow or its certificate expires", () => {
            const check = revealed<{ target: string; type: string; regions: string[] }>(staging.ofType(types.uptimeCheck)[0]);
            expect(check.target).to.equal("https://fraud-staging-app-x7k2q.ondigitalocean.app/health");
            expect(check.type).to.equal("https");
            expect(check.regions).to.deep.equal(["us_east", "eu_west"]);
            const alerts = staging.ofType(types.uptimeAlert).map((a) =>
                revealed<{ type: string; comparison?: string; threshold?: number; period?: string; notifications: { emails: string[]; slacks: { channel: string; url: string }[] }[] }>(a));
            expect(alerts.map((a) => [a.type, a.comparison, a.threshold])).to.have.deep.members([
                ["down_global", undefined, undefined],
                ["latency", "greater_than", 1000],
                ["ssl_expiry", "less_than", 14],
            ]);
            for (const alert of alerts) {
                expect(alert.notifications, alert.type).to.deep.equal([{ emails: ["platform@dygsom.com"], slacks: [{ channel: "#fraud-alerts", url: slackWebhook }] }]);
            }
        });

        it("alerts on database CPU, memory and disk of both clusters, to the emails and Slack", () => {
            const clusterIds = staging.ofType(types.cluster).map((c) => `${c.name}-id`).sort();
            const alerts = staging.ofType(types.monitorAlert).map((a) =>
                revealed<{ type: string; compare: string; value: number; window: string; entities: string[]; alerts: { emails: string[]; slacks: { url: string }[] } }>(a));
            expect(alerts.map((a) => `${a.type} ${a.compare} ${a.value}`)).to.have.members([
                "v1/dbaas/alerts/cpu_alerts GreaterThan 85",
                "v1/dbaas/alerts/memory_utilization_alerts GreaterThan 85",
                "v1/dbaas/alerts/disk_utilization_alerts GreaterThan 80",
            ]);
            for (const alert of alerts) {
                expect([...alert.entities].sort(), alert.type).to.deep.equal(clusterIds);
                expect(alert.alerts.emails).to.deep.equal(["platform@dygsom.com"]);
                expect(alert.alerts.slacks.map((s) => s.url)).to.deep.equal([slackWebhook]);
            }
        });

        it("keeps the Slack webhook secret everywhere it is used", () => {
            for (const r of [...staging.ofType(types.uptimeAlert), ...staging.ofType(types.monitorAlert), ...staging.ofType(types.app)]) {
                expect(JSON.stringify(reveal(r.inputs)), r.name).to.include(slackWebhook);
                expect(plainStrings(r.inputs), r.name).to.not.include(slackWebhook);
            }
        });

        it("uses the snake_case enum values the API accepts, not the camelCase of the provider's doc comments", () => {
            const cache = revealed<{ evictionPolicy: string }>(staging.named("-cache-cluster", types.cluster));
            const uptime = staging.ofType(types.uptimeAlert).map((a) => revealed<{ type: string; comparison?: string }>(a));
            const regions = revealed<{ regions: string[] }>(staging.ofType(types.uptimeCheck)[0]).regions;
            const values = [cache.evictionPolicy, ...uptime.flatMap((a) => [a.type, a.comparison ?? ""]), ...regions];
            expect(values.filter((v) => /[a-z][A-Z]/.test(v))).to.deep.equal([]);
            expect(values).to.include.members(["allkeys_lru", "down_global", "greater_than", "ssl_expiry", "us_east"]);
        });
    });

    describe("project and outputs", () => {
        it("groups the app and both clusters in one DigitalOcean project", () => {
            const project = revealed<{ name: string; environment: string; resources: string[] }>(staging.ofType(types.project)[0]);
            const app = staging.ofType(types.app)[0];
            const clusters = staging.ofType(types.cluster);
            expect(project.name).to.equal("fraud-platform-staging");
            expect(project.environment).to.equal("Staging");
            expect([...project.resources].sort()).to.deep.equal([`do:app:${app.name}-id`, ...clusters.map((c) => `do:dbaas:${c.name}-id`)].sort());
        });

        it("exports the live URL, its health URL, the app's insights page and the alert destinations", () => {
            const app = staging.ofType(types.app)[0];
            expect(staging.outputs).to.include({
                url: "https://fraud-staging-app-x7k2q.ondigitalocean.app",
                healthUrl: "https://fraud-staging-app-x7k2q.ondigitalocean.app/health",
                dashboardUrl: `https://cloud.digitalocean.com/apps/${app.name}-id/insights`,
                alertTarget: "email: platform@dygsom.com; slack: #fraud-alerts",
            });
            expect(staging.outputs.databaseEndpoint).to.match(/^private-.+:25061$/);
            expect(staging.outputs.cacheEndpoint).to.match(/^private-.+:25061$/);
        });

        it("serves a custom domain as the primary domain and probes it", async () => {
            const withDomain = await runStaging({ digitalocean: { ...stagingDigitalOcean(), domain: { name: "staging-api.dygsom.com" } } });
            expect(appSpec(withDomain).domainNames).to.deep.equal([{ name: "staging-api.dygsom.com", type: "PRIMARY" }]);
            expect(withDomain.outputs.url).to.equal("https://staging-api.dygsom.com");
            expect(revealed<{ target: string }>(withDomain.ofType(types.uptimeCheck)[0]).target).to.equal("https://staging-api.dygsom.com/health");
        });
    });

    describe("config", () => {
        it("reads the registry type from the image reference: DOCR, GHCR, Docker Hub; a digest pins the image", () => {
            const digest = `sha256:${"a".repeat(64)}`;
            expect(parseImageReference("registry.digitalocean.com/dygsom/fraud-api:1.4.2")).to.deep.equal({ registryType: "DOCR", repository: "fraud-api", tag: "1.4.2" });
            expect(parseImageReference(`ghcr.io/dygsom/fraud-api:1.4.2@${digest}`)).to.deep.equal({ registryType: "GHCR", registry: "dygsom", repository: "fraud-api", digest });
            expect(parseImageReference("docker.io/dygsom/fraud-api:1.4.2")).to.deep.equal({ registryType: "DOCKER_HUB", registry: "dygsom", repository: "fraud-api", tag: "1.4.2" });
            expect(parseImageReference("redis:7.2")).to.deep.equal({ registryType: "DOCKER_HUB", registry: "library", repository: "redis", tag: "7.2" });
            expect(parseImageReference("quay.io/dygsom/fraud-api:1.4.2")).to.be.a("string").that.includes("quay.io");
        });

        it("reports unsupported registries, LFU eviction and a public VPC range at once, naming each key", async () => {
            const services = JSON.parse(readStackConfig("staging").config["fraud-platform:services"]) as Record<string, Record<string, unknown>>;
            const attempt = runStaging({
                services: { ...services, ml: { ...services.ml, image: "quay.io/dygsom/fraud-ml:1.4.2" } },
                cache: { evictionPolicy: "allkeys-lfu" },
                digitalocean: { ...stagingDigitalOcean(), vpcIpRange: "8.8.0.0/20" },
            });
            const error = await attempt.then(() => undefined, (e: unknown) => e);
            expect(error).to.be.instanceOf(ConfigValidationError);
            expect((error as ConfigValidationError).problems.map((p) => p.key)).to.include.members([
                "fraud-platform:services.ml.image",
                "fraud-platform:cache.evictionPolicy",
                "fraud-platform:digitalocean.vpcIpRange",
            ]);
        });
    });
});

function stagingDigitalOcean(): Record<string, unknown> {
    return JSON.parse(readStackConfig("staging").config["fraud-platform:digitalocean"]) as Record<string, unknown>;
}
