import { expect } from "chai";
import { ConfigValidationError, loadEnvironmentSpec } from "../config";
import type { RecordedResource } from "../tools/engine/emulator";
import { readStackConfig } from "../tools/engine/stackFiles";
import { deployable, isSecret, plainStrings, previewStack, reveal, updateStack, type Preview } from "./helpers";

const t = {
    provider: "pulumi:providers:aws",
    subnet: "aws:ec2/subnet:Subnet",
    routeTable: "aws:ec2/routeTable:RouteTable",
    association: "aws:ec2/routeTableAssociation:RouteTableAssociation",
    natGateway: "aws:ec2/natGateway:NatGateway",
    securityGroup: "aws:ec2/securityGroup:SecurityGroup",
    ingress: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
    rds: "aws:rds/instance:Instance",
    rdsSubnets: "aws:rds/subnetGroup:SubnetGroup",
    snapshot: "aws:rds/snapshot:Snapshot",
    redis: "aws:elasticache/replicationGroup:ReplicationGroup",
    redisSubnets: "aws:elasticache/subnetGroup:SubnetGroup",
    taskDefinition: "aws:ecs/taskDefinition:TaskDefinition",
    service: "aws:ecs/service:Service",
    rolePolicy: "aws:iam/rolePolicy:RolePolicy",
    secret: "aws:secretsmanager/secret:Secret",
    secretVersion: "aws:secretsmanager/secretVersion:SecretVersion",
    alarm: "aws:cloudwatch/metricAlarm:MetricAlarm",
    listener: "aws:lb/listener:Listener",
    listenerRule: "aws:lb/listenerRule:ListenerRule",
    subscription: "aws:sns/topicSubscription:TopicSubscription",
    bucket: "aws:s3/bucket:Bucket",
    randomId: "random:index/randomId:RandomId",
} as const;

const inputsOf = <T>(r: RecordedResource) => reveal(r.inputs) as T;
/** The id the emulated engine gives a resource in an update run. */
const idOf = (r: RecordedResource) => `${r.name}-id`;

interface Statement {
    Effect: string;
    Action: string[];
    Resource?: string[];
}
interface ContainerDefinition {
    name: string;
    environment: { name: string; value: string }[];
    secrets: { name: string; valueFrom: string }[];
    healthCheck?: { command: string[] };
    user?: string;
    readonlyRootFilesystem?: boolean;
}
interface IngressInputs {
    securityGroupId: string;
    fromPort: number;
    toPort: number;
    cidrIpv4?: string;
    cidrIpv6?: string;
    referencedSecurityGroupId?: string;
}
interface ServiceInputs {
    desiredCount: number;
    networkConfiguration: { subnets: string[]; securityGroups: string[]; assignPublicIp: boolean };
    deploymentConfiguration: { strategy: string };
    deploymentCircuitBreaker: { enable: boolean; rollback: boolean };
    alarms?: { enable: boolean; rollback: boolean; alarmNames: string[] };
    healthCheckGracePeriodSeconds?: number;
    loadBalancers?: { targetGroupArn: string; containerName: string; containerPort: number }[];
    serviceConnectConfiguration: { enabled: boolean; services?: { discoveryName: string }[] };
}
interface AlarmInputs {
    alarmActions: string[];
    okActions: string[];
    alarmDescription: string;
    threshold: number;
    metricQueries?: { id: string; expression?: string; metric?: { metricName: string; dimensions: Record<string, string> } }[];
}

const policyOf = (r: RecordedResource) => JSON.parse(inputsOf<{ policy: string }>(r).policy) as { Statement: Statement[] };
const containersOf = (r: RecordedResource) => JSON.parse(inputsOf<{ containerDefinitions: string }>(r).containerDefinitions) as ContainerDefinition[];
const byId = (stack: Preview, type: string, id: string) => {
    const found = stack.ofType(type).find((r) => idOf(r) === id);
    if (!found) throw new Error(`no ${type} with id ${id}`);
    return found;
};

/** Captures `pulumi.log.warn` output (printed with console.warn when no engine listens) while a run lasts. */
async function collectingWarnings<T>(run: () => Promise<T>): Promise<{ result: T; warnings: string[] }> {
    const warnings: string[] = [];
    const original = console.warn;
    console.warn = (...parts: unknown[]) => void warnings.push(parts.map(String).join(" "));
    try {
        return { result: await run(), warnings };
    } finally {
        console.warn = original;
    }
}

