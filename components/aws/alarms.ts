import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { alertById, alertCatalogue, type AlertDefinition } from "../alerts/catalogue";
import { awsOptions, type AwsContext } from "./context";
import type { AlertTopics } from "./notifications";

/** What the alarms and the dashboard watch: CloudWatch dimensions of the backend's resources. */
export interface ObservedResources {
    /** `app/<name>/<id>`: the ALB's CloudWatch dimension. */
    loadBalancer: pulumi.Output<string>;
    /** `targetgroup/<name>/<id>` of the api's two target groups (they swap roles at each release). */
    apiTargetGroups: pulumi.Output<string>[];
    clusterName: pulumi.Output<string>;
    /** ECS service names by label: the api's two slots (`api` is blue, `api-green`), worker and ml. */
    serviceNames: Record<string, pulumi.Output<string>>;
    databaseInstanceId: pulumi.Output<string>;
    /** Allocated storage at creation, GiB: the free-storage alarm's reference. */
    databaseStorageGb: number;
    /** One id per Redis node (`<group>-001`, …): ElastiCache reports memory and evictions per node. */
    cacheNodeIds: pulumi.Output<string>[];
}

/** A metric for alarm math, one-minute resolution unless said otherwise. */
export function metric(
    id: string,
    namespace: string,
    metricName: string,
    dimensions: Record<string, pulumi.Input<string>>,
    stat: string,
    period = 60,
): aws.types.input.cloudwatch.MetricAlarmMetricQuery {
    return { id, returnData: false, metric: { namespace, metricName, dimensions, stat, period } };
}

export function expression(id: string, text: string, label: string, returnData = false): aws.types.input.cloudwatch.MetricAlarmMetricQuery {
    return { id, expression: text, label, returnData };
}

export interface RunbookAlarmArgs extends Omit<aws.cloudwatch.MetricAlarmArgs, "alarmActions" | "okActions" | "alarmDescription" | "actionsEnabled"> {
    /** What the alarm means, in one sentence. */
    means: string;
    /** What the person paged should do, in order. */
    steps: string[];
}

/**
 * A CloudWatch alarm that notifies the topic when it fires and when it recovers, with a description
 * that reads as a runbook: what it means, then what to do.
 */
export function runbookAlarm(ctx: AwsContext, name: string, parent: pulumi.Resource, topic: aws.sns.Topic, args: RunbookAlarmArgs): aws.cloudwatch.MetricAlarm {
    const { means, steps, ...alarm } = args;
    const description = `${means} What to do: ${steps.map((step, index) => `(${index + 1}) ${step}`).join(" ")}`;
    if (description.length > 1024) throw new Error(`alarm ${name}: description is ${description.length} characters; CloudWatch takes 1024`);
    const metricCount = (alarm.metricQueries as aws.types.input.cloudwatch.MetricAlarmMetricQuery[] | undefined)?.filter((query) => query.metric !== undefined).length ?? 0;
    if (metricCount > maxMetricsPerAlarm) throw new Error(`alarm ${name}: ${metricCount} metrics; CloudWatch takes ${maxMetricsPerAlarm} in one alarm`);
    return new aws.cloudwatch.MetricAlarm(
        name,
        {
            treatMissingData: "notBreaching",
            ...alarm,
            alarmDescription: description,
            actionsEnabled: true,
            alarmActions: [topic.arn],
            okActions: [topic.arn],
        },
        awsOptions(ctx, parent),
    );
}

/**
 * CloudWatch takes at most 10 metrics (MetricStat queries) in one metric-math alarm, a hard limit.
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/alarm-limits.html
 */
export const maxMetricsPerAlarm = 10;

/**
 * One api slot's release guards, attached to its ECS service with rollback on and read by the release path
 * between stages (docs/rollout.md): the 5xx rate and the p95 latency of the slot's own target group, so an
 * incident on the old revision never rolls back a good hotfix, and a bad revision shows in its own numbers
 * instead of being diluted by the 95 % on the old one. Neither fires below `minRequestsPerMinute`: a canary's first
 * handful of requests is not a verdict.
 */
