/**
 * The monthly cost model: reads the registered resources (types and inputs only) and prices them from the
 * dated table in prices.ts. Generic over what the backends register: a resource type with no price model
 * is listed under `notPriced`, never dropped, and a price the table lacks gives a line with `monthlyUsd: null`.
 */
import { awsUsEast1, digitalOcean, hoursPerMonth, type PriceFact } from "./prices";
import { arrayInput, inputSource, numberInput, packageOf, recordInput, stringInput, type ReportResource } from "./types";

export type CostCategory = "compute" | "database" | "cache" | "networking" | "load balancing" | "monitoring" | "storage" | "secrets";

export interface CostLine {
    category: CostCategory;
    /** What is billed, e.g. "api service: 3 × Fargate ARM64 task, 0.5 vCPU / 1 GB". */
    item: string;
    /** Names of the resources the line covers. */
    resources: string[];
    quantity: number;
    unit: string;
    /** Unit price in USD per `unit`, or null when the table has no price. */
    unitPriceUsd: number | null;
    monthlyUsd: number | null;
    /** "fixed": billed as provisioned; "usage": depends on traffic or data, estimated from `assumption`. */
    basis: "fixed" | "usage";
    assumption?: string;
    source: string;
    note?: string;
}

export interface CostEstimate {
    region: string;
    lines: CostLine[];
    /** Fixed lines that have a price. */
    monthlyCostUsd: number;
    /** Usage lines that have a price, at their stated assumption. */
    usageCostUsd: number;
    /** Resource types the model has no price for, with how many of each and why. */
    notPriced: { type: string; count: number; reason: string }[];
}

/** Usage assumptions, stated in the report next to each usage line. */
export const usageAssumptions = {
    s3StoredGbPerBucket: 10,
    lambdaInvocationsPerFunction: 30,
    natProcessedGb: 100,
    dataTransferOutGb: 100,
    albAverageLcu: 1,
    logIngestGbPerGroup: 5,
    interfaceEndpointGb: 10,
};

const round2 = (n: number) => Math.round(n * 100) / 100;

class Lines {
    readonly byKey = new Map<string, CostLine>();
    add(line: Omit<CostLine, "monthlyUsd"> & { monthlyUsd?: number | null }, key = `${line.category}|${line.item}`): void {
        const monthlyUsd = line.monthlyUsd !== undefined ? line.monthlyUsd : line.unitPriceUsd === null ? null : line.quantity * line.unitPriceUsd;
        const existing = this.byKey.get(key);
        if (existing) {
            existing.quantity += line.quantity;
            // Sorted: the order resources register in follows the SDK's promise scheduling, not the program.
            existing.resources.push(...line.resources);
            existing.resources.sort();
            existing.monthlyUsd = existing.monthlyUsd === null || monthlyUsd === null ? null : existing.monthlyUsd + monthlyUsd;
            return;
        }
        this.byKey.set(key, { ...line, resources: [...line.resources], monthlyUsd });
    }
}

function priced(fact: PriceFact): { unitPriceUsd: number | null; source: string; note?: string } {
    return { unitPriceUsd: fact.usd, source: fact.source, ...(fact.note ? { note: fact.note } : {}) };
}

const missing = (what: string): PriceFact => ({ usd: null, unit: "", source: "", note: `no price in the table for ${what}` });

