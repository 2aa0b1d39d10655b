import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { alertById, alertCatalogue, type AlertDefinition } from "../alerts/catalogue";
import type { ObservedResources } from "./alarms";
import { awsOptions, type AwsContext } from "./context";

type MetricLine = (pulumi.Input<string> | Record<string, unknown>)[];

interface Widget {
    title: string;
    metrics: MetricLine[];
    stat?: string;
    /** Horizontal lines, e.g. an alarm threshold. */
    annotations?: { label: string; value: number }[];
    yLabel?: string;
}

const widgetWidth = 12;
const widgetHeight = 6;

/**
 * One CloudWatch dashboard with seed 000's four views as sections (main, API performance, ML metrics,
 * infrastructure), the catalogue's thresholds drawn on the panels an alarm watches.
 */
export function createDashboard(ctx: AwsContext, name: string, parent: pulumi.Resource, observed: ObservedResources, alarmArns: pulumi.Output<string>[]): {
    dashboard: aws.cloudwatch.Dashboard;
    url: pulumi.Output<string>;
} {
    const thresholds = ctx.spec.monitoring.thresholds;
    const catalogue = alertCatalogue(thresholds, ctx.spec.monitoring.metrics);
    const limit = (id: AlertDefinition["id"]) => alertById(catalogue, id).threshold;
    const elb = "AWS/ApplicationELB";
    const lb = observed.loadBalancer;
    const period = 60;

    const all: Widget[] = [
        { title: "Requests per minute", stat: "Sum", metrics: [[elb, "RequestCount", "LoadBalancer", lb, { label: "requests" }]] },
        {
            title: "5xx error rate (%)",
            metrics: [
                [elb, "HTTPCode_Target_5XX_Count", "LoadBalancer", lb, { id: "targetErrors", stat: "Sum", visible: false }],
                [elb, "HTTPCode_ELB_5XX_Count", "LoadBalancer", lb, { id: "lbErrors", stat: "Sum", visible: false }],
                [elb, "RequestCount", "LoadBalancer", lb, { id: "requests", stat: "Sum", visible: false }],
                [{ expression: "IF(requests > 0, 100 * (FILL(targetErrors, 0) + FILL(lbErrors, 0)) / requests, 0)", label: "5xx rate", id: "rate" }],
            ],
            annotations: [
                { label: "critical", value: limit("apiErrorRateCritical") },
                { label: "warning", value: limit("apiErrorRateWarning") },
            ],
        },
        {
            title: "Latency (seconds)",
            metrics: ["p50", "p95", "p99"].map((stat) => [elb, "TargetResponseTime", "LoadBalancer", lb, { stat, label: stat }]),
            annotations: [{ label: "p95 alarm", value: limit("apiLatencyP95") }],
        },
        {
            title: "api tasks by target group (healthy / unhealthy)",
            stat: "Maximum",
            metrics: observed.apiTargetGroups.flatMap((group, index) => [
                [elb, "HealthyHostCount", "LoadBalancer", lb, "TargetGroup", group, { label: `healthy ${index === 0 ? "a" : "b"}` }],
                [elb, "UnHealthyHostCount", "LoadBalancer", lb, "TargetGroup", group, { label: `unhealthy ${index === 0 ? "a" : "b"}` }],
            ]),
        },
        {
            title: "Services CPU (%)",
            stat: "Average",
            metrics: Object.entries(observed.serviceNames).map(([service, serviceName]) => [
                "AWS/ECS", "CPUUtilization", "ClusterName", observed.clusterName, "ServiceName", serviceName, { label: service },
            ]),
            annotations: [{ label: "alarm", value: thresholds.cpuPercent }],
        },
        {
            title: "Services memory (%)",
            stat: "Average",
            metrics: Object.entries(observed.serviceNames).map(([service, serviceName]) => [
                "AWS/ECS", "MemoryUtilization", "ClusterName", observed.clusterName, "ServiceName", serviceName, { label: service },
            ]),
            annotations: [{ label: "alarm", value: limit("memoryHigh") }],
        },
        {
            title: "Database: CPU (%) and connections",
            stat: "Average",
            metrics: [
                ["AWS/RDS", "CPUUtilization", "DBInstanceIdentifier", observed.databaseInstanceId, { label: "CPU %" }],
                ["AWS/RDS", "DatabaseConnections", "DBInstanceIdentifier", observed.databaseInstanceId, { label: "connections", yAxis: "right", stat: "Maximum" }],
            ],
        },
        {
            title: "Database: free storage (GiB) and latency (ms)",
            metrics: [
                ["AWS/RDS", "FreeStorageSpace", "DBInstanceIdentifier", observed.databaseInstanceId, { id: "free", stat: "Minimum", visible: false }],
                [{ expression: "free / 1073741824", label: "free GiB", id: "freeGib" }],
                ["AWS/RDS", "ReadLatency", "DBInstanceIdentifier", observed.databaseInstanceId, { id: "read", stat: "Average", visible: false }],
                ["AWS/RDS", "WriteLatency", "DBInstanceIdentifier", observed.databaseInstanceId, { id: "write", stat: "Average", visible: false }],
                [{ expression: "read * 1000", label: "read ms", id: "readMs", yAxis: "right" }],
                [{ expression: "write * 1000", label: "write ms", id: "writeMs", yAxis: "right" }],
            ],
        },
        {
            title: "Cache: memory (%) per node",
            stat: "Maximum",
            metrics: observed.cacheNodeIds.map((id, index) => ["AWS/ElastiCache", "DatabaseMemoryUsagePercentage", "CacheClusterId", id, { label: `node ${index + 1}` }]),
            annotations: [{ label: "alarm", value: limit("memoryHigh") }],
        },
        {
            title: "Cache: hit rate (%) and evictions",
            metrics: [
                ...observed.cacheNodeIds.map((id, index) => ["AWS/ElastiCache", "CacheHitRate", "CacheClusterId", id, { label: `hit rate ${index + 1}`, stat: "Average" }]),
                ...observed.cacheNodeIds.map((id, index) => ["AWS/ElastiCache", "Evictions", "CacheClusterId", id, { label: `evictions ${index + 1}`, stat: "Sum", yAxis: "right" }]),
            ],
            annotations: [{ label: "hit-rate alarm", value: limit("cacheHitRateLow") }],
        },
    ];

    const byTitle = (prefix: string) => all.filter((w) => w.title.startsWith(prefix));
    const mlService = observed.serviceNames.ml;
    const sections: { title: string; note?: string; widgets: Widget[] }[] = [
        { title: "Main", widgets: [...byTitle("Requests per minute"), ...byTitle("5xx error rate")] },
        { title: "API performance", widgets: [...byTitle("Latency"), ...byTitle("api tasks by target group")] },
        {
            title: "ML metrics",
            note: "The model's own metrics (fraud_score_distribution, fraud_rate_percentage, risk levels) are Prometheus metrics the app exports; CloudWatch shows the ml service's load. See docs/alerts.md.",
            widgets: [
                {
                    title: "ml service: CPU and memory (%)",
                    stat: "Average",
                    metrics: [
                        ["AWS/ECS", "CPUUtilization", "ClusterName", observed.clusterName, "ServiceName", mlService, { label: "CPU %" }],
                        ["AWS/ECS", "MemoryUtilization", "ClusterName", observed.clusterName, "ServiceName", mlService, { label: "memory %" }],
                    ],
                    annotations: [{ label: "memory alarm", value: limit("memoryHigh") }],
                },
                {
                    title: "ml service: running tasks",
                    stat: "Minimum",
                    metrics: [["ECS/ContainerInsights", "RunningTaskCount", "ClusterName", observed.clusterName, "ServiceName", mlService, { label: "running" }]],
                },
            ],
        },
        { title: "Infrastructure", widgets: [...byTitle("Services"), ...byTitle("Database"), ...byTitle("Cache")] },
    ];

    const layout: Record<string, unknown>[] = [{ type: "alarm", x: 0, y: 0, width: 24, height: 6, properties: { title: "Alarms", alarms: alarmArns } }];
    let y = 6;
    for (const section of sections) {
        layout.push({ type: "text", x: 0, y, width: 24, height: section.note ? 2 : 1, properties: { markdown: `## ${section.title}${section.note ? `\n${section.note}` : ""}` } });
        y += section.note ? 2 : 1;
        section.widgets.forEach((widget, index) => {
            layout.push({
                type: "metric",
                x: (index % 2) * widgetWidth,
                y: y + Math.floor(index / 2) * widgetHeight,
                width: widgetWidth,
                height: widgetHeight,
                properties: {
                    title: widget.title,
                    region: ctx.region,
                    view: "timeSeries",
                    period,
                    stat: widget.stat ?? "Average",
                    metrics: widget.metrics,
                    annotations: widget.annotations ? { horizontal: widget.annotations } : undefined,
                },
            });
        });
        y += Math.ceil(section.widgets.length / 2) * widgetHeight;
    }
    const body = pulumi.jsonStringify({ widgets: layout });

    const dashboardName = `${ctx.spec.project}-${ctx.spec.stack}`;
    const dashboard = new aws.cloudwatch.Dashboard(name, { dashboardName, dashboardBody: body }, awsOptions(ctx, parent));
    const url = pulumi.interpolate`https://${ctx.region}.console.aws.amazon.com/cloudwatch/home?region=${ctx.region}#dashboards/dashboard/${dashboard.dashboardName}`;
    return { dashboard, url };
}
