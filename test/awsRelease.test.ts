import { expect } from "chai";
import { cacheHitRateQueries, maxMetricsPerAlarm } from "../components/aws/alarms";
import { redisParameterGroupFamily } from "../components/aws/cache";
import { targetGroupDefaultPort } from "../components/aws/loadBalancer";
import { autonameFits, bridgeAutonameSuffixLength, nameLimits, physicalName, shortenName, unnamedTypes } from "../components/aws/naming";
import type { RecordedResource } from "../tools/engine/emulator";
import { modelFirstDeploy, typicalCreationTimes, waitsFor, waitsTransitively } from "../tools/engine/deployTime";
import { deployable, reveal, updateStack, type Preview } from "./helpers";

const t = {
    rds: "aws:rds/instance:Instance",
    redis: "aws:elasticache/replicationGroup:ReplicationGroup",
    snapshot: "aws:rds/snapshot:Snapshot",
    taskDefinition: "aws:ecs/taskDefinition:TaskDefinition",
    service: "aws:ecs/service:Service",
    secretVersion: "aws:secretsmanager/secretVersion:SecretVersion",
    alarm: "aws:cloudwatch/metricAlarm:MetricAlarm",
    logGroup: "aws:cloudwatch/logGroup:LogGroup",
    targetGroup: "aws:lb/targetGroup:TargetGroup",
    loadBalancer: "aws:lb/loadBalancer:LoadBalancer",
    listener: "aws:lb/listener:Listener",
    listenerRule: "aws:lb/listenerRule:ListenerRule",
    cluster: "aws:ecs/cluster:Cluster",
    role: "aws:iam/role:Role",
    lambda: "aws:lambda/function:Function",
    eventRule: "aws:cloudwatch/eventRule:EventRule",
    eventTarget: "aws:cloudwatch/eventTarget:EventTarget",
    ingress: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
    invocation: "aws:lambda/invocation:Invocation",
    randomString: "random:index/randomString:RandomString",
} as const;

const inputsOf = <T>(r: RecordedResource) => reveal(r.inputs) as T;

interface MetricQuery {
    id: string;
    expression?: string;
    metric?: { namespace: string; metricName: string; dimensions: Record<string, string> };
}
interface AlarmInputs {
    treatMissingData: string;
    threshold: number;
    comparisonOperator: string;
    metricQueries: MetricQuery[];
}
interface ServiceInputs {
    waitForSteadyState: boolean;
    loadBalancers?: { containerPort: number }[];
    deploymentConfiguration: { strategy: string };
}
const minutesOf = (timeout: string | undefined) => Number(/^(\d+)m$/.exec(timeout ?? "")?.[1] ?? Number.NaN);