/** Types that carry no charge of their own: configuration, identity, wiring, or billed through another line. */
const noChargeOfTheirOwn: Record<string, string> = {
    "aws:ec2/vpc:Vpc": "a VPC itself is not billed",
    "aws:ec2/subnet:Subnet": "configuration",
    "aws:ec2/routeTable:RouteTable": "configuration",
    "aws:ec2/routeTableAssociation:RouteTableAssociation": "configuration",
    "aws:ec2/internetGateway:InternetGateway": "configuration (traffic is billed as data transfer)",
    "aws:ec2/securityGroup:SecurityGroup": "configuration",
    "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": "configuration",
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": "configuration",
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": "configuration",
    "aws:iam/role:Role": "identity",
    "aws:iam/rolePolicy:RolePolicy": "identity",
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": "identity",
    "aws:ecs/cluster:Cluster": "Fargate bills the tasks, not the cluster",
    "aws:ecs/taskDefinition:TaskDefinition": "billed through its service's tasks",
    "aws:lb/targetGroup:TargetGroup": "billed through the load balancer",
    "aws:lb/listener:Listener": "billed through the load balancer",
    "aws:lb/listenerRule:ListenerRule": "billed through the load balancer",
    "aws:rds/subnetGroup:SubnetGroup": "configuration",
    "aws:rds/parameterGroup:ParameterGroup": "configuration",
    "aws:elasticache/subnetGroup:SubnetGroup": "configuration",
    "aws:elasticache/parameterGroup:ParameterGroup": "configuration",
    "aws:appautoscaling/target:Target": "scaling configuration; the extra tasks are billed as compute",
    "aws:appautoscaling/policy:Policy": "scaling configuration",
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls": "bucket configuration",
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": "bucket configuration",
    "aws:s3/bucketVersioning:BucketVersioning": "bucket configuration (old versions are billed as storage)",
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": "bucket configuration",
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": "bucket configuration",
    "aws:s3/bucketPolicy:BucketPolicy": "bucket configuration",
    "aws:sns/topicPolicy:TopicPolicy": "configuration",
    "aws:sns/topicSubscription:TopicSubscription": "billed per delivery through the topic",
    "aws:cloudwatch/eventTarget:EventTarget": "configuration",
    "aws:lambda/permission:Permission": "configuration",
    "aws:secretsmanager/secretVersion:SecretVersion": "billed through its secret",
    "digitalocean:index/vpc:Vpc": "configuration",
    "digitalocean:index/project:Project": "grouping only",
    "digitalocean:index/databaseDb:DatabaseDb": "billed through its cluster",
    "digitalocean:index/databaseUser:DatabaseUser": "billed through its cluster",
    "digitalocean:index/databaseConnectionPool:DatabaseConnectionPool": "billed through its cluster",
    "digitalocean:index/databaseFirewall:DatabaseFirewall": "configuration",
    "digitalocean:index/databaseRedisConfig:DatabaseRedisConfig": "configuration",
    "digitalocean:index/databaseValkeyConfig:DatabaseValkeyConfig": "configuration",
    "digitalocean:index/databasePostgresqlConfig:DatabasePostgresqlConfig": "configuration",
    "digitalocean:index/monitorAlert:MonitorAlert": "alert policy on DigitalOcean's monitoring",
    "digitalocean:index/uptimeAlert:UptimeAlert": "billed through its uptime check",
};

/** Types billed only by use, for which the table has no price: shown, never silently zero. */
const usageOnlyNotPriced: Record<string, string> = {
    "aws:sns/topic:Topic": "SNS publishes and deliveries (usage; no SNS price in the table)",
    "aws:cloudwatch/eventRule:EventRule": "EventBridge events (usage; no EventBridge price in the table)",
    "aws:servicediscovery/httpNamespace:HttpNamespace": "Cloud Map registrations and lookups (usage; no Cloud Map price in the table)",
    "aws:rds/snapshot:Snapshot": "manual snapshot storage (usage; grows with the database)",
};

function byUrn(resources: ReportResource[]): Map<string, ReportResource> {
    return new Map(resources.map((r) => [r.urn, r]));
}

/** The AWS region the stack's resources go to: the explicit provider's, else `aws:region` config, else unknown. */
export function awsRegion(resources: ReportResource[], config: Record<string, string>): string | undefined {
    const provider = resources.find((r) => r.type === "pulumi:providers:aws");
    return stringInput(provider?.inputs.region) ?? config["aws:region"];
}

function digitalOceanRegion(resources: ReportResource[]): string | undefined {
    for (const r of resources) {
        if (packageOf(r.type) !== "digitalocean") continue;
        const region = stringInput(r.inputs.region) ?? stringInput(recordInput(r.inputs.spec)?.region);
        if (region) return region;
    }
    return undefined;
}

