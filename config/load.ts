import * as pulumi from "@pulumi/pulumi";
import semver from "semver";
import { z } from "zod";
import { awsProblems } from "./aws";
import { digitalOceanProblems } from "./digitalocean";
import { dockerFeatureOn, dockerProblems, maxLocalReplicas } from "./docker";
import { backendKinds, reservedEnvNames, secretConfigPaths, serviceNames, stackConfigSchema, type ServiceName, type StackConfig } from "./schema";
import { movedSecretPaths } from "./secrets";
import { closest } from "./suggest";
import type { EnvironmentSpec, ServiceSpec } from "./spec";

/** One problem with one config key. */
export interface ConfigProblem {
    /** Full key in `pulumi config --path` notation, e.g. `fraud-platform:database.backupRetentionDays`. */
    key: string;
    /** The value given, as JSON, or `undefined` when the key is missing. */
    given: string | undefined;
    /** What is allowed. */
    allowed: string;
}

/** Every problem in a stack's config, reported at once before any resource is registered. */
export class ConfigValidationError extends pulumi.RunError {
    constructor(
        readonly stack: string,
        readonly problems: ConfigProblem[],
        /** The stack file the config came from, as the user knows it. */
        readonly stackFile = `Pulumi.${stack}.yaml`,
    ) {
        super(
            `${stackFile} (stack '${stack}') has ${problems.length} config problem${problems.length === 1 ? "" : "s"}; no resource was registered:\n` +
                problems.map((p) => `  - ${p.key}: ${p.given === undefined ? "missing" : `got ${p.given}`}; ${p.allowed}`).join("\n"),
        );
        this.name = "ConfigValidationError";
    }
}

/** The raw config a Pulumi program receives: `namespace:key` to string, and which keys hold secrets. */
export interface RawStackConfig {
    project: string;
    stack: string;
    values: Record<string, string>;
    secretKeys: ReadonlySet<string>;
    /**
     * An update (`pulumi up`) rather than a preview. An update also refuses the documentation
     * stand-ins a committed stack file may hold (example.com names, the 123456789012 account).
     */
    update?: boolean;
    /** The file the config was read from, named in messages. Default: `Pulumi.<stack>.yaml`, as the CLI reads it. */
    stackFile?: string;
}

interface RoleDefaults {
    port: number;
    cpu: number;
    memory: number;
    count: number;
    public: boolean;
    path: string;
    livenessPath: string;
    autoscaling?: ServiceSpec["autoscaling"];
}

// Seed 001 sizes the services; seed 002 names the health endpoints.
const roleDefaults: Record<ServiceName, RoleDefaults> = {
    api: {
        port: 8000, cpu: 512, memory: 1024, count: 3, public: true,
        path: "/health/ready", livenessPath: "/health/live",
        autoscaling: { minCount: 2, maxCount: 10, cpuTargetPercent: 70 },
    },
    worker: { port: 8080, cpu: 256, memory: 512, count: 2, public: false, path: "/health", livenessPath: "/health" },
    ml: { port: 8001, cpu: 1024, memory: 2048, count: 2, public: false, path: "/health/ready", livenessPath: "/health/live" },
};

/** Reads this program's config from the Pulumi runtime. */
export function readRuntimeConfig(): RawStackConfig {
    const values = pulumi.runtime.allConfig();
    const secretKeys = new Set(Object.keys(values).filter((key) => isConfigSecret(key)));
    return { project: pulumi.getProject(), stack: pulumi.getStack(), values, secretKeys, update: !pulumi.runtime.isDryRun() };
}

// The SDK exports isConfigSecret at run time but marks it internal, so its type is not published.
const runtimeWithSecrets = pulumi.runtime as unknown as { isConfigSecret?: (key: string) => boolean };
function isConfigSecret(key: string): boolean {
    if (typeof runtimeWithSecrets.isConfigSecret !== "function") {
        throw new Error("@pulumi/pulumi no longer exports runtime.isConfigSecret; secret config keys cannot be checked");
    }
    return runtimeWithSecrets.isConfigSecret(key);
}

