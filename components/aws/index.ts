import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { CacheSpec, DatabaseSpec, EnvironmentSpec, ServiceName, ServiceSpec } from "../../config";
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
import { createAlertTopic, createMonitoringAlarms, createRollbackAlarms, type ObservedResources } from "./alarms";
import { PrivateBucket } from "./bucket";
import { createRedis, type RedisCache } from "./cache";
import { awsOptions, createContext, type AwsContext } from "./context";
import { createDashboard } from "./dashboard";
import { createPostgres, type PostgresDatabase } from "./database";
import { createExecutionRole, createLoadBalancerInfrastructureRole, createTaskRole, defaultBedrockModelArn } from "./iam";
import { LoadBalancer } from "./loadBalancer";
import { Network } from "./network";
import { forwardDeploymentFailures, subscribeAlertDestinations } from "./notifications";
import { storeSecret } from "./secrets";
import { SecurityGroups, createVpcEndpoints } from "./securityGroups";
import { FargateService, type ContainerSecret, type FargateServiceArgs } from "./service";

/** What the app-service step leaves for monitoring. */
interface AppResources {
    loadBalancer: LoadBalancer;
    cluster: aws.ecs.Cluster;
    services: Record<ServiceName, FargateService>;
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
    private readonly alertTopic: aws.sns.Topic;
    private database?: PostgresDatabase;
    private cache?: RedisCache;
    private app?: AppResources;

    constructor(spec: EnvironmentSpec, scope: Scope) {
        this.ctx = createContext(spec, scope.name, scope.parent);
        this.network = new Network(`${scope.name}-network`, this.ctx, { parent: scope.parent });
        this.securityGroups = new SecurityGroups(`${scope.name}-sg`, this.ctx, this.network, { parent: scope.parent });
        createVpcEndpoints(`${scope.name}-endpoint`, this.ctx, this.network, this.securityGroups);
        // Created up front: the api's rollback alarms (app step) notify it as well as the monitoring alarms.
        this.alertTopic = createAlertTopic(this.ctx, `${scope.name}-alerts`, scope.parent);
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

        const models = new PrivateBucket(
            `${name}-models`,
            ctx,
            { versioned: true, noncurrentVersionDays: spec.aws.modelVersionRetentionDays },
            { parent },
        );

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

        const secrets: ContainerSecret[] = [
            { name: "DATABASE_URL", arn: storeSecret(ctx, `${name}-database-url`, parent, "PostgreSQL connection URL for the app", args.database.url).arn },
            { name: "REDIS_URL", arn: storeSecret(ctx, `${name}-redis-url`, parent, "Redis connection URL for the app", args.cache.url).arn },
            { name: "APP_SECRET_KEY", arn: storeSecret(ctx, `${name}-app-key`, parent, "The app's signing key", args.appSecretKey).arn },
        ];

        const logGroups = Object.fromEntries(
            ([api, worker, ml] as const).map((service) => [
                service.name,
                new aws.cloudwatch.LogGroup(
                    `${name}-${service.name}-logs`,
                    { name: `/ecs/${spec.project}-${spec.stack}/${service.name}`, retentionInDays: spec.aws.logRetentionDays },
                    awsOptions(ctx, parent),
                ),
            ]),
        ) as Record<ServiceName, aws.cloudwatch.LogGroup>;

        const executionRole = createExecutionRole(ctx, `${name}-execution`, parent, {
            secretArns: secrets.map((secret) => secret.arn),
            logGroupArns: Object.values(logGroups).map((group) => group.arn),
            images: [api.image, worker.image, ml.image],
        });
        const bedrockModelArn = spec.aws.bedrockModelArn ?? defaultBedrockModelArn(ctx);
        const taskRole = createTaskRole(ctx, `${name}-task`, parent, { modelsBucketArn: models.arn, bedrockModelArn });

        const loadBalancer = new LoadBalancer(`${name}-lb`, ctx, api, this.network, groups, { parent });
        const infrastructure = createLoadBalancerInfrastructureRole(ctx, `${name}-lb-infrastructure`, parent);
        const rollbackAlarms = createRollbackAlarms(
            ctx,
            `${name}-api-rollback`,
            parent,
            this.alertTopic,
            loadBalancer.alb.arnSuffix,
            loadBalancer.targetGroups.map((group) => group.arnSuffix),
        );

        const sharedEnvironment: Record<string, pulumi.Input<string>> = {
            ENVIRONMENT: spec.environment,
            AWS_REGION: ctx.region,
            MODELS_BUCKET: models.name,
            BEDROCK_MODEL_ARN: bedrockModelArn,
        };
        const mlUrl = `http://${ml.name}:${ml.port}`;
        type ServiceOverrides = Partial<Omit<FargateServiceArgs, "spec" | "environment" | "calls">> & {
            /** Added to the shared environment. */
            environment?: Record<string, pulumi.Input<string>>;
            calls: pulumi.Resource[];
        };
        const service = (serviceSpec: ServiceSpec, { environment, ...overrides }: ServiceOverrides) =>
            new FargateService(
                `${name}-${serviceSpec.name}`,
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
                    // Seed 003: the database is backed up before the release's task definitions (and its migrations) roll out.
                    taskDefinitionDependsOn: this.database?.preMigrationSnapshot ? [this.database.preMigrationSnapshot] : [],
                    ...overrides,
                },
                { parent },
            );

