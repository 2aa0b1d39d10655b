/**
 * What a change touches: the plan between two program runs (the base and the changed program), resource by
 * resource, as `pulumi preview --diff` shows it. Small and self-contained on purpose.
 *
 * Interface for the lead to rewire to the engine's diff model (issue 12, `npm run preview -- --base`):
 * `diffRuns(base, next)` with `RunResource[]` in and `ResourceChange[]` out.
 */
import type { RecordedResource } from "../engine/emulator";
import { displayValue } from "../engine/display";

export interface RunResource {
    urn: string;
    type: string;
    name: string;
    custom: boolean;
    inputs: Record<string, unknown>;
    /** Input name to the URNs its value came from. */
    propertyDependencies: Record<string, string[]>;
    ignoreChanges: string[];
    replaceOnChanges: string[];
}

export type ChangeOp = "create" | "update" | "replace" | "delete";

export interface ResourceChange {
    urn: string;
    type: string;
    name: string;
    op: ChangeOp;
    /** Top-level inputs that differ (for create/delete: none). */
    properties: string[];
}

export function toRunResources(recorded: RecordedResource[]): RunResource[] {
    return recorded.map((r) => ({
        urn: r.urn,
        type: r.type,
        name: r.name,
        custom: r.custom,
        inputs: displayValue(r.inputs) as Record<string, unknown>,
        propertyDependencies: r.propertyDependencies,
        ignoreChanges: r.ignoreChanges,
        replaceOnChanges: r.replaceOnChanges,
    }));
}

/**
 * Inputs whose change makes the provider replace the resource rather than update it in place ("*": all).
 * - ECS task definitions are immutable revisions: terraform-provider-aws
 *   internal/service/ecs/task_definition.go marks every argument ForceNew except tags.
 * - Docker containers: terraform-provider-docker internal/provider/resource_docker_container.go marks
 *   nearly every argument ForceNew (image, env, command, mounts, …); only a few (restart, resources) update.
 * - Docker remote images: `name` is ForceNew in resource_docker_image.go / the remote image resource.
 */
export const replaceOnChange: Record<string, string[]> = {
    "aws:ecs/taskDefinition:TaskDefinition": ["*"],
    "docker:index/container:Container": ["*"],
    "docker:index/remoteImage:RemoteImage": ["name"],
};

const inPlaceForContainers = new Set(["restart", "memory", "memorySwap", "cpuShares", "cpuSet"]);

function differs(a: unknown, b: unknown): boolean {
    return JSON.stringify(a) !== JSON.stringify(b);
}

export function diffRuns(base: RunResource[], next: RunResource[], rules: Record<string, string[]> = replaceOnChange): ResourceChange[] {
    const before = new Map(base.filter((r) => r.custom).map((r) => [r.urn, r]));
    const changes: ResourceChange[] = [];
    const replaced = new Set<string>();
    for (const r of next) {
        if (!r.custom) continue;
        const old = before.get(r.urn);
        if (!old) {
            replaced.add(r.urn);
            changes.push({ urn: r.urn, type: r.type, name: r.name, op: "create", properties: [] });
            continue;
        }
        const keys = [...new Set([...Object.keys(old.inputs), ...Object.keys(r.inputs)])].sort();
        const changed = keys.filter((k) => !r.ignoreChanges.includes(k) && differs(old.inputs[k], r.inputs[k]));
        // An input taken from a resource this plan creates or replaces changes too (the new one has a new id/ARN).
        for (const [key, deps] of Object.entries(r.propertyDependencies)) {
            if (!changed.includes(key) && !r.ignoreChanges.includes(key) && deps.some((d) => replaced.has(d))) changed.push(key);
        }
        if (changed.length === 0) continue;
        const forceNew = rules[r.type] ?? [];
        const replace =
            changed.some((k) => r.replaceOnChanges.includes(k) || r.replaceOnChanges.includes("*")) ||
            (forceNew.includes("*") ? changed.some((k) => r.type !== "docker:index/container:Container" || !inPlaceForContainers.has(k)) : changed.some((k) => forceNew.includes(k)));
        if (replace) replaced.add(r.urn);
        changes.push({ urn: r.urn, type: r.type, name: r.name, op: replace ? "replace" : "update", properties: changed.sort() });
    }
    const after = new Set(next.map((r) => r.urn));
    for (const r of base) if (r.custom && !after.has(r.urn)) changes.push({ urn: r.urn, type: r.type, name: r.name, op: "delete", properties: [] });
    return changes;
}
