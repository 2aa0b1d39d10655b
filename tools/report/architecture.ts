/**
 * The system as an engineer draws it, read from the registered resources: the network and its zones, the
 * edge, the services with their counts and sizes, the data tier with replicas and backups, and monitoring
 * with its alert destinations. Resources are placed by their provider-neutral component (Database, Cache,
 * AppService, Monitoring) and their type, so a backend's renames do not move them.
 */
import { serviceName } from "./cost";
import { arrayInput, inputSource, numberInput, packageOf, recordInput, stringInput, type ReportResource } from "./types";

export interface Box {
    id: string;
    label: string;
    detail: string[];
}

export interface Architecture {
    backend: string;
    network?: Box & { zones: Box[] };
    edge: Box[];
    services: (Box & { public: boolean })[];
    data: (Box & { kind: "database" | "cache" | "storage" })[];
    monitoring: Box[];
    destinations: Box[];
}

const componentKinds: Record<string, "database" | "cache" | "app" | "monitoring"> = {
    "fraud-platform:index:Database": "database",
    "fraud-platform:index:Cache": "cache",
    "fraud-platform:index:AppService": "app",
    "fraud-platform:index:Monitoring": "monitoring",
};

function id(prefix: string, name: string): string {
    return `${prefix}_${name.replace(/[^A-Za-z0-9]/g, "_")}`;
}

