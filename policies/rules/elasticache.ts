import { productionDefaults, productionSchemas, resourceRule, settings } from "../lib/define";
import { aws } from "../lib/types";
import { peek, productionStatus } from "../lib/values";

/**
 * The inputs the rules read (@pulumi/aws 7) of `aws.elasticache.ReplicationGroup`, `aws.elasticache.Cluster`,
 * `aws.elasticache.ServerlessCache` and `aws.memorydb.Cluster`.
 */
interface CacheProps {
    engine?: string;
    snapshotRetentionLimit?: number;
    automaticFailoverEnabled?: boolean;
    multiAzEnabled?: boolean;
    /** Replication group, cluster mode disabled: the primary plus replicas. */
    numCacheClusters?: number;
    /** Replication group, cluster mode enabled (and MemoryDB): shards, each with this many replicas. */
    numNodeGroups?: number;
    replicasPerNodeGroup?: number;
    /** ElastiCache cluster: set when the node belongs to a replication group, whose settings then apply. */
    replicationGroupId?: string;
    /** ElastiCache cluster: nodes (memcached only takes more than one). */
    numCacheNodes?: number;
    finalSnapshotIdentifier?: string;
    atRestEncryptionEnabled?: boolean;
    kmsKeyId?: string;
    /** MemoryDB. */
    numShards?: number;
    numReplicasPerShard?: number;
    finalSnapshotName?: string;
}

/** Memcached keeps nothing on disk and takes no snapshots: there is no data to back up, by design. */
const isMemcached = (props: CacheProps) => (props.engine ?? "").toLowerCase() === "memcached";
/** An `aws.elasticache.Cluster` that is a node of a replication group: the group's rules cover it. */
const inReplicationGroup = (props: CacheProps) => peek(() => props.replicationGroupId) !== undefined;

function replicationGroupNodes(props: CacheProps): number {
    if (props.numNodeGroups !== undefined || props.replicasPerNodeGroup !== undefined) {
        return (props.numNodeGroups ?? 1) * (1 + (props.replicasPerNodeGroup ?? 0));
    }
    return props.numCacheClusters ?? 1;
}

const snapshotTypes = [aws.replicationGroup, aws.elasticacheCluster, aws.serverlessCache, aws.memorydbCluster];

export const elasticacheSnapshotRetention = resourceRule<{ minimumRetentionDays: number }, CacheProps>({
    name: "elasticache-snapshot-retention",
    description: "ElastiCache Redis and Valkey replication groups, standalone clusters and serverless caches, and MemoryDB clusters, keep automatic snapshots for at least the configured number of days.",
    enforcementLevel: "mandatory",
    severity: "high",
    remediation: "Set `snapshotRetentionLimit` to at least the minimum (the cache `snapshotRetentionDays` config of this project) and a `snapshotWindow` (`dailySnapshotTime` on a serverless cache).",
    settings: settings(
        { minimumRetentionDays: 1 },
        { minimumRetentionDays: { type: "integer", minimum: 1, maximum: 35, description: "Fewest days of automatic snapshots a cache may keep." } },
    ),
    types: snapshotTypes,
    validate({ props, settings: { minimumRetentionDays }, violation }) {
        if (isMemcached(props) || inReplicationGroup(props)) return;
        // ElastiCache's default is 0, no snapshots (AWS API reference, CreateReplicationGroup / CreateCacheCluster /
        // CreateServerlessCache `SnapshotRetentionLimit`); MemoryDB's is left to the service, so it must be stated.
        const days = props.snapshotRetentionLimit ?? 0;
        if (days < minimumRetentionDays) {
            violation(`snapshotRetentionLimit is ${props.snapshotRetentionLimit ?? "not set"} (${days === 0 ? "automatic snapshots off" : `${days} day(s)`}); at least ${minimumRetentionDays} required.`);
        }
    },
});

export const elasticacheFinalSnapshot = resourceRule<Record<string, never>, CacheProps>({
    name: "elasticache-final-snapshot",
    description: "Deleting an ElastiCache Redis or Valkey replication group or cluster, or a MemoryDB cluster, takes a final snapshot first.",
    enforcementLevel: "mandatory",
    severity: "high",
    remediation: "Set `finalSnapshotIdentifier` (`finalSnapshotName` on MemoryDB), e.g. `<name>-final`: without it a delete or replacement discards the data.",
    settings: settings({}, {}),
    types: [aws.replicationGroup, aws.elasticacheCluster, aws.memorydbCluster],
    validate({ props, args, violation }) {
        if (isMemcached(props) || inReplicationGroup(props)) return;
        const key = args.type === aws.memorydbCluster ? "finalSnapshotName" : "finalSnapshotIdentifier";
        // A name computed from other resources is unknown in a preview, but it is set: only absent or empty fails.
        const name = peek(() => props[key]);
        if (name === undefined || name === "") {
            violation(`${key} is not set: deleting or replacing the cache discards its data with no snapshot.`);
        }
    },
});

