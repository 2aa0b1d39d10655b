import * as pulumi from "@pulumi/pulumi";
import semver from "semver";
import { z } from "zod";
import { awsProblems } from "./aws";
import { digitalOceanProblems } from "./digitalocean";
import { reservedEnvNames, secretConfigPaths, serviceNames, stackConfigSchema, type ServiceName, type StackConfig } from "./schema";
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
    ) {
        super(
            `Stack '${stack}' has ${problems.length} config problem${problems.length === 1 ? "" : "s"}; no resource was registered:\n` +
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

/** Validates the raw stack config into one typed spec, or throws {@link ConfigValidationError} listing every problem. */
export function loadEnvironmentSpec(raw: RawStackConfig): EnvironmentSpec {
    const namespace = `${raw.project}:`;
    const problems: ConfigProblem[] = [];
    const input: Record<string, unknown> = {};
    for (const [fullKey, value] of Object.entries(raw.values)) {
        if (!fullKey.startsWith(namespace)) continue; // provider and engine keys (aws:region, pulumi:tags) are not ours
        input[fullKey.slice(namespace.length)] = parseConfigValue(value);
    }

    const cliRegion = raw.values["aws:region"];
    if (cliRegion !== undefined && input.backend === "aws") {
        const aws = (input.aws ?? {}) as Record<string, unknown>;
        if (typeof aws === "object" && aws !== null && !Array.isArray(aws) && aws.region === undefined) input.aws = { ...aws, region: cliRegion };
    }
    const parsed = stackConfigSchema.safeParse(input);
    if (!parsed.success) {
        for (const issue of parsed.error.issues) problems.push(...describeIssue(namespace, input, issue));
    }
    // Rules across keys run on the raw input too, so one run reports every problem.
    problems.push(...crossFieldProblems(namespace, input, raw.secretKeys));
    problems.push(...providerRegionProblems(namespace, input, raw.values["aws:region"]));
    if (raw.update) problems.push(...placeholderProblems(namespace, input));
    if (!parsed.success || problems.length > 0) throw new ConfigValidationError(raw.stack, problems);
    const config = parsed.data;
    return resolve(raw, config);
}

function parseConfigValue(value: string): unknown {
    try {
        return JSON.parse(value);
    } catch {
        return value; // plain strings are stored unquoted
    }
}

function resolve(raw: RawStackConfig, config: StackConfig): EnvironmentSpec {
    const production = config.environment === "production";
    const services = Object.fromEntries(
        serviceNames.map((name) => [name, resolveService(name, config.services[name])]),
    ) as Record<ServiceName, ServiceSpec>;
    const asSecret = (value: string | undefined) => (value === undefined ? undefined : pulumi.secret(value));
    return {
        project: raw.project,
        stack: raw.stack,
        environment: config.environment,
        backend: config.backend,
        releaseVersion: config.releaseVersion === undefined ? undefined : (semver.clean(config.releaseVersion) ?? undefined),
        protect: config.protectStatefulResources ?? production,
        services,
        database: { ...config.database, highAvailability: config.database.highAvailability ?? production },
        cache: { ...config.cache, snapshotRetentionDays: config.cache.snapshotRetentionDays ?? (production ? 7 : 1) },
        monitoring: {
            alertEmails: config.monitoring.alertEmails,
            slackWebhookUrl: asSecret(config.monitoring.slackWebhookUrl),
            pagerDutyIntegrationKey: asSecret(config.monitoring.pagerDutyIntegrationKey),
            thresholds: config.monitoring.thresholds,
        },
        aws: config.aws,
        digitalocean: config.digitalocean,
        docker: config.docker,
        tags: { project: raw.project, stack: raw.stack, environment: config.environment },
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
function crossFieldProblems(namespace: string, input: Record<string, unknown>, secretKeys: ReadonlySet<string>): ConfigProblem[] {
    const problems: ConfigProblem[] = [];
    const add = (path: (string | number)[], allowed: string) =>
        problems.push({ key: keyName(namespace, path), given: show(valueAt(input, path)), allowed });
    const num = (path: (string | number)[]) => (typeof valueAt(input, path) === "number" ? (valueAt(input, path) as number) : undefined);
    const str = (path: (string | number)[]) => (typeof valueAt(input, path) === "string" ? (valueAt(input, path) as string) : undefined);
    const production = input.environment === "production";

    for (const { path } of secretConfigPaths) {
        if (valueAt(input, path) !== undefined && !secretKeys.has(namespace + path[0])) {
            add([...path], `must be a secret: set it with \`pulumi config set --secret --path ${path.join(".")} <value>\``);
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
    for (const problem of [...digitalOceanProblems(input), ...awsProblems(input)]) add(problem.path, problem.allowed);
    const paged = valueAt(input, ["monitoring", "pagerDutyIntegrationKey"]) !== undefined || valueAt(input, ["monitoring", "slackWebhookUrl"]) !== undefined;
    if (production && !paged) {
        problems.push({
            key: keyName(namespace, ["monitoring", "pagerDutyIntegrationKey"]),
            given: undefined,
            allowed:
                "production needs a paging destination: set monitoring.pagerDutyIntegrationKey (or monitoring.slackWebhookUrl) as a secret, " +
                "`pulumi config set --secret --path monitoring.pagerDutyIntegrationKey <key>`",
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
    check(["aws", "domainName"], documentationDomain, "the name your certificate covers");
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

function describeIssue(namespace: string, input: Record<string, unknown>, issue: z.core.$ZodIssue): ConfigProblem[] {
    const path = issue.path.filter((p): p is string | number => typeof p !== "symbol");
    const given = valueAt(input, path);
    switch (issue.code) {
        case "unrecognized_keys":
            return issue.keys.map((unknownKey) => ({
                key: keyName(namespace, [...path, unknownKey]),
                given: show(valueAt(input, [...path, unknownKey])),
                allowed: `unknown key; allowed here: ${allowedKeysAt(path).join(", ")}`,
            }));
        case "invalid_type":
            return [{
                key: keyName(namespace, path),
                given: show(given),
                allowed: given === undefined ? `required (${issue.expected})` : `expected ${issue.expected === "object" ? "an object" : `a ${issue.expected}`}`,
            }];
        case "invalid_value":
            return [{ key: keyName(namespace, path), given: show(given), allowed: `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}` }];
        case "too_small":
            return [{ key: keyName(namespace, path), given: show(given), allowed: boundText("≥", ">", issue.minimum, issue.inclusive, issue.origin, given) }];
        case "too_big":
            return [{ key: keyName(namespace, path), given: show(given), allowed: boundText("≤", "<", issue.maximum, issue.inclusive, issue.origin, given) }];
        case "invalid_format":
            return [{ key: keyName(namespace, path), given: show(given), allowed: `must be ${issue.format === "regex" ? issue.message : `a valid ${issue.format}`}` }];
        default:
            return [{ key: keyName(namespace, path), given: show(given), allowed: `must be ${issue.message}` }];
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

function show(value: unknown): string | undefined {
    return value === undefined ? undefined : JSON.stringify(value);
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
