import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { ServiceSpec } from "../../config";
import { awsOptions, type AwsContext } from "./context";

/** The named port every container maps; Service Connect and the load balancer refer to it. */
const portName = "http";
const tmpVolume = "tmp";

/** A secret a container receives as an environment variable, resolved by ECS from Secrets Manager at start. */
export interface ContainerSecret {
    name: string;
    arn: pulumi.Input<string>;
}

/**
 * How an api slot is put behind the load balancer: its own target group, which the production rule
 * weights against the other slot's (docs/rollout.md). ECS only registers the slot's tasks there; the
 * traffic split is the stack's, so ECS deploys each slot ROLLING, where its circuit breaker and alarm
 * rollback apply.
 */
export interface SlotLoadBalancing {
    targetGroup: aws.lb.TargetGroup;
    /** Alarms on the slot's own target group that roll the slot's ECS deployment back when they fire. */
    rollbackAlarms: aws.cloudwatch.MetricAlarm[];
}

export interface FargateServiceArgs {
    spec: ServiceSpec;
    clusterArn: pulumi.Input<string>;
    clusterName: pulumi.Input<string>;
    /** Service Connect namespace: `server` services are reachable by name inside it, `client` ones only call out. */
    serviceConnect: { namespaceArn: pulumi.Input<string>; role: "server" | "client" };
    subnetIds: pulumi.Input<string>[];
    securityGroupIds: pulumi.Input<string>[];
    executionRoleArn: pulumi.Input<string>;
    taskRoleArn: pulumi.Input<string>;
    logGroupName: pulumi.Input<string>;
    /** Plain, non-secret environment. */
    environment: Record<string, pulumi.Input<string>>;
    secrets: ContainerSecret[];
    loadBalancing?: SlotLoadBalancing;
    /**
     * For an api slot (docs/rollout.md): `serving` (the live slot, or the candidate while the stages move
     * traffic): autoscaled, the scaler owning the task count. `starting` (the candidate in the release's
     * prepare update): `count` tasks are applied, and `pulumi up` waits for them to be healthy, before the
     * scaler takes over. `stopped` (the standby between releases): no task, its scaler pinned to 0..0.
     * Default `serving`. The count is applied exactly at those transitions, never on an ordinary update.
     */
    slotState?: "serving" | "starting" | "stopped";
    /**
     * Resources the new task definition must wait for: the pre-migration snapshot and migration step, and the
     * secret versions (a task can only start once each of its secrets has a value).
     */
    taskDefinitionDependsOn: pulumi.Resource[];
    /** Resources the service's deployment must wait for beyond its task definition (e.g. the api's, for the worker). */
    serviceDependsOn?: pulumi.Resource[];
    /**
     * Services this one calls through Service Connect. Clients learn the namespace's endpoints when they
     * deploy, so the services they call must exist first.
     */
    calls: pulumi.Resource[];
}

/** The container's own health check: GET the liveness path with a tool the image has. */
export function healthCheckCommand(probe: "python" | "curl" | "wget", port: number, path: string, timeoutSeconds: number): string[] {
    const url = `http://127.0.0.1:${port}${path}`;
    switch (probe) {
        case "python":
            return ["CMD", "python", "-c", `import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('${url}', timeout=${timeoutSeconds}).status == 200 else 1)`];
        case "curl":
            return ["CMD", "curl", "--fail", "--silent", "--output", "/dev/null", "--max-time", String(timeoutSeconds), url];
        case "wget":
            return ["CMD", "wget", "--quiet", "--output-document=/dev/null", `--timeout=${timeoutSeconds}`, url];
    }
}

/**
 * Minutes ECS may take for one (rolling) deployment of the service before `pulumi up` gives up on it: tasks
 * starting, passing health checks and draining, generous so only a deployment that cannot finish times out.
 * The release's traffic stages are separate updates (docs/rollout.md), not part of this wait.
 */
export function deploymentWaitMinutes(): number {
    return 30;
}

/**
 * One ECS Fargate service: its task definition (health check, logs, non-root, read-only root,
 * secrets from Secrets Manager), the service (private subnets, circuit breaker with rollback,
 * Service Connect; for an api slot, its target group and alarms that roll its deployment back), and
 * CPU target-tracking autoscaling that owns the desired count.
 */
