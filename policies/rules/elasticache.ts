import { resourceRule, settings } from "../lib/define";
import { aws } from "../lib/types";

/** The inputs of `aws.elasticache.ReplicationGroup` that the rules read (@pulumi/aws 7). */
interface ReplicationGroupProps {
    engine?: string;
    snapshotRetentionLimit?: number;
    automaticFailoverEnabled?: boolean;
    multiAzEnabled?: boolean;
    /** Cluster mode disabled: the primary plus replicas. */
    numCacheClusters?: number;
    /** Cluster mode enabled: shards, each with this many replicas. */
    numNodeGroups?: number;
    replicasPerNodeGroup?: number;
}

function nodeCount(props: ReplicationGroupProps): number {
    if (props.numNodeGroups !== undefined || props.replicasPerNodeGroup !== undefined) {
        return (props.numNodeGroups ?? 1) * (1 + (props.replicasPerNodeGroup ?? 0));
    }
    return props.numCacheClusters ?? 1;
}

export const elasticacheSnapshotRetention = resourceRule<{ minimumRetentionDays: number }, ReplicationGroupProps>({
    name: "elasticache-snapshot-retention",
    description: "ElastiCache Redis and Valkey replication groups keep automatic snapshots for at least the configured number of days.",
    enforcementLevel: "mandatory",
    severity: "high",
    remediation: "Set `snapshotRetentionLimit` to at least the minimum (the cache `snapshotRetentionDays` config of this project) and a `snapshotWindow`.",
    settings: settings(
        { minimumRetentionDays: 1 },
        { minimumRetentionDays: { type: "integer", minimum: 1, maximum: 35, description: "Fewest days of automatic snapshots a replication group may keep." } },
    ),
    types: [aws.replicationGroup],
    validate({ props, settings: { minimumRetentionDays }, violation }) {
        const days = props.snapshotRetentionLimit ?? 0;
        if (days < minimumRetentionDays) {
            violation(`snapshotRetentionLimit is ${props.snapshotRetentionLimit ?? "not set"} (${days === 0 ? "automatic snapshots off" : `${days} day(s)`}); at least ${minimumRetentionDays} required.`);
        }
    },
});

export const elasticacheAutomaticFailover = resourceRule<{ requireMultiAz: boolean }, ReplicationGroupProps>({
    name: "elasticache-automatic-failover",
    description: "ElastiCache replication groups with more than one node fail over to a replica automatically.",
    enforcementLevel: "mandatory",
    severity: "high",
    remediation: "Set `automaticFailoverEnabled: true` (and `multiAzEnabled: true`) whenever the group has replicas.",
    settings: settings(
        { requireMultiAz: false },
        { requireMultiAz: { type: "boolean", description: "Also require `multiAzEnabled`, so the replica that takes over is in another availability zone." } },
    ),
    types: [aws.replicationGroup],
    validate({ props, settings: { requireMultiAz }, violation }) {
        const nodes = nodeCount(props);
        if (nodes < 2) return;
        if (props.automaticFailoverEnabled !== true) {
            violation(`automaticFailoverEnabled is ${props.automaticFailoverEnabled ?? "not set"} with ${nodes} nodes: when the primary fails, writes stop until someone promotes a replica.`);
        } else if (requireMultiAz && props.multiAzEnabled !== true) {
            violation(`multiAzEnabled is ${props.multiAzEnabled ?? "not set"}: the replica that takes over may share the primary's availability zone.`);
        }
    },
});
