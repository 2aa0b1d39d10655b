import type { PolicyResource } from "@pulumi/policy";
import { productionDefaults, productionSchemas, resourceRule, settings, stackRule } from "../lib/define";
import { aws } from "../lib/types";
import { UNKNOWN, dependsOn, knownString, label, peek, productionStatus } from "../lib/values";

/**
 * The inputs of `aws.rds.Instance`, `aws.rds.Cluster` and `aws.docdb.Cluster` that the backup rules read
 * (@pulumi/aws 7). DocumentDB clusters take the same argument names as RDS clusters.
 */
interface RdsProps {
    backupRetentionPeriod?: number;
    skipFinalSnapshot?: boolean;
    finalSnapshotIdentifier?: string;
    deletionProtection?: boolean;
    storageEncrypted?: boolean;
    kmsKeyId?: string;
    /** Set on an instance that is a read replica: replicas take no automated backups of their own. */
    replicateSourceDb?: string;
}

const rdsTypes = [aws.rdsInstance, aws.rdsCluster, aws.docdbCluster];

/**
 * Whether the instance is a read replica. The source is often another resource's identifier, unknown in a
 * preview: it is still set, so the instance is a replica.
 */
function isReadReplica(props: RdsProps): boolean {
    const source = peek(() => props.replicateSourceDb);
    return source === UNKNOWN || (typeof source === "string" && source !== "");
}

/**
 * A replica in the source's region inherits its encryption and key: its `storageEncrypted` stays unset
 * ("The replica's encryption is inherited from the source", terraform-provider-aws
 * website/docs/r/db_instance.html.markdown, `replicate_source_db`). A cross-region replica names its source by
 * ARN and needs its own `kmsKeyId` to be encrypted.
 */
function inheritsEncryption(props: RdsProps): boolean {
    const source = peek(() => props.replicateSourceDb);
    if (source === UNKNOWN) return true;
    return typeof source === "string" && source !== "" && !source.startsWith("arn:");
}

export const rdsBackupRetention = resourceRule<{ minimumRetentionDays: number }, RdsProps>({
    name: "rds-backup-retention",
    description: "RDS instances and clusters, and DocumentDB clusters, keep automated backups for at least the configured number of days.",
    enforcementLevel: "mandatory",
    severity: "critical",
    remediation: "Set `backupRetentionPeriod` to at least the minimum (the database `backupRetentionDays` config of this project).",
    settings: settings(
        { minimumRetentionDays: 7 },
        { minimumRetentionDays: { type: "integer", minimum: 1, maximum: 35, description: "Fewest days of automated backups an RDS database may keep." } },
    ),
    types: rdsTypes,
    validate({ props, settings: { minimumRetentionDays }, violation }) {
        if (isReadReplica(props)) return;
        const days = props.backupRetentionPeriod;
        if (days === undefined) {
            violation(`backupRetentionPeriod is not set, so AWS keeps 1 day of backups; at least ${minimumRetentionDays} required.`);
        } else if (days < minimumRetentionDays) {
            violation(`backupRetentionPeriod is ${days} day(s)${days === 0 ? " (automated backups off)" : ""}; at least ${minimumRetentionDays} required.`);
        }
    },
});

export const rdsFinalSnapshot = resourceRule<{ requireSnapshotIdentifier: boolean }, RdsProps>({
    name: "rds-final-snapshot",
    description: "Deleting an RDS instance or cluster, or a DocumentDB cluster, takes a final snapshot first.",
    enforcementLevel: "mandatory",
    severity: "critical",
    remediation: "Remove `skipFinalSnapshot: true` and set `finalSnapshotIdentifier` (e.g. `<name>-final`).",
    settings: settings(
        { requireSnapshotIdentifier: true },
        { requireSnapshotIdentifier: { type: "boolean", description: "Also require `finalSnapshotIdentifier`, without which AWS cannot take the snapshot on delete." } },
    ),
    types: rdsTypes,
    validate({ props, settings: { requireSnapshotIdentifier }, violation }) {
        if (isReadReplica(props)) return;
        if (props.skipFinalSnapshot === true) {
            violation("skipFinalSnapshot is true: deleting or replacing the database discards its data with no snapshot.");
            return;
        }
        if (!requireSnapshotIdentifier) return;
        // An identifier computed from other resources is unknown in a preview, but it is set: only absent or empty fails.
        const identifier = peek(() => props.finalSnapshotIdentifier);
        if (identifier === undefined || identifier === "") {
            violation("finalSnapshotIdentifier is not set: the final snapshot has no name, so the delete fails or the snapshot is skipped.");
        }
    },
});