/**
 * The Pulumi CLI hands the whole config to the program (and to each policy pack) as JSON in one
 * environment variable, `PULUMI_CONFIG`; Linux refuses a single environment string over 32 pages
 * (MAX_ARG_STRLEN, 131,072 bytes, execve(2)) with E2BIG, so a larger config cannot start the program.
 * Sources: pulumi/pulumi sdk/go/common/resource/plugin/analyzer_plugin.go (constructEnv) and the Node.js
 * language host, which set PULUMI_CONFIG.
 */
export const maxConfigBytes = 128 * 1024 - "PULUMI_CONFIG=".length - 1;

/** Namespaces of other packages' config that a stack may carry (provider settings, engine options). */
const otherNamespaces = ["aws", "digitalocean", "docker", "random", "pulumi", "gcp", "azure", "azure-native", "kubernetes", "cloudflare"];

/** Validates the raw stack config into one typed spec, or throws {@link ConfigValidationError} listing every problem. */
export function loadEnvironmentSpec(raw: RawStackConfig): EnvironmentSpec {
    const namespace = `${raw.project}:`;
    const problems: ConfigProblem[] = [];
    const input: Record<string, unknown> = {};
    const misplaced = new Set<string>();
    problems.push(...sizeProblems(raw.values));
    for (const [fullKey, value] of Object.entries(raw.values)) {
        if (fullKey.startsWith(namespace)) {
            const key = fullKey.slice(namespace.length);
            input[key] = parseConfigValue(key, value);
            continue;
        }
        // A key under a misspelt project namespace is silently ignored by Pulumi; say what it probably meant.
        const separator = fullKey.indexOf(":");
        const keyNamespace = separator < 0 ? fullKey : fullKey.slice(0, separator);
        if (otherNamespaces.includes(keyNamespace)) continue;
        if (closest(keyNamespace, [raw.project]) === raw.project) {
            const key = fullKey.slice(separator + 1);
            misplaced.add(key);
            problems.push({
                key: fullKey,
                given: show(parseConfigValue("", value)),
                allowed: `unknown namespace "${keyNamespace}", so Pulumi ignores this key; did you mean ${namespace}${key}?`,
            });
        }
    }

    const cliRegion = raw.values["aws:region"];
    if (cliRegion !== undefined && input.backend === "aws") {
        const aws = (input.aws ?? {}) as Record<string, unknown>;
        if (typeof aws === "object" && aws !== null && !Array.isArray(aws) && aws.region === undefined) input.aws = { ...aws, region: cliRegion };
    }
    problems.push(...movedSecretProblems(namespace, input));
    // A cloud stack must say which environment it is; only the local docker stack defaults to dev.
    if (input.environment === undefined) {
        const backend = input.backend ?? "docker";
        if (backend === "docker") input.environment = "dev";
        else if (typeof backend === "string" && (backendKinds as readonly string[]).includes(backend)) {
            problems.push({
                key: keyName(namespace, ["environment"]),
                given: undefined,
                allowed: `required when the backend is ${backend}: dev, staging or production (only the docker backend defaults to dev); \`pulumi config set environment <name>\``,
            });
        }
    }
    const coerced = coerceScalars(stackConfigSchema, input) as Record<string, unknown>;
    const parsed = stackConfigSchema.safeParse(coerced);
    // Before the schema's own bound (5,000), so a local count of 70,000 is told the local bound.
    problems.push(...instanceCountProblems(namespace, coerced));
    if (!parsed.success) {
        for (const issue of parsed.error.issues) problems.push(...describeIssue(namespace, coerced, issue));
    }
    // Rules across keys run on the raw input too, so one run reports every problem.
    problems.push(...crossFieldProblems(namespace, coerced, raw.secretKeys, raw.stack));
    problems.push(...providerRegionProblems(namespace, coerced, raw.values["aws:region"]));
    if (raw.update) problems.push(...placeholderProblems(namespace, coerced));
    const reported = oneProblemPerKey(problems, namespace, misplaced, raw.secretKeys);
    if (!parsed.success || reported.length > 0) throw new ConfigValidationError(raw.stack, reported, raw.stackFile);
    const config = parsed.data;
    return resolve(raw, config);
}

/**
 * One mistake, one message: the first problem of each key wins (the schema's come first), a key that is
 * only "missing" because it was written under a misspelt namespace is not reported twice, and the value
 * of a secret key is never echoed.
 */
