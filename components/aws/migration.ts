import * as path from "node:path";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { ServiceSpec } from "../../config";
import { assumeRolePolicy, awsOptions, policyDocument, type AwsContext } from "./context";
import type { ContainerSecret } from "./service";

export interface MigrationStepArgs {
    /** The api: the migration runs from its image, with its environment and secrets. */
    api: ServiceSpec;
    clusterArn: pulumi.Input<string>;
    clusterName: pulumi.Input<string>;
    subnetIds: pulumi.Input<string>[];
    securityGroupIds: pulumi.Input<string>[];
    executionRole: aws.iam.Role;
    taskRole: aws.iam.Role;
    /** The migration's own log group (the execution role may write to it). */
    logGroup: aws.cloudwatch.LogGroup;
    environment: Record<string, pulumi.Input<string>>;
    /** The app's database credentials and other secrets, as the app receives them. */
    secrets: ContainerSecret[];
    /** The secrets' values: the migration task definition waits for them, as the app's do. */
    secretVersions: pulumi.Resource[];
    database: {
        instanceIdentifier: pulumi.Input<string>;
        /** Identifier prefix of this database's pre-migration snapshots, the only ones the hook may delete. */
        snapshotPrefix: pulumi.Input<string>;
        /** This release's pre-migration snapshot; the migration waits for it. */
        preMigrationSnapshot?: aws.rds.Snapshot;
    };
}

const containerName = "migrate";

/**
 * The migration's health check: can it still reach PostgreSQL (the host and port of its DATABASE_URL)? A
 * migration whose database went away hangs instead of exiting; the hook stops a task ECS reports UNHEALTHY
 * and fails the release, instead of waiting out the whole timeout. Uses the tool the images have.
 */
export function databaseReachableCommand(probe: "python" | "curl" | "wget", timeoutSeconds: number): string[] {
    // host:port from postgresql://user:password@host:port/db?...
    const hostPort = 'hp=${DATABASE_URL#*@}; hp=${hp%%/*}';
    switch (probe) {
        case "python":
            return [
                "CMD",
                "python",
                "-c",
                `import os,socket,urllib.parse as u; d=u.urlparse(os.environ['DATABASE_URL']); socket.create_connection((d.hostname, d.port or 5432), ${timeoutSeconds}).close()`,
            ];
        case "curl":
            // curl's telnet:// connects over TCP and, with stdin closed, exits 0 once connected.
            return ["CMD-SHELL", `${hostPort}; curl --silent --max-time ${timeoutSeconds} "telnet://$hp" </dev/null`];
        case "wget":
            // Images that probe with wget are usually BusyBox ones, which ship nc as well.
            return ["CMD-SHELL", `${hostPort}; nc -z -w ${timeoutSeconds} "\${hp%:*}" "\${hp##*:}"`];
    }
}

/**
 * Seed 003's middle step (backup → migrate → roll out) on AWS: a one-off ECS task from the new api image
 * running `aws.migrationCommand`, run by a Lambda function that `pulumi up` invokes (an
 * `aws.lambda.Invocation`) after the pre-migration snapshot and before any api slot's new task definition:
 * the release's prepare update (docs/rollout.md) fails, with no traffic moved, when the migration fails.
 *
 * Why not an ECS lifecycle hook any more: the api is released in two slots whose traffic split the stack
 * owns (three stages, which ECS's native canary cannot do), so each slot deploys ROLLING, and ECS runs
 * lifecycle hooks only for its blue/green, canary and linear strategies. The function keeps the hook's
 * logic (start the task, follow it, answer with its exit code, prune old snapshots); invoked with
 * `mode: "release"` it follows the task to the end itself, within Lambda's 15 minutes. A migration that
 * runs longer fails the update while the task keeps running; the next `pulumi up` (a re-run of the
 * release) invokes it again, finds the same task by its `startedBy` and keeps following it, up to
 * `aws.migrationTimeoutMinutes`, after which the task is stopped.
 */
export class MigrationStep extends pulumi.ComponentResource {
    readonly taskDefinition: aws.ecs.TaskDefinition;
    readonly hookFunction: aws.lambda.Function;
    /** The run of the migration for this release: what the api slots' task definitions wait for. */
    readonly invocation: aws.lambda.Invocation;