export const rdsDeletionProtection = resourceRule<typeof productionDefaults, RdsProps>({
    name: "rds-deletion-protection",
    description: "RDS instances and clusters, and DocumentDB clusters, of production stacks have deletion protection on.",
    enforcementLevel: "mandatory",
    severity: "high",
    remediation: "Set `deletionProtection: true` on production databases.",
    settings: settings(productionDefaults, productionSchemas),
    types: rdsTypes,
    validate({ props, settings: production, violation }) {
        const status = productionStatus(production);
        if (!status.production) return;
        if (props.deletionProtection !== true) {
            violation(`deletionProtection is ${props.deletionProtection ?? "not set"} on ${status.reason}: any API call or console click can delete the database.`);
        }
    },
});

export const rdsStorageEncrypted = resourceRule<{ requireCustomerManagedKey: boolean }, RdsProps>({
    name: "rds-storage-encrypted",
    description: "RDS instances and clusters, and DocumentDB clusters, encrypt their storage, and so their snapshots.",
    enforcementLevel: "mandatory",
    severity: "high",
    remediation: "Set `storageEncrypted: true` (and `kmsKeyId` when a customer-managed key is required). Encryption cannot be added later without a snapshot restore. A read replica in its source's region inherits the source's encryption.",
    settings: settings(
        { requireCustomerManagedKey: false },
        { requireCustomerManagedKey: { type: "boolean", description: "Require a customer-managed KMS key (`kmsKeyId`) rather than the AWS-managed one." } },
    ),
    types: rdsTypes,
    validate({ props, settings: { requireCustomerManagedKey }, violation }) {
        if (isReadReplica(props) && props.storageEncrypted === undefined && inheritsEncryption(props)) return;
        if (props.storageEncrypted !== true) {
            violation(`storageEncrypted is ${props.storageEncrypted ?? "not set"}: the data and every backup of it are stored unencrypted.`);
        } else if (requireCustomerManagedKey && !props.kmsKeyId) {
            violation("kmsKeyId is not set: storage is encrypted with the AWS-managed key, not a customer-managed one.");
        }
    },
});

/** Whether a cluster instance belongs to the cluster: through its `clusterIdentifier` input, or by the same known identifier. */
function memberOf(instance: PolicyResource, cluster: PolicyResource): boolean {
    if (dependsOn(instance, cluster, "clusterIdentifier")) return true;
    const target = knownString(() => instance.props.clusterIdentifier);
    const identifier = knownString(() => cluster.props.clusterIdentifier);
    return target !== undefined && target === identifier;
}

export const rdsMultiAz = stackRule<typeof productionDefaults>({
    name: "rds-multi-az",
    description: "Production databases keep a standby in another availability zone: RDS instances are Multi-AZ, RDS and DocumentDB clusters have at least two instances (or are Multi-AZ DB clusters).",
    enforcementLevel: "mandatory",
    severity: "high",
    remediation: "Set `multiAz: true` on production RDS instances (this project: `database.highAvailability`, on by default in production); give a cluster a second instance (`aws.rds.ClusterInstance`), or a `dbClusterInstanceClass` for a Multi-AZ DB cluster.",
    settings: settings(productionDefaults, productionSchemas),
    validate({ resources, settings: production, violation }) {
        const status = productionStatus(production);
        if (!status.production) return;
        for (const instance of resources.filter((r) => r.type === aws.rdsInstance)) {
            // A read replica is the standby's job done another way; its source is checked.
            const source = peek(() => instance.props.replicateSourceDb);
            if (source === UNKNOWN || (typeof source === "string" && source !== "")) continue;
            const multiAz = peek(() => instance.props.multiAz);
            if (multiAz === UNKNOWN || multiAz === true) continue;
            violation(`${label(instance)} has multiAz ${multiAz ?? "not set"} on ${status.reason}: an instance or zone failure stops the database until AWS replaces the host, and maintenance takes it down.`, instance.urn);
        }
        const clusterTypes: [string, string][] = [[aws.rdsCluster, aws.rdsClusterInstance], [aws.docdbCluster, aws.docdbClusterInstance]];
        for (const [clusterType, instanceType] of clusterTypes) {
            const instances = resources.filter((r) => r.type === instanceType);
            for (const cluster of resources.filter((r) => r.type === clusterType)) {
                // A Multi-AZ DB cluster (RDS, not Aurora) always runs a writer and two readers in three zones.
                if (peek(() => cluster.props.dbClusterInstanceClass) !== undefined) continue;
                const members = instances.filter((instance) => memberOf(instance, cluster)).length;
                if (members < 2) {
                    violation(`${label(cluster)} has ${members} cluster instance(s) on ${status.reason}: with no second instance there is nothing to fail over to.`, cluster.urn);
                }
            }
        }
    },
});