describe("aws backend (production stack)", () => {
    /** Production as committed, releasing v1.4.2 (an update: ARNs, endpoints and generated secrets are known). */
    let production: Preview;
    let productionWarnings: string[];
    /** The same stack with no release version set. */
    let unreleased: Preview;
    /** The stack as staging: not protected, one NAT gateway, no certificate, Slack instead of PagerDuty. */
    let staging: Preview;
    let stagingWarnings: string[];
    const slackWebhook = "https://hooks.slack.com/services/T0AAAAAAA/B0BBBBBBB/abcdefghijklmnopqrstuvwx";

    before(async () => {
        ({ result: production, warnings: productionWarnings } = await collectingWarnings(() => updateStack("production", { ...deployable("production"), releaseVersion: "v1.4.2" })));
        unreleased = await previewStack("production");
        ({ result: staging, warnings: stagingWarnings } = await collectingWarnings(() =>
            updateStack(
                "production",
                {
                    environment: "staging",
                    aws: { natGateways: "single" },
                    rollout: { liveSlot: "blue" },
                    monitoring: { alertEmails: ["oncall@dygsom.com"] },
                    pagerDutyIntegrationKey: undefined,
                    slackWebhookUrl: slackWebhook,
                },
                ["slackWebhookUrl"],
            ),
        ));
    });

    const tasksGroup = (stack: Preview) => stack.named("-sg-tasks", t.securityGroup);
    const ingressInto = (stack: Preview, group: RecordedResource) =>
        stack.ofType(t.ingress).map((r) => inputsOf<IngressInputs>(r)).filter((rule) => rule.securityGroupId === idOf(group));

    /** True when the subnet's route table sends internet traffic through a NAT gateway and has no internet-gateway route. */
    function isPrivateSubnet(stack: Preview, subnetId: string): boolean {
        const subnet = byId(stack, t.subnet, subnetId);
        const association = stack.ofType(t.association).find((r) => inputsOf<{ subnetId: string }>(r).subnetId === idOf(subnet));
        if (!association) return false;
        const table = byId(stack, t.routeTable, inputsOf<{ routeTableId: string }>(association).routeTableId);
        const routes = inputsOf<{ routes: { cidrBlock: string; gatewayId?: string; natGatewayId?: string }[] }>(table).routes;
        const defaultRoute = routes.find((route) => route.cidrBlock === "0.0.0.0/0");
        return defaultRoute?.natGatewayId !== undefined && routes.every((route) => route.gatewayId === undefined) && inputsOf<{ mapPublicIpOnLaunch: boolean }>(subnet).mapPublicIpOnLaunch === false;
    }

    it("puts PostgreSQL in private subnets behind a group that admits only the tasks' and the role setup function's groups on 5432", () => {
        const instance = inputsOf<{ dbSubnetGroupName: string; vpcSecurityGroupIds: string[]; publiclyAccessible: boolean; storageEncrypted: boolean; multiAz: boolean }>(production.named("-db-postgres", t.rds));
        const subnetGroup = production.ofType(t.rdsSubnets).find((r) => instance.dbSubnetGroupName.startsWith(`${r.name}-`))!;
        const subnetIds = inputsOf<{ subnetIds: string[] }>(subnetGroup).subnetIds;
        expect(subnetIds).to.have.length(2);
        for (const id of subnetIds) expect(isPrivateSubnet(production, id), id).to.equal(true);
        expect(instance.publiclyAccessible).to.equal(false);
        expect(instance.storageEncrypted).to.equal(true);
        expect(instance.multiAz).to.equal(true);

        const dbGroup = production.named("-sg-db", t.securityGroup);
        expect(instance.vpcSecurityGroupIds).to.deep.equal([idOf(dbGroup)]);
        const rules = ingressInto(production, dbGroup);
        expect(rules.map((r) => [r.fromPort, r.toPort, r.referencedSecurityGroupId, r.cidrIpv4])).to.deep.equal([
            [5432, 5432, idOf(tasksGroup(production)), undefined],
            [5432, 5432, idOf(production.named("-sg-db-admin", t.securityGroup)), undefined],
        ]);
    });

    it("puts Redis in private subnets behind a group that admits only the tasks' group on 6379, encrypted with an auth token", () => {
        const group = inputsOf<{ subnetGroupName: string; securityGroupIds: string[]; transitEncryptionEnabled: boolean; atRestEncryptionEnabled: boolean; authToken: string; numCacheClusters: number; automaticFailoverEnabled: boolean }>(
            production.named("-cache-redis", t.redis),
        );
        const subnetGroup = production.ofType(t.redisSubnets).find((r) => group.subnetGroupName.startsWith(`${r.name}-`))!;
        for (const id of inputsOf<{ subnetIds: string[] }>(subnetGroup).subnetIds) expect(isPrivateSubnet(production, id), id).to.equal(true);
        expect(group.transitEncryptionEnabled && group.atRestEncryptionEnabled && group.automaticFailoverEnabled).to.equal(true);
        expect(group.numCacheClusters).to.equal(3);
        expect(isSecret(production.named("-cache-redis", t.redis).inputs.authToken)).to.equal(true);

        const cacheGroup = production.named("-sg-cache", t.securityGroup);
        expect(group.securityGroupIds).to.deep.equal([idOf(cacheGroup)]);
        const rules = ingressInto(production, cacheGroup);
        expect(rules.map((r) => [r.fromPort, r.toPort, r.referencedSecurityGroupId, r.cidrIpv4])).to.deep.equal([[6379, 6379, idOf(tasksGroup(production)), undefined]]);
    });

    it("runs every task in the private subnets with the tasks' group and no public address", () => {
        for (const service of production.ofType(t.service)) {
            const network = inputsOf<ServiceInputs>(service).networkConfiguration;
            expect(network.assignPublicIp, service.name).to.equal(false);
            expect(network.securityGroups, service.name).to.include(idOf(tasksGroup(production)));
            for (const id of network.subnets) expect(isPrivateSubnet(production, id), `${service.name} ${id}`).to.equal(true);
        }
    });

    it("opens nothing to 0.0.0.0/0 except the load balancer's 80 and 443", () => {
        const alb = production.named("-sg-alb", t.securityGroup);
        const open = production.ofType(t.ingress).map((r) => inputsOf<IngressInputs>(r)).filter((rule) => rule.cidrIpv4 !== undefined || rule.cidrIpv6 !== undefined);
        expect(open.map((rule) => [rule.securityGroupId, rule.fromPort, rule.toPort, rule.cidrIpv4]).sort()).to.deep.equal([
            [idOf(alb), 443, 443, "0.0.0.0/0"],
            [idOf(alb), 80, 80, "0.0.0.0/0"],
        ]);
        for (const group of production.ofType(t.securityGroup)) {
            expect(inputsOf<{ ingress?: unknown[] }>(group).ingress ?? [], group.name).to.deep.equal([]);
        }
        // Tasks take traffic from the load balancer only.
        expect(ingressInto(production, tasksGroup(production)).map((r) => r.referencedSecurityGroupId)).to.deep.equal([idOf(alb)]);
    });

    it("hands the database URL, cache URL and app key to containers only as Secrets Manager secrets", () => {
        const databaseUrl = reveal(production.outputs.databaseUrl) as string;
        const migrationUrl = reveal(production.named("-app-migration-database-url", t.secretVersion).inputs.secretString) as string;
        const cacheUrl = reveal(production.outputs.cacheUrl) as string;
        const secretValues = production.ofType(t.secretVersion).map((r) => ({ r, value: reveal(r.inputs.secretString) as string }));
        const holderOf = (value: string) => secretValues.find((v) => v.value === value)?.r.parent;

        const definitions = production.ofType(t.taskDefinition);
        // The api's two slots (blue, green), worker, ml, and the migration's one-off task.
        expect(definitions).to.have.length(5);
        for (const definition of definitions) {
            // A secret value inside would make the whole definition a secret on the wire; it must stay plain and clean.
            expect(isSecret(definition.inputs.containerDefinitions), definition.name).to.equal(false);
            const [container] = containersOf(definition);
            const environmentNames = container.environment.map((e) => e.name);
            const environmentText = JSON.stringify(container.environment);
            expect(environmentNames, definition.name).to.not.include.members(["DATABASE_URL", "REDIS_URL", "APP_SECRET_KEY"]);
            for (const value of [databaseUrl, migrationUrl, cacheUrl, databaseUrl.split("@")[0].split(":").pop()!]) {
                expect(environmentText.includes(value), `${definition.name} leaks ${value.slice(0, 12)}…`).to.equal(false);
            }
            const secrets = Object.fromEntries(container.secrets.map((s) => [s.name, s.valueFrom]));
            expect(Object.keys(secrets).sort(), definition.name).to.deep.equal(["APP_SECRET_KEY", "DATABASE_URL", "REDIS_URL"]);
            // Each valueFrom is the ARN of the Secrets Manager secret that holds that very value.
            // The migration logs in as the schema owner; every service as the app's role.
            const expectedUrl = definition.name.includes("-migrate") ? migrationUrl : databaseUrl;
            expect(secrets.DATABASE_URL, definition.name).to.include(`:secret:${production.byUrn(holderOf(expectedUrl)!).name}-`);
            expect(secrets.REDIS_URL).to.include(`:secret:${production.byUrn(holderOf(cacheUrl)!).name}-`);
        }
        for (const version of production.ofType(t.secretVersion)) expect(isSecret(version.inputs.secretString), version.name).to.equal(true);
    });

    it("lets the execution role read exactly the containers' secrets, and grants no wildcard action anywhere", () => {
        const referenced = new Set(production.ofType(t.taskDefinition).flatMap((d) => containersOf(d)[0].secrets.map((s) => s.valueFrom)));
        // The app's three, and the migration's own DATABASE_URL.
        expect(referenced.size).to.equal(4);
        const execution = policyOf(production.named("-app-execution", t.rolePolicy));
        const secretGrants = execution.Statement.filter((s) => s.Action.some((a) => a.startsWith("secretsmanager:")));
        expect(secretGrants).to.have.length(1);
        expect(secretGrants[0].Action).to.deep.equal(["secretsmanager:GetSecretValue"]);
        expect(new Set(secretGrants[0].Resource)).to.deep.equal(referenced);

        // The task role: read model files, invoke the one configured model; nothing else.
        const task = policyOf(production.named("-app-task", t.rolePolicy));
        expect(task.Statement.map((s) => s.Action)).to.deep.equal([["s3:GetObject"], ["bedrock:InvokeModel"]]);
        expect(task.Statement[0].Resource).to.have.length(1);
        expect(task.Statement[0].Resource![0]).to.match(/^arn:aws:s3:::fraud-production-app-models-[0-9a-f]+\/\*$/);
        expect(task.Statement[1].Resource).to.deep.equal(["arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0"]);

        for (const policy of production.ofType(t.rolePolicy)) {
            for (const statement of policyOf(policy).Statement.filter((s) => s.Effect === "Allow")) {
                for (const action of statement.Action) expect(action, policy.name).to.not.include("*");
            }
        }
    });

    it("sends each alarm, and its recovery, to the critical or the warning topic as seed 000 says, with a description that says what to do", () => {
        const target = production.outputs.alertTarget as string;
        const [, critical, warning] = /^critical (\S+), warning (\S+)$/.exec(target)!;
        expect(critical).to.match(/^arn:aws:sns:us-east-1:\d{12}:fraud-production-alerts/);
        expect(warning).to.match(/^arn:aws:sns:us-east-1:\d{12}:fraud-production-alerts-warning/);
        const alarms = production.ofType(t.alarm);
        const pages = ["5xx-rate", "p95-latency", "unhealthy-hosts", "api-no-healthy-target"];
        const expected = [...pages, "5xx-rate-warning", "api-cpu", "api-memory", "worker-cpu", "worker-memory", "ml-cpu", "ml-memory", "db-cpu", "db-free-storage", "db-connections", "cache-memory", "cache-evictions", "cache-hit-rate", "rollback-5xx", "rollback-p95"];
        for (const suffix of expected) expect(alarms.some((a) => a.name.endsWith(suffix)), suffix).to.equal(true);
        for (const alarm of alarms) {
            const inputs = inputsOf<AlarmInputs>(alarm);
            const topic = pages.some((suffix) => alarm.name.endsWith(`-alarm-${suffix}`)) ? critical : warning;
            expect(inputs.alarmActions, alarm.name).to.deep.equal([topic]);
            expect(inputs.okActions, alarm.name).to.deep.equal([topic]);
            expect(inputs.alarmDescription, alarm.name).to.match(/What to do: \(1\) .+/);
        }
        const alarm = (suffix: string) => inputsOf<AlarmInputs & { evaluationPeriods: number }>(production.named(suffix, t.alarm));
        expect([alarm("-alarm-5xx-rate").threshold, alarm("-alarm-5xx-rate").evaluationPeriods]).to.deep.equal([5, 5]);
        expect([alarm("-alarm-5xx-rate-warning").threshold, alarm("-alarm-5xx-rate-warning").evaluationPeriods]).to.deep.equal([1, 10]);
        expect([alarm("-alarm-p95-latency").threshold, alarm("-alarm-p95-latency").evaluationPeriods]).to.deep.equal([1, 5]);
        expect([alarm("-alarm-cache-hit-rate").threshold, alarm("-alarm-cache-hit-rate").evaluationPeriods * 5]).to.deep.equal([50, 15]);
    });

    it("lays the CloudWatch dashboard out as seed 000's four views: main, API performance, ML metrics, infrastructure", () => {
        const body = JSON.parse(String(reveal(production.ofType("aws:cloudwatch/dashboard:Dashboard")[0].inputs.dashboardBody))) as { widgets: { type: string; properties: { markdown?: string; title?: string } }[] };
        const sections = body.widgets.filter((w) => w.type === "text").map((w) => w.properties.markdown!.split("\n")[0]);
        expect(sections).to.deep.equal(["## Main", "## API performance", "## ML metrics", "## Infrastructure"]);
        expect(body.widgets.filter((w) => w.type === "metric")).to.have.length(12);
    });

    it("delivers both topics to each email, and only the critical one to PagerDuty, with the integration key kept secret", () => {
        const subscriptions = production.ofType(t.subscription).map((s) => ({ s, inputs: inputsOf<{ protocol: string; endpoint: string; topic: string }>(s) }));
        expect(subscriptions.filter((x) => x.inputs.protocol === "email").map((x) => x.inputs.endpoint)).to.deep.equal(["oncall@dygsom.com", "oncall@dygsom.com"]);
        const pages = subscriptions.filter((x) => x.inputs.protocol === "https");
        expect(pages).to.have.length(1);
        expect(pages[0].inputs.topic).to.match(/:fraud-production-alerts-[0-9a-f]+$|:fraud-production-alerts$/);
        const pagerDuty = pages[0];
        expect(pagerDuty.inputs.endpoint).to.match(/^https:\/\/events\.pagerduty\.com\/integration\/[A-Za-z0-9]{32}\/enqueue$/);
        expect(isSecret(pagerDuty.s.inputs.endpoint)).to.equal(true);
    });

    it("runs the api in two slots, each ROLLING with circuit breaker, its own rollback alarms and a grace period", () => {
        const groups = new Set<string>();
        for (const [slot, suffix] of [["blue", "-app-api-service"], ["green", "-app-api-green-service"]] as const) {
            const service = production.named(suffix, t.service);
            const inputs = inputsOf<ServiceInputs>(service);
            expect(inputs.deploymentConfiguration, slot).to.deep.equal({ strategy: "ROLLING" });
            expect(inputs.deploymentCircuitBreaker, slot).to.deep.equal({ enable: true, rollback: true });
            expect(inputs.healthCheckGracePeriodSeconds, slot).to.equal(60);
            expect(inputs.alarms?.enable && inputs.alarms.rollback, slot).to.equal(true);
            // The alarms named on a slot are its own, on its own target group.
            const prefix = slot === "blue" ? "fraud-production-app-api-rollback" : "fraud-production-app-api-green-rollback";
            const rollbackAlarms = service.propertyDependencies.alarms.map((urn) => production.byUrn(urn));
            expect(rollbackAlarms.map((a) => a.name).sort(), slot).to.deep.equal([`${prefix}-5xx`, `${prefix}-p95`]);
            expect(inputs.alarms!.alarmNames.every((name, i) => name.startsWith(`${rollbackAlarms[i].name}-`))).to.equal(true);
            const errors = inputsOf<AlarmInputs>(production.byUrn(rollbackAlarms.find((a) => a.name.endsWith("-5xx"))!.urn));
            const watched = new Set(errors.metricQueries!.filter((q) => q.metric !== undefined).map((q) => q.metric!.dimensions.TargetGroup));
            expect(errors.threshold).to.equal(5);
            const [lb] = inputs.loadBalancers!;
            expect([...watched], slot).to.deep.equal([lb.targetGroupArn.replace(/^.*:/, "")]);
            expect(lb).not.to.have.property("advancedConfiguration");
            groups.add(lb.targetGroupArn);
        }
        expect(groups.size).to.equal(2);
        expect(inputsOf<AlarmInputs>(production.named("-api-rollback-p95", t.alarm)).threshold).to.equal(1);
    });

    it("splits api traffic with the stack's weights on one rule: blue 100 / green 0 before any release, no ignored changes", () => {
        const rule = production.named("-lb-api", t.listenerRule);
        expect(rule.ignoreChanges).to.deep.equal([]);
        const [action] = inputsOf<{ actions: { forward: { targetGroups: { arn: string; weight: number }[] } }[] }>(rule).actions;
        const blue = inputsOf<ServiceInputs>(production.named("-app-api-service", t.service)).loadBalancers![0].targetGroupArn;
        const green = inputsOf<ServiceInputs>(production.named("-app-api-green-service", t.service)).loadBalancers![0].targetGroupArn;
        expect(action.forward.targetGroups).to.deep.equal([
            { arn: blue, weight: 100 },
            { arn: green, weight: 0 },
        ]);
        const release = production.outputs.release as { rollout: Record<string, unknown>; images: Record<string, string>; alarmNames: string[] };
        expect(release.rollout).to.deep.include({ liveSlot: "blue", candidateSlot: "green", candidatePercent: 0, weights: { blue: 100, green: 0 } });
        expect(release.images.api).to.equal("ghcr.io/dygsom/fraud-api:1.4.2");
        expect(release.alarmNames).to.have.length(4);
    });

    it("leaves the api's task count to the autoscaler, and keeps ml internal (Service Connect, no load balancer)", () => {
        // The live slot's count is the autoscaler's. The standby slot runs no task between releases: its count
        // (0) is applied, as it is when the release's prepare step starts it, and its scaler is pinned to 0..0.
        expect(production.named("-app-api-service", t.service).ignoreChanges).to.deep.equal(["desiredCount"]);
        const standby = production.named("-app-api-green-service", t.service);
        expect(standby.ignoreChanges).to.deep.equal([]);
        expect(inputsOf<ServiceInputs>(standby).desiredCount).to.equal(0);
        const standbyScaling = inputsOf<{ minCapacity: number; maxCapacity: number }>(production.named("-app-api-green-scaling"));
        expect([standbyScaling.minCapacity, standbyScaling.maxCapacity]).to.deep.equal([0, 0]);
        const scaling = inputsOf<{ minCapacity: number; maxCapacity: number }>(production.named("-app-api-scaling"));
        expect([scaling.minCapacity, scaling.maxCapacity]).to.deep.equal([2, 10]);
        expect(inputsOf<{ targetTrackingScalingPolicyConfiguration: { targetValue: number } }>(production.named("-app-api-cpu")).targetTrackingScalingPolicyConfiguration.targetValue).to.equal(70);

        const ml = inputsOf<ServiceInputs>(production.named("-app-ml-service", t.service));
        expect(ml.loadBalancers ?? []).to.deep.equal([]);
        expect(ml.serviceConnectConfiguration.services?.map((s) => s.discoveryName)).to.deep.equal(["ml"]);
        expect(production.named("-app-worker-service", t.service).ignoreChanges).to.deep.equal([]);
    });

    it("runs containers non-root, read-only, on ARM64, with a health check on the liveness path", () => {
        for (const definition of production.ofType(t.taskDefinition)) {
            const [container] = containersOf(definition);
            expect(container.user, definition.name).to.equal("1000:1000");
            expect(container.readonlyRootFilesystem, definition.name).to.equal(true);
            // The migration is a one-off task: it has no health check, it exits.
            if (!definition.name.endsWith("-migrate-task")) expect(container.healthCheck?.command.join(" "), definition.name).to.match(/http:\/\/127\.0\.0\.1:\d+\/health/);
            expect(inputsOf<{ runtimePlatform: { cpuArchitecture: string } }>(definition).runtimePlatform.cpuArchitecture).to.equal("ARM64");
        }
    });

    it("protects the database, cache, buckets and secrets in production, and not in staging", () => {
        const stateful = [t.rds, t.redis, t.bucket, t.secret];
        for (const type of stateful) {
            expect(production.ofType(type).length, type).to.be.greaterThan(0);
            for (const r of production.ofType(type)) expect(r.protect, `production ${r.name}`).to.equal(true);
            for (const r of staging.ofType(type)) expect(r.protect, `staging ${r.name}`).to.equal(false);
        }
        expect(inputsOf<{ deletionProtection: boolean }>(production.named("-db-postgres", t.rds)).deletionProtection).to.equal(true);
        expect(inputsOf<{ deletionProtection: boolean }>(staging.named("-db-postgres", t.rds)).deletionProtection).to.equal(false);
    });

    it("tags every resource through the one provider's default tags", () => {
        const providers = production.ofType(t.provider);
        expect(providers).to.have.length(1);
        const defaultTags = JSON.parse(providers[0].inputs.defaultTags as string) as { tags: Record<string, string> };
        expect(defaultTags.tags).to.deep.equal({ project: "fraud-platform", stack: "production", environment: "production" });
        const awsResources = production.resources.filter((r) => r.custom && r.type.startsWith("aws:"));
        expect(awsResources.length).to.be.greaterThan(100);
        for (const r of awsResources) expect(r.provider.startsWith(`${providers[0].urn}::`), r.name).to.equal(true);
    });

    it("names the final snapshots from a random suffix renewed with the instance, so repeated destroys never collide", () => {
        const instance = production.named("-db-postgres", t.rds);
        const inputs = inputsOf<{ skipFinalSnapshot: boolean; finalSnapshotIdentifier: string; copyTagsToSnapshot: boolean; backupRetentionPeriod: number; backupWindow: string }>(instance);
        expect(inputs.skipFinalSnapshot).to.equal(false);
        expect(inputs.copyTagsToSnapshot).to.equal(true);
        expect([inputs.backupRetentionPeriod, inputs.backupWindow]).to.deep.equal([7, "03:00-04:00"]);
        const suffix = production.byUrn(instance.propertyDependencies.finalSnapshotIdentifier[0]);
        expect(suffix.type).to.equal(t.randomId);
        expect(inputs.finalSnapshotIdentifier).to.match(/^fraud-production-db-final-[0-9a-f]{8}$/);
        // Renewed whenever the instance would be replaced (new database name or user), so the new instance gets a new name.
        expect(Object.keys(inputsOf<{ keepers: Record<string, string> }>(suffix).keepers)).to.include.members(["dbName", "username"]);
        const cacheSuffix = production.byUrn(production.named("-cache-redis", t.redis).propertyDependencies.finalSnapshotIdentifier[0]);
        expect(cacheSuffix.type).to.equal(t.randomId);
    });

    it("snapshots the database before the release's task definitions roll out, only when a release version is set", () => {
        const snapshot = production.named("-db-pre-migration-1-4-2", t.snapshot);
        expect(snapshot.retainOnDelete).to.equal(true);
        expect(inputsOf<{ dbSnapshotIdentifier: string }>(snapshot).dbSnapshotIdentifier).to.match(/^fraud-production-db-pre-v1-4-2-[0-9a-f]{8}$/);
        expect(snapshot.propertyDependencies.dbInstanceIdentifier).to.deep.equal([production.named("-db-postgres", t.rds).urn]);
        for (const definition of production.ofType(t.taskDefinition)) expect(definition.dependencies, definition.name).to.include(snapshot.urn);
        expect(production.named("-app-api-service", t.service).dependencies).to.include(snapshot.urn);

        expect(unreleased.ofType(t.snapshot)).to.deep.equal([]);
        expect(unreleased.ofType(t.taskDefinition)).to.have.length(5);
    });

    it("serves HTTPS with the certificate and redirects HTTP; exports the URL, health URL, dashboard and endpoints without passwords", () => {
        const listeners = production.ofType(t.listener).map((l) => inputsOf<{ port: number; protocol: string; certificateArn?: string; defaultActions: { type: string }[] }>(l));
        expect(listeners.find((l) => l.port === 443)).to.include({ protocol: "HTTPS" });
        expect(listeners.find((l) => l.port === 80)!.defaultActions[0].type).to.equal("redirect");
        expect(production.outputs.url).to.equal("https://api.fraud-platform.io");
        expect(production.outputs.healthUrl).to.equal("https://api.fraud-platform.io/health/ready");
        expect(production.outputs.dashboardUrl).to.match(/^https:\/\/us-east-1\.console\.aws\.amazon\.com\/cloudwatch\/.*dashboards\/dashboard\/fraud-platform-production$/);
        expect(production.outputs.databaseEndpoint).to.match(/\.rds\.amazonaws\.com:5432$/);
        expect(production.outputs.cacheEndpoint).to.match(/\.cache\.amazonaws\.com:6379$/);
        const password = (reveal(production.outputs.databaseUrl) as string).split("@")[0].split(":").pop()!;
        expect(plainStrings(production.outputs).some((s) => s.includes(password))).to.equal(false);
        expect(productionWarnings.filter((w) => w.includes("certificateArn"))).to.deep.equal([]);
    });

    it("without a certificate serves HTTP only, warns, and opens no 443; outside production one NAT gateway may serve all zones", () => {
        expect(staging.outputs.url as string).to.match(/^http:\/\/[^/]+\.elb\.amazonaws\.com$/);
        expect(stagingWarnings.some((w) => w.includes("fraud-platform:aws.certificateArn is not set"))).to.equal(true);
        expect(staging.ofType(t.listener).map((l) => inputsOf<{ protocol: string }>(l).protocol)).to.deep.equal(["HTTP"]);
        expect(ingressInto(staging, staging.named("-sg-alb", t.securityGroup)).map((r) => r.fromPort)).to.deep.equal([80]);
        expect(staging.ofType(t.natGateway)).to.have.length(1);
        expect(production.ofType(t.natGateway)).to.have.length(2);
    });

    it("outside production adds no WAF, flow logs or models access logging unless configured (they cost money)", () => {
        for (const type of ["aws:wafv2/webAcl:WebAcl", "aws:ec2/flowLog:FlowLog", "aws:s3/bucketLogging:BucketLogging"]) {
            expect(staging.ofType(type), type).to.have.length(0);
            expect(production.ofType(type), type).to.have.length(1);
        }
    });

    it("forwards both topics' alerts to Slack through one function that reads the webhook from Secrets Manager, never in plain text", () => {
        const subscriptions = staging.ofType(t.subscription).map((s) => inputsOf<{ protocol: string }>(s).protocol);
        expect(subscriptions.sort()).to.deep.equal(["email", "email", "lambda", "lambda"]);
        expect(staging.ofType("aws:lambda/function:Function").filter((f) => f.name.endsWith("-slack"))).to.have.length(1);
        for (const r of staging.resources) expect(plainStrings(r.inputs).some((s) => s.includes("hooks.slack.com")), r.name).to.equal(false);
        const stored = staging.ofType(t.secretVersion).filter((v) => reveal(v.inputs.secretString) === slackWebhook);
        expect(stored).to.have.length(1);
    });
});

