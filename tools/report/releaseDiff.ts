/**
 * What a change touches: the engine's plan (tools/engine/diff.ts, the `--base` diff of `npm run preview`)
 * from the state a `pulumi up` of the base left (its read-back) to the changed program, resource by
 * resource, with the names the report shows.
 */
import type { RecordedResource } from "../engine/emulator";
import { planChanges, readBack, type ChangeOp } from "../engine/diff";

export type { ChangeOp };

export interface ResourceChange {
    urn: string;
    type: string;
    name: string;
    op: ChangeOp;
    /** Top-level inputs that differ (for create/delete: none listed for delete, every input for create). */
    properties: string[];
    /** For a replacement: the properties that force it. */
    replaceReasons?: string[];
}

/** The plan from `base` (an update run; its state is what the provider reads back) to `next`. */
export function releaseChanges(base: RecordedResource[], next: RecordedResource[]): ResourceChange[] {
    const names = new Map([...base, ...next].map((r) => [r.urn, r.name]));
    return planChanges(readBack(base), next).changes.map((c) => ({
        urn: c.urn,
        type: c.type,
        name: names.get(c.urn) ?? c.urn.split("::").pop() ?? c.urn,
        op: c.op,
        properties: c.properties,
        ...(c.replaceReasons ? { replaceReasons: c.replaceReasons } : {}),
    }));
}