export function createRollbackAlarms(
    ctx: AwsContext,
    name: string,
    parent: pulumi.Resource,
    topic: aws.sns.Topic,
    loadBalancer: pulumi.Output<string>,
    newRevisionGroup: pulumi.Output<string>,
): aws.cloudwatch.MetricAlarm[] {
    // The release guards use seed 000's critical numbers (from the catalogue) over a shorter window.
    const catalogue = alertCatalogue(ctx.spec.monitoring.thresholds, ctx.spec.monitoring.metrics);
    const errorRate = alertById(catalogue, "apiErrorRateCritical").threshold;
    const p95Seconds = alertById(catalogue, "apiLatencyP95").threshold;
    const minRequests = ctx.spec.aws.rollbackAlarmMinRequestsPerMinute;
    // Three one-minute periods: quick enough to fire inside the five-minute canary stage.
    const minutes = 3;
    const elb = "AWS/ApplicationELB";
    const dimensions = { LoadBalancer: loadBalancer, TargetGroup: newRevisionGroup };

    const errors = runbookAlarm(ctx, `${name}-5xx`, parent, topic, {
        means: `During an api release, the new revision answered more than ${errorRate} % of at least ${minRequests} requests a minute with a 5xx for ${minutes} minutes; ECS rolls the release back automatically.`,
        steps: [
            "Check the api service's Deployments tab: a rollback should be in progress or done.",
            "Read the new revision's logs (/ecs/<stack>/api) for the errors' cause.",
            "Fix and release again; do not re-deploy the same image.",
        ],
        comparisonOperator: "GreaterThanThreshold",
        threshold: errorRate,
        evaluationPeriods: minutes,
        datapointsToAlarm: minutes,
        metricQueries: [
            metric("errors", elb, "HTTPCode_Target_5XX_Count", dimensions, "Sum"),
            metric("requests", elb, "RequestCount", dimensions, "Sum"),
            expression("rate", `IF(FILL(requests, 0) >= ${minRequests}, 100 * FILL(errors, 0) / requests, 0)`, "New revision 5xx rate (%)", true),
        ],
    });

    const latency = runbookAlarm(ctx, `${name}-p95`, parent, topic, {
        means: `During an api release, the new revision's p95 response time was above ${p95Seconds} s (at least ${minRequests} requests a minute) for ${minutes} minutes; ECS rolls the release back automatically.`,
        steps: [
            "Check the api service's Deployments tab: a rollback should be in progress or done.",
            "Compare the two revisions' latency on the dashboard; look for slow queries (RDS Performance Insights) the new revision introduced.",
            "Fix and release again.",
        ],
        comparisonOperator: "GreaterThanThreshold",
        threshold: p95Seconds,
        evaluationPeriods: minutes,
        datapointsToAlarm: minutes,
        metricQueries: [
            metric("p95", elb, "TargetResponseTime", dimensions, "p95"),
            metric("requests", elb, "RequestCount", dimensions, "Sum"),
            expression("guarded", `IF(FILL(requests, 0) >= ${minRequests}, FILL(p95, 0), 0)`, "New revision p95 (s)", true),
        ],
    });
    return [errors, latency];
}

/**
 * Seed 000's alerts from the catalogue (components/alerts/catalogue.ts), each on the topic of its severity,
 * and the AWS-specific ones (tasks missing, CPU, connections, evictions) on the warning topic.
 */