export function describeArchitecture(resources: ReportResource[]): Architecture {
    const byUrn = new Map(resources.map((r) => [r.urn, r]));
    const kindOf = (r: ReportResource): string | undefined => {
        for (let p: ReportResource | undefined = r; p; p = byUrn.get(p.parent)) {
            const kind = componentKinds[p.type];
            if (kind) return kind;
        }
        return undefined;
    };
    const ofType = (type: string) => resources.filter((r) => r.type === type);
    const backend = ["aws", "digitalocean", "docker"].find((p) => resources.some((r) => packageOf(r.type) === p)) ?? "unknown";
    const arch: Architecture = { backend, edge: [], services: [], data: [], monitoring: [], destinations: [] };

    // Network and zones.
    const vpc = ofType("aws:ec2/vpc:Vpc")[0];
    if (vpc) {
        const subnets = ofType("aws:ec2/subnet:Subnet");
        const zones = [...new Set(subnets.map((s) => stringInput(s.inputs.availabilityZone) ?? "?"))].sort();
        const nats = ofType("aws:ec2/natGateway:NatGateway").length;
        arch.network = {
            id: "network",
            label: `VPC ${stringInput(vpc.inputs.cidrBlock) ?? ""}`.trim(),
            detail: [`${zones.length} availability zones`, `${nats} NAT gateway${nats === 1 ? "" : "s"}`, `${ofType("aws:ec2/vpcEndpoint:VpcEndpoint").length} VPC endpoints`],
            zones: zones.map((z) => {
                const inZone = subnets.filter((s) => s.inputs.availabilityZone === z);
                return { id: id("zone", z), label: z, detail: inZone.map((s) => `${s.name.includes("public") ? "public" : "private"} ${stringInput(s.inputs.cidrBlock) ?? ""}`.trim()).sort() };
            }),
        };
    }
    const doVpc = ofType("digitalocean:index/vpc:Vpc")[0];
    if (doVpc) {
        arch.network = { id: "network", label: `VPC ${stringInput(doVpc.inputs.ipRange) ?? ""}`.trim(), detail: [`region ${stringInput(doVpc.inputs.region) ?? "?"}`], zones: [] };
    }
    const dockerNets = ofType("docker:index/network:Network");
    if (dockerNets.length) {
        arch.network = {
            id: "network",
            label: "Docker engine",
            detail: [],
            zones: dockerNets.map((n) => ({ id: id("net", n.name), label: `network ${stringInput(n.inputs.name) ?? n.name}`, detail: [n.inputs.internal === true ? "internal (no outside access)" : "bridge"] })),
        };
    }

    // Edge.
    for (const lb of ofType("aws:lb/loadBalancer:LoadBalancer")) {
        const listeners = ofType("aws:lb/listener:Listener").filter((l) => l.parent === lb.parent);
        arch.edge.push({
            id: id("edge", lb.name),
            label: `Application Load Balancer${lb.inputs.internal === true ? " (internal)" : ""}`,
            detail: listeners.map((l) => `${stringInput(l.inputs.protocol) ?? "?"}:${numberInput(l.inputs.port) ?? "?"}${recordInput(arrayInput(l.inputs.defaultActions)[0])?.type === "redirect" ? " → HTTPS" : ""}`).sort(),
        });
    }
    // A web ACL filters in front of the load balancer it is associated with: drawn as part of that box.
    for (const acl of ofType("aws:wafv2/webAcl:WebAcl")) {
        const rules = arrayInput(acl.inputs.rules).length;
        const box = arch.edge.find((e) => e.label.startsWith("Application Load Balancer"));
        box?.detail.push(`AWS WAF in front: ${rules} rule${rules === 1 ? "" : "s"} (rate limits, managed rule groups)`);
    }

    // Services.
    const taskOf = (service: ReportResource) => inputSource(service, "taskDefinition", "aws:ecs/taskDefinition:TaskDefinition", byUrn);
    for (const s of ofType("aws:ecs/service:Service")) {
        const task = taskOf(s);
        const cpu = numberInput(task?.inputs.cpu);
        const memory = numberInput(task?.inputs.memory);
        const scaling = resources.find((t) => t.type === "aws:appautoscaling/target:Target" && t.dependencies.includes(s.urn));
        const strategy = stringInput(recordInput(s.inputs.deploymentConfiguration)?.strategy);
        arch.services.push({
            id: id("svc", serviceName(s.name)),
            label: `${serviceName(s.name)} (ECS Fargate)`,
            detail: [
                `${numberInput(s.inputs.desiredCount) ?? "?"} × ${cpu !== undefined ? cpu / 1024 : "?"} vCPU / ${memory !== undefined ? memory / 1024 : "?"} GB`,
                ...(scaling ? [`autoscaling ${numberInput(scaling.inputs.minCapacity)}..${numberInput(scaling.inputs.maxCapacity)}`] : []),
                ...(strategy ? [`${strategy.toLowerCase()} deployments`] : []),
            ],
            public: arrayInput(s.inputs.loadBalancers).length > 0,
        });
    }
    for (const app of ofType("digitalocean:index/app:App")) {
        const spec = recordInput(app.inputs.spec) ?? {};
        const routed = new Set(arrayInput(recordInput(spec.ingress)?.rules).map((rule) => stringInput(recordInput(recordInput(rule)?.component)?.name)));
        arch.edge.push({ id: "edge_ingress", label: "App Platform ingress (HTTPS)", detail: [...routed].filter(Boolean).map((n) => `/ → ${n}`) });
        for (const [kind, list] of [["service", spec.services], ["worker", spec.workers]] as const) {
            for (const c of arrayInput(list)) {
                const comp = recordInput(c) ?? {};
                const name = stringInput(comp.name) ?? kind;
                arch.services.push({
                    id: id("svc", name),
                    label: `${name} (App Platform ${kind})`,
                    detail: [`${numberInput(comp.instanceCount) ?? numberInput(recordInput(comp.autoscaling)?.minInstanceCount) ?? 1} × ${stringInput(comp.instanceSizeSlug) ?? "?"}`],
                    public: routed.has(name),
                });
            }
        }
        for (const j of arrayInput(spec.jobs)) {
            const job = recordInput(j) ?? {};
            arch.services.push({ id: id("job", stringInput(job.name) ?? "job"), label: `${stringInput(job.name) ?? "job"} (${(stringInput(job.kind) ?? "job").toLowerCase().replace("_", "-")} job)`, detail: [stringInput(job.instanceSizeSlug) ?? ""], public: false });
        }
        for (const alert of arrayInput(spec.alerts)) addDestinations(arch, recordInput(recordInput(alert)?.destinations));
    }
    const replicaCounts = new Map<string, number>();
    for (const c of ofType("docker:index/container:Container")) {
        const kind = kindOf(c);
        const published = arrayInput(c.inputs.ports).map((p) => recordInput(p)).filter((p) => p && numberInput(p.external) !== undefined);
        const label = stringInput(c.inputs.name) ?? c.name;
        // A one-shot container (restart "no": a volume's owner set once) is not part of the running system.
        if (stringInput(c.inputs.restart) === "no") continue;
        const short = label.replace(/^.*-(app|cache|db|monitoring)-/, "");
        if (kind === "app" && /jaeger/.test(short)) {
            arch.monitoring.push({ id: id("mon", label), label: short, detail: published.map((p) => `${stringInput(p?.ip) ?? "0.0.0.0"}:${numberInput(p?.external)}`) });
        } else if (kind === "app") {
            const isEdge = /nginx|proxy|edge|^lb$/.test(short);
            const memory = `memory ${numberInput(c.inputs.memory) ?? "?"} MB`;
            const ports = published.map((p) => `published on ${stringInput(p?.ip) ?? "0.0.0.0"}:${numberInput(p?.external)}`);
            // Replicas (api-1, api-2, …) are one box: the service, how many, and what each has.
            const service = short.replace(/-\d+$/, "");
            const replicas = (replicaCounts.get(service) ?? 0) + 1;
            replicaCounts.set(service, replicas);
            const existing = arch.services.find((s) => s.id === id("svc", `replicas-${service}`));
            if (isEdge) {
                arch.edge.push({ id: id("svc", label), label: "nginx load balancer (container)", detail: [memory, ...ports] });
            } else if (existing && replicas > 1) {
                existing.label = `${service} (${replicas} containers)`;
                existing.detail = [`${replicas} × ${memory}`, ...existing.detail.slice(1), ...ports];
                existing.public = existing.public || ports.length > 0;
            } else {
                arch.services.push({ id: id("svc", replicas > 1 || short !== service ? `replicas-${service}` : label), label: `${service} (container)`, detail: [memory, ...ports], public: ports.length > 0 });
            }
        } else if (kind === "database" || kind === "cache") {
            const backup = /backup/.test(label);
            arch.data.push({ id: id("data", label), label: `${backup ? "backup job" : kind === "database" ? "PostgreSQL" : /sentinel/.test(short) ? "Redis Sentinel" : "Redis"} (container ${label})`, detail: arrayInput(c.inputs.mounts).map((m) => `volume ${stringInput(recordInput(m)?.source) ?? "?"}`), kind: backup ? "storage" : kind });
        } else if (kind === "monitoring") {
            arch.monitoring.push({ id: id("mon", label), label: label.replace(/^.*-monitoring-/, ""), detail: published.map((p) => `127.0.0.1:${numberInput(p?.external)}`) });
        }
    }
    // Behind nginx the api replicas publish nothing: they are what the load balancer forwards to.
    if (backend === "docker" && arch.edge.some((e) => e.label.startsWith("nginx"))) for (const s of arch.services) if (/^api /.test(s.label)) s.public = true;
    if (backend === "docker" && arch.edge.length === 0) {
        const exposed = arch.services.filter((s) => s.public);
        arch.edge.push({ id: "edge_host", label: "host port (no load balancer)", detail: exposed.map((s) => s.detail.find((d) => d.startsWith("published")) ?? "").filter(Boolean) });
    }

    // Data tier.
    for (const db of ofType("aws:rds/instance:Instance")) {
        arch.data.push({
            id: id("data", db.name),
            label: `RDS PostgreSQL ${stringInput(db.inputs.engineVersion) ?? ""}`.trim(),
            detail: [
                `${stringInput(db.inputs.instanceClass) ?? "?"}${db.inputs.multiAz === true ? ", Multi-AZ standby" : ", Single-AZ"}`,
                `${numberInput(db.inputs.allocatedStorage) ?? "?"} GB ${stringInput(db.inputs.storageType) ?? ""}`.trim(),
                `backups ${numberInput(db.inputs.backupRetentionPeriod) ?? 0} days${stringInput(db.inputs.backupWindow) ? `, window ${db.inputs.backupWindow as string}` : ""}`,
                ...(db.protect ? ["protected"] : []),
            ],
            kind: "database",
        });
    }
    for (const rg of ofType("aws:elasticache/replicationGroup:ReplicationGroup")) {
        const nodes = numberInput(rg.inputs.numCacheClusters) ?? 1;
        arch.data.push({
            id: id("data", rg.name),
            label: `ElastiCache ${stringInput(rg.inputs.engine) ?? "redis"} ${stringInput(rg.inputs.engineVersion) ?? ""}`.trim(),
            detail: [`${stringInput(rg.inputs.nodeType) ?? "?"}: primary + ${nodes - 1} replicas`, rg.inputs.automaticFailoverEnabled === true ? "automatic failover" : "no failover", `snapshots ${numberInput(rg.inputs.snapshotRetentionLimit) ?? 0} days`],
            kind: "cache",
        });
    }
    for (const b of ofType("aws:s3/bucket:Bucket")) arch.data.push({ id: id("data", b.name), label: `S3 bucket ${b.name.replace(/^.*-app-/, "")}`, detail: [], kind: "storage" });
    for (const cluster of ofType("digitalocean:index/databaseCluster:DatabaseCluster")) {
        const engine = stringInput(cluster.inputs.engine) ?? "?";
        const nodes = numberInput(cluster.inputs.nodeCount) ?? 1;
        const isCache = engine === "redis" || engine === "valkey";
        arch.data.push({
            id: id("data", cluster.name),
            label: `Managed ${engine === "pg" ? "PostgreSQL" : engine === "valkey" ? "Valkey" : engine} ${stringInput(cluster.inputs.version) ?? ""}`.trim(),
            detail: [`${stringInput(cluster.inputs.size) ?? "?"} × ${nodes} node${nodes === 1 ? "" : "s"}${nodes > 1 ? ` (${nodes - 1} standby)` : ""}`, isCache ? "" : "daily backups, 7-day point-in-time recovery"].filter(Boolean),
            kind: isCache ? "cache" : "database",
        });
    }

    // Monitoring and destinations.
    const alarms = ofType("aws:cloudwatch/metricAlarm:MetricAlarm").length;
    if (alarms) arch.monitoring.push({ id: "mon_alarms", label: `CloudWatch alarms × ${alarms}`, detail: [] });
    const dashboards = ofType("aws:cloudwatch/dashboard:Dashboard").length;
    if (dashboards) arch.monitoring.push({ id: "mon_dashboards", label: `CloudWatch dashboard${dashboards > 1 ? `s × ${dashboards}` : ""}`, detail: [] });
    for (const topic of ofType("aws:sns/topic:Topic")) arch.monitoring.push({ id: id("mon", topic.name), label: `SNS topic ${topic.name.replace(/^fraud-[a-z]+-/, "")}`, detail: [] });
    for (const sub of ofType("aws:sns/topicSubscription:TopicSubscription")) {
        const protocol = stringInput(sub.inputs.protocol) ?? "?";
        const endpoint = stringInput(sub.inputs.endpoint);
        const label = protocol === "email" ? `e-mail ${endpoint ?? ""}`.trim() : sub.name.includes("pagerduty") ? "PagerDuty" : protocol;
        // One box per destination, however many topics (critical, warning) it subscribes to.
        if (arch.destinations.some((d) => d.label === label)) continue;
        arch.destinations.push({ id: id("dest", sub.name), label, detail: endpoint ? [] : ["endpoint is a secret"] });
    }
    if (ofType("aws:lambda/function:Function").length) arch.destinations.push({ id: "dest_lambda", label: "notification function (Lambda)", detail: [] });
    const monitorAlerts = ofType("digitalocean:index/monitorAlert:MonitorAlert");
    if (monitorAlerts.length) arch.monitoring.push({ id: "mon_alerts", label: `DigitalOcean monitor alerts × ${monitorAlerts.length}`, detail: [] });
    const uptime = ofType("digitalocean:index/uptimeCheck:UptimeCheck");
    if (uptime.length) arch.monitoring.push({ id: "mon_uptime", label: `uptime check${uptime.length > 1 ? `s × ${uptime.length}` : ""}`, detail: arrayInput(uptime[0].inputs.regions).map(String) });
    for (const a of [...monitorAlerts, ...ofType("digitalocean:index/uptimeAlert:UptimeAlert")]) {
        addDestinations(arch, recordInput(a.inputs.alerts));
        for (const n of arrayInput(a.inputs.notifications)) addDestinations(arch, recordInput(n));
    }
    if (backend === "docker" && arch.monitoring.some((m) => m.label.includes("alertmanager"))) arch.destinations.push({ id: "dest_alertmanager", label: "Alertmanager receivers", detail: ["in its (secret) configuration"] });
    arch.destinations.sort((a, b) => a.label.localeCompare(b.label));
    return arch;
}

function addDestinations(arch: Architecture, destinations: Record<string, unknown> | undefined): void {
    if (!destinations) return;
    for (const email of arrayInput(destinations.emails)) {
        const label = `e-mail ${String(email)}`;
        if (!arch.destinations.some((d) => d.label === label)) arch.destinations.push({ id: id("dest", label), label, detail: [] });
    }
    for (const slack of arrayInput(destinations.slack ?? destinations.slacks)) {
        const channel = stringInput(recordInput(slack)?.channel) ?? "Slack";
        const label = `Slack ${channel}`;
        if (!arch.destinations.some((d) => d.label === label)) arch.destinations.push({ id: id("dest", label), label, detail: [] });
    }
}