function oneProblemPerKey(problems: ConfigProblem[], namespace: string, misplaced: ReadonlySet<string>, secretKeys: ReadonlySet<string>): ConfigProblem[] {
    const seen = new Set<string>();
    const kept: ConfigProblem[] = [];
    for (const problem of problems) {
        if (seen.has(problem.key)) continue;
        if (problem.given === undefined && problem.key.startsWith(namespace) && misplaced.has(problem.key.slice(namespace.length))) continue;
        seen.add(problem.key);
        const topLevel = problem.key.split(/[.[]/)[0];
        const secret = secretKeys.has(topLevel) || secretConfigPaths.some((s) => problem.key === namespace + s.path.join(".")) || movedSecretPaths.some((m) => problem.key === namespace + m.from.join("."));
        kept.push(secret && problem.given !== undefined ? { ...problem, given: "[secret]" } : problem);
    }
    return kept;
}

/**
 * The config travels as one JSON document in one environment variable (see {@link maxConfigBytes}).
 * A key that alone exceeds the bound is named; a config that exceeds it only in total names its largest key.
 */
function sizeProblems(values: Record<string, string>): ConfigProblem[] {
    const bytes = (text: string) => Buffer.byteLength(text, "utf8"); // the limit is in bytes, not characters
    const total = bytes(JSON.stringify(values));
    if (total <= maxConfigBytes) return [];
    const sizes = Object.entries(values).map(([key, value]) => ({ key, bytes: bytes(JSON.stringify(value)) })).sort((a, b) => b.bytes - a.bytes);
    const limit = `${Math.floor(maxConfigBytes / 1024)} KiB`;
    const oversized = sizes.filter((s) => s.bytes > maxConfigBytes);
    const blamed = oversized.length > 0 ? oversized : sizes.slice(0, 1);
    return blamed.map(({ key, bytes }) => ({
        key: largestPart(key, values[key]),
        given: `${Math.ceil(bytes / 1024)} KiB of config`,
        allowed:
            `the whole config is ${Math.ceil(total / 1024)} KiB; Pulumi passes config to the program and to policy packs in one environment ` +
            `variable, which Linux limits to ${limit} (E2BIG); keep large data out of config (a file, a bucket, a secret store)`,
    }));
}

/** The key path inside a config value that holds most of its size (`services.api.env.BIG`), for the message. */
function largestPart(key: string, value: string): string {
    let node: unknown;
    try {
        node = JSON.parse(value);
    } catch {
        return key;
    }
    let name = key;
    for (let depth = 0; depth < 16 && node !== null && typeof node === "object"; depth += 1) {
        const entries = Object.entries(node as Record<string, unknown>).map(([k, v]) => ({ k, v, bytes: JSON.stringify(v)?.length ?? 0 }));
        const biggest = entries.sort((a, b) => b.bytes - a.bytes)[0];
        if (biggest === undefined) break;
        name += Array.isArray(node) ? `[${biggest.k}]` : `.${biggest.k}`;
        node = biggest.v;
    }
    return name;
}

/** Where the alert secrets used to live: refused with the command that moves each to its own key. */
function movedSecretProblems(namespace: string, input: Record<string, unknown>): ConfigProblem[] {
    const problems: ConfigProblem[] = [];
    for (const { from, to } of movedSecretPaths) {
        const parent = valueAt(input, from.slice(0, -1));
        if (parent === null || typeof parent !== "object" || Array.isArray(parent)) continue;
        const leaf = from[from.length - 1];
        if (!(leaf in parent)) continue;
        problems.push({
            key: keyName(namespace, [...from]),
            given: show((parent as Record<string, unknown>)[leaf]),
            allowed:
                `moved to its own top-level key, ${namespace}${to}: Pulumi marks only whole top-level keys secret, so a plain value here ` +
                `could not be told from an encrypted one. Run \`pulumi config set --secret ${to} <value>\` and \`pulumi config rm --path ${from.join(".")}\``,
        });
        // Taken out of the input so the schema does not report it a second time as an unknown key.
        const rest = { ...(parent as Record<string, unknown>) };
        delete rest[leaf];
        if (from.length === 2) input[from[0]] = rest;
    }
    return problems;
}

/**
 * What the CLI hands over for a key: top-level values are strings; objects and lists arrive as JSON.
 * A key whose schema is text keeps the string as written (a PagerDuty key of 32 digits is not a number).
 */
function parseConfigValue(key: string, value: string): unknown {
    const schema = (stackConfigSchema.shape as Record<string, z.core.$ZodType>)[key];
    if (schema !== undefined && schemaType(schema) === "string") return value;
    try {
        return JSON.parse(value);
    } catch {
        return value; // plain strings are stored unquoted
    }
}

/** The schema's own type, through defaults, optionals and pipes (a string with checks is still "string"). */
function schemaType(schema: z.core.$ZodType): string {
    const def = schema._zod.def as { type: string; innerType?: z.core.$ZodType; in?: z.core.$ZodType };
    if ((def.type === "default" || def.type === "optional" || def.type === "nullable" || def.type === "prefault") && def.innerType) return schemaType(def.innerType);
    if (def.type === "pipe" && def.in) return schemaType(def.in);
    return def.type;
}

/**
 * `pulumi config set --path` stores a value that looks like a number or a boolean as one (`17` for
 * database.engineVersion, `4` for an env value). Where the schema wants text, the text as written is meant.
 */
function coerceScalars(schema: z.core.$ZodType, value: unknown): unknown {
    let current = schema;
    for (;;) {
        const def = current._zod.def as { type: string; innerType?: z.core.$ZodType; in?: z.core.$ZodType };
        if ((def.type === "default" || def.type === "optional" || def.type === "nullable" || def.type === "prefault") && def.innerType) current = def.innerType;
        else if (def.type === "pipe" && def.in) current = def.in;
        else break;
    }
    const type = current._zod.def.type;
    if (type === "string") return (typeof value === "number" && Number.isFinite(value)) || typeof value === "boolean" ? String(value) : value;
    if (value === null || typeof value !== "object") return value;
    if (current instanceof z.ZodObject && !Array.isArray(value)) {
        const shape = current.shape as Record<string, z.core.$ZodType>;
        return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, shape[k] ? coerceScalars(shape[k], v) : v]));
    }
    if (current instanceof z.ZodRecord && !Array.isArray(value)) {
        return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, coerceScalars(current.valueType as z.core.$ZodType, v)]));
    }
    if (current instanceof z.ZodArray && Array.isArray(value)) return value.map((v) => coerceScalars(current.element as z.core.$ZodType, v));
    return value;
}

