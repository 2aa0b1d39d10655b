/**
 * A model of how long a first `pulumi up` takes: the engine creates a resource as soon as everything it
 * waits for exists, so the deploy takes as long as the slowest chain of dependencies, each resource
 * counted at a typical creation time for its type. Used by the tests (the first deploy must not be
 * serialised behind the database) and reusable for a report.
 */

/** What the model needs of a registered resource (a subset of the emulator's RecordedResource). */
export interface GraphResource {
    urn: string;
    type: string;
    custom: boolean;
    /** Parent URN; empty for the stack. */
    parent: string;
    dependencies: string[];
    propertyDependencies: Record<string, string[]>;
}

export interface CreationTime {
    seconds: number;
    /** Why this figure: a document, or what the figure is made of. */
    source: string;
}

/**
 * Typical creation times, in seconds, of the types that take long enough to matter; every other type is an
 * API call or two ({@link quickCreation}). Typical means the median a team sees, not the provider's timeout.
 */
export const typicalCreationTimes: Readonly<Record<string, CreationTime>> = {
    "aws:rds/instance:Instance": {
        seconds: 15 * 60,
        source: "Multi-AZ PostgreSQL on gp3: about 15 minutes (issue 9; RDS creates the primary, then the standby by snapshot and sync). Provider create timeout 40 m: terraform-provider-aws internal/service/rds/instance.go",
    },
    "aws:elasticache/replicationGroup:ReplicationGroup": {
        seconds: 12 * 60,
        source: "Redis, 3 nodes, Multi-AZ with encryption: 10-15 minutes (primary, then replicas). Provider create timeout 60 m: terraform-provider-aws internal/service/elasticache/replication_group.go",
    },
    "aws:rds/snapshot:Snapshot": {
        seconds: 5 * 60,
        source: "A manual snapshot of a small instance; the provider waits until it is available (terraform-provider-aws internal/service/rds/snapshot.go, create timeout 20 m)",
    },
    "aws:lb/loadBalancer:LoadBalancer": {
        seconds: 3 * 60,
        source: "ALB from provisioning to active, which the provider waits for (terraform-provider-aws internal/service/elbv2/load_balancer.go, waitLoadBalancerActive)",
    },
    "aws:ec2/natGateway:NatGateway": {
        seconds: 2 * 60,
        source: "NAT gateway from pending to available, which the provider waits for (terraform-provider-aws internal/service/ec2/vpc_nat_gateway.go)",
    },
    "aws:ec2/vpcEndpoint:VpcEndpoint": {
        seconds: 2 * 60,
        source: "Interface endpoint from pending to available (terraform-provider-aws internal/service/ec2/vpc_endpoint.go, waitVPCEndpointAvailable)",
    },
    "aws:servicediscovery/httpNamespace:HttpNamespace": {
        seconds: 60,
        source: "Cloud Map creates namespaces asynchronously; the provider polls the operation (terraform-provider-aws internal/service/servicediscovery/http_namespace.go)",
    },
    "aws:ecs/service:Service": {
        seconds: 2 * 60,
        source:
            "With waitForSteadyState: Fargate tasks provisioned, image pulled and started (about a minute), then health checks (2 × 10 s) and Service Connect registration",
    },
    "aws:lambda/function:Function": { seconds: 10, source: "CreateFunction, then the provider waits for State Active (a few seconds)" },
    "aws:iam/role:Role": { seconds: 5, source: "CreateRole plus the provider's wait for IAM propagation" },
};

/** Everything not in {@link typicalCreationTimes}: one or two API calls. */
export const quickCreation: CreationTime = { seconds: 5, source: "a create call or two" };

/**
 * Extra seconds per service URN suffix (the api's deployment also runs the migration task through its
 * lifecycle hook). Applied on top of the type's time for resources whose name ends with the key.
 */
export interface DeployTimeOptions {
    extraSeconds?: Record<string, number>;
    times?: Readonly<Record<string, CreationTime>>;
}

export interface DeployTimeModel {
    /** Seconds until the last resource exists. */
    totalSeconds: number;
    /** The single slowest resource and its own time. */
    slowest: { urn: string; type: string; seconds: number };
    /** `totalSeconds / slowest.seconds`. */
    ratio: number;
    /** The chain that decides the total, first to last. */
    criticalPath: { urn: string; type: string; startSeconds: number; finishSeconds: number }[];
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
    const times = options.times ?? typicalCreationTimes;
    const graph = waitsFor(resources);
    const typeOf = new Map(resources.map((r) => [r.urn, r.type]));
    const own = (urn: string) => {
        const base = (times[typeOf.get(urn) ?? ""] ?? quickCreation).seconds;
        const extra = Object.entries(options.extraSeconds ?? {}).find(([suffix]) => urn.endsWith(suffix))?.[1] ?? 0;
        return base + extra;
    };
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
        criticalPath.unshift({ urn, type: typeOf.get(urn) ?? "", startSeconds: finish.get(urn)! - own(urn), finishSeconds: finish.get(urn)! });
    }
    const slowest = { urn: slowestUrn, type: typeOf.get(slowestUrn) ?? "", seconds: own(slowestUrn) };
    return { totalSeconds, slowest, ratio: slowest.seconds === 0 ? 0 : totalSeconds / slowest.seconds, criticalPath, finish };
}