export function createMonitoringAlarms(
    ctx: AwsContext,
    name: string,
    parent: pulumi.Resource,
    topics: AlertTopics,
    observed: ObservedResources,
): aws.cloudwatch.MetricAlarm[] {
    const thresholds = ctx.spec.monitoring.thresholds;
    const catalogue = alertCatalogue(thresholds, ctx.spec.monitoring.metrics);
    const seed = (id: AlertDefinition["id"]) => alertById(catalogue, id);
    const settings = ctx.spec.aws;
    const alarms: aws.cloudwatch.MetricAlarm[] = [];
    const add = (suffix: string, args: RunbookAlarmArgs, severity: AlertDefinition["severity"] = "warning") =>
        alarms.push(runbookAlarm(ctx, `${name}-${suffix}`, parent, topics[severity], args));
    const elb = "AWS/ApplicationELB";
    const lb = { LoadBalancer: observed.loadBalancer };
    const sustained = (minutes: number) => ({ period: 60, evaluationPeriods: minutes, datapointsToAlarm: minutes });

    const errorRate = (alert: AlertDefinition): RunbookAlarmArgs => ({
        means: `More than ${alert.threshold} % of requests to the api failed with a 5xx (from the tasks or the load balancer) for ${alert.forMinutes} minutes.`,
        steps: [
            "Open the dashboard: is it one target group (a release) or all traffic?",
            "If a release is in progress, let the automatic rollback finish.",
            "Otherwise check the api logs, the database and cache panels, and unhealthy hosts.",
        ],
        comparisonOperator: "GreaterThanThreshold",
        threshold: alert.threshold,
        ...sustained(alert.forMinutes),
        metricQueries: [
            metric("targetErrors", elb, "HTTPCode_Target_5XX_Count", lb, "Sum"),
            metric("lbErrors", elb, "HTTPCode_ELB_5XX_Count", lb, "Sum"),
            metric("requests", elb, "RequestCount", lb, "Sum"),
            expression("rate", "IF(requests > 0, 100 * (FILL(targetErrors, 0) + FILL(lbErrors, 0)) / requests, 0)", "5xx rate (%)", true),
        ],
    });
    add("5xx-rate", errorRate(seed("apiErrorRateCritical")), "critical");
    add("5xx-rate-warning", errorRate(seed("apiErrorRateWarning")), "warning");
    const latency = seed("apiLatencyP95");
    add("p95-latency", {
        means: `The api's p95 response time was above ${latency.threshold} s for ${latency.forMinutes} minutes.`,
        steps: [
            "Check the database panel (CPU, connections) and RDS Performance Insights for slow queries.",
            "Check the ml service's CPU: scoring waits on it.",
            "If CPU-bound, raise services.api.autoscaling.maxCount or the task size.",
        ],
        comparisonOperator: "GreaterThanThreshold",
        threshold: latency.threshold,
        ...sustained(latency.forMinutes),
        namespace: elb,
        metricName: "TargetResponseTime",
        dimensions: lb,
        extendedStatistic: "p95",
    }, "critical");
    const health = seed("healthCheckFailing");
    add("unhealthy-hosts", {
        means: `The load balancer has found api tasks failing their readiness check (/health/ready) for ${health.forMinutes} minutes.`,
        steps: [
            "In the ECS console, read the stopped tasks' reasons and the api logs.",
            "Readiness depends on PostgreSQL and Redis: check their panels.",
            "ECS replaces unhealthy tasks; if they keep failing, roll back the last release.",
        ],
        comparisonOperator: "GreaterThanThreshold",
        threshold: 0,
        ...sustained(health.forMinutes),
        metricQueries: [
            ...observed.apiTargetGroups.map((group, index) =>
                metric(`unhealthy${index}`, elb, "UnHealthyHostCount", { ...lb, TargetGroup: group }, "Maximum"),
            ),
            expression("unhealthy", `MAX([${observed.apiTargetGroups.map((_, index) => `FILL(unhealthy${index}, 0)`).join(", ")}])`, "Unhealthy api tasks", true),
        ],
    }, health.severity);

    add("api-no-healthy-target", {
        means: "The load balancer has no healthy api task in either target group: the api is down for every user.",
        steps: [
            "In the ECS console, check the api service's running tasks and its stopped tasks' reasons.",
            "If a release is in progress, let the rollback finish or stop the deployment; otherwise roll back to the previous release.",
            "Check PostgreSQL and Redis: readiness (/health/ready) fails when either is down.",
        ],
        comparisonOperator: "LessThanThreshold",
        threshold: 1,
        ...sustained(2),
        // No data means no healthy target reported at all: count it as the outage it probably is.
        treatMissingData: "breaching",
        metricQueries: [
            ...observed.apiTargetGroups.map((group, index) => metric(`healthy${index}`, elb, "HealthyHostCount", { ...lb, TargetGroup: group }, "Minimum")),
            expression("healthy", observed.apiTargetGroups.map((_, index) => `FILL(healthy${index}, 0)`).join(" + "), "Healthy api tasks, both target groups", true),
        ],
    }, "critical");
    const memory = seed("memoryHigh");
    const disk = seed("diskHigh");
    const cacheHitRate = seed("cacheHitRateLow");
    // ElastiCache's counters are read in five-minute sums: the duration in whole periods, rounded up.
    const cacheHitPeriods = Math.ceil(cacheHitRate.forMinutes / 5);

    for (const [service, serviceName] of Object.entries(observed.serviceNames)) {
        const dimensions = { ClusterName: observed.clusterName, ServiceName: serviceName };
        add(`${service}-tasks-missing`, {
            means: `The ${service} service ran fewer tasks than desired for 5 minutes: tasks fail to start or keep stopping.`,
            steps: [
                `Read the ${service} service's events and stopped tasks' reasons (image pull, secrets, health check, OOM).`,
                "If a release is in progress, its circuit breaker or alarms roll it back; otherwise roll back the last release.",
            ],
            comparisonOperator: "GreaterThanThreshold",
            threshold: 0,
            ...sustained(5),
            metricQueries: [
                // Container Insights (enabled on the cluster) reports both counts per service.
                metric("desired", "ECS/ContainerInsights", "DesiredTaskCount", dimensions, "Minimum"),
                metric("running", "ECS/ContainerInsights", "RunningTaskCount", dimensions, "Minimum"),
                expression("missing", "FILL(desired, 0) - FILL(running, 0)", `${service} tasks missing`, true),
            ],
        });
        add(`${service}-cpu`, {
            means: `The ${service} service's average CPU was above ${thresholds.cpuPercent} % for 5 minutes.`,
            steps: [
                `Check whether the ${service} service is at its autoscaling maximum (desired = max count).`,
                `If so, raise services.${service}.autoscaling.maxCount or services.${service}.cpu and run pulumi up.`,
                "If traffic is normal, look for a hot loop in the latest release.",
            ],
            comparisonOperator: "GreaterThanThreshold",
            threshold: thresholds.cpuPercent,
            ...sustained(5),
            namespace: "AWS/ECS",
            metricName: "CPUUtilization",
            dimensions,
            statistic: "Average",
        });
        add(`${service}-memory`, {
            means: `The ${service} service's average memory was above ${memory.threshold} % for ${memory.forMinutes} minutes; tasks that reach 100 % are killed.`,
            steps: [
                `Look for OOM-killed tasks (exit code 137) in the ${service} service's stopped tasks.`,
                `Raise services.${service}.memory and run pulumi up, or find the leak in the latest release.`,
            ],
            comparisonOperator: "GreaterThanThreshold",
            threshold: memory.threshold,
            ...sustained(memory.forMinutes),
            namespace: "AWS/ECS",
            metricName: "MemoryUtilization",
            dimensions,
            statistic: "Average",
        });
    }

    const db = { DBInstanceIdentifier: observed.databaseInstanceId };
    add("db-cpu", {
        means: `PostgreSQL's CPU was above ${thresholds.cpuPercent} % for 10 minutes.`,
        steps: [
            "Open RDS Performance Insights: find the top SQL by load.",
            "Add the missing index or fix the query; a release may have introduced it.",
            "If load is legitimate, move database.size to a larger instance class (applies in the maintenance window).",
        ],
        comparisonOperator: "GreaterThanThreshold",
        threshold: thresholds.cpuPercent,
        ...sustained(10),
        namespace: "AWS/RDS",
        metricName: "CPUUtilization",
        dimensions: db,
        statistic: "Average",
    });
    const freeBytes = Math.round(((100 - disk.threshold) / 100) * observed.databaseStorageGb * 1024 ** 3);
    add("db-free-storage", {
        means: `PostgreSQL is more than ${disk.threshold} % full: less than ${100 - disk.threshold} % of its initial ${observed.databaseStorageGb} GiB free. Storage autoscaling grows it up to database.maxStorageGb; at the ceiling the database stops accepting writes.`,
        steps: [
            "Check the allocated storage against database.maxStorageGb in the RDS console.",
            "Raise database.maxStorageGb and run pulumi up, or delete data that is no longer needed.",
        ],
        comparisonOperator: "LessThanThreshold",
        threshold: freeBytes,
        ...sustained(disk.forMinutes),
        namespace: "AWS/RDS",
        metricName: "FreeStorageSpace",
        dimensions: db,
        statistic: "Minimum",
    });
    add("db-connections", {
        means: `PostgreSQL has more than ${settings.databaseConnectionsAlarmThreshold} connections; at max_connections new ones are refused and the api fails.`,
        steps: [
            "Check whether the api or worker scaled out (each task holds a pool).",
            "Lower the application's pool size or put RDS Proxy in front; or move to a larger instance class.",
        ],
        comparisonOperator: "GreaterThanThreshold",
        threshold: settings.databaseConnectionsAlarmThreshold,
        ...sustained(5),
        namespace: "AWS/RDS",
        metricName: "DatabaseConnections",
        dimensions: db,
        statistic: "Maximum",
    });

    const nodes = observed.cacheNodeIds.map((id, index) => ({ id, index }));
    const perNode = (prefix: string, metricName: string, stat: string) =>
        nodes.map(({ id, index }) => metric(`${prefix}${index}`, "AWS/ElastiCache", metricName, { CacheClusterId: id }, stat, 300));
    add("cache-memory", {
        means: `A Redis node used more than ${memory.threshold} % of its memory for 10 minutes; beyond it Redis evicts keys (${ctx.spec.cache.evictionPolicy}).`,
        steps: [
            "Check the evictions panel: are hot keys being evicted?",
            "Look for keys without a TTL that a release started writing.",
            "Move cache.size to a larger node type and run pulumi up.",
        ],
        comparisonOperator: "GreaterThanThreshold",
        threshold: memory.threshold,
        evaluationPeriods: 2,
        datapointsToAlarm: 2,
        metricQueries: [
            ...perNode("memory", "DatabaseMemoryUsagePercentage", "Maximum"),
            expression("worst", `MAX([${nodes.map(({ index }) => `FILL(memory${index}, 0)`).join(", ")}])`, "Fullest node memory (%)", true),
        ],
    });
    add("cache-evictions", {
        means: `Redis evicted more than ${settings.cacheEvictionsAlarmThreshold} keys in 5 minutes: the cache is too small for its working set, so the api falls through to PostgreSQL.`,
        steps: [
            "Check the cache memory and hit-rate panels.",
            "Move cache.size to a larger node type, or shorten TTLs of large values.",
        ],
        comparisonOperator: "GreaterThanThreshold",
        threshold: settings.cacheEvictionsAlarmThreshold,
        evaluationPeriods: 1,
        metricQueries: [
            ...perNode("evictions", "Evictions", "Sum"),
            expression("total", nodes.map(({ index }) => `FILL(evictions${index}, 0)`).join(" + "), "Evictions, all nodes", true),
        ],
    });
    add("cache-hit-rate", {
        means: `Redis answered fewer than ${cacheHitRate.threshold} % of lookups from the cache for ${cacheHitPeriods * 5} minutes, so most requests reach PostgreSQL.`,
        steps: [
            "Check whether a release changed cache keys (a cold cache recovers by itself within minutes).",
            "Check evictions: a full cache lowers the hit rate.",
        ],
        comparisonOperator: "LessThanThreshold",
        threshold: cacheHitRate.threshold,
        evaluationPeriods: cacheHitPeriods,
        datapointsToAlarm: cacheHitPeriods,
        metricQueries: cacheHitRateQueries(nodes.map(({ id }) => id)),
    });
    return alarms;
}