function resolve(raw: RawStackConfig, config: StackConfig): EnvironmentSpec {
    const environment = config.environment ?? "dev"; // loadEnvironmentSpec requires it for the cloud backends
    const production = environment === "production";
    const services = Object.fromEntries(
        serviceNames.map((name) => [name, resolveService(name, config.services[name])]),
    ) as Record<ServiceName, ServiceSpec>;
    const asSecret = (value: string | undefined) => (value === undefined ? undefined : pulumi.secret(value));
    return {
        project: raw.project,
        stack: raw.stack,
        environment,
        backend: config.backend,
        releaseVersion: config.releaseVersion === undefined ? undefined : (semver.clean(config.releaseVersion) ?? undefined),
        protect: config.protectStatefulResources ?? production,
        services,
        database: { ...config.database, highAvailability: config.database.highAvailability ?? production },
        cache: { ...config.cache, snapshotRetentionDays: config.cache.snapshotRetentionDays ?? (production ? 7 : 1) },
        monitoring: {
            alertEmails: config.monitoring.alertEmails,
            slackWebhookUrl: asSecret(config.slackWebhookUrl),
            pagerDutyIntegrationKey: asSecret(config.pagerDutyIntegrationKey),
            thresholds: config.monitoring.thresholds,
            metrics: config.monitoring.metrics,
        },
        aws: config.aws,
        digitalocean: {
            ...config.digitalocean,
            registryCredentials:
                config.ghcrCredentials === undefined && config.dockerHubCredentials === undefined
                    ? undefined
                    : { ghcr: config.ghcrCredentials, dockerHub: config.dockerHubCredentials },
        },
        docker: {
            ...config.docker,
            monitoringHostAddress: config.docker.monitoringHostAddress ?? config.docker.hostAddress,
            loadBalancer: { ...config.docker.loadBalancer, enabled: dockerFeatureOn(config.docker.loadBalancer, environment) },
            tracing: { ...config.docker.tracing, enabled: dockerFeatureOn(config.docker.tracing, environment) },
            volumeBackups: {
                enabled: dockerFeatureOn(config.docker.volumeBackups, environment),
                retentionDays: config.docker.volumeBackups.retentionDays ?? config.cache.snapshotRetentionDays ?? (production ? 7 : 1),
            },
            credentialSeed: asSecret(config.credentialSeed),
            // The certificate is public; both travel as secrets so the key is never plain and the pair stays together.
            tls:
                config.tlsCertificate !== undefined && config.tlsPrivateKey !== undefined
                    ? { certificate: pulumi.secret(config.tlsCertificate), privateKey: pulumi.secret(config.tlsPrivateKey) }
                    : undefined,
        },
        rollout: config.rollout,
        tags: { project: raw.project, stack: raw.stack, environment },
    };
}

