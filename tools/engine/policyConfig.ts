import * as fs from "node:fs";

/**
 * Policy pack configuration as the Pulumi CLI handles it for `--policy-pack-config`: parse the file, fill in
 * every policy's schema defaults, apply the pack's initial config, then the file ("all" first), and validate
 * the result against each policy's JSON schema before configuring the analyzer.
 */

export type EnforcementLevel = "advisory" | "mandatory" | "remediate" | "disabled";
export const enforcementLevels: readonly EnforcementLevel[] = ["advisory", "mandatory", "remediate", "disabled"];

/** One policy's configuration: an enforcement level and/or its settings. */
export interface PolicyConfigEntry {
    enforcementLevel?: EnforcementLevel;
    properties: Record<string, unknown>;
}

export type PolicyPackConfig = Record<string, PolicyConfigEntry>;

/** The subset of JSON Schema a policy's config schema uses (what gojsonschema checks in the CLI). */
export interface JsonSchema {
    type?: string | string[];
    enum?: unknown[];
    const?: unknown;
    minimum?: number;
    maximum?: number;
    exclusiveMinimum?: number;
    exclusiveMaximum?: number;
    multipleOf?: number;
    minLength?: number;
    maxLength?: number;
    pattern?: string;
    items?: JsonSchema | boolean;
    minItems?: number;
    maxItems?: number;
    uniqueItems?: boolean;
    properties?: Record<string, JsonSchema | boolean>;
    required?: string[];
    additionalProperties?: JsonSchema | boolean;
    default?: unknown;
    description?: string;
}

/** What the analyzer says about one policy (from GetAnalyzerInfo). */
export interface PolicySchemaInfo {
    name: string;
    enforcementLevel: EnforcementLevel;
    configSchema?: { properties: Record<string, JsonSchema>; required: string[] };
}

