/**
 * First-deploy time, modelled from the dependency graph: every resource starts once everything it depends
 * on exists (as the Pulumi engine schedules a `pulumi up`, with unbounded parallelism) and takes its type's
 * typical creation time. The longest chain is the critical path.
 *
 * Interface for the lead to rewire to tools/engine/deployTime.ts (issue 9): `estimateFirstDeploy(nodes,
 * creationTime)` with `DeployNode` in and `DeployEstimate` out; the creation-time table is a separate argument.
 */
import { creationTime, type CreationTime } from "./creationTimes";

export interface DeployNode {
    urn: string;
    type: string;
    name: string;
    /** Parent URN (components are not created; depending on one waits for its custom descendants). */
    parent: string;
    custom: boolean;
    dependencies: string[];
    inputs: Record<string, unknown>;
}

export interface DeployStep {
    urn: string;
    type: string;
    name: string;
    minutes: number;
    startMinute: number;
    basis: string;
}

export interface DeployEstimate {
    totalMinutes: number;
    /** The chain of resources that decides the total, first to last. */
    criticalPath: DeployStep[];
    /** The single slowest resource, for comparison with the total. */
    slowest: DeployStep;
}

const round1 = (n: number) => Math.round(n * 10) / 10;

export function estimateFirstDeploy(nodes: DeployNode[], timeOf: (node: DeployNode) => CreationTime = creationTime): DeployEstimate {
    const byUrn = new Map(nodes.map((n) => [n.urn, n]));
    const children = new Map<string, DeployNode[]>();
    for (const n of nodes) children.set(n.parent, [...(children.get(n.parent) ?? []), n]);
    const customDescendants = (urn: string): string[] =>
        (children.get(urn) ?? []).flatMap((c) => (c.custom ? [c.urn, ...customDescendants(c.urn)] : customDescendants(c.urn)));
    const waitsFor = (node: DeployNode): string[] =>
        node.dependencies.flatMap((d) => {
            const dep = byUrn.get(d);
            if (!dep) return [];
            return dep.custom ? [d] : customDescendants(d);
        });

    const finish = new Map<string, number>();
    const start = new Map<string, number>();
    const previous = new Map<string, string | undefined>();
    const times = new Map<string, CreationTime>();
    const visiting = new Set<string>();
    const visit = (node: DeployNode): number => {
        const done = finish.get(node.urn);
        if (done !== undefined) return done;
        if (visiting.has(node.urn)) return 0; // A cycle cannot register; guard anyway.
        visiting.add(node.urn);
        let begin = 0;
        let before: string | undefined;
        for (const dep of waitsFor(node)) {
            const depNode = byUrn.get(dep);
            if (!depNode || dep === node.urn) continue;
            const end = visit(depNode);
            if (end > begin || before === undefined) {
                if (end >= begin) before = dep;
                begin = Math.max(begin, end);
            }
        }
        const time = node.custom ? timeOf(node) : { minutes: 0, basis: "component: nothing to create" };
        times.set(node.urn, time);
        start.set(node.urn, begin);
        previous.set(node.urn, before);
        const end = begin + time.minutes;
        finish.set(node.urn, end);
        visiting.delete(node.urn);
        return end;
    };
    for (const n of nodes) visit(n);

    const customs = nodes.filter((n) => n.custom);
    const step = (urn: string): DeployStep => {
        const n = byUrn.get(urn) as DeployNode;
        const t = times.get(urn) as CreationTime;
        return { urn, type: n.type, name: n.name, minutes: round1(t.minutes), startMinute: round1(start.get(urn) ?? 0), basis: t.basis };
    };
    let last = customs[0];
    for (const n of customs) if ((finish.get(n.urn) ?? 0) > (finish.get(last?.urn ?? "") ?? -1)) last = n;
    const path: DeployStep[] = [];
    for (let urn: string | undefined = last?.urn; urn; urn = previous.get(urn)) {
        const s = step(urn);
        if (s.minutes > 0 || path.length === 0) path.unshift(s);
    }
    let slowest = customs[0];
    for (const n of customs) if ((times.get(n.urn)?.minutes ?? 0) > (times.get(slowest?.urn ?? "")?.minutes ?? -1)) slowest = n;
    return {
        totalMinutes: round1(last ? (finish.get(last.urn) ?? 0) : 0),
        criticalPath: path,
        slowest: slowest ? step(slowest.urn) : { urn: "", type: "", name: "", minutes: 0, startMinute: 0, basis: "no resources" },
    };
}
