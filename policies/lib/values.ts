import * as policySdk from "@pulumi/policy";
import type { PolicyResource } from "@pulumi/policy";
import * as pulumi from "@pulumi/pulumi";

// The server wraps resource properties in a proxy that throws this error when a policy reads a value that
// is unknown until the update (an id, an ARN). The SDK exports the class at run time; its typings do not.
const UnknownValueError = (policySdk as unknown as { UnknownValueError: new (...args: never[]) => Error }).UnknownValueError;

/** Marks a value that cannot be known during a preview. */
export const UNKNOWN: unique symbol = Symbol("unknown during preview");
export type Unknown = typeof UNKNOWN;

/**
 * Reads a property that may be unknown during a preview. Resource rules let the server handle unknowns
 * (the rule is reported as advisory "can't run during preview"); stack rules read through `peek` so that
 * one unknown id does not stop the whole rule.
 */
export function peek<T>(read: () => T): T | Unknown {
    try {
        return read();
    } catch (error) {
        if (error instanceof UnknownValueError) return UNKNOWN;
        throw error;
    }
}

/** A property as a plain string, or undefined when absent, unknown or not a string. */
export function knownString(read: () => unknown): string | undefined {
    const value = peek(read);
    return typeof value === "string" ? value : undefined;
}

/** The elements of an array property that are known, skipping unknown ones. */
export function knownElements<T>(read: () => readonly T[] | undefined): T[] {
    const array = peek(read);
    if (array === UNKNOWN || !Array.isArray(array)) return [];
    const elements: T[] = [];
    for (let i = 0; i < array.length; i++) {
        const element = peek(() => array[i]);
        if (element !== UNKNOWN) elements.push(element);
    }
    return elements;
}

/** True when `resource` takes a value from `target`: through a property, or through `dependsOn`. */
export function dependsOn(resource: PolicyResource, target: PolicyResource, property?: string): boolean {
    if (property !== undefined) return (resource.propertyDependencies[property] ?? []).includes(target);
    return resource.dependencies.includes(target) || Object.values(resource.propertyDependencies).some((deps) => deps.includes(target));
}

/** The resources of one of the given types in a property's dependencies. */
export function dependenciesOf(resource: PolicyResource, property: string, types: readonly string[]): PolicyResource[] {
    return (resource.propertyDependencies[property] ?? []).filter((dependency) => types.includes(dependency.type));
}

/** The short name a violation shows for a resource: its Pulumi name and type. */
export function label(resource: { name: string; type: string }): string {
    return `${resource.name} (${resource.type})`;
}

/** How a rule that is stricter in production tells a production stack from another (see `productionSettings`). */
export interface ProductionSettings {
    environmentConfigKey: string;
    productionEnvironments: readonly string[];
    productionStacks: readonly string[];
}

/** Whether the stack is production, and why, for messages: "production stack 'prod' (fraud-platform:environment is production)". */
export interface ProductionStatus {
    production: boolean;
    reason: string;
}

/**
 * Whether the stack being previewed or updated is production. The program's own environment config decides:
 * the Pulumi CLI hands the stack's config to the pack's process in `PULUMI_CONFIG`, as it does to a program
 * (pulumi/pulumi sdk/go/common/resource/plugin/analyzer_plugin.go, `constructEnv`), so a stack named `prod` or
 * `production-eu` whose `fraud-platform:environment` is `production` is production. The stack-name list stays
 * as a second way in: a stack is production when either says so, so neither a new name nor a missing key
 * lets a production stack through unchecked.
 */
export function productionStatus(settings: ProductionSettings): ProductionStatus {
    const stack = pulumi.getStack();
    const environment = configValue(settings.environmentConfigKey);
    if (environment !== undefined && settings.productionEnvironments.includes(environment)) {
        return { production: true, reason: `production stack '${stack}' (${settings.environmentConfigKey} is ${environment})` };
    }
    if (settings.productionStacks.includes(stack)) {
        return { production: true, reason: `production stack '${stack}' (listed in productionStacks)` };
    }
    return { production: false, reason: `stack '${stack}'` };
}

/** A stack config value as a plain string (the CLI sends strings unquoted; a JSON-quoted one is unwrapped). */
function configValue(key: string): string | undefined {
    const value = pulumi.runtime.getConfig(key);
    if (value === undefined) return undefined;
    try {
        const parsed: unknown = JSON.parse(value);
        return typeof parsed === "string" ? parsed : value;
    } catch {
        return value;
    }
}
