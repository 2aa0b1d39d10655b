import type {
    EnforcementLevel,
    PolicyConfigSchema,
    PolicyResource,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
    StackValidationArgs,
    StackValidationPolicy,
} from "@pulumi/policy";
import type { PolicyConfigJSONSchema } from "@pulumi/policy/schema";

/** A policy's tunable thresholds: their JSON schema (sent to the CLI) and a typed reader with the same defaults. */
export interface Settings<T> {
    readonly schema: PolicyConfigSchema;
    read(args: { getConfig<C extends object>(): C }): T;
}

type SettingValue = number | string | boolean | readonly string[];
type SettingSchemas<T> = { [K in keyof T]: Omit<PolicyConfigJSONSchema, "default"> & { description: string } };

/**
 * Declares a policy's settings once: the schema's `default`s and the reader's fallbacks are the same values.
 * The Pulumi CLI fills in schema defaults before it configures the pack; the reader also falls back to them
 * so a pack started without configuration behaves the same.
 */
export function settings<T extends Record<string, SettingValue>>(defaults: T, schemas: SettingSchemas<T>): Settings<T> {
    const properties: Record<string, PolicyConfigJSONSchema> = {};
    for (const key of Object.keys(schemas) as (keyof T & string)[]) {
        properties[key] = { ...schemas[key], default: defaults[key] as PolicyConfigJSONSchema["default"] };
    }
    return {
        schema: { properties },
        read: (args) => ({ ...defaults, ...args.getConfig<Partial<T>>() }),
    };
}

/**
 * The settings of every rule that is stricter in production, with their defaults: production is the stack
 * whose environment config says so (the program's `fraud-platform:environment`), or one of the listed stack names.
 */
export const productionDefaults = {
    environmentConfigKey: "fraud-platform:environment",
    productionEnvironments: ["production"] as readonly string[],
    productionStacks: ["production"] as readonly string[],
};

export const productionSchemas = {
    environmentConfigKey: {
        type: "string",
        pattern: "^[^:]+:.+$",
        description: "Stack config key (`namespace:key`) naming the stack's environment; the CLI passes the stack's config to the pack.",
    },
    productionEnvironments: {
        type: "array",
        items: { type: "string", minLength: 1 },
        description: "Values of the environment config key that mean production.",
    },
    productionStacks: {
        type: "array",
        items: { type: "string", minLength: 1 },
        description: "Stack names treated as production whatever their environment config says (a fallback for stacks without it).",
    },
} as const satisfies Record<string, Omit<PolicyConfigJSONSchema, "default"> & { description: string }>;

interface RuleBase<T> {
    name: string;
    description: string;
    enforcementLevel: EnforcementLevel;
    severity: Severity;
    /** What to change to comply; appended to every violation message and published as the remediation steps. */
    remediation: string;
    settings: Settings<T>;
}

export interface ResourceCheck<T, P> {
    props: P;
    settings: T;
    args: ResourceValidationArgs;
    /** Reports what is wrong with this resource; the remediation text is appended. */
    violation(problem: string): void;
}

export interface ResourceRule<T, P> extends RuleBase<T> {
    /** Type tokens the rule applies to, e.g. `aws:rds/instance:Instance`. */
    types: readonly string[];
    validate(check: ResourceCheck<T, P>): void;
}

export interface StackCheck<T> {
    resources: PolicyResource[];
    settings: T;
    args: StackValidationArgs;
    /** Reports what is wrong with one resource of the stack; the remediation text is appended. */
    violation(problem: string, urn: string): void;
}

export interface StackRule<T> extends RuleBase<T> {
    validate(check: StackCheck<T>): void;
}

function withRemediation(rule: { remediation: string }, problem: string): string {
    return `${problem}\nRemediation: ${rule.remediation}`;
}

/** A policy that the analyzer runs on each resource of the listed types as it is registered. */
export function resourceRule<T, P>(rule: ResourceRule<T, P>): ResourceValidationPolicy {
    const validate = (args: ResourceValidationArgs, report: ReportViolation) => {
        if (!rule.types.includes(args.type)) return;
        rule.validate({
            props: args.props as P,
            settings: rule.settings.read(args),
            args,
            violation: (problem) => report(withRemediation(rule, problem)),
        });
    };
    // With a single type, tell the server so it skips other resources without deserialising them
    // (what `validateResourceOfType` does).
    if (rule.types.length === 1) Object.assign(validate, { __pulumiType: rule.types[0] });
    return {
        name: rule.name,
        description: rule.description,
        enforcementLevel: rule.enforcementLevel,
        severity: rule.severity,
        remediationSteps: rule.remediation,
        configSchema: rule.settings.schema,
        validateResource: validate,
    };
}

/** A policy that the analyzer runs once over the whole stack, after every resource is registered. */
export function stackRule<T>(rule: StackRule<T>): StackValidationPolicy {
    return {
        name: rule.name,
        description: rule.description,
        enforcementLevel: rule.enforcementLevel,
        severity: rule.severity,
        remediationSteps: rule.remediation,
        configSchema: rule.settings.schema,
        validateStack: (args, report) =>
            rule.validate({
                resources: args.resources,
                settings: rule.settings.read(args),
                args,
                violation: (problem, urn) => report(withRemediation(rule, problem), urn),
            }),
    };
}