function resolveService(name: ServiceName, given: StackConfig["services"][ServiceName]): ServiceSpec {
    const role = roleDefaults[name];
    return {
        name,
        image: given.image,
        port: given.port ?? role.port,
        cpu: given.cpu ?? role.cpu,
        memory: given.memory ?? role.memory,
        count: given.count ?? role.count,
        public: role.public,
        healthCheck: {
            ...given.healthCheck,
            path: given.healthCheck.path ?? role.path,
            livenessPath: given.healthCheck.livenessPath ?? role.livenessPath,
        },
        command: given.command,
        env: given.env,
        autoscaling: given.autoscaling ?? role.autoscaling,
    };
}

/**
 * Rules that span keys or depend on the environment; the schema checks each key alone. They read the
 * raw input defensively (a key of the wrong type is the schema's problem, reported once, there).
 */
function crossFieldProblems(namespace: string, input: Record<string, unknown>, secretKeys: ReadonlySet<string>, stack: string): ConfigProblem[] {
    const problems: ConfigProblem[] = [];
    const add = (path: (string | number)[], allowed: string) =>
        problems.push({ key: keyName(namespace, path), given: show(valueAt(input, path)), allowed });
    const num = (path: (string | number)[]) => (typeof valueAt(input, path) === "number" ? (valueAt(input, path) as number) : undefined);
    const str = (path: (string | number)[]) => (typeof valueAt(input, path) === "string" ? (valueAt(input, path) as string) : undefined);
    const production = input.environment === "production";

    for (const { path } of secretConfigPaths) {
        if (valueAt(input, path) !== undefined && !secretKeys.has(namespace + path[0])) {
            add([...path], `must be a secret: set it with \`pulumi config set --secret ${path.join(".")} <value>\``);
        }
    }
    for (const name of serviceNames) {
        const min = num(["services", name, "autoscaling", "minCount"]);
        const max = num(["services", name, "autoscaling", "maxCount"]);
        if (min !== undefined && max !== undefined && min > max) {
            add(["services", name, "autoscaling", "minCount"], `must be ≤ autoscaling.maxCount (${max})`);
        }
        const env = valueAt(input, ["services", name, "env"]);
        if (env !== null && typeof env === "object") {
            for (const key of Object.keys(env).filter((k) => (reservedEnvNames as readonly string[]).includes(k))) {
                add(["services", name, "env", key], `is set by the backend itself (${key === "DATABASE_URL" || key === "REDIS_URL" || key === "APP_SECRET_KEY" ? "as a secret" : "from the environment's own wiring"}); remove it`);
            }
        }
        const image = str(["services", name, "image"]);
        if (production && image !== undefined && /:latest(@|$)/.test(image)) {
            add(["services", name, "image"], "production images must be pinned to a release tag or a digest, not `latest`");
        }
    }
    const storage = num(["database", "storageGb"]) ?? 20;
    const maxStorage = num(["database", "maxStorageGb"]);
    if (maxStorage !== undefined && maxStorage < storage) {
        add(["database", "maxStorageGb"], `must be ≥ database.storageGb (${storage})`);
    }
    if (input.backend !== "docker" && (num(["cache", "nodeCount"]) ?? 3) > 1 && num(["cache", "snapshotRetentionDays"]) === 0) {
        add(["cache", "snapshotRetentionDays"], "must be ≥ 1: a replicated cache without snapshots loses its data with its nodes");
    }
    if (production && input.backend === "aws" && valueAt(input, ["aws", "natGateways"]) === "single") {
        add(["aws", "natGateways"], "must be \"perAz\" in production: with a single NAT gateway one zone's outage cuts every task's egress");
    }
    for (const problem of [...digitalOceanProblems(input), ...awsProblems(input), ...dockerProblems(input)]) add(problem.path, problem.allowed);
    const moved = movedSecretPaths.some(({ from }) => valueAt(input, from) !== undefined); // reported as moved, not as missing
    const paged = valueAt(input, ["pagerDutyIntegrationKey"]) !== undefined || valueAt(input, ["slackWebhookUrl"]) !== undefined;
    if (production && !paged && !moved) {
        problems.push({
            key: keyName(namespace, ["pagerDutyIntegrationKey"]),
            given: undefined,
            allowed:
                "production needs a paging destination: set pagerDutyIntegrationKey (or slackWebhookUrl) as a secret, " +
                `\`pulumi config set --secret pagerDutyIntegrationKey <32-character integration key> --stack ${stack}\` ` +
                "(or import a Pulumi ESC environment that sets it: docs/configuration.md, \"Secrets\")",
        });
    }
    return problems;
}