export function estimateCost(resources: ReportResource[], config: Record<string, string> = {}): CostEstimate {
    const lines = new Lines();
    const urns = byUrn(resources);
    const unpriced = new Map<string, { count: number; reason: string }>();
    const skip = (r: ReportResource, reason: string) => {
        const entry = unpriced.get(r.type) ?? { count: 0, reason };
        entry.count += 1;
        unpriced.set(r.type, entry);
    };
    const region = awsRegion(resources, config);
    const awsPriced = region === undefined || region === "us-east-1";
    const aws = (fact: PriceFact) => (awsPriced ? priced(fact) : priced(missing(`AWS region ${region}`)));
    let internetFacingEdge = false;

    for (const r of resources) {
        if (!r.custom || r.type.startsWith("pulumi:")) continue;
        const pkg = packageOf(r.type);
        if (pkg === "random") continue;
        if (pkg === "docker") continue;
        // Keys and certificates the tls provider makes locally (the selfhosted stack's first-run pair): no charge.
        if (pkg === "tls") continue;
        if (noChargeOfTheirOwn[r.type]) continue;
        const inputs = r.inputs;
        switch (r.type) {
            case "aws:ecs/service:Service": {
                const task = inputSource(r, "taskDefinition", "aws:ecs/taskDefinition:TaskDefinition", urns);
                const cpu = numberInput(task?.inputs.cpu);
                const memory = numberInput(task?.inputs.memory);
                const count = numberInput(inputs.desiredCount) ?? 0;
                const arch = stringInput(recordInput(task?.inputs.runtimePlatform)?.cpuArchitecture) ?? "X86_64";
                const arm = arch === "ARM64";
                const service = serviceName(r.name);
                const scaling = resources.find((t) => t.type === "aws:appautoscaling/target:Target" && t.dependencies.includes(r.urn));
                const range = scaling ? ` (autoscaling ${numberInput(scaling.inputs.minCapacity) ?? "?"}..${numberInput(scaling.inputs.maxCapacity) ?? "?"})` : "";
                if (cpu === undefined || memory === undefined) {
                    lines.add({ category: "compute", item: `${service} service: task size unknown`, resources: [r.name], quantity: count, unit: "task", unitPriceUsd: null, basis: "fixed", source: "", note: "no task definition with cpu and memory found" });
                    break;
                }
                const vcpu = cpu / 1024;
                const gb = memory / 1024;
                const vcpuFact = arm ? awsUsEast1.fargateArmVcpuHour : awsUsEast1.fargateX86VcpuHour;
                const gbFact = arm ? awsUsEast1.fargateArmGbHour : awsUsEast1.fargateX86GbHour;
                const perTaskHour = vcpuFact.usd * vcpu + gbFact.usd * gb;
                const price = aws({ ...vcpuFact, usd: perTaskHour * hoursPerMonth, source: `${vcpuFact.source}` });
                lines.add({
                    category: "compute",
                    item: `${service} service: ${count} × Fargate ${arch} task, ${vcpu} vCPU / ${gb} GB${range}`,
                    resources: [r.name],
                    quantity: count,
                    unit: "task-month",
                    basis: "fixed",
                    ...price,
                    ...(scaling ? { assumption: `at the desired count of ${count}; the autoscaler may run more` } : {}),
                });
                break;
            }
            case "aws:rds/instance:Instance": {
                const cls = stringInput(inputs.instanceClass) ?? "?";
                const multiAz = inputs.multiAz === true;
                const copies = multiAz ? awsUsEast1.rdsMultiAzFactor.usd : 1;
                const fact = awsUsEast1.rdsPostgresInstanceHour[cls] ?? missing(`RDS class ${cls}`);
                const engine = stringInput(inputs.engine) ?? "postgres";
                const instanceFact = engine === "postgres" ? fact : missing(`RDS engine ${engine}`);
                const p = aws(instanceFact);
                lines.add({
                    category: "database",
                    item: `PostgreSQL ${cls}${multiAz ? ", Multi-AZ (primary + standby)" : ", Single-AZ"}`,
                    resources: [r.name],
                    quantity: copies * hoursPerMonth,
                    unit: "instance-hour",
                    basis: "fixed",
                    ...p,
                    source: [p.source, multiAz ? awsUsEast1.rdsMultiAzFactor.source : ""].filter(Boolean).join("; "),
                });
                const storageGb = numberInput(inputs.allocatedStorage) ?? 0;
                const storageType = stringInput(inputs.storageType) ?? "gp2";
                lines.add({
                    category: "storage",
                    item: `PostgreSQL ${storageType} storage, ${storageGb} GB${multiAz ? " × 2 (standby copy)" : ""}`,
                    resources: [r.name],
                    quantity: storageGb * copies,
                    unit: "GB-month",
                    basis: "fixed",
                    ...aws(storageType === "gp3" ? awsUsEast1.rdsGp3GbMonth : missing(`RDS ${storageType} storage`)),
                    ...(numberInput(inputs.maxAllocatedStorage) ? { note: `storage autoscaling may grow it up to ${numberInput(inputs.maxAllocatedStorage)} GB` } : {}),
                });
                const retention = numberInput(inputs.backupRetentionPeriod) ?? 0;
                if (retention > 0) {
                    lines.add({
                        category: "storage",
                        item: `PostgreSQL automated backups, ${retention} days`,
                        resources: [r.name],
                        quantity: 0,
                        unit: "GB-month beyond the provisioned size",
                        basis: "usage",
                        assumption: "backups fit within the free allowance (100 % of provisioned storage)",
                        ...aws(awsUsEast1.rdsBackupGbMonth),
                    });
                }
                break;
            }
            case "aws:elasticache/replicationGroup:ReplicationGroup": {
                const nodeType = stringInput(inputs.nodeType) ?? "?";
                const shards = numberInput(inputs.numNodeGroups);
                const replicas = numberInput(inputs.replicasPerNodeGroup);
                const nodes = numberInput(inputs.numCacheClusters) ?? (shards !== undefined ? shards * (1 + (replicas ?? 0)) : 1);
                lines.add({
                    category: "cache",
                    item: `${stringInput(inputs.engine) ?? "redis"} ${nodeType} × ${nodes} nodes (primary + ${nodes - 1} replicas)`,
                    resources: [r.name],
                    quantity: nodes * hoursPerMonth,
                    unit: "node-hour",
                    basis: "fixed",
                    ...aws(awsUsEast1.elasticacheNodeHour[nodeType] ?? missing(`ElastiCache ${nodeType}`)),
                });
                break;
            }
            case "aws:lb/loadBalancer:LoadBalancer": {
                const type = stringInput(inputs.loadBalancerType) ?? "application";
                if (type !== "application") {
                    lines.add({ category: "load balancing", item: `${type} load balancer`, resources: [r.name], quantity: hoursPerMonth, unit: "hour", basis: "fixed", ...priced(missing(`${type} load balancers`)) });
                    break;
                }
                lines.add({ category: "load balancing", item: "Application Load Balancer", resources: [r.name], quantity: hoursPerMonth, unit: "ALB-hour", basis: "fixed", ...aws(awsUsEast1.albHour) });
                lines.add({
                    category: "load balancing",
                    item: "Application Load Balancer capacity units",
                    resources: [r.name],
                    quantity: usageAssumptions.albAverageLcu * hoursPerMonth,
                    unit: "LCU-hour",
                    basis: "usage",
                    assumption: `${usageAssumptions.albAverageLcu} LCU on average (25 new connections/s, 3,000 active connections or 1 GB/hour)`,
                    ...aws(awsUsEast1.albLcuHour),
                });
                if (inputs.internal !== true) {
                    internetFacingEdge = true;
                    const ips = arrayInput(inputs.subnets).length || arrayInput(inputs.subnetMappings).length || 2;
                    lines.add({ category: "networking", item: "Public IPv4 addresses (load balancer, one per zone)", resources: [r.name], quantity: ips * hoursPerMonth, unit: "address-hour", basis: "fixed", ...aws(awsUsEast1.publicIpv4Hour) });
                }
                break;
            }
            case "aws:ec2/natGateway:NatGateway":
                lines.add({ category: "networking", item: "NAT gateways", resources: [r.name], quantity: hoursPerMonth, unit: "NAT gateway-hour", basis: "fixed", ...aws(awsUsEast1.natHour) });
                lines.add(
                    {
                        category: "networking",
                        item: "NAT gateway data processing",
                        resources: [r.name],
                        quantity: usageAssumptions.natProcessedGb,
                        unit: "GB",
                        basis: "usage",
                        assumption: `${usageAssumptions.natProcessedGb} GB per month through all NAT gateways (image pulls go through the VPC endpoints)`,
                        ...aws(awsUsEast1.natGb),
                    },
                    "networking|nat-data",
                );
                // One usage line for the stack, however many gateways: undo the quantity the merge added.
                fixNatUsage(lines);
                break;
            case "aws:ec2/eip:Eip":
                lines.add({ category: "networking", item: "Public IPv4 addresses (Elastic IPs)", resources: [r.name], quantity: hoursPerMonth, unit: "address-hour", basis: "fixed", ...aws(awsUsEast1.publicIpv4Hour) });
                break;
            case "aws:ec2/vpcEndpoint:VpcEndpoint": {
                const kind = stringInput(inputs.vpcEndpointType) ?? "Gateway";
                if (kind === "Gateway") continue; // Gateway endpoints (S3, DynamoDB) carry no charge (basavytix.com table: "$0 (Gateway Endpoint)").
                const zones = arrayInput(inputs.subnetIds).length || 1;
                lines.add({ category: "networking", item: "Interface VPC endpoints (per zone)", resources: [r.name], quantity: zones * hoursPerMonth, unit: "endpoint-AZ-hour", basis: "fixed", ...aws(awsUsEast1.interfaceEndpointAzHour) });
                break;
            }
            case "aws:cloudwatch/metricAlarm:MetricAlarm": {
                const queries = arrayInput(inputs.metricQueries).filter((q) => recordInput(q)?.metric !== undefined).length;
                lines.add({ category: "monitoring", item: "CloudWatch alarms (standard resolution, per metric)", resources: [r.name], quantity: Math.max(queries, 1), unit: "alarm metric-month", basis: "fixed", ...aws(awsUsEast1.cloudwatchAlarmMetricMonth) });
                break;
            }
            case "aws:cloudwatch/dashboard:Dashboard":
                lines.add({ category: "monitoring", item: "CloudWatch dashboards", resources: [r.name], quantity: 1, unit: "dashboard-month", basis: "fixed", ...aws(awsUsEast1.cloudwatchDashboardMonth) });
                break;
            case "aws:cloudwatch/logGroup:LogGroup":
                lines.add({
                    category: "monitoring",
                    item: "CloudWatch Logs ingestion",
                    resources: [r.name],
                    quantity: usageAssumptions.logIngestGbPerGroup,
                    unit: "GB",
                    basis: "usage",
                    assumption: `${usageAssumptions.logIngestGbPerGroup} GB per month per log group; storage at the retention period not priced`,
                    ...aws(awsUsEast1.cloudwatchLogsIngestGb),
                });
                break;
            case "aws:s3/bucket:Bucket":
                lines.add({
                    category: "storage",
                    item: "S3 Standard storage",
                    resources: [r.name],
                    quantity: usageAssumptions.s3StoredGbPerBucket,
                    unit: "GB-month",
                    basis: "usage",
                    assumption: `${usageAssumptions.s3StoredGbPerBucket} GB stored per bucket; requests not priced`,
                    ...aws(awsUsEast1.s3StandardGbMonth),
                });
                break;
            case "aws:lambda/function:Function":
                // Invoked by deployments (lifecycle hooks), not by traffic: far inside Lambda's monthly free tier.
                lines.add({
                    category: "compute",
                    item: "Lambda requests and duration",
                    resources: [r.name],
                    quantity: usageAssumptions.lambdaInvocationsPerFunction,
                    unit: "request",
                    basis: "usage",
                    assumption: `${usageAssumptions.lambdaInvocationsPerFunction} invocations per function per month (one per deployment), within the free tier of 1 million requests and 400,000 GB-seconds a month: effectively free`,
                    ...aws(awsUsEast1.lambdaRequest),
                    monthlyUsd: awsPriced ? 0 : null,
                });
                break;
            case "aws:secretsmanager/secret:Secret":
                lines.add({ category: "secrets", item: "Secrets Manager secrets", resources: [r.name], quantity: 1, unit: "secret-month", basis: "fixed", ...aws(awsUsEast1.secretMonth) });
                break;
            case "digitalocean:index/app:App":
                priceApp(r, lines);
                internetFacingEdge = false;
                break;
            case "digitalocean:index/databaseCluster:DatabaseCluster": {
                const size = stringInput(inputs.size) ?? "?";
                const nodes = numberInput(inputs.nodeCount) ?? 1;
                const engine = stringInput(inputs.engine) ?? "?";
                const isCache = engine === "redis" || engine === "valkey";
                lines.add({
                    category: isCache ? "cache" : "database",
                    item: `${engineLabel(engine)} ${size} × ${nodes} node${nodes > 1 ? "s" : ""}${nodes > 1 ? ` (primary + ${nodes - 1} standby)` : ""}`,
                    resources: [r.name],
                    quantity: nodes,
                    unit: "node-month",
                    basis: "fixed",
                    ...priced(digitalOcean.databaseNodeMonth[size] ?? missing(`DigitalOcean database size ${size}`)),
                });
                break;
            }
            case "digitalocean:index/uptimeCheck:UptimeCheck":
                lines.add({ category: "monitoring", item: "Uptime checks", resources: [r.name], quantity: 1, unit: "check-month", basis: "fixed", ...priced(digitalOcean.uptimeCheckMonth) });
                break;
            default:
                if (usageOnlyNotPriced[r.type]) {
                    lines.add({ category: categoryOfUsage(r.type), item: usageOnlyNotPriced[r.type], resources: [r.name], quantity: 0, unit: "", unitPriceUsd: null, basis: "usage", assumption: "depends on use", source: "" }, `usage|${r.type}`);
                } else {
                    skip(r, "no price model for this resource type");
                }
        }
    }
    if (internetFacingEdge) {
        lines.add({
            category: "networking",
            item: "Data transfer out to the internet",
            resources: [],
            quantity: usageAssumptions.dataTransferOutGb,
            unit: "GB",
            basis: "usage",
            assumption: `${usageAssumptions.dataTransferOutGb} GB per month of responses`,
            ...aws(awsUsEast1.dataTransferOutGb),
        });
    }
    const all = [...lines.byKey.values()].map((l) => ({ ...l, monthlyUsd: l.monthlyUsd === null ? null : round2(l.monthlyUsd) }));
    const sum = (basis: CostLine["basis"]) => round2(all.filter((l) => l.basis === basis).reduce((total, l) => total + (l.monthlyUsd ?? 0), 0));
    return {
        region: region ?? digitalOceanRegion(resources) ?? (resources.some((r) => packageOf(r.type) === "docker") ? "local Docker engine" : "unknown"),
        lines: all.sort((a, b) => categoryOrder.indexOf(a.category) - categoryOrder.indexOf(b.category) || (a.basis === b.basis ? 0 : a.basis === "fixed" ? -1 : 1)),
        monthlyCostUsd: sum("fixed"),
        usageCostUsd: sum("usage"),
        notPriced: [...unpriced.entries()].map(([type, v]) => ({ type, ...v })).sort((a, b) => a.type.localeCompare(b.type)),
    };
}

