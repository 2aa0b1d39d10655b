import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import type { DatabaseSpec } from "../../config";
import type { DatabaseConnection, Scope } from "../backend";
import { awsOptions, statefulOptions, type AwsContext } from "./context";
import type { Network } from "./network";
import type { SecurityGroups } from "./securityGroups";
import { postgresPort } from "./securityGroups";

/** What the rest of the backend needs from the database beyond the neutral connection. */
export interface PostgresDatabase {
    connection: DatabaseConnection;
    instance: aws.rds.Instance;
    /** The roles the app and the migration step log in as (the app's connection is `connection`). */
    roles: DatabaseRoles;
    /** Secret: the migration step's URL (the schema owner), verify-full TLS. */
    migrationUrl: pulumi.Output<string>;
    /** Seed 003's backup before migrations, when the stack names a release; the new task definitions wait for it. */
    preMigrationSnapshot?: aws.rds.Snapshot;
    /** The instance's identifier, known before the instance exists (so what names it need not wait for it). */
    identifier: pulumi.Output<string>;
    /** Identifier prefix of every pre-migration snapshot of this database (`<name>-pre-v`), the ones the migration hook may prune. */
    preMigrationSnapshotPrefix: string;
    /** The log groups RDS exports to, created by the program with the stack's retention. */
    logGroups: aws.cloudwatch.LogGroup[];
}

/**
 * The PostgreSQL roles of the stack. `migrator` owns the schema and logs in for the migration step; `app`
 * (no login) holds read/write privileges on the schema's tables; `appLogins` are the app's two logins,
 * members of `app`, that take turns across password rotations (`activeLogin` is the one in DATABASE_URL).
 */
export interface DatabaseRoles {
    migrator: string;
    app: string;
    appLogins: [string, string];
    activeLogin: string;
    schema: string;
}

/**
 * The roles for a database and a rotation count, named after the database (`fraud_migrator`, `fraud_rw`,
 * `fraud_app_1`/`fraud_app_2`). Every rotation moves the app to the other login with a fresh password, so tasks
 * still running with the previous login keep working until the release replaces them.
 */
export function databaseRoles(database: string, masterUser: string, rotation: number): DatabaseRoles {
    const appLogins: [string, string] = [`${database}_app_1`, `${database}_app_2`];
    const roles: DatabaseRoles = { migrator: `${database}_migrator`, app: `${database}_rw`, appLogins, activeLogin: appLogins[rotation % 2], schema: "public" };
    for (const role of [roles.migrator, roles.app, ...appLogins]) {
        // PostgreSQL cuts identifiers at 63 bytes (NAMEDATALEN - 1) without an error: two roles could become one.
        if (role.length > 63) throw new Error(`fraud-platform:database.name ${database} is too long for its role ${role} (PostgreSQL takes 63 characters); shorten it`);
        if (role === masterUser) throw new Error(`fraud-platform:database.user ${masterUser} is the name of one of the app's roles; choose another master user name`);
    }
    return roles;
}

/** `postgresql://…?sslmode=verify-full&sslrootcert=…`: TLS that checks the RDS certificate and the host name. */
export function verifiedPostgresUrl(user: pulumi.Input<string>, password: pulumi.Input<string>, host: pulumi.Input<string>, port: pulumi.Input<number>, database: pulumi.Input<string>, caBundlePath: string): pulumi.Output<string> {
    return pulumi.interpolate`postgresql://${user}:${password}@${host}:${port}/${database}?sslmode=verify-full&sslrootcert=${encodeURIComponent(caBundlePath)}`;
}

/** The logs the instance exports to CloudWatch. */
const exportedLogs = ["postgresql", "upgrade"] as const;

/** An RDS instance class, from `database.size` when the stack sets one (the config edge checked its form). */
function instanceClass(ctx: AwsContext, spec: DatabaseSpec): string {
    return spec.size ?? ctx.spec.aws.defaultDatabaseInstanceClass;
}