/**
 * Values that only stand in for the real ones: a preview shows the plan with them, an update must not
 * create half an environment and then fail on them (a load balancer listener on a certificate that
 * does not exist, an alias for a domain nobody owns).
 */
function placeholderProblems(namespace: string, input: Record<string, unknown>): ConfigProblem[] {
    const problems: ConfigProblem[] = [];
    const check = (path: string[], isPlaceholder: (value: string) => boolean, what: string) => {
        const value = valueAt(input, path);
        if (typeof value === "string" && isPlaceholder(value)) {
            problems.push({ key: keyName(namespace, path), given: show(value), allowed: `is a placeholder; set ${what} before \`pulumi up\`` });
        }
    };
    const documentationDomain = (value: string) => /(^|\.)example\.(com|org|net)$/.test(value);
    check(["aws", "certificateArn"], (value) => /:123456789012:|\/0{8}-0{4}-0{4}-0{4}-0{12}$/.test(value), "your own ACM certificate's ARN");
    // A generated seed would be lost with the state on `pulumi destroy` while the kept data volumes keep the
    // passwords made from it: the next `up` would lock the app out of its own database. A preview may go on.
    if (input.backend === "docker" && valueAt(input, ["credentialSeed"]) === undefined) {
        problems.push({
            key: keyName(namespace, ["credentialSeed"]),
            given: undefined,
            allowed:
                "must be set before `pulumi up` on the docker backend: the PostgreSQL, Redis and Grafana passwords and APP_SECRET_KEY are " +
                "derived from it so they survive `pulumi destroy` with the kept volumes. Set it once: " +
                'pulumi config set --secret credentialSeed "$(openssl rand -hex 32)"',
        });
    }
    check(["aws", "domainName"], documentationDomain, "the name your certificate covers");
    // On AWS the api runs in two slots, and which one serves (and with what image) lives only in the stack's own
    // outputs, not in the stack file: an update left to the defaults would hand all traffic to blue, which may be
    // the stopped standby. `stage-config` reads the position back from the stack first (the deployment settings
    // run it before every update; docs/rollout.md).
    if (input.backend === "aws" && valueAt(input, ["rollout", "liveSlot"]) === undefined) {
        problems.push({
            key: keyName(namespace, ["rollout", "liveSlot"]),
            given: undefined,
            allowed:
                "must be set before `pulumi up` on the aws backend, from the stack's own outputs (which api slot serves, with which image): " +
                "run `npm run release -- stage-config --stack <stack> --stage hold` first (Pulumi Deployments runs it for every update)",
        });
    }
    const doDomain = valueAt(input, ["digitalocean", "domain", "name"]);
    if (typeof doDomain === "string" && documentationDomain(doDomain)) check(["digitalocean", "domain", "name"], documentationDomain, "your own domain");
    return problems;
}