        const mlService = service(ml, {
            serviceConnect: { namespaceArn: namespace.arn, role: "server" },
            securityGroupIds: [groups.tasks.id, groups.ml.id],
            calls: [],
        });
        const apiService = service(api, {
            environment: { ML_SERVICE_URL: mlUrl },
            calls: [mlService],
            loadBalancing: {
                targetGroups: loadBalancer.targetGroups,
                productionRule: loadBalancer.productionRule,
                infrastructureRole: infrastructure.role,
                rollbackAlarms,
                dependsOn: [infrastructure.attachment],
            },
        });
        const workerService = service(worker, { environment: { ML_SERVICE_URL: mlUrl }, calls: [mlService] });

        this.app = { loadBalancer, cluster, services: { api: apiService, worker: workerService, ml: mlService }, rollbackAlarms };
        return { url: loadBalancer.url, healthUrl: pulumi.interpolate`${loadBalancer.url}${api.healthCheck.path}` };
    }

    createMonitoring(scope: Scope, args: MonitoringArgs): MonitoringEndpoints {
        const { name, parent } = scope;
        const { database, cache, app } = this;
        if (!database || !cache || !app) {
            throw new Error("aws backend: createMonitoring needs the database, cache and app service created first");
        }
        subscribeAlertDestinations(this.ctx, `${name}-to`, parent, this.alertTopic, args.monitoring);
        forwardDeploymentFailures(this.ctx, `${name}-deployment-failures`, parent, this.alertTopic, app.cluster.name);

        const observed: ObservedResources = {
            loadBalancer: app.loadBalancer.alb.arnSuffix,
            apiTargetGroups: app.loadBalancer.targetGroups.map((group) => group.arnSuffix),
            clusterName: app.cluster.name,
            serviceNames: {
                api: app.services.api.serviceName,
                worker: app.services.worker.serviceName,
                ml: app.services.ml.serviceName,
            },
            databaseInstanceId: database.instance.identifier,
            databaseStorageGb: this.ctx.spec.database.storageGb,
            cacheNodeIds: cache.nodeIds,
        };
        const alarms = [...app.rollbackAlarms, ...createMonitoringAlarms(this.ctx, `${name}-alarm`, parent, this.alertTopic, observed)];
        const { url } = createDashboard(this.ctx, `${name}-dashboard`, parent, observed, alarms.map((alarm) => alarm.arn));
        return { dashboardUrl: url, alertTarget: this.alertTopic.arn };
    }
}

export const createAwsBackend: BackendFactory = (spec, scope) => new AwsBackend(spec, scope);
