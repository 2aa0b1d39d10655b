import { PolicyPack } from "@pulumi/policy";
import { digitaloceanAppDeploymentAlert, digitaloceanAppHealthChecks, digitaloceanDatabaseStandby, digitaloceanValkeyPersistence } from "./rules/digitalocean";
import { dockerContainerHealthCheck, dockerDataOnNamedVolume } from "./rules/docker";
import { dynamodbPointInTimeRecovery, efsBackupPolicy } from "./rules/dataStores";
import { ecsServiceAlarmRollback, ecsServiceCircuitBreaker, ecsServiceGracePeriod, ecsTaskContainerHealthChecks } from "./rules/ecs";
import { elasticacheAutomaticFailover, elasticacheEncryptionAtRest, elasticacheFinalSnapshot, elasticacheSnapshotRetention } from "./rules/elasticache";
import { albTargetGroupHealthCheck } from "./rules/loadBalancing";
import { statefulResourcesProtected } from "./rules/protection";
import { rdsBackupRetention, rdsDeletionProtection, rdsFinalSnapshot, rdsMultiAz, rdsStorageEncrypted } from "./rules/rds";
import { s3BucketVersioning, spacesBucketVersioning } from "./rules/s3";
import { publicServicesWatched } from "./rules/watchers";

/** The pack's name as the CLI and Pulumi Cloud show it. */
export const packName = "fraud-platform-policies";

// Constructing the pack starts the analyzer's gRPC server and prints its port, as the Pulumi CLI expects.
new PolicyPack(packName, {
    displayName: "Fraud platform: backups and health checks",
    description: "Refuses stacks that would lose data (no backups, snapshots, versioning, protection, standby or volumes) or serve traffic nobody checks (no health checks that can fail, rollback or alarms), on AWS, DigitalOcean and Docker.",
    tags: ["backups", "health-checks", "aws", "digitalocean", "docker"],
    policies: [
        // Backups and data loss.
        rdsBackupRetention,
        rdsFinalSnapshot,
        rdsDeletionProtection,
        rdsStorageEncrypted,
        rdsMultiAz,
        elasticacheSnapshotRetention,
        elasticacheFinalSnapshot,
        elasticacheEncryptionAtRest,
        elasticacheAutomaticFailover,
        s3BucketVersioning,
        spacesBucketVersioning,
        dynamodbPointInTimeRecovery,
        efsBackupPolicy,
        digitaloceanDatabaseStandby,
        digitaloceanValkeyPersistence,
        dockerDataOnNamedVolume,
        statefulResourcesProtected,
        // Health checks and rollback.
        albTargetGroupHealthCheck,
        ecsServiceGracePeriod,
        ecsServiceCircuitBreaker,
        ecsServiceAlarmRollback,
        ecsTaskContainerHealthChecks,
        digitaloceanAppHealthChecks,
        digitaloceanAppDeploymentAlert,
        dockerContainerHealthCheck,
        publicServicesWatched,
    ],
});