/**
 * The program's AWS provider takes its region from `aws.region`; the CLI's default provider (used by
 * `pulumi import` and anything without an explicit provider) from `aws:region`. Two regions would
 * split a stack across regions silently.
 */
function providerRegionProblems(namespace: string, input: Record<string, unknown>, cliRegion: string | undefined): ConfigProblem[] {
    const programRegion = valueAt(input, ["aws", "region"]);
    if (input.backend !== "aws" || cliRegion === undefined || programRegion === undefined || programRegion === cliRegion) return [];
    return [{
        key: keyName(namespace, ["aws", "region"]),
        given: show(programRegion),
        allowed: `must equal aws:region (${JSON.stringify(cliRegion)}) or be left unset: the default provider and the program's provider would deploy to different regions`,
    }];
}

/**
 * Instances per service each backend can run: ECS 5,000 tasks per service (the schema's bound), App Platform
 * 250 instances per component (digitalocean/openapi specification/resources/apps/models/app_autoscaling_spec.yml,
 * max_instance_count: "Maximum 250"), the local Docker engine a sane {@link maxLocalReplicas}.
 */
function instanceCountProblems(namespace: string, input: Record<string, unknown>): ConfigProblem[] {
    const limits: Record<string, { max: number; why: string } | undefined> = {
        digitalocean: { max: 250, why: "App Platform runs at most 250 instances of a component; use a larger instance size" },
        docker: { max: maxLocalReplicas, why: "each replica is a container on this machine" },
    };
    const limit = typeof input.backend === "string" ? limits[input.backend] : limits.docker;
    if (limit === undefined) return [];
    const problems: ConfigProblem[] = [];
    for (const name of serviceNames) {
        for (const path of [["services", name, "count"], ["services", name, "autoscaling", "minCount"], ["services", name, "autoscaling", "maxCount"]]) {
            const value = valueAt(input, path);
            if (typeof value === "number" && Number.isInteger(value) && value > limit.max) {
                problems.push({ key: keyName(namespace, path), given: show(value), allowed: `must be ≤ ${limit.max} on the ${String(input.backend ?? "docker")} backend (${limit.why})` });
            }
        }
    }
    return problems;
}

const typeWords: Record<string, string> = {
    string: "text",
    number: "a number",
    int: "a whole number",
    boolean: "true or false",
    array: "a list",
    object: "a map of keys",
    record: "a map of keys",
};

function describeIssue(namespace: string, input: Record<string, unknown>, issue: z.core.$ZodIssue): ConfigProblem[] {
    const path = issue.path.filter((p): p is string | number => typeof p !== "symbol");
    const given = valueAt(input, path);
    const problem = (allowed: string, at: (string | number)[] = path): ConfigProblem[] => [{ key: keyName(namespace, at), given: show(valueAt(input, at)), allowed }];
    switch (issue.code) {
        case "unrecognized_keys":
            return issue.keys.map((unknownKey) => {
                const allowedKeys = allowedKeysAt(path);
                const guess = closest(unknownKey, allowedKeys);
                return {
                    key: keyName(namespace, [...path, unknownKey]),
                    given: show(valueAt(input, [...path, unknownKey])),
                    allowed: `unknown key${guess ? `; did you mean ${guess}?` : ""} Allowed here: ${allowedKeys.join(", ")}`,
                };
            });
        case "invalid_type": {
            if (given === undefined) return problem(`required (${typeWords[issue.expected] ?? issue.expected})`);
            if (issue.expected === "int" && typeof given === "number" && Number.isInteger(given)) return problem(`must be a whole number no larger than ${Number.MAX_SAFE_INTEGER}`);
            return problem(`must be ${typeWords[issue.expected] ?? issue.expected}`);
        }
        case "invalid_value": {
            const guess = typeof given === "string" ? closest(given, issue.values.filter((v): v is string => typeof v === "string")) : undefined;
            return problem(`must be one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}${guess ? ` (did you mean ${JSON.stringify(guess)}?)` : ""}`);
        }
        case "too_small":
            return problem(boundText("≥", ">", issue.minimum, issue.inclusive, issue.origin, given));
        case "too_big":
            return problem(boundText("≤", "<", issue.maximum, issue.inclusive, issue.origin, given));
        case "invalid_format": {
            const formats: Record<string, string> = { email: "an e-mail address, e.g. oncall@example.com", url: "an https:// URL" };
            return problem(`must be ${issue.format === "regex" ? issue.message : (formats[issue.format] ?? `a valid ${issue.format}`)}`);
        }
        case "invalid_key": {
            // A record's key failed its own check: name the key itself, say what keys look like here.
            const inner = issue.issues.find((i) => i.code === "invalid_format");
            return [{ key: keyName(namespace, path), given: undefined, allowed: `is not allowed as a key here: keys must be ${inner?.message ?? "valid names"}` }];
        }
        case "not_multiple_of":
            return problem(`must be a multiple of ${String(issue.divisor)}`);
        case "invalid_union":
            return problem("has a form none of the allowed ones take");
        case "invalid_element":
            return problem("has an entry that is not allowed");
        case "custom":
            return problem(`must be ${issue.message}`);
        default:
            return problem("is not allowed here");
    }
}

