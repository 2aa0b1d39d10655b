import { resourceRule, settings, stackRule } from "../lib/define";
import { aws } from "../lib/types";
import { UNKNOWN, dependsOn, knownString, label, peek } from "../lib/values";

export const dynamodbPointInTimeRecovery = resourceRule<{ minimumRecoveryPeriodDays: number }, { pointInTimeRecovery?: { enabled?: boolean; recoveryPeriodInDays?: number } }>({
    name: "dynamodb-point-in-time-recovery",
    description: "DynamoDB tables have point-in-time recovery on, so a bad write or delete can be undone to the second.",
    enforcementLevel: "mandatory",
    severity: "high",
    remediation: "Set `pointInTimeRecovery: { enabled: true }` on the table (optionally `recoveryPeriodInDays`, 1 to 35, default 35).",
    settings: settings(
        { minimumRecoveryPeriodDays: 1 },
        { minimumRecoveryPeriodDays: { type: "integer", minimum: 1, maximum: 35, description: "Fewest days of point-in-time recovery a table may keep." } },
    ),
    types: [aws.dynamodbTable],
    validate({ props, settings: { minimumRecoveryPeriodDays }, violation }) {
        const recovery = props.pointInTimeRecovery;
        if (recovery?.enabled !== true) {
            violation(`pointInTimeRecovery is ${recovery ? `{ enabled: ${recovery.enabled} }` : "not set (off)"}: a table overwritten or emptied by mistake cannot be restored.`);
            return;
        }
        // DynamoDB keeps 35 days when the period is not given (AWS API reference, PointInTimeRecoverySpecification).
        const days = recovery.recoveryPeriodInDays ?? 35;
        if (days < minimumRecoveryPeriodDays) violation(`pointInTimeRecovery.recoveryPeriodInDays is ${days}; at least ${minimumRecoveryPeriodDays} required.`);
    },
});

export const efsBackupPolicy = stackRule<{ requireEncryption: boolean }>({
    name: "efs-backup-policy",
    description: "EFS file systems are backed up by AWS Backup (an `aws.efs.BackupPolicy` with status ENABLED) and encrypted.",
    enforcementLevel: "mandatory",
    severity: "high",
    remediation: "Add `new aws.efs.BackupPolicy(name, { fileSystemId: fs.id, backupPolicy: { status: \"ENABLED\" } })` and set `encrypted: true` on the file system.",
    settings: settings(
        { requireEncryption: true },
        { requireEncryption: { type: "boolean", description: "Also require `encrypted: true` on the file system (it cannot be turned on later)." } },
    ),
    validate({ resources, settings: { requireEncryption }, violation }) {
        const policies = resources.filter((r) => r.type === aws.efsBackupPolicy);
        for (const fileSystem of resources.filter((r) => r.type === aws.efsFileSystem)) {
            // The policy takes the file system's id (unknown in a preview), or names an existing one by id.
            const id = knownString(() => fileSystem.props.id);
            const own = policies.filter((policy) => dependsOn(policy, fileSystem, "fileSystemId") || (id !== undefined && knownString(() => policy.props.fileSystemId) === id));
            const statuses = own.map((policy) => peek(() => policy.props.backupPolicy?.status as unknown));
            // A file system created by Pulumi has automatic backups off unless a policy turns them on.
            if (own.length === 0) {
                violation(`${label(fileSystem)} has no BackupPolicy: AWS Backup takes no copy of its files.`, fileSystem.urn);
            } else if (!statuses.includes(UNKNOWN) && !statuses.includes("ENABLED")) {
                violation(`${label(fileSystem)} has backup policy status ${statuses.map((s) => String(s ?? "not set")).join(", ")}, not ENABLED.`, fileSystem.urn);
            }
            const encrypted = peek(() => fileSystem.props.encrypted);
            if (requireEncryption && encrypted !== true && encrypted !== UNKNOWN) {
                violation(`${label(fileSystem)} is not encrypted: its files and their backups are stored unencrypted.`, fileSystem.urn);
            }
        }
    },
});
