/**
 * A model of how long a first `pulumi up` takes: the engine creates a resource as soon as everything it
 * waits for exists, so the deploy takes as long as the slowest chain of dependencies, each resource
 * counted at a typical creation time for its type and inputs (creationTimes.ts, the one table). Used by the
 * tests (the first deploy must not be serialised behind the database) and by `npm run report`.
 */
import { creationTime, type CreationRule, type CreationTime } from "./creationTimes";

export { creationTime, quickCreation, typicalCreationTimes, type CreationRule, type CreationTime } from "./creationTimes";

/** What the model needs of a registered resource (a subset of the emulator's RecordedResource). */
export interface GraphResource {
    urn: string;
    type: string;
    custom: boolean;
    /** Parent URN; empty for the stack. */
    parent: string;
    dependencies: string[];
    propertyDependencies: Record<string, string[]>;
    /** Inputs, for the creation times that depend on them (Multi-AZ, grace periods, jobs); absent: defaults. */
    inputs?: Record<string, unknown>;
}

/**
 * Extra seconds per URN suffix, on top of the type's time, for resources whose URN ends with the key (the
 * api's deployment also runs the migration task through its lifecycle hook). `times` replaces the
 * creation-time table (e.g. without a type); `timeOf` replaces the lookup altogether (the report's rollout
 * model times each changed resource by its rollout stages).
 */
export interface DeployTimeOptions {
    extraSeconds?: Record<string, number>;
    times?: Readonly<Record<string, CreationRule>>;
    timeOf?: (resource: GraphResource) => CreationTime;
}

export interface DeployTimeModel {
    /** Seconds until the last resource exists. */
    totalSeconds: number;
    /** The single slowest resource and its own time. */
    slowest: { urn: string; type: string; seconds: number; source: string };
    /** `totalSeconds / slowest.seconds`. */
    ratio: number;
    /** The chain that decides the total, first to last. */
    criticalPath: { urn: string; type: string; startSeconds: number; finishSeconds: number; source: string }[];
    /** Finish time of each custom resource. */
    finish: Map<string, number>;
}

/**
 * What each custom resource waits for: its dependencies and property dependencies (a component stands for
 * every custom resource under it), its custom ancestors, and whatever its ancestor components depend on.
 */
export function waitsFor(resources: GraphResource[]): Map<string, Set<string>> {
    const byUrn = new Map(resources.map((r) => [r.urn, r]));
    const children = new Map<string, GraphResource[]>();
    for (const r of resources) children.set(r.parent, [...(children.get(r.parent) ?? []), r]);
    const customsUnder = (urn: string, seen = new Set<string>()): string[] => {
        if (seen.has(urn)) return [];
        seen.add(urn);
        return (children.get(urn) ?? []).flatMap((child) => (child.custom ? [child.urn, ...customsUnder(child.urn, seen)] : customsUnder(child.urn, seen)));
    };
    const expand = (urn: string): string[] => {
        const target = byUrn.get(urn);
        if (target === undefined) return [];
        return target.custom ? [urn] : customsUnder(urn);
    };
    const graph = new Map<string, Set<string>>();
    for (const r of resources.filter((x) => x.custom)) {
        const direct = [...r.dependencies, ...Object.values(r.propertyDependencies).flat()];
        // A child is registered only once its parent's registration has returned: for a custom parent that is
        // its creation, for a component it is after everything the component depends on (its `dependsOn`).
        for (let ancestor = byUrn.get(r.parent); ancestor !== undefined; ancestor = byUrn.get(ancestor.parent)) {
            if (ancestor.custom) direct.push(ancestor.urn);
            else direct.push(...ancestor.dependencies, ...Object.values(ancestor.propertyDependencies).flat());
        }
        graph.set(r.urn, new Set(direct.flatMap(expand).filter((urn) => urn !== r.urn)));
    }
    return graph;
}

/** True when `from` waits, directly or through others, for `to`. */
export function waitsTransitively(graph: Map<string, Set<string>>, from: string, to: string): boolean {
    const seen = new Set<string>();
    const stack = [from];
    while (stack.length > 0) {
        const urn = stack.pop()!;
        for (const next of graph.get(urn) ?? []) {
            if (next === to) return true;
            if (!seen.has(next)) {
                seen.add(next);
                stack.push(next);
            }
        }
    }
    return false;
}

/** The first deploy of these resources, every one created as soon as what it waits for exists. */
export function modelFirstDeploy(resources: GraphResource[], options: DeployTimeOptions = {}): DeployTimeModel {
    const graph = waitsFor(resources);
    const byUrn = new Map(resources.map((r) => [r.urn, r]));
    const typeOf = (urn: string) => byUrn.get(urn)?.type ?? "";
    const timeOf = options.timeOf ?? ((resource: GraphResource) => creationTime(resource, options.times));
    const ownTimes = new Map<string, CreationTime>();
    const ownTime = (urn: string): CreationTime => {
        let known = ownTimes.get(urn);
        if (known === undefined) {
            const resource = byUrn.get(urn);
            const base = resource ? timeOf(resource) : { seconds: 0, source: "not registered" };
            const extra = Object.entries(options.extraSeconds ?? {}).find(([suffix]) => urn.endsWith(suffix))?.[1] ?? 0;
            known = extra === 0 ? base : { seconds: base.seconds + extra, source: `${base.source}; plus ${extra} s` };
            ownTimes.set(urn, known);
        }
        return known;
    };
    const own = (urn: string) => ownTime(urn).seconds;
    const finish = new Map<string, number>();
    const via = new Map<string, string | undefined>();
    const visiting = new Set<string>();
    const finishOf = (urn: string): number => {
        const known = finish.get(urn);
        if (known !== undefined) return known;
        if (visiting.has(urn)) throw new Error(`dependency cycle through ${urn}`);
        visiting.add(urn);
        let start = 0;
        let latest: string | undefined;
        for (const dependency of graph.get(urn) ?? []) {
            const done = finishOf(dependency);
            if (done > start) {
                start = done;
                latest = dependency;
            }
        }
        visiting.delete(urn);
        finish.set(urn, start + own(urn));
        via.set(urn, latest);
        return start + own(urn);
    };
    for (const urn of graph.keys()) finishOf(urn);

    const [lastUrn, totalSeconds] = [...finish].reduce((best, entry) => (entry[1] > best[1] ? entry : best), ["", 0] as [string, number]);
    const slowestUrn = [...graph.keys()].reduce((best, urn) => (own(urn) > own(best) ? urn : best), [...graph.keys()][0] ?? "");
    const criticalPath: DeployTimeModel["criticalPath"] = [];
    for (let urn: string | undefined = lastUrn; urn !== undefined && urn !== ""; urn = via.get(urn)) {
        criticalPath.unshift({ urn, type: typeOf(urn), startSeconds: finish.get(urn)! - own(urn), finishSeconds: finish.get(urn)!, source: ownTime(urn).source });
    }
    const slowest = { urn: slowestUrn, type: typeOf(slowestUrn), seconds: own(slowestUrn), source: slowestUrn === "" ? "" : ownTime(slowestUrn).source };
    return { totalSeconds, slowest, ratio: slowest.seconds === 0 ? 0 : totalSeconds / slowest.seconds, criticalPath, finish };
}
