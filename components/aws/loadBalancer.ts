import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { slotWeights, type RolloutSlot, type ServiceSpec } from "../../config";
import { PrivateBucket } from "./bucket";
import { awsOptions, type AwsContext, type PolicyStatement } from "./context";
import type { Network } from "./network";
import type { SecurityGroups } from "./securityGroups";

const accessLogPrefix = "alb";
/** The target groups' nominal port; tasks are registered with their own (see below). */
export const targetGroupDefaultPort = 80;

/**
 * The public entry: an Application Load Balancer in the public subnets, HTTPS with the configured
 * certificate (HTTP redirects to it) or, without one, HTTP with a warning. Traffic reaches the api
 * through one listener rule that forwards, by weight, to two target groups, one per api slot (blue and
 * green, docs/rollout.md). The weights are the stack's: `rollout.liveSlot` keeps `100 - candidatePercent`,
 * the other slot takes `rollout.candidatePercent`, so each stage of a release (seed 003: 5 %, 50 %, 100 %)
 * is an in-place update of this rule, shown by the preview and written in the record.
 */
export class LoadBalancer extends pulumi.ComponentResource {
    readonly alb: aws.lb.LoadBalancer;
    /** One group per api slot: blue (`-api-a`), green (`-api-b`). They take turns serving production and the new revision. */
    readonly targetGroups: [aws.lb.TargetGroup, aws.lb.TargetGroup];
    /** The rule whose weights the release advances. */
    readonly productionRule: aws.lb.ListenerRule;
    /** The weights the rule forwards with, percent per slot. */
    readonly weights: Record<RolloutSlot, number>;
    /** The listener that serves the api (HTTPS, or HTTP without a certificate): the production rule's. */
    readonly listener: aws.lb.Listener;
    readonly url: pulumi.Output<string>;