/**
 * The cache hit rate over all nodes, in at most {@link maxMetricsPerAlarm} metrics at every node count.
 * Up to five nodes: exact, from each node's hits and misses (two metrics a node). Beyond: each node's own
 * `CacheHitRate`, and the best of them, which is the primary's: the app reads only through the primary
 * endpoint, so replicas see no lookups.
 */
export function cacheHitRateQueries(nodeIds: pulumi.Input<string>[]): aws.types.input.cloudwatch.MetricAlarmMetricQuery[] {
    const nodes = nodeIds.map((id, index) => ({ id, index }));
    const perNode = (prefix: string, metricName: string, stat: string) =>
        nodes.map(({ id, index }) => metric(`${prefix}${index}`, "AWS/ElastiCache", metricName, { CacheClusterId: id }, stat, 300));
    if (nodes.length * 2 <= maxMetricsPerAlarm) {
        const sum = (prefix: string) => nodes.map(({ index }) => `FILL(${prefix}${index}, 0)`).join(" + ");
        return [
            ...perNode("hits", "CacheHits", "Sum"),
            ...perNode("misses", "CacheMisses", "Sum"),
            expression("hitsAll", sum("hits"), "Hits"),
            expression("missesAll", sum("misses"), "Misses"),
            // No lookups is not a low hit rate: report 100 % then.
            expression("hitRate", "IF(hitsAll + missesAll > 0, 100 * hitsAll / (hitsAll + missesAll), 100)", "Cache hit rate (%)", true),
        ];
    }
    return [
        ...perNode("rate", "CacheHitRate", "Average"),
        expression("hitRate", `MAX([${nodes.map(({ index }) => `FILL(rate${index}, 100)`).join(", ")}])`, "Cache hit rate, primary (%)", true),
    ];
}
