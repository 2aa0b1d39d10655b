/**
 * Plans what the engine would do to move a stack from a base state to what the program now registers:
 * create, update, replace or delete, per resource, with the properties that changed and, for a
 * replacement, the ones that force it. Both sides are runs of the emulated engine: the base is an update
 * run (what a previous `pulumi up` left, after the provider's read-back: see {@link readBack}); the
 * current one too, so values the fakes compute are comparable.
 *
 * Unknowns: in a real preview, an output of a resource being created or replaced is unknown, and every
 * input computed from it changes (the engine shows it as an update, or a replacement when it forces one).
 * The fakes compute the same ARN for a replaced resource as for the old one, so this plan treats an input
 * as changed when any resource it depends on (`propertyDependencies`) is created or replaced — the
 * engine's answer. Outputs of a resource that is only updated stay as they were, as the bridge plans them.
 */
import { urnOf, type RecordedResource } from "./emulator";
import { ignoredTimeouts, semanticsOf } from "./updateSemantics";
import { isRecord, plain } from "./values";

export type ChangeOp = "create" | "update" | "replace" | "delete";

export interface PlannedChange {
    urn: string;
    type: string;
    op: ChangeOp;
    /** Top-level properties that changed (for a replacement, every changed one). */
    properties: string[];
    /** For a replacement: the properties that force it. */
    replaceReasons?: string[];
    /** The engine's error for this step (replacing or deleting a protected resource). */
    error?: string;
    /** The old URN, when the resource was found through an alias. */
    aliasOf?: string;
    deleteBeforeReplace?: boolean;
    retainOnDelete?: boolean;
}

export interface Plan {
    changes: PlannedChange[];
    /** Resources that stay as they are. */
    same: number;
    /** The engine's errors: a real preview with these fails. */
    errors: string[];
    /** What the provider would warn about (ignored custom timeouts). */
    warnings: string[];
}

/** The engine's message for a step on a protected resource. Source: pulumi/pulumi pkg/resource/deploy/step_generator.go. */
export function protectedError(op: "replace" | "delete", urn: string): string {
    return op === "replace"
        ? `unable to replace resource "${urn}"\nas it is currently marked for protection. To unprotect the resource, remove the \`protect\` flag from the resource in your Pulumi program and run \`pulumi up\``
        : `resource "${urn}" cannot be deleted\nbecause it is protected. To unprotect the resource, either remove the \`protect\` flag from the resource in your Pulumi program and run \`pulumi up\`, or use the command:\n\`pulumi state unprotect '${urn}'\``;
}

// ---------------------------------------------------------------------------------------------------
// Paths

type Segment = string | number | "*";

