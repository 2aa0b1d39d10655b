import { expect } from "chai";
import * as pulumi from "@pulumi/pulumi";
import { writeOnlyPaths } from "../components/digitalocean/app";
import { componentEnv } from "../components/digitalocean/env";
import { ConfigValidationError } from "../config";
import { parseImageReference } from "../config/digitalocean";
import type { RecordedResource } from "../tools/engine/emulator";
import { readStackConfig } from "../tools/engine/stackFiles";
import { isSecret, plainStrings, previewStack, reveal, updateStack, type Preview } from "./helpers";

const types = {
    app: "digitalocean:index/app:App",
    cluster: "digitalocean:index/databaseCluster:DatabaseCluster",
    user: "digitalocean:index/databaseUser:DatabaseUser",
    firewall: "digitalocean:index/databaseFirewall:DatabaseFirewall",
    database: "digitalocean:index/databaseDb:DatabaseDb",
    pool: "digitalocean:index/databaseConnectionPool:DatabaseConnectionPool",
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
    image: { registryType: string; registry?: string; repository: string; tag?: string; digest?: string; registryCredentials?: unknown };
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
    databases: { name: string; engine: string; clusterName: string; dbName?: string; dbUser?: string; production: boolean }[];
    envs: Env[];
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
    this.timeout(60_000);
    let staging: Preview;
    let spec: AppSpec;
    /** The same stack with the settings a few tests vary, all at once: one more run instead of one per test. */
    let variant: Preview;
    let variantSpec: AppSpec;
    const ghcrCredentials = "dygsom:ghp_variantpulltoken";
    const pagingEmail = "fraud-api@dygsom.pagerduty.com";
    before(async () => {
        staging = await runStaging();
        spec = appSpec(staging);
        const services = JSON.parse(readStackConfig("staging").config["fraud-platform:services"]) as Record<string, Record<string, unknown>>;
        variant = await updateStack("staging", withSlack({
            services: { ...services, api: { ...services.api, count: 2 } },
            digitalocean: {
                ...stagingDigitalOcean(),
                instanceSizes: { api: "apps-d-1vcpu-2gb" },
                domain: { name: "staging.dygsom.com" },
                schemaGrant: false,
                workerLivenessCheck: false,
                resendWriteOnlySettings: true,
                pagingEmails: [pagingEmail],
            },
            ghcrCredentials,
        }), ["slackWebhookUrl", "ghcrCredentials"]);
        variantSpec = appSpec(variant);
    });

    describe("App Platform app", () => {
        it("runs the api as a public service with seed 004's size, port, health check and model paths", () => {
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
            const env = Object.fromEntries(api.envs.map((e) => [e.key, e.value]));
            expect(env).to.include({ MODEL_PATH: "models/random_forest_final_model.joblib", FEATURES_PATH: "data/selected_features.json", PORT: "8000" });
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

        it("turns the worker's liveness check off for a worker that serves no HTTP", () => {
            expect(byName(variantSpec, "worker").livenessHealthCheck).to.equal(undefined);
            expect(byName(variantSpec, "ml").livenessHealthCheck?.port).to.equal(8001);
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

        it("pulls private GHCR images with the registry credentials from secret config, kept secret on the wire", () => {
            const wire = appSpecWire(variant);
            for (const component of components(variantSpec)) {
                expect(component.image.registryCredentials, component.name).to.equal(ghcrCredentials);
            }
            expect(plainStrings(wire)).to.not.include(ghcrCredentials);
            expect(components(spec).every((c) => c.image.registryCredentials === undefined)).to.equal(true);
        });

        it("runs one PRE_DEPLOY job: the schema grant as the database owner, then the migrations, in that order", () => {
            expect(spec.jobs.map((job) => [job.name, job.kind])).to.deep.equal([["migrate", "PRE_DEPLOY"]]);
            const migrate = byName(spec, "migrate");
            expect(migrate.image).to.deep.equal(byName(spec, "api").image);
            expect(migrate.runCommand).to.equal(
                "sh -c 'set -e; psql \"$ADMIN_DATABASE_URL\" -v ON_ERROR_STOP=1 -q " +
                "-c '\\''GRANT CONNECT, TEMPORARY ON DATABASE fraud TO fraud_app'\\'' " +
                "-c '\\''GRANT USAGE, CREATE ON SCHEMA public TO fraud_app'\\''; exec python -m app.migrate'",
            );
            const env = Object.fromEntries(migrate.envs.map((e) => [e.key, e]));
            // Straight to the primary as the app user, bypassing the pool.
            expect(env.DATABASE_URL).to.include({ value: "${fraud-db.DATABASE_URL}", type: "GENERAL" });
            expect(env.ADMIN_DATABASE_URL.type).to.equal("SECRET");
            // The admin user, on the app's database (not defaultdb), over the private network.
            expect(String(env.ADMIN_DATABASE_URL.value)).to.match(/^postgresql:\/\/doadmin:[^@]+@private-[^/]+:25060\/fraud\?sslmode=require$/);
        });

        it("runs only the migrations when the grant is off, with no admin credentials in the job", () => {
            const migrate = byName(variantSpec, "migrate");
            expect(migrate.runCommand).to.equal("python -m app.migrate");
            expect(migrate.envs.map((e) => e.key)).to.deep.equal(["DATABASE_URL", "ENVIRONMENT"]);
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

        it("sets only the create timeout, the one the provider declares for the app and the clusters", () => {
            const app = staging.ofType(types.app)[0];
            expect(app.customTimeouts).to.deep.equal({ create: "45m", update: "", delete: "" });
            for (const cluster of staging.ofType(types.cluster)) {
                expect(cluster.customTimeouts, cluster.name).to.deep.equal({ create: "60m", update: "", delete: "" });
            }
            for (const resource of staging.resources.filter((r) => r.type.startsWith("digitalocean:"))) {
                if (resource.type !== types.app && resource.type !== types.cluster) expect(resource.customTimeouts, resource.name).to.equal(undefined);
            }
        });

        it("runs the configured count on shared-CPU sizes and autoscales on CPU on dedicated sizes", () => {
            expect(byName(spec, "api").instanceCount).to.equal(1);
            expect(byName(spec, "api").autoscaling).to.equal(undefined);
            const api = byName(variantSpec, "api");
            expect(api.autoscaling).to.deep.equal({ minInstanceCount: 2, maxInstanceCount: 10, metrics: { cpu: { percent: 70 } } });
            expect(api.instanceCount).to.equal(undefined);
        });
    });

    describe("databases as App Platform components", () => {
        it("attaches PostgreSQL and Valkey as production databases components naming their clusters", () => {
            const [postgres, cache] = ["db", "cache"].map((kind) => revealed<{ name: string }>(staging.named(`-${kind}-cluster`, types.cluster)));
            expect(spec.databases).to.deep.equal([
                { name: "fraud-db", engine: "PG", clusterName: postgres.name, dbName: "fraud", dbUser: "fraud_app", production: true },
                { name: "fraud-cache", engine: "VALKEY", clusterName: cache.name, production: true },
            ]);
        });

        it("gives every service its connections as bindable variables: the pool for DATABASE_URL, the cache for REDIS_URL", () => {
            const pool = revealed<{ name: string }>(staging.ofType(types.pool)[0]).name;
            for (const service of [...spec.services, ...spec.workers]) {
                const env = Object.fromEntries(service.envs.map((e) => [e.key, e]));
                expect(env.DATABASE_URL, service.name).to.include({ value: `\${fraud-db.${pool}.DATABASE_URL}`, type: "GENERAL" });
                expect(env.REDIS_URL, service.name).to.include({ value: "${fraud-cache.DATABASE_URL}", type: "GENERAL" });
            }
        });

        it("shows the components and bindable variables already in a preview, before any cluster exists", async () => {
            const preview = await previewStack("staging", withSlack(), ["slackWebhookUrl"]);
            const wire = preview.ofType(types.app)[0].inputs.spec as { databases: { name: string; engine: string }[]; services: { envs: Env[] }[] };
            const revealedWire = reveal(wire) as typeof wire;
            expect(revealedWire.databases.map((d) => `${d.name}:${d.engine}`)).to.deep.equal(["fraud-db:PG", "fraud-cache:VALKEY"]);
            const env = Object.fromEntries(revealedWire.services[0].envs.map((e) => [e.key, e.value]));
            expect(env.DATABASE_URL).to.match(/^\$\{fraud-db\.fraud-pool-[0-9a-f]{8}\.DATABASE_URL\}$/);
            expect(env.REDIS_URL).to.equal("${fraud-cache.DATABASE_URL}");
        });

        it("refers only to declared databases components in bindable variables", () => {
            const declared = new Set(spec.databases.map((d) => d.name));
            const references = [...spec.envs, ...components(spec).flatMap((c) => c.envs)]
                .flatMap((e) => [...String(e.value).matchAll(/\$\{([a-z0-9-]+)\./g)].map((m) => m[1]));
            expect(references.length).to.be.greaterThan(0);
            for (const name of references) expect(declared.has(name), name).to.equal(true);
        });

        it("copies no connection secret into the spec: the only SECRETs are the app key and the job's admin URL", () => {
            const secrets = [
                ...spec.envs.filter((e) => e.type === "SECRET").map((e) => `app:${e.key}`),
                ...components(spec).flatMap((c) => c.envs.filter((e) => e.type === "SECRET").map((e) => `${c.name}:${e.key}`)),
            ];
            expect(secrets).to.deep.equal(["app:APP_SECRET_KEY", "migrate:ADMIN_DATABASE_URL"]);
            const wire = appSpecWire(staging) as { envs: Env[]; jobs: { envs: Env[] }[] };
            for (const env of [...wire.envs, ...wire.jobs[0].envs].filter((e) => e.type === "SECRET")) expect(isSecret(env.value), env.key).to.equal(true);
            // The passwords the stack's outputs carry never reach the services, in any form.
            const databasePassword = decodeURIComponent(new URL(String(reveal(staging.outputs.databaseUrl))).password);
            const cachePassword = decodeURIComponent(new URL(String(reveal(staging.outputs.cacheUrl))).password);
            expect(databasePassword, "the fake provider generated a password").to.have.length.greaterThan(8);
            const everything = JSON.stringify(reveal(wire));
            expect(everything).to.not.include(databasePassword).and.not.include(cachePassword);
            expect(plainStrings(wire).join("\n")).to.not.include(slackWebhook);
        });

        it("opens no cluster before its trusted sources exist: a firewall on the VPC range that waits for nothing but its cluster", () => {
            const app = staging.ofType(types.app)[0];
            const vpcRange = revealed<{ ipRange: string }>(staging.ofType(types.vpc)[0]).ipRange;
            const firewalls = staging.ofType(types.firewall);
            const clusters = staging.ofType(types.cluster);
            expect(firewalls).to.have.length(2);
            for (const cluster of clusters) {
                const firewall = firewalls.find((f) => revealed<{ clusterId: string }>(f).clusterId === `${cluster.name}-id`);
                expect(firewall, cluster.name).to.not.equal(undefined);
                expect(revealed<{ rules: unknown[] }>(firewall!).rules).to.deep.equal([{ type: "ip_addr", value: vpcRange }]);
                expect(firewall!.dependencies, firewall!.name).to.deep.equal([cluster.urn]);
                // App Platform adds its own `app` rule when it attaches the cluster: the set is not diffed after creation.
                expect(firewall!.ignoreChanges).to.deep.equal(["rules"]);
                // The app (which receives the connection details) waits for the firewall.
                expect(app.dependencies, cluster.name).to.include(firewall!.urn);
                // Deleting a firewall empties the cluster's rules: it stays with its (retained) cluster, and
                // takes over the one that lived under the app service, in place.
                expect(firewall!.retainOnDelete, firewall!.name).to.equal(true);
                const kind = cluster.name.endsWith("-db-cluster") ? "db" : "cache";
                const appService = staging.ofType("fraud-platform:index:AppService")[0];
                const aliases = firewall!.aliases as { spec?: { name?: string; parenturn?: string } }[];
                expect(aliases.map((a) => [a.spec?.name, a.spec?.parenturn])).to.deep.equal([[`fraud-staging-app-${kind}-firewall`, appService.urn]]);
            }
        });

        it("declares the app's own dependencies: clusters, firewalls, the cache settings, database, user and pool", () => {
            const app = staging.ofType(types.app)[0];
            const wanted = [
                ...staging.ofType(types.cluster), ...staging.ofType(types.firewall), ...staging.ofType(types.valkeyConfig),
                ...staging.ofType(types.database), ...staging.ofType(types.user), ...staging.ofType(types.pool),
            ];
            expect(app.dependencies).to.include.members(wanted.map((r) => r.urn));
        });
    });

    describe("no perpetual diff", () => {
        it("leaves out of the diff exactly what App Platform does not return as sent, as whole properties", () => {
            const app = staging.ofType(types.app)[0];
            const expected = [
                "spec.envs",
                "spec.alerts[0].destinations",
                "spec.alerts[1].destinations",
                ...["services[0]", "services[1]", "workers[0]"].flatMap((c) => [0, 1, 2].map((a) => `spec.${c}.alerts[${a}].destinations`)),
                "spec.jobs[0].envs",
            ];
            expect([...app.ignoreChanges].sort()).to.deep.equal([...expected].sort());
        });

        it("never points an ignoreChanges path into a set's elements, where the bridge cannot match it (pulumi-terraform-bridge#1756)", () => {
            // Sets in the provider (digitalocean/app/app_spec.go): env, alert destinations, domains, features.
            for (const resource of staging.resources) {
                for (const path of resource.ignoreChanges) {
                    expect(path, `${resource.name}: ${path}`).to.not.match(/envs\[\d+\]|destinations\.|destinations\[|rules\[/);
                }
            }
        });

        it("covers every field the provider does not read back: each alert's destinations, each SECRET, each credential", () => {
            const app = staging.ofType(types.app)[0];
            const ignored = new Set(app.ignoreChanges);
            spec.alerts.forEach((alert, index) => {
                if (alert.destinations) expect(ignored.has(`spec.alerts[${index}].destinations`), alert.rule).to.equal(true);
            });
            for (const kind of ["services", "workers", "jobs"] as const) {
                spec[kind].forEach((component, index) => {
                    (component.alerts ?? []).forEach((_, alert) => expect(ignored.has(`spec.${kind}[${index}].alerts[${alert}].destinations`)).to.equal(true));
                    if (component.envs.some((e) => e.type === "SECRET")) expect(ignored.has(`spec.${kind}[${index}].envs`), component.name).to.equal(true);
                });
            }
            // Registry credentials come back encrypted too: each image that carries them is covered.
            const withCredentials = { services: [{ name: "api", image: { registryType: "GHCR", repository: "r", registryCredentials: "u:t" } }], jobs: [{ name: "migrate", image: { registryType: "DOCR", repository: "r" } }] };
            expect(writeOnlyPaths(withCredentials as never)).to.deep.equal(["spec.services[0].image.registryCredentials"]);
            const variantApp = variant.ofType(types.app)[0];
            // resendWriteOnlySettings sends them all for one run.
            expect(variantApp.ignoreChanges).to.deep.equal([]);
        });

        it("orders env vars deterministically: GENERAL ones sorted by key, then SECRET ones", () => {
            for (const component of components(spec)) {
                const keys = component.envs.map((e) => e.key);
                const secret = component.envs.filter((e) => e.type === "SECRET").map((e) => e.key);
                const general = component.envs.filter((e) => e.type === "GENERAL").map((e) => e.key);
                expect(keys, component.name).to.deep.equal([...[...general].sort(), ...[...secret].sort()]);
            }
            const value = pulumi.secret("postgresql://u:p@h:1/d");
            const one = componentEnv({ MODEL_PATH: "m", ENVIRONMENT: "staging", FEATURES_PATH: "f" }, { ADMIN_DATABASE_URL: value });
            const other = componentEnv({ FEATURES_PATH: "f", MODEL_PATH: "m", ENVIRONMENT: "staging" }, { ADMIN_DATABASE_URL: value });
            const shape = (env: typeof one) => env.map(({ key, type, scope }) => `${type}:${key}:${scope}`);
            expect(shape(one)).to.deep.equal(shape(other));
            expect(() => componentEnv({ ADMIN_DATABASE_URL: "plain" }, { ADMIN_DATABASE_URL: value })).to.throw(/ADMIN_DATABASE_URL/);
        });
    });

    describe("databases", () => {
        it("runs PostgreSQL 16 on one db-s-1vcpu-2gb node and Valkey on one db-s-1vcpu-1gb node, with eviction and persistence", () => {
            const [postgres, cache] = ["db", "cache"].map((kind) =>
                revealed<Record<string, unknown>>(staging.named(`-${kind}-cluster`, types.cluster)));
            expect(postgres).to.include({ engine: "pg", version: "16", nodeCount: 1, size: "db-s-1vcpu-2gb", region: "nyc3" });
            expect(postgres.maintenanceWindows).to.deep.equal([{ day: "sunday", hour: "04:30" }]);
            expect(cache).to.include({ engine: "valkey", version: "8", evictionPolicy: "allkeys_lru", nodeCount: 1, size: "db-s-1vcpu-1gb" });
            expect(cache.maintenanceWindows).to.deep.equal([{ day: "saturday", hour: "04:30" }]);
            const valkey = revealed<Record<string, unknown>>(staging.ofType(types.valkeyConfig)[0]);
            expect(valkey).to.include({ persistence: "rdb", ssl: true });
            expect(staging.ofType(types.cluster).every((c) => c.protect === false)).to.equal(true);
        });

        it("keeps both clusters, their firewalls, the app's database and the VPC through `pulumi destroy`, in staging too", () => {
            const kept = [types.cluster, types.database, types.firewall, types.vpc].flatMap((type) => staging.ofType(type));
            expect(kept).to.have.length(6);
            for (const resource of kept) {
                expect(resource.retainOnDelete, resource.name).to.equal(true);
            }
        });

        it("gives production at least two PostgreSQL nodes and protects both clusters", async () => {
            const production = await runStaging({ environment: "production", digitalocean: { ...stagingDigitalOcean(), databaseSize: undefined } });
            const postgres = production.named("-db-cluster", types.cluster);
            expect(revealed<{ nodeCount: number; size: string }>(postgres)).to.include({ nodeCount: 2, size: "db-s-1vcpu-2gb" });
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

        it("pages a paging service's e-mail integration with the critical uptime alerts only (down, p95), never a warning", () => {
            const uptime = variant.ofType(types.uptimeAlert).map((a) => revealed<{ type: string; notifications: { emails: string[] }[] }>(a));
            const database = variant.ofType(types.monitorAlert).map((a) => revealed<{ alerts: { emails: string[] } }>(a));
            for (const alert of uptime) {
                const critical = alert.type === "down_global" || alert.type === "latency";
                expect(alert.notifications[0].emails, alert.type).to.deep.equal(critical ? ["platform@dygsom.com", pagingEmail] : ["platform@dygsom.com"]);
            }
            for (const alert of database) expect(alert.alerts.emails).to.deep.equal(["platform@dygsom.com"]);
            // App Platform e-mails team members only.
            for (const alert of [...variantSpec.alerts, ...components(variantSpec).flatMap((c) => c.alerts ?? [])]) {
                expect(alert.destinations?.emails).to.deep.equal(["platform@dygsom.com"]);
            }
            expect(variant.outputs.alertTarget).to.include(`paging email (critical uptime alerts): ${pagingEmail}`);
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

        it("serves seed 000's staging domain as the primary domain when set, and probes it", () => {
            expect(variantSpec.domainNames).to.deep.equal([{ name: "staging.dygsom.com", type: "PRIMARY" }]);
            expect(variant.outputs.url).to.equal("https://staging.dygsom.com");
            expect(revealed<{ target: string }>(variant.ofType(types.uptimeCheck)[0]).target).to.equal("https://staging.dygsom.com/health");
            expect(spec.domainNames).to.equal(undefined);
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
