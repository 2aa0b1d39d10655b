import { productionStacksSetting, resourceRule, settings } from "../lib/define";
import { aws } from "../lib/types";
import { currentStack, isProductionStack, peek } from "../lib/values";

/** The inputs of `aws.rds.Instance` and `aws.rds.Cluster` that the backup rules read (@pulumi/aws 7). */
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

const rdsTypes = [aws.rdsInstance, aws.rdsCluster];
const isReadReplica = (props: RdsProps) => props.replicateSourceDb !== undefined && props.replicateSourceDb !== "";

export const rdsBackupRetention = resourceRule<{ minimumRetentionDays: number }, RdsProps>({
    name: "rds-backup-retention",
    description: "RDS instances and clusters keep automated backups for at least the configured number of days.",
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
    description: "Deleting an RDS instance or cluster takes a final snapshot first.",
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

export const rdsDeletionProtection = resourceRule<{ productionStacks: readonly string[] }, RdsProps>({
    name: "rds-deletion-protection",
    description: "RDS instances and clusters of production stacks have deletion protection on.",
    enforcementLevel: "mandatory",
    severity: "high",
    remediation: "Set `deletionProtection: true` on production databases.",
    settings: settings({ productionStacks: ["production"] }, { productionStacks: productionStacksSetting }),
    types: rdsTypes,
    validate({ props, settings: { productionStacks }, violation }) {
        if (!isProductionStack(productionStacks)) return;
        if (props.deletionProtection !== true) {
            violation(`deletionProtection is ${props.deletionProtection ?? "not set"} on production stack '${currentStack()}': any API call or console click can delete the database.`);
        }
    },
});

export const rdsStorageEncrypted = resourceRule<{ requireCustomerManagedKey: boolean }, RdsProps>({
    name: "rds-storage-encrypted",
    description: "RDS instances and clusters encrypt their storage, and so their snapshots.",
    enforcementLevel: "mandatory",
    severity: "high",
    remediation: "Set `storageEncrypted: true` (and `kmsKeyId` when a customer-managed key is required). Encryption cannot be added later without a snapshot restore.",
    settings: settings(
        { requireCustomerManagedKey: false },
        { requireCustomerManagedKey: { type: "boolean", description: "Require a customer-managed KMS key (`kmsKeyId`) rather than the AWS-managed one." } },
    ),
    types: rdsTypes,
    validate({ props, settings: { requireCustomerManagedKey }, violation }) {
        if (props.storageEncrypted !== true) {
            violation(`storageEncrypted is ${props.storageEncrypted ?? "not set"}: the data and every backup of it are stored unencrypted.`);
        } else if (requireCustomerManagedKey && !props.kmsKeyId) {
            violation("kmsKeyId is not set: storage is encrypted with the AWS-managed key, not a customer-managed one.");
        }
    },
});