/** `spec.services[0].envs[*].value` → ["spec", "services", 0, "envs", "*", "value"]. */
export function parsePath(path: string): Segment[] {
    const segments: Segment[] = [];
    for (const part of path.split(".")) {
        const match = /^([^[\]]*)((?:\[(?:\d+|\*|"[^"]*")\])*)$/.exec(part);
        if (!match) {
            segments.push(part);
            continue;
        }
        if (match[1]) segments.push(match[1]);
        for (const index of match[2].matchAll(/\[(\d+|\*|"[^"]*")\]/g)) {
            const raw = index[1];
            segments.push(raw === "*" ? "*" : raw.startsWith('"') ? raw.slice(1, -1) : Number(raw));
        }
    }
    return segments;
}

/** Whether `prefix` (a set path with `[*]`) matches the beginning of `segments` (names, indices or `*`). */
function startsWithSet(segments: Segment[], setPath: Segment[]): boolean {
    if (segments.length <= setPath.length) return false;
    return setPath.every((s, i) => s === segments[i] || (s === "*" && typeof segments[i] === "number") || (s === "*" && segments[i] === "*"));
}

/** A positional path into a set does nothing (pulumi/pulumi-terraform-bridge#1756): true when the path indexes a set by position. */
export function indexesIntoSet(type: string, path: string): boolean {
    const sets = (semanticsOf(type)?.sets ?? []).map(parsePath);
    const segments = parsePath(path);
    return sets.some((set) => startsWithSet(segments, set) && typeof segments[set.length] === "number");
}

/** Copies `from`'s value at the path into `to` (both plain values), for every match of `*`. */
function copyAt(to: unknown, from: unknown, segments: Segment[]): unknown {
    if (segments.length === 0) return from;
    const [head, ...rest] = segments;
    if (head === "*") {
        if (!Array.isArray(to) || !Array.isArray(from)) return to;
        return to.map((item, i) => (i < from.length ? copyAt(item, from[i], rest) : item));
    }
    if (typeof head === "number") {
        if (!Array.isArray(to)) return to;
        const out = [...to];
        const fromItem = Array.isArray(from) ? from[head] : undefined;
        if (rest.length === 0) {
            if (fromItem === undefined) out.splice(head, 1);
            else out[head] = fromItem;
        } else if (head < out.length) {
            out[head] = copyAt(out[head], fromItem, rest);
        }
        return out;
    }
    const toRecord = isRecord(to) ? to : {};
    const fromValue = isRecord(from) ? from[head] : undefined;
    const out = { ...toRecord };
    if (rest.length === 0) {
        if (fromValue === undefined) delete out[head];
        else out[head] = fromValue;
    } else if (head in out || fromValue !== undefined) {
        out[head] = copyAt(out[head], fromValue, rest);
    }
    return out;
}

/** Removes the value at the path (every match of `*`). */
function removeAt(value: unknown, segments: Segment[]): unknown {
    if (segments.length === 0) return undefined;
    const [head, ...rest] = segments;
    if (head === "*" || typeof head === "number") {
        if (!Array.isArray(value)) return value;
        return value.map((item, i) => (head === "*" || head === i ? removeAt(item, rest) : item)).filter((item) => item !== undefined);
    }
    if (!isRecord(value) || !(head in value)) return value;
    const out = { ...value };
    if (rest.length === 0) delete out[head];
    else out[head] = removeAt(out[head], rest);
    return out;
}

// ---------------------------------------------------------------------------------------------------
// Comparing

/** Canonical JSON: keys sorted, set-typed collections sorted by their elements' JSON. */
function canonical(value: unknown, at: Segment[], sets: Segment[][]): string {
    if (Array.isArray(value)) {
        const items = value.map((item) => canonical(item, [...at, 0], sets));
        if (sets.some((set) => set.length === at.length && set.every((s, i) => s === at[i] || (s === "*" && typeof at[i] === "number")))) items.sort();
        return `[${items.join(",")}]`;
    }
    if (isRecord(value)) {
        return `{${Object.keys(value)
            .sort()
            .filter((key) => value[key] !== undefined)
            .map((key) => `${JSON.stringify(key)}:${canonical(value[key], [...at, key], sets)}`)
            .join(",")}}`;
    }
    return JSON.stringify(value ?? null);
}

function topLevelChanges(type: string, oldInputs: Record<string, unknown>, newInputs: Record<string, unknown>): string[] {
    const sets = (semanticsOf(type)?.sets ?? []).map(parsePath);
    const keys = new Set([...Object.keys(oldInputs), ...Object.keys(newInputs)]);
    return [...keys].filter((key) => canonical(oldInputs[key], [key], sets) !== canonical(newInputs[key], [key], sets)).sort();
}

/** The resource's inputs with its `ignoreChanges` applied: old values where the program asks to keep them. */
function withIgnoredChanges(resource: RecordedResource, oldInputs: Record<string, unknown>, newInputs: Record<string, unknown>): Record<string, unknown> {
    let result: unknown = newInputs;
    for (const path of resource.ignoreChanges) {
        if (indexesIntoSet(resource.type, path)) continue; // does nothing in the bridge (pulumi-terraform-bridge#1756)
        result = copyAt(result, oldInputs, parsePath(path));
    }
    return result as Record<string, unknown>;
}

function replaceReasons(resource: RecordedResource, changed: string[], oldInputs: Record<string, unknown>, newInputs: Record<string, unknown>): string[] {
    const semantics = semanticsOf(resource.type);
    const forced = semantics?.replaceOn ?? [];
    const conditional = semantics?.replaceWhen ?? {};
    const option = resource.replaceOnChanges.map((p) => String(parsePath(p)[0]));
    return changed.filter(
        (key) => forced.includes("*") || forced.includes(key) || option.includes("*") || option.includes(key) || conditional[key]?.(oldInputs[key], newInputs[key]) === true,
    );
}

// ---------------------------------------------------------------------------------------------------
// Aliases

/** The URNs a registration's aliases name. */
export function aliasUrns(resource: RecordedResource): string[] {
    const parts = resource.urn.split("::");
    const stack = parts[0].slice("urn:pulumi:".length);
    const project = parts[1];
    return resource.aliases.flatMap((alias) => {
        if (!isRecord(alias)) return [];
        if (typeof alias.urn === "string" && alias.urn !== "") return [alias.urn];
        const spec = isRecord(alias.spec) ? alias.spec : undefined;
        if (!spec) return [];
        const parent = spec.noparent === true ? "" : typeof spec.parenturn === "string" && spec.parenturn !== "" ? spec.parenturn : resource.parent;
        const name = typeof spec.name === "string" && spec.name !== "" ? spec.name : resource.name;
        const type = typeof spec.type === "string" && spec.type !== "" ? spec.type : resource.type;
        const aliasStack = typeof spec.stack === "string" && spec.stack !== "" ? spec.stack : stack;
        const aliasProject = typeof spec.project === "string" && spec.project !== "" ? spec.project : project;
        return [urnOf(parent, type, name).replace(/^urn:pulumi:[^:]*::[^:]*::/, `urn:pulumi:${aliasStack}::${aliasProject}::`)];
    });
}

// ---------------------------------------------------------------------------------------------------
// Read-back and planning

/**
 * The state a `pulumi up` of these registrations leaves: each resource's inputs as the provider reads
 * them back. Properties the provider does not read back are absent, so the next plan sees them change.
 */
export function readBack(resources: RecordedResource[]): RecordedResource[] {
    return resources.map((resource) => {
        const semantics = semanticsOf(resource.type);
        const notReadBack = semantics?.notReadBack ?? [];
        const encrypted = semantics?.secretEnvsReadBackEncrypted ?? [];
        if (notReadBack.length === 0 && encrypted.length === 0) return resource;
        let inputs: unknown = plain(resource.inputs);
        for (const path of notReadBack) inputs = removeAt(inputs, parsePath(path));
        for (const path of encrypted) inputs = mapAt(inputs, parsePath(path), encryptSecretEnvs);
        return { ...resource, inputs: inputs as Record<string, unknown> };
    });
}

/** What the App Platform API returns for a SECRET variable: an encrypted form, never the value sent. */
function encryptSecretEnvs(envs: unknown): unknown {
    if (!Array.isArray(envs)) return envs;
    return envs.map((env) => (isRecord(env) && env.type === "SECRET" && typeof env.value === "string" ? { ...env, value: `EV[1:${Buffer.from(env.value).toString("base64").slice(0, 12)}]` } : env));
}

/** Applies `transform` to the value at the path (every match of `*`). */
function mapAt(value: unknown, segments: Segment[], transform: (value: unknown) => unknown): unknown {
    if (segments.length === 0) return transform(value);
    const [head, ...rest] = segments;
    if (head === "*" || typeof head === "number") {
        if (!Array.isArray(value)) return value;
        return value.map((item, i) => (head === "*" || head === i ? mapAt(item, rest, transform) : item));
    }
    if (!isRecord(value) || !(head in value)) return value;
    return { ...value, [head]: mapAt(value[head], rest, transform) };
}

/** Plans the steps from `base` (a state, see {@link readBack}) to `current` (a run of the program). */
export function planChanges(base: RecordedResource[], current: RecordedResource[]): Plan {
    const oldByUrn = new Map(base.map((r) => [r.urn, r]));
    const matched = new Set<string>();
    const changes: PlannedChange[] = [];
    const errors: string[] = [];
    const warnings: string[] = [];
    /** URNs whose outputs are unknown in the plan: created or replaced. */
    const fresh = new Set<string>();
    let same = 0;

    for (const resource of current) {
        const aliasTarget = oldByUrn.has(resource.urn) ? undefined : aliasUrns(resource).find((urn) => oldByUrn.has(urn) && !matched.has(urn));
        const old = oldByUrn.get(resource.urn) ?? (aliasTarget ? oldByUrn.get(aliasTarget) : undefined);
        for (const kind of ignoredTimeouts(resource.type, resource.customTimeouts)) {
            warnings.push(`${resource.urn}: the ${kind} custom timeout is ignored: ${resource.type} declares no ${kind} timeout`);
        }
        if (!old) {
            fresh.add(resource.urn);
            changes.push({ urn: resource.urn, type: resource.type, op: "create", properties: Object.keys(resource.inputs).sort() });
            continue;
        }
        matched.add(old.urn);
        if (!resource.custom || resource.type.startsWith("pulumi:")) {
            same += 1;
            continue;
        }
        const oldInputs = plain(old.inputs) as Record<string, unknown>;
        const newInputs = withIgnoredChanges(resource, oldInputs, plain(resource.inputs) as Record<string, unknown>);
        const changed = new Set(topLevelChanges(resource.type, oldInputs, newInputs));
        // An input computed from a resource being created or replaced is unknown, so it changes.
        for (const [property, dependencies] of Object.entries(resource.propertyDependencies)) {
            if (dependencies.some((urn) => fresh.has(urn)) && !resource.ignoreChanges.includes(property)) changed.add(property);
        }
        if (changed.size === 0 && aliasTarget === undefined) {
            same += 1;
            continue;
        }
        if (changed.size === 0) {
            // Renamed through an alias, nothing else: the engine shows it as an update (`~ ... [aliased]`) only in the URN.
            changes.push({ urn: resource.urn, type: resource.type, op: "update", properties: [], aliasOf: aliasTarget });
            continue;
        }
        const properties = [...changed].sort();
        const reasons = replaceReasons(resource, properties, oldInputs, newInputs);
        if (reasons.length > 0) {
            fresh.add(resource.urn);
            const change: PlannedChange = { urn: resource.urn, type: resource.type, op: "replace", properties, replaceReasons: reasons, deleteBeforeReplace: resource.deleteBeforeReplace || undefined, aliasOf: aliasTarget };
            if (old.protect || resource.protect) {
                change.error = protectedError("replace", old.urn);
                errors.push(change.error);
            }
            changes.push(change);
        } else {
            changes.push({ urn: resource.urn, type: resource.type, op: "update", properties, aliasOf: aliasTarget });
        }
    }
    for (const old of base) {
        if (matched.has(old.urn)) continue;
        const change: PlannedChange = { urn: old.urn, type: old.type, op: "delete", properties: [], retainOnDelete: old.retainOnDelete || undefined };
        if (old.protect) {
            change.error = protectedError("delete", old.urn);
            errors.push(change.error);
        }
        changes.push(change);
    }
    return { changes, same, errors, warnings };
}

// ---------------------------------------------------------------------------------------------------
// Rendering

const symbols: Record<ChangeOp, string> = { create: "+", update: "~", replace: "+-", delete: "-" };

/** The plan as the CLI prints a preview: one line per step, then the summary. */
export function formatPlan(stack: string, plan: Plan): string {
    const lines = [`Previewing update (${stack}):`, ""];
    for (const change of plan.changes) {
        const name = change.urn.split("::").pop() ?? change.urn;
        let detail = "";
        if (change.op === "update" && change.properties.length > 0) detail = ` [diff: ~${change.properties.join(",")}]`;
        if (change.op === "replace") detail = ` [diff: ~${change.properties.join(",")}; replace: ${change.replaceReasons?.join(",")}]${change.deleteBeforeReplace ? " [delete before replace]" : ""}`;
        if (change.op === "delete" && change.retainOnDelete) detail = " [retain]";
        if (change.aliasOf) detail += ` [aliased from ${change.aliasOf.split("::").pop()}]`;
        lines.push(` ${symbols[change.op].padEnd(2)} ${change.type} ${name} ${change.op}${detail}${change.error ? "  error: protected" : ""}`);
    }
    for (const warning of plan.warnings) lines.push(`warning: ${warning}`);
    for (const error of plan.errors) lines.push(`error: ${error}`);
    lines.push("", "Resources:");
    const counts: [ChangeOp, string][] = [["create", "to create"], ["update", "to update"], ["replace", "to replace"], ["delete", "to delete"]];
    for (const [op, label] of counts) {
        const count = plan.changes.filter((c) => c.op === op).length;
        if (count > 0) lines.push(`    ${symbols[op]} ${count} ${label}`);
    }
    const total = plan.changes.length + plan.same;
    lines.push(`    ${plan.changes.length} change${plan.changes.length === 1 ? "" : "s"}. ${plan.same} unchanged${total === 0 ? "" : ""}`);
    return lines.join("\n");
}

export interface PlanDocument {
    stack: string;
    changes: { urn: string; type: string; op: ChangeOp; properties: string[]; replaceReasons?: string[]; error?: string }[];
    errors: string[];
    warnings: string[];
}

export function planDocument(stack: string, plan: Plan): PlanDocument {
    return {
        stack,
        changes: plan.changes.map((c) => ({ urn: c.urn, type: c.type, op: c.op, properties: c.properties, ...(c.replaceReasons ? { replaceReasons: c.replaceReasons } : {}), ...(c.error ? { error: c.error } : {}) })),
        errors: plan.errors,
        warnings: plan.warnings,
    };
}