describe("aws backend: a production that survives its first pulumi up", () => {
    /** Production as committed and deployable, releasing v1.4.2, as an update (names and ARNs known). */
    let production: Preview;
    /** Production as a new user first deploys it: committed and deployable, no release version. */
    let firstDeploy: Preview;
    /** The same with another api port and a pinned minor PostgreSQL version. */
    let changed: Preview;

    before(async () => {
        production = await updateStack("production", { ...deployable("production"), releaseVersion: "v1.4.2" });
        firstDeploy = await updateStack("production", deployable("production"));
        const services = { ...(JSON.parse(JSON.stringify(readServices())) as Record<string, Record<string, unknown>>) };
        services.api = { ...services.api, port: 9000 };
        changed = await updateStack("production", { ...deployable("production"), releaseVersion: "v1.4.2", services, database: { engineVersion: "16.4" } });
    });

    describe("physical names", () => {
        it("gives every named AWS resource a name within AWS's limit for its type, with the bridge's 8-character suffix where autonamed", () => {
            const aws = production.resources.filter((r) => r.custom && r.type.startsWith("aws:"));
            const unknownTypes = [...new Set(aws.map((r) => r.type))].filter((type) => nameLimits[type] === undefined && !unnamedTypes.includes(type));
            expect(unknownTypes, "types neither in nameLimits nor in unnamedTypes").to.deep.equal([]);
            const tooLong: string[] = [];
            for (const r of aws) {
                const limit = nameLimits[r.type];
                if (limit === undefined) continue;
                const given = reveal(r.inputs[limit.property]);
                if (typeof given === "string") {
                    if (given.length > limit.max) tooLong.push(`${r.type} ${given} (${given.length} > ${limit.max})`);
                } else if (given === undefined && !autonameFits(r.name, limit)) {
                    tooLong.push(`${r.type} ${r.name} + ${bridgeAutonameSuffixLength} (> ${limit.max})`);
                }
            }
            expect(tooLong).to.deep.equal([]);
        });

        it("names the load balancer and target groups readably, with a random part renewed when they must be replaced", () => {
            const name = (r: RecordedResource) => inputsOf<{ name: string }>(r).name;
            expect(name(production.named("-lb-alb", t.loadBalancer))).to.match(/^fraud-prod-app-lb-alb-[a-z0-9]{4}$/);
            const groups = production.ofType(t.targetGroup).map(name).sort();
            expect(groups.map((g) => g.replace(/-[a-z0-9]{4}$/, ""))).to.deep.equal(["fraud-prod-app-lb-api-a", "fraud-prod-app-lb-api-b"]);
            for (const g of groups) expect(g.length).to.be.at.most(32);
            const suffix = production.named("-lb-api-a-name", t.randomString);
            expect(Object.keys(inputsOf<{ keepers: Record<string, string> }>(suffix).keepers).sort()).to.deep.equal(["port", "protocol", "targetType", "vpcId"]);
        });

        it("shortens a prefix by abbreviating, then dropping middle words, then cutting", () => {
            expect(shortenName("fraud-production-app-lb-api-a", 16)).to.equal("fraud-prod-api-a");
            expect(physicalName(32, "fraud-production-app-lb-api-a", "1f3c")).to.equal("fraud-prod-app-lb-api-a-1f3c");
            expect(physicalName(12, "fraud-production-app-lb-api-a", "1f3c")).to.have.length.at.most(12);
            expect(nameLimits["aws:lb/loadBalancer:LoadBalancer"].max).to.equal(32);
            expect(nameLimits["aws:elasticache/replicationGroup:ReplicationGroup"].max).to.equal(40);
            for (const type of ["aws:iam/role:Role", "aws:lambda/function:Function", "aws:cloudwatch/eventRule:EventRule"]) expect(nameLimits[type].max, type).to.equal(64);
            for (const [type, limit] of Object.entries(nameLimits)) expect(limit.source, type).to.match(/https:\/\/|terraform-provider-aws|pulumi/);
        });
    });

    describe("first deploy", () => {
        it("creates the load balancer, listeners, target groups, cluster and roles without waiting for the database or the cache", () => {
            const graph = waitsFor(production.resources);
            const rds = production.named("-db-postgres", t.rds).urn;
            const redis = production.named("-cache-redis", t.redis).urn;
            const independent = [t.loadBalancer, t.listener, t.listenerRule, t.targetGroup, t.cluster, t.role, t.logGroup].flatMap((type) => production.ofType(type));
            expect(independent.length).to.be.greaterThan(10);
            for (const r of independent.filter((x) => !x.name.includes("-db-"))) {
                expect(waitsTransitively(graph, r.urn, rds), `${r.name} waits for RDS`).to.equal(false);
                expect(waitsTransitively(graph, r.urn, redis), `${r.name} waits for Redis`).to.equal(false);
            }
        });

        it("starts no task before its secrets have values: every task definition waits for the secret versions", () => {
            const versions = production.ofType(t.secretVersion).filter((v) => v.name.startsWith("fraud-production-app-")).map((v) => v.urn);
            // The app's three, and the migration's DATABASE_URL.
            expect(versions).to.have.length(4);
            for (const definition of production.ofType(t.taskDefinition)) {
                for (const version of versions) expect(definition.dependencies, definition.name).to.include(version);
            }
        });

        it("models the first deploy at most 1.1x the slowest resource when provisioning, and states what the rollout waits add", () => {
            const provisioning = modelFirstDeploy(firstDeploy.resources, {
                times: Object.fromEntries(Object.entries(typicalCreationTimes).filter(([type]) => type !== t.service)),
            });
            expect(provisioning.slowest.type).to.equal(t.rds);
            expect(provisioning.ratio, `${(provisioning.totalSeconds / 60).toFixed(1)} min`).to.be.at.most(1.1);

            // With each service's wait for steady state, the rollouts follow one another: the migration run →
            // the api slots' tasks → the worker (after the candidate slot, so after the migration).
            const withRollouts = modelFirstDeploy(firstDeploy.resources, { extraSeconds: { "-app-migrate-run": 90 } });
            const chain = withRollouts.criticalPath.map((step) => step.urn.split("::").pop());
            expect(chain).to.include.members(["fraud-production-db-postgres", "fraud-production-app-migrate-run", "fraud-production-app-api-green-service", "fraud-production-app-worker-service"]);
            expect(withRollouts.totalSeconds - provisioning.totalSeconds).to.be.below(10 * 60);
        });
    });

    describe("releases", () => {
        it("makes every ECS service (both api slots, worker, ml) wait for steady state, with room for a rolling deployment", () => {
            const services = production.ofType(t.service);
            expect(services).to.have.length(4);
            for (const service of services) {
                expect(inputsOf<ServiceInputs>(service).waitForSteadyState, service.name).to.equal(true);
                expect(minutesOf(service.customTimeouts?.create), service.name).to.be.at.least(30);
                expect(minutesOf(service.customTimeouts?.update), service.name).to.be.at.least(30);
            }
        });

        it("runs the migration between the snapshot and the api slots' task definitions, from the api image, invoked by pulumi up", () => {
            const snapshot = production.named("-db-pre-migration-1-4-2", t.snapshot);
            const migrate = production.named("-app-migrate-task", t.taskDefinition);
            expect(migrate.dependencies).to.include(snapshot.urn);
            const graph = waitsFor(production.resources);
            for (const definition of production.ofType(t.taskDefinition).filter((d) => d !== migrate)) {
                expect(waitsTransitively(graph, definition.urn, migrate.urn), definition.name).to.equal(true);
            }

            const [container] = JSON.parse(inputsOf<{ containerDefinitions: string }>(migrate).containerDefinitions) as {
                image: string;
                command: string[];
                secrets: { name: string }[];
                logConfiguration: { options: Record<string, string> };
            }[];
            expect(container.image).to.equal("ghcr.io/dygsom/fraud-api:1.4.2");
            expect(container.command).to.deep.equal(["python", "-m", "app.migrate"]);
            // Its health check is whether it still reaches PostgreSQL; the hook stops it when ECS reports it unhealthy.
            expect((container as { healthCheck?: { command: string[] } }).healthCheck?.command.join(" ")).to.include("DATABASE_URL");
            expect(container.secrets.map((s) => s.name).sort()).to.deep.equal(["APP_SECRET_KEY", "DATABASE_URL", "REDIS_URL"]);
            const logs = production.ofType(t.logGroup).find((g) => inputsOf<{ name: string }>(g).name === container.logConfiguration.options["awslogs-group"])!;
            expect(inputsOf<{ retentionInDays: number }>(logs).retentionInDays).to.equal(90);

            // ECS runs lifecycle hooks only for blue/green, canary and linear deployments; the slots deploy ROLLING,
            // so `pulumi up` runs the migration itself (an Invocation that follows the task to its exit code).
            const run = production.named("-app-migrate-run", t.invocation);
            const input = JSON.parse(inputsOf<{ input: string }>(run).input) as { mode: string; executionId: string; hookDetails: Record<string, unknown> };
            expect(input.mode).to.equal("release");
            expect(input.executionId).to.match(/task-definition\/fraud-production-app-migrate:/);
            expect(input.hookDetails.taskDefinition).to.equal(input.executionId);
            expect(input.hookDetails).to.include({ containerName: "migrate", keepReleases: 10, snapshotIdentifier: "fraud-production-db-pre-v1-4-2-0a1b2c3d" });
            expect(run.dependencies).to.include(snapshot.urn);
            for (const slot of ["-app-api-service", "-app-api-green-service"]) {
                expect(waitsTransitively(graph, production.named(slot, t.service).urn, run.urn), slot).to.equal(true);
            }
            // The worker runs the release's image: it rolls out only after the candidate slot, migration included.
            expect(production.named("-app-worker-service", t.service).dependencies).to.include(production.named("-app-api-green-service", t.service).urn);
        });

        it("says in its notifications whether ECS rolled a release back or the deployment failed with nothing to return to", () => {
            const targets = production.ofType(t.eventTarget).map((target) => inputsOf<{ inputTransformer: { inputTemplate: string } }>(target).inputTransformer.inputTemplate);
            expect(targets).to.have.length(2);
            expect(targets.some((text) => text.includes("ROLLING BACK"))).to.equal(true);
            expect(targets.some((text) => text.includes("FAILED") && text.includes("stalled with no healthy revision"))).to.equal(true);
            const patterns = production.ofType(t.eventRule).map((rule) => inputsOf<{ eventPattern: string }>(rule).eventPattern);
            expect(patterns.some((p) => p.includes("SERVICE_DEPLOYMENT_FAILED"))).to.equal(true);
            expect(patterns.some((p) => p.includes("SERVICE_DEPLOYMENT_IN_PROGRESS") && p.includes("rolling back"))).to.equal(true);
        });
    });

    describe("alarms", () => {
        it("judges each api slot by its own target group, once it has a minimum of requests", () => {
            const groupOf = (suffix: string) => {
                const alarm = inputsOf<AlarmInputs>(production.named(suffix, t.alarm));
                const groups = new Set(alarm.metricQueries.filter((q) => q.metric).map((q) => q.metric!.dimensions.TargetGroup));
                expect(groups.size, suffix).to.equal(1);
                expect(alarm.metricQueries.find((q) => q.expression)!.expression, suffix).to.match(/FILL\(requests, 0\) >= 20/);
                return [...groups][0];
            };
            const blue = groupOf("-api-rollback-5xx");
            expect(groupOf("-api-rollback-p95")).to.equal(blue);
            const green = groupOf("-api-green-rollback-5xx");
            expect(groupOf("-api-green-rollback-p95")).to.equal(green);
            expect(green).not.to.equal(blue);
        });

        it("alarms on a total outage: no healthy api target over both groups (missing data breaching), and fewer tasks than desired", () => {
            const outage = inputsOf<AlarmInputs>(production.named("-alarm-api-no-healthy-target", t.alarm));
            expect(outage.treatMissingData).to.equal("breaching");
            expect([outage.comparisonOperator, outage.threshold]).to.deep.equal(["LessThanThreshold", 1]);
            expect(outage.metricQueries.filter((q) => q.metric?.metricName === "HealthyHostCount")).to.have.length(2);
            expect(outage.metricQueries.find((q) => q.expression)!.expression).to.equal("FILL(healthy0, 0) + FILL(healthy1, 0)");
            for (const service of ["api", "worker", "ml"]) {
                const missing = inputsOf<AlarmInputs>(production.named(`-alarm-${service}-tasks-missing`, t.alarm));
                expect(missing.metricQueries.map((q) => q.metric?.metricName).filter(Boolean)).to.deep.equal(["DesiredTaskCount", "RunningTaskCount"]);
            }
        });

        it("keeps the cache hit-rate alarm within CloudWatch's 10 metrics at every node count", () => {
            for (let nodes = 1; nodes <= 6; nodes++) {
                const queries = cacheHitRateQueries(Array.from({ length: nodes }, (_, index) => `group-00${index + 1}`));
                expect(queries.filter((q) => q.metric !== undefined).length, `${nodes} nodes`).to.be.at.most(maxMetricsPerAlarm);
                expect(queries.filter((q) => q.returnData === true), `${nodes} nodes`).to.have.length(1);
            }
            for (const alarm of production.ofType(t.alarm)) {
                expect(inputsOf<{ metricQueries?: MetricQuery[] }>(alarm).metricQueries?.filter((q) => q.metric).length ?? 0, alarm.name).to.be.at.most(maxMetricsPerAlarm);
            }
        });
    });

    describe("smaller fixes", () => {
        it("maps Redis 6 to the redis6.x parameter-group family", () => {
            expect(["5.0", "6.2", "7.1"].map(redisParameterGroupFamily)).to.deep.equal(["redis5.0", "redis6.x", "redis7"]);
        });

        it("creates the RDS log groups itself, with the stack's retention, before the instance exports to them", () => {
            const instance = production.named("-db-postgres", t.rds);
            const identifier = inputsOf<{ identifier: string }>(instance).identifier;
            expect(identifier.length).to.be.at.most(63);
            const groups = production.ofType(t.logGroup).filter((g) => inputsOf<{ name?: string }>(g).name?.startsWith("/aws/rds/instance/"));
            expect(groups.map((g) => inputsOf<{ name: string }>(g).name).sort()).to.deep.equal([`/aws/rds/instance/${identifier}/postgresql`, `/aws/rds/instance/${identifier}/upgrade`]);
            for (const group of groups) {
                expect(inputsOf<{ retentionInDays: number }>(group).retentionInDays).to.equal(90);
                expect(instance.dependencies).to.include(group.urn);
            }
        });

        it("lets RDS apply minor versions to a bare major, and keeps a pinned minor pinned", () => {
            expect(inputsOf<{ autoMinorVersionUpgrade: boolean }>(production.named("-db-postgres", t.rds)).autoMinorVersionUpgrade).to.equal(true);
            expect(inputsOf<{ autoMinorVersionUpgrade: boolean; engineVersion: string }>(changed.named("-db-postgres", t.rds))).to.include({ autoMinorVersionUpgrade: false, engineVersion: "16.4" });
        });

        it("changes the api port in place: the target groups stay, the service and the tasks' ingress take the new port", () => {
            const groupInputs = (stack: Preview) => stack.ofType(t.targetGroup).map((g) => JSON.stringify(inputsOf<Record<string, unknown>>(g)));
            expect(groupInputs(changed)).to.deep.equal(groupInputs(production));
            for (const g of production.ofType(t.targetGroup)) expect(inputsOf<{ port: number }>(g).port).to.equal(targetGroupDefaultPort);
            expect(inputsOf<ServiceInputs>(changed.named("-app-api-service", t.service)).loadBalancers![0].containerPort).to.equal(9000);
            const tasksGroupId = `${changed.named("-sg-tasks").name}-id`;
            const tasksIngress = changed.ofType(t.ingress).map((r) => inputsOf<{ securityGroupId: string; fromPort: number }>(r)).filter((r) => r.securityGroupId === tasksGroupId);
            expect(tasksIngress.map((r) => r.fromPort)).to.include(9000);
        });
    });
});

/** The committed production services block, to change one key of it. */
function readServices(): unknown {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { readStackConfig } = require("../tools/engine/stackFiles") as typeof import("../tools/engine/stackFiles");
    return JSON.parse(readStackConfig("production").config["fraud-platform:services"]);
}