describe("aws settings", () => {
    const production = readStackConfig("production");
    const load = (aws: Record<string, unknown>) =>
        loadEnvironmentSpec({
            project: production.project,
            stack: "production",
            values: { ...production.config, "fraud-platform:aws": JSON.stringify(aws) },
            secretKeys: new Set(production.secretKeys),
        });
    const problemsWith = (aws: Record<string, unknown>) => {
        try {
            load(aws);
        } catch (error) {
            if (error instanceof ConfigValidationError) return error.problems;
            throw error;
        }
        return [];
    };

    it("defaults to two zones, a NAT gateway per zone, ARM64, and seed 003's 5 % canary stage", () => {
        const spec = load({});
        const settings = spec.aws;
        expect([settings.availabilityZoneCount, settings.natGateways, settings.cpuArchitecture, spec.rollout.stages[0].percent, settings.vpcCidr]).to.deep.equal([2, "perAz", "ARM64", 5, "10.0.0.0/16"]);
    });

    it("refuses a VPC block that is not a clean private CIDR, naming the key and a fix", () => {
        expect(problemsWith({ vpcCidr: "10.0.0.1/16" })[0]).to.include({ key: "fraud-platform:aws.vpcCidr" });
        expect(problemsWith({ vpcCidr: "10.0.0.1/16" })[0].allowed).to.include("did you mean 10.0.0.0/16");
        expect(problemsWith({ vpcCidr: "10.0.0.0/8" })[0].allowed).to.include("/16 to /22");
        expect(problemsWith({ vpcCidr: "8.8.0.0/16" })[0].allowed).to.include("private");
        expect(problemsWith({ vpcCidr: "10.300.0.0/16" })[0].allowed).to.include("0-255");
        expect(problemsWith({ vpcCidr: "172.20.0.0/16" })).to.deep.equal([]);
    });

    it("refuses, in production, a single NAT gateway, more than three zones and a certificate from another region", () => {
        expect(problemsWith({ natGateways: "single" }).map((p) => p.key)).to.deep.equal(["fraud-platform:aws.natGateways"]);
        expect(problemsWith({ availabilityZoneCount: 4 })[0].allowed).to.include("2, 3");
        const foreign = problemsWith({ certificateArn: "arn:aws:acm:eu-west-1:123456789012:certificate/00000000-0000-0000-0000-000000000000" });
        expect(foreign.map((p) => p.key)).to.deep.equal(["fraud-platform:aws.certificateArn"]);
        expect(foreign[0].allowed).to.include("us-east-1");
    });
});