export class FargateService extends pulumi.ComponentResource {
    readonly taskDefinition: aws.ecs.TaskDefinition;
    readonly service: aws.ecs.Service;
    readonly serviceName: pulumi.Output<string>;

    constructor(name: string, ctx: AwsContext, args: FargateServiceArgs, opts: pulumi.ComponentResourceOptions) {
        super("fraud-platform:aws:FargateService", name, {}, opts);
        const settings = ctx.spec.aws;
        const { spec } = args;
        const check = spec.healthCheck;
        const options = (extra: pulumi.CustomResourceOptions = {}) => awsOptions(ctx, this, extra);

        const clashes = args.secrets.filter((secret) => secret.name in args.environment || secret.name in spec.env);
        if (clashes.length > 0) {
            throw new Error(
                `fraud-platform:services.${spec.name}.env sets ${clashes.map((s) => s.name).join(", ")}, which the aws backend injects from Secrets Manager; remove it from env`,
            );
        }

        const container = {
            name: spec.name,
            image: spec.image,
            essential: true,
            command: spec.command,
            portMappings: [{ name: portName, containerPort: spec.port, protocol: "tcp", appProtocol: "http" }],
            environment: Object.entries({ ...spec.env, ...args.environment })
                .sort(([a], [b]) => a.localeCompare(b))
                .map(([key, value]) => ({ name: key, value })),
            // Resolved by ECS at task start with the execution role; the values never enter the task definition.
            secrets: args.secrets.map((secret) => ({ name: secret.name, valueFrom: secret.arn })),
            healthCheck: {
                command: healthCheckCommand(settings.containerHealthProbe, spec.port, check.livenessPath, check.timeoutSeconds),
                interval: check.intervalSeconds,
                timeout: check.timeoutSeconds,
                retries: check.unhealthyThreshold,
                startPeriod: check.startPeriodSeconds,
            },
            user: settings.containerUser,
            readonlyRootFilesystem: settings.readonlyRootFilesystem,
            mountPoints: settings.readonlyRootFilesystem ? [{ sourceVolume: tmpVolume, containerPath: "/tmp", readOnly: false }] : [],
            linuxParameters: { initProcessEnabled: true, capabilities: { drop: ["ALL"] } },
            stopTimeout: 30,
            logConfiguration: {
                logDriver: "awslogs",
                options: {
                    "awslogs-group": args.logGroupName,
                    "awslogs-region": ctx.region,
                    "awslogs-stream-prefix": spec.name,
                    // A slow log endpoint must not block the app; a bounded buffer drops instead.
                    mode: "non-blocking",
                    "max-buffer-size": "25m",
                },
            },
        };

        this.taskDefinition = new aws.ecs.TaskDefinition(
            `${name}-task`,
            {
                family: name,
                requiresCompatibilities: ["FARGATE"],
                networkMode: "awsvpc",
                cpu: String(spec.cpu),
                memory: String(spec.memory),
                runtimePlatform: { operatingSystemFamily: "LINUX", cpuArchitecture: settings.cpuArchitecture },
                executionRoleArn: args.executionRoleArn,
                taskRoleArn: args.taskRoleArn,
                volumes: settings.readonlyRootFilesystem ? [{ name: tmpVolume }] : [],
                containerDefinitions: pulumi.jsonStringify([container]),
            },
            options({ dependsOn: args.taskDefinitionDependsOn }),
        );

        const lb = args.loadBalancing;
        const serviceConnect: aws.types.input.ecs.ServiceServiceConnectConfiguration = {
            enabled: true,
            namespace: args.serviceConnect.namespaceArn,
            services:
                args.serviceConnect.role === "server"
                    ? [{ portName, discoveryName: spec.name, clientAlias: [{ port: spec.port, dnsName: spec.name }] }]
                    : undefined,
            logConfiguration: {
                logDriver: "awslogs",
                options: { "awslogs-group": args.logGroupName, "awslogs-region": ctx.region, "awslogs-stream-prefix": "service-connect" },
            },
        };

        // `pulumi up` waits for each deployment to finish (ECS's steady state) and fails when it fails: a release
        // that ECS rolls back, or a first deployment that never gets healthy, ends the update with an error.
        const slotState = args.slotState ?? "serving";
        // A stopped slot keeps its scalable target, pinned to 0..0: RegisterScalableTarget moves the current
        // capacity into the registered range, so the scaler itself holds it at 0 whatever order the updates run in
        // (https://docs.aws.amazon.com/autoscaling/application/APIReference/API_RegisterScalableTarget.html).
        const autoscaling =
            spec.autoscaling === undefined || slotState !== "stopped" ? spec.autoscaling : { ...spec.autoscaling, minCount: 0, maxCount: 0 };
        const waitMinutes = deploymentWaitMinutes();
        const timeouts = { create: `${waitMinutes}m`, update: `${waitMinutes}m`, delete: "20m" };

        this.service = new aws.ecs.Service(
            `${name}-service`,
            {
                cluster: args.clusterArn,
                taskDefinition: this.taskDefinition.arn,
                launchType: "FARGATE",
                desiredCount: slotState === "stopped" ? 0 : spec.count,
                networkConfiguration: { subnets: args.subnetIds, securityGroups: args.securityGroupIds, assignPublicIp: false },
                availabilityZoneRebalancing: "ENABLED",
                enableEcsManagedTags: true,
                propagateTags: "SERVICE",
                serviceConnectConfiguration: serviceConnect,
                // A revision that cannot get healthy is rolled back instead of retried forever (rolling deployments only).
                deploymentCircuitBreaker: { enable: true, rollback: true },
                waitForSteadyState: true,
                deploymentMaximumPercent: 200,
                deploymentMinimumHealthyPercent: 100,
                deploymentConfiguration: { strategy: "ROLLING" },
                ...(lb === undefined
                    ? {}
                    : {
                          loadBalancers: [{ targetGroupArn: lb.targetGroup.arn, containerName: spec.name, containerPort: spec.port }],
                          healthCheckGracePeriodSeconds: settings.healthCheckGracePeriodSeconds,
                          // The slot's own 5xx rate and latency roll its deployment back (ECS alarm rollback applies to rolling deployments).
                          alarms: { enable: true, rollback: true, alarmNames: lb.rollbackAlarms.map((alarm) => alarm.name) },
                      }),
            },
            options({
                dependsOn: [...args.taskDefinitionDependsOn, ...(args.serviceDependsOn ?? []), ...args.calls],
                customTimeouts: timeouts,
                // With autoscaling, the scaler owns the task count; re-applying `count` would undo its work at every
                // up. A slot that starts or stops gets its count applied in that one update.
                ignoreChanges: autoscaling && slotState === "serving" ? ["desiredCount"] : [],
            }),
        );
        this.serviceName = this.service.name;

        if (autoscaling) {
            const target = new aws.appautoscaling.Target(
                `${name}-scaling`,
                {
                    serviceNamespace: "ecs",
                    scalableDimension: "ecs:service:DesiredCount",
                    resourceId: pulumi.interpolate`service/${args.clusterName}/${this.service.name}`,
                    minCapacity: autoscaling.minCount,
                    maxCapacity: autoscaling.maxCount,
                },
                options(),
            );
            new aws.appautoscaling.Policy(
                `${name}-cpu`,
                {
                    policyType: "TargetTrackingScaling",
                    serviceNamespace: target.serviceNamespace,
                    scalableDimension: target.scalableDimension,
                    resourceId: target.resourceId,
                    targetTrackingScalingPolicyConfiguration: {
                        predefinedMetricSpecification: { predefinedMetricType: "ECSServiceAverageCPUUtilization" },
                        targetValue: autoscaling.cpuTargetPercent,
                        // Out fast, in slowly: a spike should not wait, a dip should not flap.
                        scaleOutCooldown: 60,
                        scaleInCooldown: 300,
                    },
                },
                options(),
            );
        }

        this.registerOutputs({ serviceName: this.serviceName, taskDefinitionArn: this.taskDefinition.arn });
    }
}