export const elasticacheEncryptionAtRest = resourceRule<{ requireCustomerManagedKey: boolean }, CacheProps>({
    name: "elasticache-encryption-at-rest",
    description: "ElastiCache replication groups encrypt their data at rest, and so their snapshots and backups.",
    enforcementLevel: "mandatory",
    severity: "high",
    remediation: "Set `atRestEncryptionEnabled: true` (and `kmsKeyId` when a customer-managed key is required). It cannot be turned on later without replacing the group.",
    settings: settings(
        { requireCustomerManagedKey: false },
        { requireCustomerManagedKey: { type: "boolean", description: "Require a customer-managed KMS key (`kmsKeyId`) rather than the AWS-managed one." } },
    ),
    types: [aws.replicationGroup],
    validate({ props, settings: { requireCustomerManagedKey }, violation }) {
        // Unset means off for Redis and on for Valkey (terraform-provider-aws
        // website/docs/r/elasticache_replication_group.html.markdown, `at_rest_encryption_enabled`).
        const encrypted = props.atRestEncryptionEnabled ?? (props.engine ?? "redis").toLowerCase() === "valkey";
        if (!encrypted) {
            violation(`atRestEncryptionEnabled is ${props.atRestEncryptionEnabled ?? "not set (off for redis)"}: the data, its snapshots and backups are stored unencrypted.`);
        } else if (requireCustomerManagedKey && !props.kmsKeyId) {
            violation("kmsKeyId is not set: data at rest is encrypted with the AWS-managed key, not a customer-managed one.");
        }
    },
});

type FailoverSettings = typeof productionDefaults & { requireMultiAz: boolean; minimumProductionNodes: number };

export const elasticacheAutomaticFailover = resourceRule<FailoverSettings, CacheProps>({
    name: "elasticache-automatic-failover",
    description: "ElastiCache replication groups with more than one node fail over to a replica automatically; production caches have a replica to fail over to.",
    enforcementLevel: "mandatory",
    severity: "high",
    remediation: "Production: a replication group with at least one replica (this project: `cache.nodeCount` ≥ 2). Set `automaticFailoverEnabled: true` (and `multiAzEnabled: true`) whenever the group has replicas.",
    settings: settings(
        { ...productionDefaults, requireMultiAz: false, minimumProductionNodes: 2 },
        {
            ...productionSchemas,
            requireMultiAz: { type: "boolean", description: "Also require `multiAzEnabled`, so the replica that takes over is in another availability zone." },
            minimumProductionNodes: { type: "integer", minimum: 2, maximum: 6, description: "Fewest nodes (primary plus replicas) a production replication group may have." },
        },
    ),
    types: [aws.replicationGroup, aws.elasticacheCluster],
    validate({ props, args, settings: s, violation }) {
        if (isMemcached(props) || inReplicationGroup(props)) return;
        const status = productionStatus(s);
        if (args.type === aws.elasticacheCluster) {
            // A standalone Redis/Valkey cluster is one node: no replica, no failover.
            if (status.production) violation(`a standalone cache cluster is a single node on ${status.reason}: a node failure or maintenance loses the cache and stops writes; use a replication group with replicas.`);
            return;
        }
        const nodes = replicationGroupNodes(props);
        if (status.production && nodes < s.minimumProductionNodes) {
            violation(`the group has ${nodes} node(s) on ${status.reason}: with no replica a node failure or maintenance loses the cache and stops writes; at least ${s.minimumProductionNodes} required.`);
            return;
        }
        if (nodes < 2) return;
        if (props.automaticFailoverEnabled !== true) {
            violation(`automaticFailoverEnabled is ${props.automaticFailoverEnabled ?? "not set"} with ${nodes} nodes: when the primary fails, writes stop until someone promotes a replica.`);
        } else if (s.requireMultiAz && props.multiAzEnabled !== true) {
            violation(`multiAzEnabled is ${props.multiAzEnabled ?? "not set"}: the replica that takes over may share the primary's availability zone.`);
        }
    },
});