function boundText(inclusiveOp: string, exclusiveOp: string, bound: number | bigint, inclusive: boolean | undefined, origin: string, given: unknown): string {
    const op = inclusive === false ? exclusiveOp : inclusiveOp;
    if (origin === "array") return `must have ${op} ${bound} entries`;
    if (origin === "string") return `must have ${op} ${bound} characters`;
    const integer = typeof given === "number" && Number.isInteger(given) ? "" : " (a number)";
    return `must be ${op} ${bound}${integer}`;
}

function keyName(namespace: string, path: readonly (string | number)[]): string {
    return namespace + path.map((p, i) => (typeof p === "number" ? `[${p}]` : i === 0 ? p : `.${p}`)).join("");
}

function valueAt(root: unknown, path: readonly (string | number)[]): unknown {
    let current: unknown = root;
    for (const segment of path) {
        if (current === null || typeof current !== "object") return undefined;
        current = (current as Record<string | number, unknown>)[segment];
    }
    return current;
}

const maxShownLength = 80;

/**
 * A value as a message shows it: JSON, with invisible and look-alike characters escaped (a zero-width space,
 * a no-break space, a byte-order mark, bidirectional controls) and long values shortened in the middle.
 */
export function show(value: unknown): string | undefined {
    if (value === undefined) return undefined;
    let text: string;
    try {
        text = JSON.stringify(value) ?? String(value);
    } catch {
        text = String(value);
    }
    // JSON.stringify escapes control characters already; these it leaves as they are.
    text = text.replace(/[\u00a0\u00ad\u061c\u115f\u1160\u180e\u2000-\u200f\u2028-\u202f\u205f-\u206f\u3000\u3164\ufeff\ufff9-\ufffb]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
    if (text.length <= maxShownLength) return text;
    const keep = Math.floor((maxShownLength - 5) / 2);
    return `${text.slice(0, keep)} … ${text.slice(-keep)} (${text.length} characters)`;
}

/** The keys an object schema accepts at a path, for "did you mean" style messages. */
function allowedKeysAt(path: readonly (string | number)[]): string[] {
    let schema: z.core.$ZodType = stackConfigSchema;
    for (const segment of [...path, undefined]) {
        schema = unwrap(schema);
        if (schema instanceof z.ZodObject) {
            if (segment === undefined) return Object.keys(schema.shape);
            const next: z.core.$ZodType | undefined = (schema.shape as Record<string, z.core.$ZodType>)[String(segment)];
            if (!next) return [];
            schema = next;
        } else if (schema instanceof z.ZodRecord) {
            if (segment === undefined) return [];
            schema = schema.valueType;
        } else if (schema instanceof z.ZodArray) {
            if (segment === undefined) return [];
            schema = schema.element;
        } else {
            return [];
        }
    }
    return [];
}

function unwrap(schema: z.core.$ZodType): z.core.$ZodType {
    let current = schema;
    while (current instanceof z.ZodDefault || current instanceof z.ZodOptional) {
        current = current.unwrap() as z.core.$ZodType;
    }
    return current;
}