export class PolicyConfigError extends Error {
    constructor(readonly problems: string[]) {
        super(`policy pack configuration is invalid:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
        this.name = "PolicyConfigError";
    }
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);
const isEnforcementLevel = (value: unknown): value is EnforcementLevel => enforcementLevels.includes(value as EnforcementLevel);

/**
 * Parses policy pack config in the `--policy-pack-config` format: policy name to either an enforcement level
 * (`"advisory"`) or an object of settings that may include `enforcementLevel`; `"all"` sets every policy's level.
 */
export function parsePolicyPackConfig(raw: unknown, source = "policy pack config"): PolicyPackConfig {
    if (!isRecord(raw)) throw new PolicyConfigError([`${source}: expected a JSON object of policy names, got ${JSON.stringify(raw)}`]);
    const config: PolicyPackConfig = {};
    const problems: string[] = [];
    for (const [policy, value] of Object.entries(raw)) {
        if (typeof value === "string") {
            if (isEnforcementLevel(value)) config[policy] = { enforcementLevel: value, properties: {} };
            else problems.push(`${source}: ${policy}: "${value}" is not a valid enforcement level (${enforcementLevels.join(", ")})`);
        } else if (isRecord(value)) {
            const { enforcementLevel, ...properties } = value;
            if (enforcementLevel !== undefined && !isEnforcementLevel(enforcementLevel)) {
                problems.push(`${source}: ${policy}.enforcementLevel: ${JSON.stringify(enforcementLevel)} is not a valid enforcement level (${enforcementLevels.join(", ")})`);
                continue;
            }
            // The CLI drops entries that set nothing.
            if (enforcementLevel === undefined && Object.keys(properties).length === 0) continue;
            config[policy] = { enforcementLevel, properties };
        } else {
            problems.push(`${source}: ${policy}: ${JSON.stringify(value)} is not a valid value; must be a string or object`);
        }
    }
    if (problems.length > 0) throw new PolicyConfigError(problems);
    return config;
}

/** Reads a `--policy-pack-config` JSON file. An empty file is no configuration. */
export function readPolicyPackConfig(file: string): PolicyPackConfig {
    const text = fs.readFileSync(file, "utf8");
    if (text.trim() === "") return {};
    let raw: unknown;
    try {
        raw = JSON.parse(text);
    } catch (error) {
        throw new PolicyConfigError([`${file}: ${(error as Error).message}`]);
    }
    return parsePolicyPackConfig(raw, file);
}

/**
 * The configuration the CLI sends to the analyzer: schema defaults for every policy, then the pack's initial
 * config, then the given config; validated against each policy's schema. Throws PolicyConfigError listing
 * every problem.
 */
export function reconcilePolicyPackConfig(policies: PolicySchemaInfo[], initial: PolicyPackConfig, given: PolicyPackConfig): Record<string, Required<PolicyConfigEntry>> {
    let result: Record<string, Required<PolicyConfigEntry>> = {};
    for (const policy of policies) {
        const properties: Record<string, unknown> = {};
        for (const [key, schema] of Object.entries(policy.configSchema?.properties ?? {})) {
            if (schema.default !== undefined) properties[key] = schema.default;
        }
        result[policy.name] = { enforcementLevel: policy.enforcementLevel, properties };
    }
    result = applyConfig(result, initial);
    result = applyConfig(result, given);

    const problems: string[] = [];
    for (const policy of policies) {
        if (!policy.configSchema) continue;
        const schema: JsonSchema = { type: "object", properties: policy.configSchema.properties, required: policy.configSchema.required };
        problems.push(...validateJsonSchema(schema, result[policy.name].properties, policy.name));
    }
    if (problems.length > 0) throw new PolicyConfigError(problems);
    return result;
}

function applyConfig(result: Record<string, Required<PolicyConfigEntry>>, config: PolicyPackConfig): Record<string, Required<PolicyConfigEntry>> {
    const applied = { ...result };
    const all = config.all?.enforcementLevel;
    if (all) for (const name of Object.keys(applied)) applied[name] = { ...applied[name], enforcementLevel: all };
    for (const [name, entry] of Object.entries(config)) {
        // Like the CLI, a name that is no policy is passed on (and ignored by the pack); "all" only sets levels.
        if (name === "all") continue;
        const current = applied[name] ?? { enforcementLevel: "advisory", properties: {} };
        applied[name] = {
            enforcementLevel: entry.enforcementLevel ?? current.enforcementLevel,
            properties: { ...current.properties, ...entry.properties },
        };
    }
    return applied;
}

/** Validates a value against the JSON Schema subset above; returns one message per problem, prefixed by its path. */
export function validateJsonSchema(schema: JsonSchema | boolean, value: unknown, path: string): string[] {
    if (schema === true) return [];
    if (schema === false) return [`${path}: no value is allowed here`];
    const problems: string[] = [];
    const shown = JSON.stringify(value);
    if (schema.type !== undefined) {
        const types = Array.isArray(schema.type) ? schema.type : [schema.type];
        if (!types.some((type) => hasType(value, type))) return [`${path}: ${shown} is not of type ${types.join(" or ")}`];
    }
    if (schema.enum !== undefined && !schema.enum.some((allowed) => JSON.stringify(allowed) === shown)) {
        problems.push(`${path}: ${shown} is not one of ${schema.enum.map((e) => JSON.stringify(e)).join(", ")}`);
    }
    if (schema.const !== undefined && JSON.stringify(schema.const) !== shown) problems.push(`${path}: must be ${JSON.stringify(schema.const)}`);
    if (typeof value === "number") {
        if (schema.minimum !== undefined && value < schema.minimum) problems.push(`${path}: ${value} is less than the minimum ${schema.minimum}`);
        if (schema.maximum !== undefined && value > schema.maximum) problems.push(`${path}: ${value} is greater than the maximum ${schema.maximum}`);
        if (schema.exclusiveMinimum !== undefined && value <= schema.exclusiveMinimum) problems.push(`${path}: ${value} must be greater than ${schema.exclusiveMinimum}`);
        if (schema.exclusiveMaximum !== undefined && value >= schema.exclusiveMaximum) problems.push(`${path}: ${value} must be less than ${schema.exclusiveMaximum}`);
        if (schema.multipleOf !== undefined && !Number.isInteger(value / schema.multipleOf)) problems.push(`${path}: ${value} is not a multiple of ${schema.multipleOf}`);
    }
    if (typeof value === "string") {
        if (schema.minLength !== undefined && value.length < schema.minLength) problems.push(`${path}: ${shown} is shorter than ${schema.minLength} characters`);
        if (schema.maxLength !== undefined && value.length > schema.maxLength) problems.push(`${path}: ${shown} is longer than ${schema.maxLength} characters`);
        if (schema.pattern !== undefined && !new RegExp(schema.pattern, "u").test(value)) problems.push(`${path}: ${shown} does not match ${schema.pattern}`);
    }
    if (Array.isArray(value)) {
        if (schema.minItems !== undefined && value.length < schema.minItems) problems.push(`${path}: has ${value.length} item(s), fewer than ${schema.minItems}`);
        if (schema.maxItems !== undefined && value.length > schema.maxItems) problems.push(`${path}: has ${value.length} items, more than ${schema.maxItems}`);
        if (schema.uniqueItems && new Set(value.map((v) => JSON.stringify(v))).size !== value.length) problems.push(`${path}: items are not unique`);
        const items = schema.items;
        if (items !== undefined) value.forEach((item, i) => problems.push(...validateJsonSchema(items, item, `${path}[${i}]`)));
    }
    if (isRecord(value)) {
        for (const key of schema.required ?? []) if (!(key in value)) problems.push(`${path}: ${key} is required`);
        for (const [key, item] of Object.entries(value)) {
            const propertySchema = schema.properties?.[key] ?? schema.additionalProperties;
            if (propertySchema !== undefined) problems.push(...validateJsonSchema(propertySchema, item, `${path}.${key}`));
        }
    }
    return problems;
}

function hasType(value: unknown, type: string): boolean {
    switch (type) {
        case "string":
            return typeof value === "string";
        case "number":
            return typeof value === "number" && Number.isFinite(value);
        case "integer":
            return typeof value === "number" && Number.isInteger(value);
        case "boolean":
            return typeof value === "boolean";
        case "array":
            return Array.isArray(value);
        case "object":
            return isRecord(value);
        case "null":
            return value === null;
        default:
            return false;
    }
}
