/**
 * What the report reads from a program run: each registered resource with its inputs as a person reads
 * them (secrets as `[secret]`, unknowns as `[unknown]`). Built from the emulator's `RecordedResource`, so
 * the report follows the backends without knowing their code.
 */
import { displayValue } from "../engine/display";
import type { RecordedResource } from "../engine/emulator";

/**
 * A registered resource as the report reads it: the emulator's record (dependencies are explicit
 * `dependsOn` plus every resource an input came from), with its inputs as a person reads them.
 */
export type ReportResource = Pick<RecordedResource, "urn" | "type" | "name" | "parent" | "custom" | "dependencies" | "propertyDependencies" | "protect"> & {
    inputs: Record<string, unknown>;
};

export function toReportResources(recorded: RecordedResource[]): ReportResource[] {
    return recorded.map((r) => ({
        urn: r.urn,
        type: r.type,
        name: r.name,
        parent: r.parent,
        custom: r.custom,
        inputs: displayValue(r.inputs) as Record<string, unknown>,
        dependencies: [...new Set([...r.dependencies, ...Object.values(r.propertyDependencies).flat()])],
        propertyDependencies: r.propertyDependencies,
        protect: r.protect,
    }));
}

/** A number from an input that may arrive as a number or a numeric string (`cpu: "512"`). */
export function numberInput(value: unknown): number | undefined {
    if (typeof value === "number" && Number.isFinite(value)) return value;
    if (typeof value === "string" && value.trim() !== "" && Number.isFinite(Number(value))) return Number(value);
    return undefined;
}

export function stringInput(value: unknown): string | undefined {
    return typeof value === "string" && value !== "[unknown]" && value !== "[secret]" ? value : undefined;
}

export function recordInput(value: unknown): Record<string, unknown> | undefined {
    return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

export function arrayInput(value: unknown): unknown[] {
    return Array.isArray(value) ? value : [];
}

/** The provider package of a type token: `aws`, `digitalocean`, `docker`, `random`, `pulumi`, `fraud-platform`. */
export function packageOf(type: string): string {
    return type.split(":")[0] ?? type;
}

/** The resource a given input of `resource` came from, of the given type (e.g. an ECS service's task definition). */
export function inputSource(resource: ReportResource, input: string, type: string, byUrn: Map<string, ReportResource>): ReportResource | undefined {
    const fromInput = (resource.propertyDependencies[input] ?? []).map((u) => byUrn.get(u)).find((r) => r?.type === type);
    return fromInput ?? resource.dependencies.map((u) => byUrn.get(u)).find((r) => r?.type === type);
}
