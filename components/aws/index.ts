import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { otherSlot, rolloutSlots, type CacheSpec, type DatabaseSpec, type EnvironmentSpec, type RolloutSlot, type ServiceName, type ServiceSpec } from "../../config";
import type {
    AppEndpoints,
    AppServiceArgs,
    BackendFactory,
    CacheConnection,
    DatabaseConnection,
    EnvironmentBackend,
    MonitoringArgs,
    MonitoringEndpoints,
    Scope,
} from "../backend";
import { createMonitoringAlarms, createRollbackAlarms, type ObservedResources } from "./alarms";
import { PrivateBucket } from "./bucket";
import { createRedis, type RedisCache } from "./cache";
import { awsOptions, createContext, type AwsContext } from "./context";
import { createBudget } from "./budget";
import { createDashboard } from "./dashboard";
import { createPostgres, type PostgresDatabase } from "./database";
import { DatabaseRoleSetup } from "./databaseRoles";
import { createVpcEndpoints } from "./endpoints";
import { createExecutionRole, createTaskRole, defaultBedrockModelArn } from "./iam";
import { LoadBalancer } from "./loadBalancer";
import { MigrationStep } from "./migration";
import { Network } from "./network";
import { createAlertTopics, forwardDeploymentFailures, subscribeAlertDestinations, type AlertTopics } from "./notifications";
import { storeSecret } from "./secrets";
import { SecurityGroups } from "./securityGroups";
import { FargateService, type ContainerSecret, type FargateServiceArgs } from "./service";
import { EdgeFirewall } from "./waf";

/** What the app-service step leaves for monitoring. */
interface AppResources {
    loadBalancer: LoadBalancer;
    cluster: aws.ecs.Cluster;
    services: Record<ServiceName, FargateService>;
    /** The api's two slots (blue is the `api` service above). */
    apiSlots: Record<RolloutSlot, FargateService>;
    rollbackAlarms: aws.cloudwatch.MetricAlarm[];
}

/**
 * The AWS backend: ECS Fargate behind an ALB, RDS PostgreSQL, ElastiCache Redis, CloudWatch alarms
 * and dashboard. The network, security groups, VPC endpoints and the alert topic are shared
 * foundations built with the backend and hung from the Environment; each step keeps what later
 * steps need (the database's snapshot, the load balancer's dimensions) in this object's fields.
 */
class AwsBackend implements EnvironmentBackend {
    readonly kind = "aws" as const;
    private readonly ctx: AwsContext;
    private readonly network: Network;
    private readonly securityGroups: SecurityGroups;
    private readonly alertTopics: AlertTopics;
    private database?: PostgresDatabase;
    private cache?: RedisCache;
    private app?: AppResources;

    constructor(spec: EnvironmentSpec, scope: Scope) {
        this.ctx = createContext(spec, scope.name, scope.parent);
        this.network = new Network(`${scope.name}-network`, this.ctx, { parent: scope.parent });
        this.securityGroups = new SecurityGroups(`${scope.name}-sg`, this.ctx, this.network, { parent: scope.parent });
        // Created up front: the api's rollback alarms (app step) notify them as well as the monitoring alarms.
        this.alertTopics = createAlertTopics(this.ctx, `${scope.name}-alerts`, scope.parent);
    }

    createDatabase(scope: Scope, spec: DatabaseSpec): DatabaseConnection {
        this.database = createPostgres(this.ctx, scope, spec, this.network, this.securityGroups);
        return this.database.connection;
    }

    createCache(scope: Scope, spec: CacheSpec): CacheConnection {
        this.cache = createRedis(this.ctx, scope, spec, this.network, this.securityGroups);
        return this.cache.connection;
    }