    constructor(name: string, ctx: AwsContext, args: MigrationStepArgs, opts: pulumi.ComponentResourceOptions) {
        super("fraud-platform:aws:MigrationStep", name, {}, opts);
        const settings = ctx.spec.aws;
        const options = (extra: pulumi.CustomResourceOptions = {}) => awsOptions(ctx, this, extra);
        const snapshot = args.database.preMigrationSnapshot;

        this.taskDefinition = new aws.ecs.TaskDefinition(
            `${name}-task`,
            {
                family: name,
                requiresCompatibilities: ["FARGATE"],
                networkMode: "awsvpc",
                cpu: String(args.api.cpu),
                memory: String(args.api.memory),
                runtimePlatform: { operatingSystemFamily: "LINUX", cpuArchitecture: settings.cpuArchitecture },
                executionRoleArn: args.executionRole.arn,
                taskRoleArn: args.taskRole.arn,
                volumes: settings.readonlyRootFilesystem ? [{ name: "tmp" }] : [],
                containerDefinitions: pulumi.jsonStringify([
                    {
                        name: containerName,
                        image: args.api.image,
                        essential: true,
                        command: settings.migrationCommand,
                        environment: Object.entries({ ...args.api.env, ...args.environment, SERVICE_NAME: "migrate" })
                            .sort(([a], [b]) => a.localeCompare(b))
                            .map(([key, value]) => ({ name: key, value })),
                        secrets: args.secrets.map((secret) => ({ name: secret.name, valueFrom: secret.arn })),
                        healthCheck: {
                            command: databaseReachableCommand(settings.containerHealthProbe, 5),
                            interval: 30,
                            timeout: 10,
                            retries: 3,
                            startPeriod: 30,
                        },
                        user: settings.containerUser,
                        readonlyRootFilesystem: settings.readonlyRootFilesystem,
                        mountPoints: settings.readonlyRootFilesystem ? [{ sourceVolume: "tmp", containerPath: "/tmp", readOnly: false }] : [],
                        linuxParameters: { initProcessEnabled: true, capabilities: { drop: ["ALL"] } },
                        logConfiguration: {
                            logDriver: "awslogs",
                            options: { "awslogs-group": args.logGroup.name, "awslogs-region": ctx.region, "awslogs-stream-prefix": containerName },
                        },
                    },
                ]),
            },
            // Backup first: the new migration task definition (and so every new task definition after it) waits for the snapshot.
            options({ dependsOn: [...(snapshot ? [snapshot] : []), ...args.secretVersions] }),
        );

        const hookLogs = new aws.cloudwatch.LogGroup(`${name}-hook-logs`, { retentionInDays: settings.logRetentionDays }, options());
        const role = new aws.iam.Role(
            `${name}-hook`,
            { description: "Migration hook: run the migration task, read its result, prune old pre-migration snapshots", assumeRolePolicy: assumeRolePolicy(ctx, "lambda.amazonaws.com") },
            options(),
        );
        const clusterCondition = { ArnEquals: { "ecs:cluster": args.clusterArn } };
        const instanceArn = pulumi.interpolate`arn:${ctx.partition}:rds:${ctx.region}:${ctx.accountId}:db:${args.database.instanceIdentifier}`;
        const snapshotArns = pulumi.interpolate`arn:${ctx.partition}:rds:${ctx.region}:${ctx.accountId}:snapshot:${args.database.snapshotPrefix}*`;
        const policy = new aws.iam.RolePolicy(
            `${name}-hook`,
            {
                role: role.id,
                policy: policyDocument([
                    {
                        Sid: "RunMigrationTask",
                        Effect: "Allow",
                        Action: ["ecs:RunTask"],
                        Resource: [pulumi.interpolate`arn:${ctx.partition}:ecs:${ctx.region}:${ctx.accountId}:task-definition/${name}:*`],
                        Condition: clusterCondition,
                    },
                    // ListTasks has no resource type; the condition keeps it to the cluster.
                    { Sid: "FindMigrationTask", Effect: "Allow", Action: ["ecs:ListTasks"], Resource: ["*"], Condition: clusterCondition },
                    {
                        Sid: "WatchMigrationTask",
                        Effect: "Allow",
                        Action: ["ecs:DescribeTasks", "ecs:StopTask"],
                        Resource: [pulumi.interpolate`arn:${ctx.partition}:ecs:${ctx.region}:${ctx.accountId}:task/${args.clusterName}/*`],
                    },
                    { Sid: "PassTaskRoles", Effect: "Allow", Action: ["iam:PassRole"], Resource: [args.executionRole.arn, args.taskRole.arn] },
                    { Sid: "ReadSnapshots", Effect: "Allow", Action: ["rds:DescribeDBSnapshots"], Resource: [instanceArn, snapshotArns] },
                    { Sid: "PruneOldSnapshots", Effect: "Allow", Action: ["rds:DeleteDBSnapshot"], Resource: [snapshotArns] },
                    { Sid: "WriteLogs", Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: [pulumi.interpolate`${hookLogs.arn}:log-stream:*`] },
                ]),
            },
            awsOptions(ctx, role),
        );
        this.hookFunction = new aws.lambda.Function(
            `${name}-hook`,
            {
                description: "Runs the release's database migration as an ECS task; its exit code decides the release",
                runtime: "nodejs22.x",
                architectures: ["arm64"],
                handler: "index.handler",
                code: new pulumi.asset.AssetArchive({ "index.mjs": new pulumi.asset.FileAsset(path.join(__dirname, "lambda", "migrationHook.mjs")) }),
                role: role.arn,
                // Invoked by `pulumi up` it follows the task to the end: Lambda's longest run, 15 minutes.
                timeout: 900,
                memorySize: 256,
                loggingConfig: { logFormat: "Text", logGroup: hookLogs.name },
            },
            options({ dependsOn: [policy] }),
        );

        const hookDetails = {
            cluster: args.clusterArn,
            taskDefinition: this.taskDefinition.arn,
            containerName,
            subnets: args.subnetIds,
            securityGroups: args.securityGroupIds,
            logGroup: args.logGroup.name,
            timeoutMinutes: settings.migrationTimeoutMinutes,
            dbInstanceIdentifier: args.database.instanceIdentifier,
            snapshotPrefix: args.database.snapshotPrefix,
            snapshotIdentifier: snapshot?.dbSnapshotIdentifier,
            keepReleases: settings.preMigrationSnapshotsKept,
        };
        // A new migration task definition (a new image, command or environment) changes the input, and with
        // the default lifecycle scope (CREATE_ONLY) a changed input invokes the function again.
        this.invocation = new aws.lambda.Invocation(
            `${name}-run`,
            {
                functionName: this.hookFunction.name,
                input: pulumi.jsonStringify({ mode: "release", executionId: this.taskDefinition.arn, hookDetails }),
            },
            options({ dependsOn: [this.hookFunction, ...(snapshot ? [snapshot] : [])] }),
        );
        this.registerOutputs({ taskDefinitionArn: this.taskDefinition.arn, hookFunctionArn: this.hookFunction.arn, invocationResult: this.invocation.result });
    }
}