export const categoryOrder: CostCategory[] = ["compute", "database", "cache", "networking", "load balancing", "monitoring", "storage", "secrets"];

function fixNatUsage(lines: Lines): void {
    const line = lines.byKey.get("networking|nat-data");
    if (!line || line.quantity === usageAssumptions.natProcessedGb) return;
    line.quantity = usageAssumptions.natProcessedGb;
    line.monthlyUsd = line.unitPriceUsd === null ? null : line.unitPriceUsd * line.quantity;
}

function categoryOfUsage(type: string): CostCategory {
    if (type.includes("s3/") || type.includes("snapshot")) return "storage";
    if (type.includes("servicediscovery")) return "networking";
    return "monitoring";
}

function engineLabel(engine: string): string {
    return ({ pg: "PostgreSQL", valkey: "Valkey", redis: "Redis", mysql: "MySQL" } as Record<string, string>)[engine] ?? engine;
}

/** `fraud-production-app-api-service` → `api`: the service's own name, from the component naming. */
export function serviceName(resourceName: string): string {
    const parts = resourceName.replace(/-(service|task)$/, "").split("-");
    return parts[parts.length - 1] ?? resourceName;
}

function priceApp(app: ReportResource, lines: Lines): void {
    const spec = recordInput(app.inputs.spec) ?? {};
    const components: [string, CostCategory, unknown[]][] = [
        ["service", "compute", arrayInput(spec.services)],
        ["worker", "compute", arrayInput(spec.workers)],
    ];
    for (const [kind, category, list] of components) {
        for (const entry of list) {
            const c = recordInput(entry) ?? {};
            const size = stringInput(c.instanceSizeSlug) ?? "?";
            const autoscaling = recordInput(c.autoscaling);
            const count = numberInput(c.instanceCount) ?? numberInput(autoscaling?.minInstanceCount) ?? 1;
            lines.add({
                category,
                item: `${componentLabel(stringInput(c.name), kind)}: ${count} × App Platform ${size}${autoscaling ? ` (autoscaling ${numberInput(autoscaling.minInstanceCount) ?? "?"}..${numberInput(autoscaling.maxInstanceCount) ?? "?"})` : ""}`,
                resources: [app.name],
                quantity: count,
                unit: "instance-month",
                basis: "fixed",
                ...priced(digitalOcean.appInstanceMonth[size] ?? missing(`App Platform size ${size}`)),
            });
        }
    }
    for (const entry of arrayInput(spec.jobs)) {
        const c = recordInput(entry) ?? {};
        const size = stringInput(c.instanceSizeSlug) ?? "?";
        const fact = digitalOcean.appInstanceMonth[size] ?? missing(`App Platform size ${size}`);
        lines.add({
            category: "compute",
            item: `${stringInput(c.name) ?? "job"} job (${stringInput(c.kind) ?? "job"}), App Platform ${size}`,
            resources: [app.name],
            quantity: 0,
            unit: "instance-month",
            basis: "usage",
            assumption: "billed per second while it runs (a few minutes per deployment): negligible",
            unitPriceUsd: fact.usd,
            source: fact.source,
            ...(fact.note ? { note: fact.note } : {}),
        });
    }
    for (const entry of arrayInput(spec.databases)) {
        const c = recordInput(entry) ?? {};
        // A production component attaches an existing managed cluster (`cluster_name`), billed as that
        // cluster's nodes (its own line); only a dev database is a priced component of the app.
        if (c.production === true && c.clusterName !== undefined) continue;
        lines.add({
            category: "database",
            item: `App Platform ${c.production === true ? "" : "dev "}database component ${stringInput(c.name) ?? ""}`.trim(),
            resources: [app.name],
            quantity: 1,
            unit: "database-month",
            basis: "fixed",
            ...priced(missing("App Platform database components")),
        });
    }
    lines.add({
        category: "networking",
        item: "App Platform outbound transfer",
        resources: [app.name],
        quantity: 0,
        unit: "GiB beyond the allowance",
        basis: "usage",
        assumption: `${usageAssumptions.dataTransferOutGb} GB per month stays within the allowance (50 GiB per apps-s-1vcpu-0.5gb instance)`,
        unitPriceUsd: null,
        monthlyUsd: 0,
        source: digitalOcean.appBandwidthAllowanceGib.source,
        note: "overage price not in the table",
    });
}

/** `api service`, `worker` (not `worker worker`). */
function componentLabel(name: string | undefined, kind: string): string {
    if (!name) return kind;
    return name === kind ? name : `${name} ${kind}`;
}