    createAppService(scope: Scope, args: AppServiceArgs): AppEndpoints {
        const ctx = this.ctx;
        const { name, parent } = scope;
        const spec = ctx.spec;
        const { api, worker, ml } = args.services;
        const groups = this.securityGroups;

        // Who read or replaced which model: S3 server access logs of the models bucket, in a bucket of their own.
        const modelsAccessLogs =
            (spec.aws.modelsAccessLogs ?? ctx.production)
                ? new PrivateBucket(
                      `${name}-models-access-logs`,
                      ctx,
                      {
                          versioned: true,
                          noncurrentVersionDays: 7,
                          expireAfterDays: spec.aws.modelsAccessLogRetentionDays,
                          // https://docs.aws.amazon.com/AmazonS3/latest/userguide/enable-server-access-logging.html (bucket policy for the logging service).
                          extraStatements: (arn) => [
                              {
                                  Sid: "S3ServerAccessLogsDeliver",
                                  Effect: "Allow",
                                  Principal: { Service: "logging.s3.amazonaws.com" },
                                  Action: ["s3:PutObject"],
                                  Resource: [pulumi.interpolate`${arn}/models/*`],
                                  Condition: { StringEquals: { "aws:SourceAccount": ctx.accountId } },
                              },
                          ],
                      },
                      { parent },
                  )
                : undefined;
        const models = new PrivateBucket(
            `${name}-models`,
            ctx,
            {
                versioned: true,
                noncurrentVersionDays: spec.aws.modelVersionRetentionDays,
                accessLogsTo: modelsAccessLogs === undefined ? undefined : { bucket: modelsAccessLogs, prefix: "models/" },
            },
            { parent },
        );
        const bedrockModelArn = spec.aws.bedrockModelArn ?? defaultBedrockModelArn(ctx);
        createVpcEndpoints(`${name}-endpoint`, ctx, this.network, groups, { images: [api.image, worker.image, ml.image], bucketArns: [models.arn], bedrockModelArn });

        // Service Connect: ml is reachable as http://ml:<port> from the other tasks, and from nowhere else.
        const namespace = new aws.servicediscovery.HttpNamespace(
            `${name}-namespace`,
            { name: `${spec.project}-${spec.stack}.internal`, description: "Service Connect names of the fraud platform's services" },
            awsOptions(ctx, parent),
        );
        const cluster = new aws.ecs.Cluster(
            `${name}-cluster`,
            { settings: [{ name: "containerInsights", value: "enabled" }], serviceConnectDefaults: { namespace: namespace.arn } },
            awsOptions(ctx, parent),
        );

        // Only these wait for the database and the cache (their values are the connection URLs); the load
        // balancer, cluster, roles and log groups are created while RDS and ElastiCache are.
        const database = this.database;
        if (!database) throw new Error("aws backend: createAppService needs the database created first (the migration step uses it)");
        const stored = {
            DATABASE_URL: storeSecret(ctx, `${name}-database-url`, parent, "PostgreSQL connection URL for the app (its own role, verify-full TLS)", args.database.url),
            REDIS_URL: storeSecret(ctx, `${name}-redis-url`, parent, "Redis connection URL for the app", args.cache.url),
            APP_SECRET_KEY: storeSecret(ctx, `${name}-app-key`, parent, "The app's signing key", args.appSecretKey),
        };
        // The migration step logs in as the schema owner; the app's role only reads and writes.
        const migrationUrl = storeSecret(ctx, `${name}-migration-database-url`, parent, "PostgreSQL connection URL for the migration step (the schema owner)", database.migrationUrl);
        const secrets: ContainerSecret[] = Object.entries(stored).map(([secretName, secret]) => ({ name: secretName, arn: secret.arn }));
        const migrationSecrets: ContainerSecret[] = secrets.map((secret) => (secret.name === "DATABASE_URL" ? { name: secret.name, arn: migrationUrl.arn } : secret));
        // The roles those URLs log in as, created (and given the URLs' passwords) as the master user by a function.
        const roleSetup = new DatabaseRoleSetup(
            `${name}-db-roles`,
            ctx,
            {
                instance: database.instance,
                roles: database.roles,
                appUrlSecret: stored.DATABASE_URL,
                migrationUrlSecret: migrationUrl,
                subnetIds: this.network.privateSubnetIds,
                securityGroupId: groups.databaseAdmin.id,
            },
            { parent },
        );
        // A task starts only when each of its secrets has a value, and its role can log in: the task definitions wait for both.
        const secretVersions: pulumi.Resource[] = [...Object.values(stored).map((secret) => secret.version), migrationUrl.version, roleSetup.invocation];

        const logGroupOf = (logName: string) =>
            new aws.cloudwatch.LogGroup(
                `${name}-${logName}-logs`,
                { name: `/ecs/${spec.project}-${spec.stack}/${logName}`, retentionInDays: spec.aws.logRetentionDays },
                awsOptions(ctx, parent),
            );
        const logGroups = Object.fromEntries(([api, worker, ml] as const).map((service) => [service.name, logGroupOf(service.name)])) as Record<ServiceName, aws.cloudwatch.LogGroup>;
        const migrationLogs = logGroupOf("migrate");

        const executionRole = createExecutionRole(ctx, `${name}-execution`, parent, {
            secretArns: [...secrets.map((secret) => secret.arn), migrationUrl.arn],
            logGroupArns: [...Object.values(logGroups), migrationLogs].map((group) => group.arn),
            images: [api.image, worker.image, ml.image],
        });
        const taskRole = createTaskRole(ctx, `${name}-task`, parent, { modelsBucketArn: models.arn, bedrockModelArn });

        const loadBalancer = new LoadBalancer(`${name}-lb`, ctx, api, this.network, groups, { parent });
        if (spec.aws.waf ?? ctx.production) new EdgeFirewall(`${name}-edge`, ctx, loadBalancer.alb.arn, { parent });
        // The api runs in two slots, each in its own target group; the production rule's weights split the
        // traffic (docs/rollout.md). Each slot's alarms judge only its own group, so an incident on the old
        // revision never rolls back the new one, and the new one's numbers are not diluted by the old one's.
        const slotGroups: Record<RolloutSlot, aws.lb.TargetGroup> = { blue: loadBalancer.targetGroups[0], green: loadBalancer.targetGroups[1] };
        // Blue keeps the api's first names (its alarms, service and task definition), so nothing is replaced.
        const slotName = (slot: RolloutSlot) => (slot === "blue" ? `${name}-api` : `${name}-api-${slot}`);
        const slotAlarms = Object.fromEntries(
            rolloutSlots.map((slot) => [slot, createRollbackAlarms(ctx, `${slotName(slot)}-rollback`, parent, this.alertTopics.warning, loadBalancer.alb.arnSuffix, slotGroups[slot].arnSuffix)]),
        ) as Record<RolloutSlot, aws.cloudwatch.MetricAlarm[]>;
        const rollbackAlarms = rolloutSlots.flatMap((slot) => slotAlarms[slot]);

        const sharedEnvironment: Record<string, pulumi.Input<string>> = {
            ENVIRONMENT: spec.environment,
            AWS_REGION: ctx.region,
            MODELS_BUCKET: models.name,
            BEDROCK_MODEL_ARN: bedrockModelArn,
            // Resolves to the VPC endpoint (private DNS); set for clients that take the endpoint explicitly.
            BEDROCK_ENDPOINT_URL: `https://bedrock-runtime.${ctx.region}.amazonaws.com`,
            // The login DATABASE_URL uses: a password rotation changes it, so the release replaces every task.
            DATABASE_LOGIN: database.roles.activeLogin,
        };
        const mlUrl = `http://${ml.name}:${ml.port}`;

        const snapshot = database.preMigrationSnapshot;
        // Seed 003: backup (the snapshot) → migrate (this step, run by ECS before any new api task starts) → roll out.
        const migration = new MigrationStep(
            `${name}-migrate`,
            ctx,
            {
                api,
                clusterArn: cluster.arn,
                clusterName: cluster.name,
                subnetIds: this.network.privateSubnetIds,
                securityGroupIds: [groups.tasks.id],
                executionRole,
                taskRole,
                logGroup: migrationLogs,
                environment: { ...sharedEnvironment, ML_SERVICE_URL: mlUrl },
                secrets: migrationSecrets,
                database: { instanceIdentifier: database.identifier, snapshotPrefix: database.preMigrationSnapshotPrefix, preMigrationSnapshot: snapshot },
                secretVersions,
            },
            { parent },
        );
        type ServiceOverrides = Partial<Omit<FargateServiceArgs, "spec" | "environment" | "calls">> & {
            /** Added to the shared environment. */
            environment?: Record<string, pulumi.Input<string>>;
            calls: pulumi.Resource[];
        };
        const service = (serviceSpec: ServiceSpec, { environment, ...overrides }: ServiceOverrides, resourceName = `${name}-${serviceSpec.name}`) =>
            new FargateService(
                resourceName,
                ctx,
                {
                    spec: serviceSpec,
                    clusterArn: cluster.arn,
                    clusterName: cluster.name,
                    serviceConnect: { namespaceArn: namespace.arn, role: "client" },
                    subnetIds: this.network.privateSubnetIds,
                    securityGroupIds: [groups.tasks.id],
                    executionRoleArn: executionRole.arn,
                    taskRoleArn: taskRole.arn,
                    logGroupName: logGroups[serviceSpec.name].name,
                    environment: { ...sharedEnvironment, PORT: String(serviceSpec.port), SERVICE_NAME: serviceSpec.name, ...environment },
                    secrets,
                    // Seed 003: the database is backed up, and the migration step registered, before the release's task
                    // definitions; and no task definition exists before its secrets have values.
                    taskDefinitionDependsOn: [...(snapshot ? [snapshot] : []), migration, ...secretVersions],
                    ...overrides,
                },
                { parent },
            );

        const mlService = service(ml, {
            serviceConnect: { namespaceArn: namespace.arn, role: "server" },
            securityGroupIds: [groups.tasks.id, groups.ml.id],
            calls: [],
        });
        // The live slot keeps the image it serves (rollout.liveImage, set by the release path); the other slot,
        // the candidate, runs this release's image with the same task size, count and environment while a release
        // is under way, and no task between releases (rollout.candidateState).
        const { liveSlot } = spec.rollout;
        const candidateSlot = otherSlot(liveSlot);
        const candidateSlotState = ({ stopped: "stopped", starting: "starting", running: "serving" } as const)[spec.rollout.candidateState];
        const slotImage = (slot: RolloutSlot) => (slot === liveSlot ? (spec.rollout.liveImage ?? api.image) : api.image);
        const apiSlots = Object.fromEntries(
            rolloutSlots.map((slot) => [
                slot,
                service(
                    { ...api, image: slotImage(slot) },
                    {
                        environment: { ML_SERVICE_URL: mlUrl, RELEASE_SLOT: slot },
                        calls: [mlService],
                        loadBalancing: { targetGroup: slotGroups[slot], rollbackAlarms: slotAlarms[slot] },
                        slotState: slot === liveSlot ? "serving" : candidateSlotState,
                    },
                    slotName(slot),
                ),
            ]),
        ) as Record<RolloutSlot, FargateService>;
        // The worker runs the release's image against the same schema: it rolls out once the candidate slot's
        // deployment (after the release's migration) has finished.
        const workerService = service(worker, { environment: { ML_SERVICE_URL: mlUrl }, calls: [mlService], serviceDependsOn: [apiSlots[candidateSlot].service] });

        this.app = { loadBalancer, cluster, services: { api: apiSlots.blue, worker: workerService, ml: mlService }, apiSlots, rollbackAlarms };
        const readinessUrl = pulumi.interpolate`${loadBalancer.url}${api.healthCheck.path}`;
        return {
            url: loadBalancer.url,
            healthUrl: readinessUrl,
            // What the release path reads back between its steps (tools/release/rollout.ts releaseOutputSchema).
            release: pulumi.output({
                version: spec.releaseVersion ?? null,
                images: { api: api.image, worker: worker.image, ml: ml.image },
                readinessUrl,
                alarmNames: pulumi.all(rollbackAlarms.map((alarm) => alarm.name)),
                databaseBackup: snapshot ? { id: snapshot.dbSnapshotIdentifier, location: snapshot.dbSnapshotArn } : null,
                rollout: {
                    liveSlot,
                    candidateSlot,
                    candidatePercent: spec.rollout.candidatePercent,
                    candidateState: spec.rollout.candidateState,
                    weights: loadBalancer.weights,
                    images: { [liveSlot]: slotImage(liveSlot), [candidateSlot]: slotImage(candidateSlot) },
                },
            }),
        };
    }

