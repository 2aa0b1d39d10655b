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
 * running `aws.migrationCommand`, started by the api service's deployment lifecycle hook at PRE_SCALE_UP.
 *
 * Why a lifecycle hook rather than a run-task-and-wait step inside `pulumi up`: ECS itself holds the
 * release at the point where no task of the new revision exists yet, and a FAILED answer makes ECS roll
 * the deployment back by the same path as a failed canary; nothing depends on the machine running
 * `pulumi up` staying connected, a re-run of the deployment re-runs the migration, and the step is
 * visible in the service's deployment history. A run-task step in the program (a dynamic provider or a
 * command resource) would run before the new task definition is even in use, could not roll anything
 * back, and would leave a half-finished release if the CLI died while waiting.
 */
export class MigrationStep extends pulumi.ComponentResource {
    readonly taskDefinition: aws.ecs.TaskDefinition;
    readonly hookFunction: aws.lambda.Function;
    /** The role ECS assumes to invoke the hook. */
    readonly invokerRole: aws.iam.Role;
    /** The api service's `lifecycleHooks` entry. */
    readonly lifecycleHook: aws.types.input.ecs.ServiceDeploymentConfigurationLifecycleHook;

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
                description: "ECS PRE_SCALE_UP hook of the api: runs the release's database migration; its exit code decides the release",
                runtime: "nodejs22.x",
                architectures: ["arm64"],
                handler: "index.handler",
                code: new pulumi.asset.AssetArchive({ "index.mjs": new pulumi.asset.FileAsset(path.join(__dirname, "lambda", "migrationHook.mjs")) }),
                role: role.arn,
                // Each invocation is short: it starts or polls the task and answers IN_PROGRESS until it stops.
                timeout: 60,
                memorySize: 256,
                loggingConfig: { logFormat: "Text", logGroup: hookLogs.name },
            },
            options({ dependsOn: [policy] }),
        );

        this.invokerRole = new aws.iam.Role(
            `${name}-invoker`,
            { description: "Lets ECS invoke the api's migration hook during deployments", assumeRolePolicy: assumeRolePolicy(ctx, "ecs.amazonaws.com") },
            options(),
        );
        new aws.iam.RolePolicy(
            `${name}-invoker`,
            {
                role: this.invokerRole.id,
                policy: policyDocument([{ Sid: "InvokeMigrationHook", Effect: "Allow", Action: ["lambda:InvokeFunction"], Resource: [this.hookFunction.arn] }]),
            },
            awsOptions(ctx, this.invokerRole),
        );

        this.lifecycleHook = {
            hookTargetArn: this.hookFunction.arn,
            roleArn: this.invokerRole.arn,
            lifecycleStages: ["PRE_SCALE_UP"],
            hookDetails: pulumi.jsonStringify({
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
            }),
        };
        this.registerOutputs({ taskDefinitionArn: this.taskDefinition.arn, hookFunctionArn: this.hookFunction.arn });
    }
}