/** `1.4.2-rc.1` → `1-4-2-rc-1`: RDS identifiers take letters, digits and single hyphens. */
function identifierSafe(text: string): string {
    return text.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "");
}

/**
 * RDS PostgreSQL in the private subnets: Multi-AZ when highly available, gp3 with storage
 * autoscaling, encrypted, TLS forced (and verified by the clients), daily backups, a final snapshot on
 * deletion whose name never repeats, and the master password managed by RDS in Secrets Manager.
 */
export function createPostgres(ctx: AwsContext, scope: Scope, spec: DatabaseSpec, network: Network, groups: SecurityGroups): PostgresDatabase {
    const { name, parent } = scope;
    const options = (extra: pulumi.CustomResourceOptions = {}) => awsOptions(ctx, parent, extra);
    const major = spec.engineVersion.split(".")[0];

    const subnetGroup = new aws.rds.SubnetGroup(
        `${name}-subnets`,
        { description: `${ctx.spec.project} ${ctx.spec.environment} PostgreSQL (private subnets)`, subnetIds: network.privateSubnetIds },
        options(),
    );
    const parameterGroup = new aws.rds.ParameterGroup(
        `${name}-params`,
        {
            family: `postgres${major}`,
            description: `${ctx.spec.project} ${ctx.spec.environment}: TLS only, slow queries logged`,
            parameters: [
                // Refuse unencrypted connections; the app's URL asks for sslmode=verify-full.
                { name: "rds.force_ssl", value: "1", applyMethod: "pending-reboot" },
                // Log statements slower than a second (the p95 alarm's threshold) for Performance Insights' neighbours.
                { name: "log_min_duration_statement", value: "1000", applyMethod: "immediate" },
            ],
        },
        options(),
    );

    // The master password is generated and kept by RDS in Secrets Manager (manageMasterUserPassword): it is
    // not in Pulumi state and reaches no container. The app and migration roles get their own passwords.
    const settings = ctx.spec.aws;
    const roles = databaseRoles(spec.name, spec.user, settings.databasePasswordRotation);
    const rolePassword = (logical: string, generation: number) =>
        new random.RandomPassword(
            logical,
            // URL-safe specials only: the password is embedded in DATABASE_URL without escaping.
            { length: 40, special: true, overrideSpecial: "-_.~", minLower: 2, minUpper: 2, minNumeric: 2, keepers: { generation: String(generation) } },
            { parent },
        );
    const migratorPassword = rolePassword(`${name}-migrator-password`, 0);
    // The active login's password is renewed with each rotation that makes it active.
    const appPassword = rolePassword(`${name}-app-password-${(settings.databasePasswordRotation % 2) + 1}`, settings.databasePasswordRotation);

    // Final-snapshot names must be unique for the account's lifetime: a second destroy (or a replacement)
    // reusing a name fails. This suffix is regenerated whenever the instance would be replaced, and with
    // every new stack after a destroy, so no two final snapshots share a name.
    const snapshotSuffix = new random.RandomId(
        `${name}-snapshot-suffix`,
        { byteLength: 4, keepers: { engine: "postgres", dbName: spec.name, username: spec.user, storageEncrypted: "true" } },
        { parent },
    );

    // The identifier is set, not autonamed, so the log groups RDS exports to (named after it) can be created
    // first, with the stack's retention: otherwise RDS creates them on the first export, without retention,
    // and the program's own LogGroup would then fail with ResourceAlreadyExistsException.
    // https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_LogAccess.Procedural.UploadtoCloudWatch.html
    // The random part is the final-snapshot suffix, renewed with every replacement of the instance.
    const identifier = pulumi.interpolate`${name}-${snapshotSuffix.hex}`;
    const logGroups = exportedLogs.map(
        (log) =>
            new aws.cloudwatch.LogGroup(
                `${name}-${log}-logs`,
                { name: pulumi.interpolate`/aws/rds/instance/${identifier}/${log}`, retentionInDays: ctx.spec.aws.logRetentionDays },
                options(),
            ),
    );
    // A pinned minor version (16.4) stays pinned: automatic minor upgrades would move the instance to 16.5 and
    // the next `up` would try to go back (RDS refuses downgrades). A bare major (16) lets RDS apply minors in
    // the maintenance window, and the provider reads 16 as matching any 16.x
    // (terraform-provider-aws internal/service/rds/instance.go, engine_version vs engine_version_actual).
    const minorPinned = spec.engineVersion.includes(".");

    const instance = new aws.rds.Instance(
        `${name}-postgres`,
        {
            identifier,
            engine: "postgres",
            engineVersion: spec.engineVersion,
            instanceClass: instanceClass(ctx, spec),
            dbName: spec.name,
            username: spec.user,
            manageMasterUserPassword: true,
            port: postgresPort,
            dbSubnetGroupName: subnetGroup.name,
            vpcSecurityGroupIds: [groups.database.id],
            parameterGroupName: parameterGroup.name,
            publiclyAccessible: false,
            multiAz: spec.highAvailability,
            storageType: "gp3",
            allocatedStorage: spec.storageGb,
            maxAllocatedStorage: spec.maxStorageGb,
            storageEncrypted: true,
            backupRetentionPeriod: spec.backupRetentionDays,
            backupWindow: spec.backupWindow,
            maintenanceWindow: spec.maintenanceWindow,
            autoMinorVersionUpgrade: !minorPinned,
            allowMajorVersionUpgrade: false,
            copyTagsToSnapshot: true,
            deleteAutomatedBackups: false,
            deletionProtection: ctx.protect,
            skipFinalSnapshot: false,
            finalSnapshotIdentifier: pulumi.interpolate`${name}-final-${snapshotSuffix.hex}`,
            performanceInsightsEnabled: true,
            performanceInsightsRetentionPeriod: 7,
            caCertIdentifier: "rds-ca-rsa2048-g1",
            enabledCloudwatchLogsExports: [...exportedLogs],
        },
        statefulOptions(ctx, parent, { dependsOn: [parameterGroup, ...logGroups] }),
    );

    // The CA the instance's certificate chains to is pinned (caCertIdentifier above); the image ships the RDS
    // bundle that contains it at aws.databaseCaBundlePath, and libpq checks the chain and the host name.
    const caBundle = settings.databaseCaBundlePath;
    const connection: DatabaseConnection = {
        host: instance.address,
        port: instance.port,
        database: instance.dbName,
        user: pulumi.output(roles.activeLogin),
        password: pulumi.secret(appPassword.result),
        url: pulumi.secret(verifiedPostgresUrl(roles.activeLogin, appPassword.result, instance.address, instance.port, instance.dbName, caBundle)),
    };
    const migrationUrl = pulumi.secret(verifiedPostgresUrl(roles.migrator, migratorPassword.result, instance.address, instance.port, instance.dbName, caBundle));
    // Seed 003: back up before the release's migrations run. Keyed by the release version, so each release
    // gets its own snapshot; `retainOnDelete` keeps the previous one in AWS when the next release replaces it,
    // and the migration hook deletes those older than the last `aws.preMigrationSnapshotsKept` releases.
    const preMigrationSnapshotPrefix = `${name}-pre-v`;
    let preMigrationSnapshot: aws.rds.Snapshot | undefined;
    const release = ctx.spec.releaseVersion;
    if (release !== undefined) {
        preMigrationSnapshot = new aws.rds.Snapshot(
            `${name}-pre-migration-${identifierSafe(release)}`,
            {
                dbInstanceIdentifier: instance.identifier,
                dbSnapshotIdentifier: pulumi.interpolate`${preMigrationSnapshotPrefix}${identifierSafe(release)}-${snapshotSuffix.hex}`,
                tags: { release, purpose: "pre-migration" },
            },
            options({ retainOnDelete: true }),
        );
    }

    return { connection, instance, identifier, roles, migrationUrl, preMigrationSnapshot, preMigrationSnapshotPrefix, logGroups };
}