    createMonitoring(scope: Scope, args: MonitoringArgs): MonitoringEndpoints {
        const { name, parent } = scope;
        const { database, cache, app } = this;
        if (!database || !cache || !app) {
            throw new Error("aws backend: createMonitoring needs the database, cache and app service created first");
        }
        subscribeAlertDestinations(this.ctx, `${name}-to`, parent, this.alertTopics, args.monitoring);
        // A failed deployment with no healthy revision left pages: it is on the critical topic.
        forwardDeploymentFailures(this.ctx, `${name}-deployment-failures`, parent, this.alertTopics.critical, app.cluster.name);

        const observed: ObservedResources = {
            loadBalancer: app.loadBalancer.alb.arnSuffix,
            apiTargetGroups: app.loadBalancer.targetGroups.map((group) => group.arnSuffix),
            clusterName: app.cluster.name,
            serviceNames: {
                api: app.apiSlots.blue.serviceName,
                "api-green": app.apiSlots.green.serviceName,
                worker: app.services.worker.serviceName,
                ml: app.services.ml.serviceName,
            },
            databaseInstanceId: database.instance.identifier,
            databaseStorageGb: this.ctx.spec.database.storageGb,
            cacheNodeIds: cache.nodeIds,
        };
        const alarms = [...app.rollbackAlarms, ...createMonitoringAlarms(this.ctx, `${name}-alarm`, parent, this.alertTopics, observed)];
        if (this.ctx.spec.aws.monthlyBudgetUsd !== undefined) {
            // Seed 001's cost monitoring: a budget overrun is a warning, for Slack and e-mail, not a page.
            createBudget(this.ctx, `${name}-budget`, parent, this.ctx.spec.aws.monthlyBudgetUsd, this.alertTopics.warning.arn);
        }
        const { url } = createDashboard(this.ctx, `${name}-dashboard`, parent, observed, alarms.map((alarm) => alarm.arn));
        return { dashboardUrl: url, alertTarget: pulumi.interpolate`critical ${this.alertTopics.critical.arn}, warning ${this.alertTopics.warning.arn}` };
    }
}

export const createAwsBackend: BackendFactory = (spec, scope) => new AwsBackend(spec, scope);