    constructor(name: string, ctx: AwsContext, api: ServiceSpec, network: Network, groups: SecurityGroups, opts: pulumi.ComponentResourceOptions) {
        super("fraud-platform:aws:LoadBalancer", name, {}, opts);
        const settings = ctx.spec.aws;
        const options = (extra: pulumi.CustomResourceOptions = {}) => awsOptions(ctx, this, extra);

        const accessLogsOn = settings.accessLogs ?? ctx.production;
        let accessLogBucket: pulumi.Input<string> | undefined;
        const logDependencies: pulumi.Resource[] = [];
        if (accessLogsOn && settings.accessLogsBucket !== undefined) {
            accessLogBucket = settings.accessLogsBucket;
        } else if (accessLogsOn) {
            const logs = new PrivateBucket(
                `${name}-logs`,
                ctx,
                {
                    // Versioned like every bucket (policy s3-bucket-versioning): a deleted log survives a week as an old version.
                    versioned: true,
                    noncurrentVersionDays: 7,
                    expireAfterDays: settings.accessLogsRetentionDays,
                    extraStatements: (arn): PolicyStatement[] => {
                        const target = pulumi.interpolate`${arn}/${accessLogPrefix}/AWSLogs/${ctx.accountId}/*`;
                        const elbAccount = aws.elb.getServiceAccountOutput({}, { provider: ctx.provider, parent: this }).arn;
                        return [
                            // Regions older than August 2022 deliver as the regional ELB account, newer ones as the service.
                            { Sid: "ElbAccountDelivers", Effect: "Allow", Principal: { AWS: elbAccount }, Action: ["s3:PutObject"], Resource: [target] },
                            {
                                Sid: "ElbServiceDelivers",
                                Effect: "Allow",
                                Principal: { Service: "logdelivery.elasticloadbalancing.amazonaws.com" },
                                Action: ["s3:PutObject"],
                                Resource: [target],
                            },
                        ];
                    },
                },
                { parent: this },
            );
            accessLogBucket = logs.name;
            logDependencies.push(logs.policy);
        }

        this.alb = new aws.lb.LoadBalancer(
            `${name}-alb`,
            {
                loadBalancerType: "application",
                internal: false,
                subnets: network.publicSubnetIds,
                securityGroups: [groups.loadBalancer.id],
                dropInvalidHeaderFields: true,
                enableDeletionProtection: ctx.production,
                idleTimeout: 60,
                accessLogs: accessLogBucket === undefined ? undefined : { bucket: accessLogBucket, prefix: accessLogPrefix, enabled: true },
            },
            options({ dependsOn: logDependencies }),
        );

        const check = api.healthCheck;
        // The config edge refuses what the target group would (a timeout not below the interval, fewer than
        // 2 healthy results: config/aws.ts), so the settings pass through unchanged.
        const healthyThreshold = check.healthyThreshold;
        const timeout = check.timeoutSeconds;
        const targetGroup = (suffix: string) =>
            new aws.lb.TargetGroup(
                `${name}-api-${suffix}`,
                {
                    vpcId: network.vpcId,
                    targetType: "ip",
                    protocol: "HTTP",
                    // With `ip` targets ECS registers every task with its container port, and the health check uses
                    // that port (`traffic-port`); the group's own port is only a default nobody uses. Keeping it fixed
                    // means a change of services.api.port does not replace the groups (port is ForceNew), which would
                    // deadlock: the listener rule's actions and the service's target groups belong to ECS (ignored
                    // here), so the old groups would stay in use and could not be deleted. The new port reaches the
                    // service in place (its containerPort), and the tasks' ingress rule follows it.
                    // https://docs.aws.amazon.com/AmazonECS/latest/developerguide/alb.html
                    port: targetGroupDefaultPort,
                    deregistrationDelay: settings.deregistrationDelaySeconds,
                    healthCheck: {
                        enabled: true,
                        path: check.path,
                        protocol: "HTTP",
                        port: "traffic-port",
                        matcher: "200",
                        interval: check.intervalSeconds,
                        timeout,
                        healthyThreshold,
                        unhealthyThreshold: check.unhealthyThreshold,
                    },
                },
                options(),
            );
        // The groups keep their first names ("a", "b"): renaming them would replace them under a live rule.
        this.targetGroups = [targetGroup("a"), targetGroup("b")];

        const notFound = { type: "fixed-response", fixedResponse: { contentType: "text/plain", statusCode: "404", messageBody: "Not found" } };
        let trafficListener: aws.lb.Listener;
        if (settings.certificateArn !== undefined) {
            trafficListener = new aws.lb.Listener(
                `${name}-https`,
                {
                    loadBalancerArn: this.alb.arn,
                    port: 443,
                    protocol: "HTTPS",
                    certificateArn: settings.certificateArn,
                    sslPolicy: "ELBSecurityPolicy-TLS13-1-2-2021-06",
                    routingHttpResponseStrictTransportSecurityHeaderValue: "max-age=31536000; includeSubDomains",
                    defaultActions: [notFound],
                },
                options(),
            );
            new aws.lb.Listener(
                `${name}-http`,
                {
                    loadBalancerArn: this.alb.arn,
                    port: 80,
                    protocol: "HTTP",
                    defaultActions: [{ type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } }],
                },
                options(),
            );
        } else {
            pulumi.log.warn(
                "fraud-platform:aws.certificateArn is not set: the api is served over plain HTTP on port 80. " +
                    "Set an ACM certificate ARN in the stack's region to serve HTTPS (HTTP then redirects).",
                this,
            );
            trafficListener = new aws.lb.Listener(
                `${name}-http`,
                { loadBalancerArn: this.alb.arn, port: 80, protocol: "HTTP", defaultActions: [notFound] },
                options(),
            );
        }

        this.listener = trafficListener;
        // Prometheus scrapes /metrics inside the VPC; from the internet it is answered 404 before it reaches a task.
        new aws.lb.ListenerRule(
            `${name}-no-metrics`,
            {
                listenerArn: trafficListener.arn,
                priority: 10,
                conditions: [{ pathPattern: { values: ["/metrics", "/metrics/*"] } }],
                actions: [notFound],
            },
            options(),
        );

        this.weights = slotWeights(ctx.spec.rollout.liveSlot, ctx.spec.rollout.candidatePercent);
        this.productionRule = new aws.lb.ListenerRule(
            `${name}-api`,
            {
                listenerArn: trafficListener.arn,
                priority: 100,
                conditions: [{ pathPattern: { values: ["/*"] } }],
                actions: [
                    {
                        type: "forward",
                        forward: {
                            targetGroups: [
                                { arn: this.targetGroups[0].arn, weight: this.weights.blue },
                                { arn: this.targetGroups[1].arn, weight: this.weights.green },
                            ],
                        },
                    },
                ],
            },
            options(),
        );

        const scheme = settings.certificateArn !== undefined ? "https" : "http";
        if (settings.certificateArn !== undefined && settings.domainName === undefined) {
            pulumi.log.warn(
                "fraud-platform:aws.domainName is not set: the stack's url is the load balancer's DNS name, which the certificate " +
                    "does not cover. Set it to the certificate's name and point that name at the load balancer.",
                this,
            );
        }
        this.url = settings.domainName !== undefined ? pulumi.output(`${scheme}://${settings.domainName}`) : pulumi.interpolate`${scheme}://${this.alb.dnsName}`;
        this.registerOutputs({ url: this.url });
    }
}
