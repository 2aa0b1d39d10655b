import { expect } from "chai";
import * as fs from "node:fs";
import * as path from "node:path";
import { runProgram, wire, type RecordedResource } from "../tools/engine/emulator";
import { PolicyConfigError } from "../tools/engine/policyConfig";
import { analyzeAsRegistered, formatPolicyReport, startPolicyPack, type PolicyViolation, type RunningPolicyPack } from "../tools/engine/policyRunner";
import { readStackConfig } from "../tools/engine/stackFiles";
import { deployable, previewStack, updateStack } from "./helpers";
import { loadProgram } from "../tools/engine/program";

/*
 * Every policy is exercised through the real analyzer: the pack runs as the Pulumi CLI runs it (run-policy-pack,
 * its gRPC server), configured with a stack's policy config file, and each case sends recorded-resource fixtures
 * (property names from the provider SDKs) through Analyze and AnalyzeStack.
 */

const configDir = path.join(__dirname, "..", "policies", "config");
const program = loadProgram();
const packs: Record<"production" | "staging" | "dev", RunningPolicyPack> = {} as never;

const start = (stack: keyof typeof packs, dryRun = true) => {
    const file = readStackConfig(stack);
    return startPolicyPack({
        stack: { name: stack, project: file.project, config: file.config, secretKeys: file.secretKeys },
        config: path.join(configDir, `${stack}.json`),
        onOutput: () => undefined,
        startTimeoutMs: 110_000,
        dryRun,
    });
};

// The packs start when mocha loads this file, in their own processes, so their start (the first one
// type-checks and caches the pack, as the CLI's ts-node does; the others then start warm) overlaps the
// other files' tests instead of holding up the whole run. The suites below await them.
const packsStarting = (async () => {
    const production = await start("production");
    const [staging, dev] = await Promise.all([start("staging"), start("dev")]);
    // `pulumi up` analyzes with dryRun false: the rules a preview cannot run (known containerDefinitions) gate there.
    const productionUpdate = await start("production", false);
    return { production, staging, dev, productionUpdate };
})();
packsStarting.catch(() => undefined); // reported by the suites' `before`, not as an unhandled rejection
let productionUpdatePack: RunningPolicyPack;

describe("policy pack, through its analyzer", function () {
before(async function () {
    this.timeout(120_000);
    const started = await packsStarting;
    Object.assign(packs, { production: started.production, staging: started.staging, dev: started.dev });
    productionUpdatePack = started.productionUpdate;
});

after(async () => {
    await Promise.all([...Object.values(packs), productionUpdatePack].filter((pack) => pack !== undefined).map((pack) => pack.close()));
});

// ---- Fixtures: resources as the emulated engine records them.

const urnPrefix = "urn:pulumi:fixture::fraud-platform::";
const stackUrn = `${urnPrefix}pulumi:pulumi:Stack::fraud-platform-fixture`;

interface FixtureOptions {
    protect?: boolean;
    /** Property name to the fixtures it takes values from (the engine's propertyDependencies). */
    from?: Record<string, RecordedResource[]>;
    dependsOn?: RecordedResource[];
    custom?: boolean;
}

function res(type: string, name: string, inputs: Record<string, unknown> = {}, options: FixtureOptions = {}): RecordedResource {
    const propertyDependencies: Record<string, string[]> = {};
    for (const [key, sources] of Object.entries(options.from ?? {})) propertyDependencies[key] = sources.map((s) => s.urn);
    return {
        urn: `${urnPrefix}${type}::${name}`,
        type,
        name,
        parent: stackUrn,
        custom: options.custom ?? true,
        inputs,
        protect: options.protect ?? false,
        dependencies: [...new Set([...Object.values(propertyDependencies).flat(), ...(options.dependsOn ?? []).map((d) => d.urn)])],
        propertyDependencies,
        provider: "",
        aliases: [],
        ignoreChanges: [],
        replaceOnChanges: [],
        deleteBeforeReplace: false,
        retainOnDelete: false,
        additionalSecretOutputs: [],
    };
}

const unknown = wire.unknown;
const secret = (value: unknown) => ({ [wire.sigKey]: wire.secretSig, value });

/** Analyzes the fixtures (each resource, then the stack) and returns the violations of one policy. */
async function check(pack: RunningPolicyPack, policy: string, resources: RecordedResource[]): Promise<PolicyViolation[]> {
    const violations = await pack.analyze(resources);
    return violations.filter((v) => v.policy === policy);
}

const mandatory = (violations: PolicyViolation[]) => violations.filter((v) => v.enforcementLevel === "mandatory");

const t = {
    rdsInstance: "aws:rds/instance:Instance",
    rdsCluster: "aws:rds/cluster:Cluster",
    replicationGroup: "aws:elasticache/replicationGroup:ReplicationGroup",
    bucket: "aws:s3/bucket:Bucket",
    bucketV2: "aws:s3/bucketV2:BucketV2",
    bucketVersioning: "aws:s3/bucketVersioning:BucketVersioning",
    elasticacheCluster: "aws:elasticache/cluster:Cluster",
    serverlessCache: "aws:elasticache/serverlessCache:ServerlessCache",
    memorydbCluster: "aws:memorydb/cluster:Cluster",
    dynamodbTable: "aws:dynamodb/table:Table",
    efsFileSystem: "aws:efs/fileSystem:FileSystem",
    ebsVolume: "aws:ebs/volume:Volume",
    spacesBucket: "digitalocean:index/spacesBucket:SpacesBucket",
    targetGroup: "aws:lb/targetGroup:TargetGroup",
    loadBalancer: "aws:lb/loadBalancer:LoadBalancer",
    listener: "aws:lb/listener:Listener",
    ecsService: "aws:ecs/service:Service",
    taskDefinition: "aws:ecs/taskDefinition:TaskDefinition",
    metricAlarm: "aws:cloudwatch/metricAlarm:MetricAlarm",
    doDatabase: "digitalocean:index/databaseCluster:DatabaseCluster",
    doValkeyConfig: "digitalocean:index/databaseValkeyConfig:DatabaseValkeyConfig",
    doApp: "digitalocean:index/app:App",
    doUptimeCheck: "digitalocean:index/uptimeCheck:UptimeCheck",
    doUptimeAlert: "digitalocean:index/uptimeAlert:UptimeAlert",
    container: "docker:index/container:Container",
    remoteImage: "docker:index/remoteImage:RemoteImage",
    volume: "docker:index/volume:Volume",
};

const compliantRds = { backupRetentionPeriod: 7, skipFinalSnapshot: false, finalSnapshotIdentifier: "db-final", deletionProtection: true, storageEncrypted: true };

// ---- The pack as the CLI sees it.

describe("policy pack: what it publishes", () => {
    it("serves every backup and health-check rule, mandatory, with a description, settings with defaults and remediation", () => {
        const { info } = packs.staging;
        expect(info.name).to.equal("fraud-platform-policies");
        expect(info.version).to.equal(JSON.parse(fs.readFileSync(path.join(__dirname, "..", "policies", "package.json"), "utf8")).version);
        expect(info.policies.map((p) => p.name)).to.have.members([
            "rds-backup-retention", "rds-final-snapshot", "rds-deletion-protection", "rds-storage-encrypted", "rds-multi-az",
            "elasticache-snapshot-retention", "elasticache-final-snapshot", "elasticache-encryption-at-rest", "elasticache-automatic-failover",
            "s3-bucket-versioning", "spaces-bucket-versioning", "dynamodb-point-in-time-recovery", "efs-backup-policy",
            "digitalocean-database-standby-nodes", "digitalocean-valkey-persistence", "docker-data-on-named-volume",
            "stateful-resources-protected", "alb-target-group-health-check", "ecs-service-health-check-grace-period",
            "ecs-service-circuit-breaker-rollback", "ecs-service-alarm-rollback", "ecs-task-container-health-checks",
            "digitalocean-app-health-checks", "digitalocean-app-deployment-failed-alert", "docker-container-health-check",
            "public-services-watched",
        ]);
        for (const policy of info.policies) {
            expect(policy.enforcementLevel, policy.name).to.equal("mandatory");
            expect(policy.description, policy.name).to.have.length.greaterThan(20);
            expect(policy.remediation, policy.name).to.have.length.greaterThan(20);
            for (const setting of Object.values(policy.configSchema)) expect(setting.default, policy.name).to.not.equal(undefined);
        }
    });

    it("has policy config files that name only its policies", () => {
        const names = new Set(packs.staging.info.policies.map((p) => p.name));
        for (const file of fs.readdirSync(configDir)) {
            const config = JSON.parse(fs.readFileSync(path.join(configDir, file), "utf8")) as Record<string, unknown>;
            for (const [policy, settings] of Object.entries(config)) {
                expect(names.has(policy) || policy === "all", `${file}: ${policy}`).to.equal(true);
                // The CLI accepts unknown setting names, so a misspelt one would silently fall back to its default.
                const schema = packs.staging.info.policies.find((p) => p.name === policy)?.configSchema ?? {};
                for (const key of Object.keys(typeof settings === "object" && settings !== null ? settings : {})) {
                    expect(key === "enforcementLevel" || key in schema, `${file}: ${policy}.${key}`).to.equal(true);
                }
            }
        }
    });

    it("puts the remediation in every violation message", async () => {
        const violations = await packs.production.analyze([res(t.rdsInstance, "db", { engine: "postgres" })]);
        expect(violations).to.not.be.empty;
        for (const v of violations) expect(v.message, v.policy).to.match(/\nRemediation: \S/);
    });
});

describe("policy pack: configuration, as --policy-pack-config applies it", () => {
    afterEach(() => packs.dev.reconfigure(path.join(configDir, "dev.json")));

    it("refuses a setting outside its schema, naming the policy and setting, before configuring the pack", async () => {
        const error = await packs.dev.reconfigure({ "rds-backup-retention": { minimumRetentionDays: 0 }, "alb-target-group-health-check": { maxIntervalSeconds: "60" } }).then(
            () => undefined,
            (e: unknown) => e,
        );
        expect(error).to.be.instanceOf(PolicyConfigError);
        expect((error as PolicyConfigError).problems).to.deep.equal([
            "rds-backup-retention.minimumRetentionDays: 0 is less than the minimum 1",
            'alb-target-group-health-check.maxIntervalSeconds: "60" is not of type integer',
        ]);
    });

    it("lets a config file lower a policy to advisory or disable it", async () => {
        const unencrypted = [res(t.rdsInstance, "db", { ...compliantRds, storageEncrypted: false })];
        await packs.dev.reconfigure({ "rds-storage-encrypted": "advisory" });
        expect((await check(packs.dev, "rds-storage-encrypted", unencrypted)).map((v) => v.enforcementLevel)).to.deep.equal(["advisory"]);
        await packs.dev.reconfigure({ all: "disabled" });
        expect(await packs.dev.analyze(unencrypted)).to.deep.equal([]);
    });
});

// ---- Backups and data loss.

describe("rds-backup-retention", () => {
    it("refuses fewer days of backups than the stack's minimum (7 in production), read through secrets", async () => {
        const [violation] = await check(packs.production, "rds-backup-retention", [res(t.rdsInstance, "db", { ...compliantRds, backupRetentionPeriod: secret(3) })]);
        expect(violation.urn).to.equal(`${urnPrefix}${t.rdsInstance}::db`);
        expect(violation.message).to.contain("backupRetentionPeriod is 3 day(s); at least 7 required");
        expect(await check(packs.production, "rds-backup-retention", [res(t.rdsCluster, "aurora", { engine: "aurora-postgresql" })])).to.have.length(1);
    });

    it("accepts enough days, a lower minimum where the stack's config sets one, and read replicas", async () => {
        expect(await check(packs.production, "rds-backup-retention", [res(t.rdsInstance, "db", compliantRds)])).to.deep.equal([]);
        expect(await check(packs.dev, "rds-backup-retention", [res(t.rdsInstance, "db", { ...compliantRds, backupRetentionPeriod: 1 })])).to.deep.equal([]);
        expect(await check(packs.production, "rds-backup-retention", [res(t.rdsInstance, "replica", { replicateSourceDb: "db", backupRetentionPeriod: 0 })])).to.deep.equal([]);
    });
});

describe("rds-final-snapshot", () => {
    it("refuses skipping the final snapshot, or a snapshot without a name", async () => {
        const skipped = await check(packs.staging, "rds-final-snapshot", [res(t.rdsInstance, "db", { ...compliantRds, skipFinalSnapshot: true })]);
        expect(skipped[0].message).to.contain("skipFinalSnapshot is true");
        const unnamed = await check(packs.staging, "rds-final-snapshot", [res(t.rdsCluster, "aurora", { engine: "aurora-postgresql", skipFinalSnapshot: false })]);
        expect(unnamed[0].message).to.contain("finalSnapshotIdentifier is not set");
    });

    it("accepts a named final snapshot, even one only known at update time", async () => {
        expect(await check(packs.staging, "rds-final-snapshot", [res(t.rdsInstance, "db", compliantRds)])).to.deep.equal([]);
        expect(await check(packs.staging, "rds-final-snapshot", [res(t.rdsInstance, "db", { ...compliantRds, finalSnapshotIdentifier: unknown })])).to.deep.equal([]);
    });
});

describe("rds-deletion-protection", () => {
    it("refuses an unprotected database on the production stack only", async () => {
        const database = [res(t.rdsInstance, "db", { ...compliantRds, deletionProtection: false })];
        expect((await check(packs.production, "rds-deletion-protection", database))[0].message).to.contain("production stack 'production'");
        expect(await check(packs.staging, "rds-deletion-protection", database)).to.deep.equal([]);
    });

    it("accepts deletion protection in production", async () => {
        expect(await check(packs.production, "rds-deletion-protection", [res(t.rdsCluster, "aurora", { engine: "aurora-postgresql", deletionProtection: true })])).to.deep.equal([]);
    });
});

describe("rds-storage-encrypted", () => {
    it("refuses unencrypted storage and accepts encrypted storage", async () => {
        expect(await check(packs.staging, "rds-storage-encrypted", [res(t.rdsInstance, "db", { ...compliantRds, storageEncrypted: false })])).to.have.length(1);
        expect(await check(packs.staging, "rds-storage-encrypted", [res(t.rdsInstance, "db", compliantRds)])).to.deep.equal([]);
    });
});

describe("elasticache-snapshot-retention", () => {
    it("refuses snapshots off, and fewer days than production's 7", async () => {
        expect((await check(packs.staging, "elasticache-snapshot-retention", [res(t.replicationGroup, "redis", { engine: "redis" })]))[0].message).to.contain("automatic snapshots off");
        expect(await check(packs.production, "elasticache-snapshot-retention", [res(t.replicationGroup, "redis", { snapshotRetentionLimit: 3 })])).to.have.length(1);
    });

    it("accepts the stack's minimum", async () => {
        expect(await check(packs.staging, "elasticache-snapshot-retention", [res(t.replicationGroup, "redis", { snapshotRetentionLimit: 3 })])).to.deep.equal([]);
        expect(await check(packs.production, "elasticache-snapshot-retention", [res(t.replicationGroup, "redis", { snapshotRetentionLimit: 7 })])).to.deep.equal([]);
    });
});

describe("elasticache-automatic-failover", () => {
    it("refuses replicas without automatic failover (and, in production, without Multi-AZ)", async () => {
        expect(await check(packs.staging, "elasticache-automatic-failover", [res(t.replicationGroup, "redis", { numCacheClusters: 3 })])).to.have.length(1);
        const singleZone = [res(t.replicationGroup, "redis", { numCacheClusters: 3, automaticFailoverEnabled: true, multiAzEnabled: false })];
        expect((await check(packs.production, "elasticache-automatic-failover", singleZone))[0].message).to.contain("multiAzEnabled is false");
        expect(await check(packs.staging, "elasticache-automatic-failover", singleZone)).to.deep.equal([]);
    });

    it("accepts failover with replicas, and a single node without", async () => {
        expect(await check(packs.production, "elasticache-automatic-failover", [res(t.replicationGroup, "redis", { numCacheClusters: 3, automaticFailoverEnabled: true, multiAzEnabled: true })])).to.deep.equal([]);
        expect(await check(packs.staging, "elasticache-automatic-failover", [res(t.replicationGroup, "redis", { numCacheClusters: 1 })])).to.deep.equal([]);
    });
});

describe("s3-bucket-versioning", () => {
    const bucket = res(t.bucket, "models", { bucket: "fraud-models" });
    const versioning = (status: string) => res(t.bucketVersioning, "models-versioning", { bucket: unknown, versioningConfiguration: { status } }, { from: { bucket: [bucket] } });

    it("refuses a bucket with no versioning resource, or versioning suspended, naming the bucket", async () => {
        const [missing] = await check(packs.staging, "s3-bucket-versioning", [bucket]);
        expect(missing.urn).to.equal(bucket.urn);
        expect(missing.message).to.contain("has no BucketVersioning resource");
        expect((await check(packs.staging, "s3-bucket-versioning", [bucket, versioning("Suspended")]))[0].message).to.contain("Suspended, not Enabled");
    });

    it("accepts a BucketVersioning that takes the bucket's id (unknown in a preview) and enables versioning", async () => {
        expect(await check(packs.staging, "s3-bucket-versioning", [bucket, versioning("Enabled")])).to.deep.equal([]);
    });
});

describe("digitalocean-database-standby-nodes", () => {
    it("refuses a single-node database on the production stack only", async () => {
        const single = [res(t.doDatabase, "pg", { engine: "pg", nodeCount: 1, size: "db-s-1vcpu-1gb", region: "nyc3" })];
        expect(await check(packs.production, "digitalocean-database-standby-nodes", single)).to.have.length(1);
        expect(await check(packs.staging, "digitalocean-database-standby-nodes", single)).to.deep.equal([]);
    });

    it("accepts a standby node in production", async () => {
        expect(await check(packs.production, "digitalocean-database-standby-nodes", [res(t.doDatabase, "pg", { engine: "pg", nodeCount: 2 })])).to.deep.equal([]);
    });
});

describe("digitalocean-valkey-persistence", () => {
    it("refuses persistence off and accepts rdb", async () => {
        expect(await check(packs.staging, "digitalocean-valkey-persistence", [res(t.doValkeyConfig, "valkey", { clusterId: unknown, persistence: "off" })])).to.have.length(1);
        expect(await check(packs.staging, "digitalocean-valkey-persistence", [res(t.doValkeyConfig, "valkey", { clusterId: unknown, persistence: "rdb" })])).to.deep.equal([]);
    });
});

describe("docker-data-on-named-volume", () => {
    // As the Docker backend builds them: the image is a RemoteImage's imageId, unknown in a preview.
    const postgresImage = res(t.remoteImage, "postgres-image", { name: "postgres:16-alpine" });
    const redisImage = res(t.remoteImage, "redis-image", { name: "docker.io/library/redis:7-alpine" });
    const volume = res(t.volume, "pg-data", { name: "pg-data" });
    const container = (name: string, image: RecordedResource, inputs: Record<string, unknown>, from: Record<string, RecordedResource[]> = {}) =>
        res(t.container, name, { name, image: unknown, healthcheck: { tests: ["CMD-SHELL", "pg_isready"] }, ...inputs }, { from: { image: [image], ...from } });

    it("refuses PostgreSQL or Redis data in the container layer or on a bind mount", async () => {
        const [layer] = await check(packs.dev, "docker-data-on-named-volume", [postgresImage, container("postgres", postgresImage, {})]);
        expect(layer.message).to.contain("runs PostgreSQL (postgres:16-alpine, postgres 16) with its data directory /var/lib/postgresql/data on an anonymous volume at /var/lib/postgresql/data (the image's own VOLUME");
        const bound = container("redis", redisImage, { mounts: [{ type: "bind", source: "/srv/redis", target: "/data" }] });
        expect((await check(packs.dev, "docker-data-on-named-volume", [redisImage, bound]))[0].message).to.contain("bind mount of /srv/redis");
        // PGDATA moves the data directory: a volume on the default one no longer holds the data.
        const moved = container("postgres", postgresImage, { envs: ["PGDATA=/pgdata"], mounts: [{ type: "volume", source: "pg-data", target: "/var/lib/postgresql/data" }] });
        expect(await check(packs.dev, "docker-data-on-named-volume", [postgresImage, moved])).to.have.length(1);
    });

    it("accepts a named volume, including one whose name comes from a docker.Volume, and ignores other images", async () => {
        const mounted = container("postgres", postgresImage, { mounts: [{ type: "volume", source: unknown, target: "/var/lib/postgresql/data" }] }, { mounts: [volume] });
        expect(await check(packs.dev, "docker-data-on-named-volume", [postgresImage, volume, mounted])).to.deep.equal([]);
        const redis = container("redis", redisImage, { volumes: [{ volumeName: "redis-data", containerPath: "/data" }] });
        expect(await check(packs.dev, "docker-data-on-named-volume", [redisImage, redis])).to.deep.equal([]);
        const api = res(t.container, "api", { image: "ghcr.io/dygsom/fraud-api:1.4.2" });
        expect(await check(packs.dev, "docker-data-on-named-volume", [api])).to.deep.equal([]);
    });

    it("tells a client of the image (a pg_dump job) from the server, also when a shell starts the server", async () => {
        const backupJob = container("backup", postgresImage, { entrypoints: ["/bin/sh", "/usr/local/bin/backup.sh"] });
        expect(await check(packs.dev, "docker-data-on-named-volume", [postgresImage, backupJob])).to.deep.equal([]);
        // In a preview the provider plans `command` as unknown when the program leaves it unset.
        const plannedJob = container("backup", postgresImage, { entrypoints: ["/bin/sh", "/usr/local/bin/backup.sh"], command: unknown });
        expect(await check(packs.dev, "docker-data-on-named-volume", [postgresImage, plannedJob])).to.deep.equal([]);
        const shellWithUnknownCommand = container("postgres", postgresImage, { entrypoints: ["sh", "-c"], command: unknown });
        expect(await check(packs.dev, "docker-data-on-named-volume", [postgresImage, shellWithUnknownCommand])).to.have.length(1);
        const onTmpfs = container("postgres", postgresImage, {
            mounts: [{ type: "volume", source: "pg-data", target: "/var/lib/postgresql" }],
            tmpfs: { "/var/lib/postgresql/data": "" },
        });
        expect((await check(packs.dev, "docker-data-on-named-volume", [postgresImage, onTmpfs]))[0].message).to.contain("tmpfs");
        const shellStarted = container("redis", redisImage, { entrypoints: ["sh", "-c"], command: ["exec redis-server --appendonly yes"] });
        expect(await check(packs.dev, "docker-data-on-named-volume", [redisImage, shellStarted])).to.have.length(1);
    });
});

describe("stateful-resources-protected", () => {
    it("refuses a data-holding resource without protect on the production stack only", async () => {
        const unprotected = [res(t.volume, "pg-data", { name: "pg-data" }), res(t.rdsInstance, "db", compliantRds)];
        const violations = await check(packs.production, "stateful-resources-protected", unprotected);
        expect(violations.map((v) => v.urn)).to.deep.equal(unprotected.map((r) => r.urn));
        expect(await check(packs.staging, "stateful-resources-protected", unprotected)).to.deep.equal([]);
    });

    it("accepts protected ones in production, and leaves stateless resources alone", async () => {
        expect(await check(packs.production, "stateful-resources-protected", [res(t.rdsInstance, "db", compliantRds, { protect: true }), res(t.targetGroup, "tg", {})])).to.deep.equal([]);
    });
});

// ---- Health checks and rollback.

describe("alb-target-group-health-check", () => {
    const saneCheck = { enabled: true, path: "/health/ready", interval: 10, timeout: 5, healthyThreshold: 2, unhealthyThreshold: 3, matcher: "200" };

    it("refuses no health check, a disabled one, the default path, or thresholds beyond the stack's limits", async () => {
        expect((await check(packs.staging, "alb-target-group-health-check", [res(t.targetGroup, "tg", { protocol: "HTTP", targetType: "ip" })]))[0].message).to.contain("healthCheck is not set");
        expect((await check(packs.staging, "alb-target-group-health-check", [res(t.targetGroup, "tg", { healthCheck: { ...saneCheck, enabled: false } })]))[0].message).to.contain("disabled");
        const withoutPath: Partial<typeof saneCheck> = { ...saneCheck };
        delete withoutPath.path;
        expect((await check(packs.staging, "alb-target-group-health-check", [res(t.targetGroup, "tg", { healthCheck: withoutPath })]))[0].message).to.contain("healthCheck.path is not set");
        const slow = [res("aws:alb/targetGroup:TargetGroup", "tg", { healthCheck: { ...saneCheck, interval: 60, healthyThreshold: 5 } })];
        expect((await check(packs.production, "alb-target-group-health-check", slow))[0].message).to.contain("healthCheck.interval is 60 s (at most 30); healthCheck.healthyThreshold is 5 (at most 3)");
    });

    it("accepts an explicit path with sane thresholds, and network target groups without a path", async () => {
        expect(await check(packs.production, "alb-target-group-health-check", [res(t.targetGroup, "tg", { protocol: "HTTP", healthCheck: saneCheck })])).to.deep.equal([]);
        expect(await check(packs.production, "alb-target-group-health-check", [res(t.targetGroup, "nlb-tg", { protocol: "TCP", healthCheck: { protocol: "TCP" } })])).to.deep.equal([]);
    });
});

const behindLoadBalancer = { loadBalancers: [{ targetGroupArn: unknown, containerName: "api", containerPort: 8000 }] };
const safeDeployment = {
    healthCheckGracePeriodSeconds: 60,
    deploymentCircuitBreaker: { enable: true, rollback: true },
    alarms: { enable: true, rollback: true, alarmNames: ["api-5xx", "api-p95"] },
};

describe("ecs-service-health-check-grace-period", () => {
    it("refuses a load-balanced service without a grace period, or a shorter one than production's 30 s", async () => {
        expect(await check(packs.staging, "ecs-service-health-check-grace-period", [res(t.ecsService, "api", { ...behindLoadBalancer, ...safeDeployment, healthCheckGracePeriodSeconds: undefined })])).to.have.length(1);
        expect(await check(packs.production, "ecs-service-health-check-grace-period", [res(t.ecsService, "api", { ...behindLoadBalancer, ...safeDeployment, healthCheckGracePeriodSeconds: 15 })])).to.have.length(1);
    });

    it("accepts a grace period, and services without a load balancer", async () => {
        expect(await check(packs.production, "ecs-service-health-check-grace-period", [res(t.ecsService, "api", { ...behindLoadBalancer, ...safeDeployment })])).to.deep.equal([]);
        expect(await check(packs.production, "ecs-service-health-check-grace-period", [res(t.ecsService, "worker", {})])).to.deep.equal([]);
    });
});

describe("ecs-service-circuit-breaker-rollback", () => {
    it("refuses a circuit breaker that does not roll back, and (where the stack asks) workers without one", async () => {
        const noRollback = [res(t.ecsService, "api", { ...behindLoadBalancer, ...safeDeployment, deploymentCircuitBreaker: { enable: true, rollback: false } })];
        expect((await check(packs.dev, "ecs-service-circuit-breaker-rollback", noRollback))[0].message).to.contain("{ enable: true, rollback: false }");
        expect(await check(packs.production, "ecs-service-circuit-breaker-rollback", [res(t.ecsService, "worker", {})])).to.have.length(1);
    });

    it("accepts enable and rollback; by default leaves workers and CodeDeploy services alone", async () => {
        expect(await check(packs.production, "ecs-service-circuit-breaker-rollback", [res(t.ecsService, "api", { ...behindLoadBalancer, ...safeDeployment })])).to.deep.equal([]);
        expect(await check(packs.dev, "ecs-service-circuit-breaker-rollback", [res(t.ecsService, "worker", {})])).to.deep.equal([]);
        expect(await check(packs.production, "ecs-service-circuit-breaker-rollback", [res(t.ecsService, "api", { ...behindLoadBalancer, deploymentController: { type: "CODE_DEPLOY" } })])).to.deep.equal([]);
    });
});

describe("ecs-service-alarm-rollback", () => {
    it("refuses a load-balanced service without alarm rollback, or with fewer alarms than production's 2", async () => {
        expect(await check(packs.staging, "ecs-service-alarm-rollback", [res(t.ecsService, "api", { ...behindLoadBalancer, ...safeDeployment, alarms: undefined })])).to.have.length(1);
        const oneAlarm = [res(t.ecsService, "api", { ...behindLoadBalancer, ...safeDeployment, alarms: { enable: true, rollback: true, alarmNames: [unknown] } })];
        expect((await check(packs.production, "ecs-service-alarm-rollback", oneAlarm))[0].message).to.contain("lists 1 alarm(s); at least 2 required");
        expect(await check(packs.staging, "ecs-service-alarm-rollback", oneAlarm)).to.deep.equal([]);
    });

    it("accepts alarm rollback with enough alarms", async () => {
        expect(await check(packs.production, "ecs-service-alarm-rollback", [res(t.ecsService, "api", { ...behindLoadBalancer, ...safeDeployment })])).to.deep.equal([]);
    });
});

describe("ecs-task-container-health-checks", () => {
    const definitions = (containers: object[]) => ({ family: "api", containerDefinitions: JSON.stringify(containers) });
    const healthy = { name: "api", essential: true, healthCheck: { command: ["CMD-SHELL", "curl -f http://127.0.0.1:8000/health/live"], interval: 10 } };

    it("refuses an essential container (essential unless it says otherwise) without a health check, naming it", async () => {
        const [violation] = await check(packs.staging, "ecs-task-container-health-checks", [res(t.taskDefinition, "api-task", definitions([healthy, { name: "migrate" }]))]);
        expect(violation.message).to.contain("container 'migrate' has no health check");
        expect(await check(packs.staging, "ecs-task-container-health-checks", [res(t.taskDefinition, "api-task", definitions([{ ...healthy, healthCheck: { command: ["NONE"] } }]))])).to.have.length(1);
    });

    it("accepts health checks on essential containers, and sidecars without one", async () => {
        expect(await check(packs.staging, "ecs-task-container-health-checks", [res(t.taskDefinition, "api-task", definitions([healthy, { name: "log-router", essential: false }]))])).to.deep.equal([]);
    });

    it("reports, as the real server does, that it cannot run on definitions only known at update time", async () => {
        const [violation] = await check(packs.staging, "ecs-task-container-health-checks", [res(t.taskDefinition, "api-task", { family: "api", containerDefinitions: unknown })]);
        expect(violation.enforcementLevel).to.equal("advisory");
        expect(violation.message).to.contain("can't run policy 'ecs-task-container-health-checks'").and.contain("during preview");
    });
});

const appSpec = (services: object[], alerts: object[] = [{ rule: "DEPLOYMENT_FAILED" }, { rule: "DOMAIN_FAILED" }]) => ({
    spec: { name: "fraud-staging", region: "nyc", alerts, services, ingress: { rules: [{ component: { name: "api" }, match: { path: { prefix: "/" } } }] } },
});
const boundedTimings = { periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 3 };
const checkedService = { name: "api", httpPort: 8000, healthCheck: { httpPath: "/health", ...boundedTimings }, livenessHealthCheck: { httpPath: "/health/live", ...boundedTimings } };

describe("digitalocean-app-health-checks", () => {
    it("refuses a service without a health check, or with a TCP-only one", async () => {
        const violations = await check(packs.staging, "digitalocean-app-health-checks", [res(t.doApp, "app", appSpec([{ name: "api", httpPort: 8000 }, { name: "ml", healthCheck: { port: 8001 } }]))]);
        expect(violations.map((v) => v.message.split("\n")[1])).to.deep.equal([
            "service 'api' has no health check: App Platform routes traffic to instances whose application is not ready.",
            "service 'ml' has a health check without an httpPath (TCP only): App Platform routes traffic to instances whose application is not ready.",
        ]);
    });

    it("accepts HTTP health checks (with the liveness check the stacks' config asks for)", async () => {
        expect(await check(packs.production, "digitalocean-app-health-checks", [res(t.doApp, "app", appSpec([checkedService]))])).to.deep.equal([]);
        const readinessOnly: Partial<typeof checkedService> = { ...checkedService };
        delete readinessOnly.livenessHealthCheck;
        expect(await check(packs.production, "digitalocean-app-health-checks", [res(t.doApp, "app", appSpec([readinessOnly]))])).to.have.length(1);
        expect(await check(packs.dev, "digitalocean-app-health-checks", [res(t.doApp, "app", appSpec([readinessOnly]))])).to.deep.equal([]);
    });
});

describe("digitalocean-app-deployment-failed-alert", () => {
    it("refuses an app without an enabled DEPLOYMENT_FAILED alert", async () => {
        expect(await check(packs.staging, "digitalocean-app-deployment-failed-alert", [res(t.doApp, "app", appSpec([checkedService], []))])).to.have.length(1);
        expect(await check(packs.staging, "digitalocean-app-deployment-failed-alert", [res(t.doApp, "app", appSpec([checkedService], [{ rule: "DEPLOYMENT_FAILED", disabled: true }]))])).to.have.length(1);
    });

    it("accepts the alert (production also asks for DOMAIN_FAILED)", async () => {
        const deploymentOnly = [res(t.doApp, "app", appSpec([checkedService], [{ rule: "DEPLOYMENT_FAILED" }]))];
        expect(await check(packs.staging, "digitalocean-app-deployment-failed-alert", deploymentOnly)).to.deep.equal([]);
        expect((await check(packs.production, "digitalocean-app-deployment-failed-alert", deploymentOnly))[0].message).to.contain("no enabled DOMAIN_FAILED alert");
    });
});

describe("docker-container-health-check", () => {
    const probe = ["CMD", "wget", "-q", "--spider", "http://127.0.0.1:8000/health/live"];
    it("refuses a container without a health check, with NONE, or checking less often than dev's 30 s", async () => {
        expect(await check(packs.dev, "docker-container-health-check", [res(t.container, "api", { image: "api:1" })])).to.have.length(1);
        expect(await check(packs.dev, "docker-container-health-check", [res(t.container, "api", { image: "api:1", healthcheck: { tests: ["NONE"] } })])).to.have.length(1);
        expect((await check(packs.dev, "docker-container-health-check", [res(t.container, "api", { healthcheck: { tests: probe, interval: "1m" } })]))[0].message).to.contain("interval is 1m (at most 30 s)");
    });

    it("accepts a health check at a sane interval", async () => {
        expect(await check(packs.dev, "docker-container-health-check", [res(t.container, "api", { healthcheck: { tests: probe, interval: "10s" } })])).to.deep.equal([]);
        // "0s" is the provider's "unset": Docker's 30 s default, not a zero interval.
        const unset = [res(t.container, "api", { healthcheck: { tests: probe, interval: "0s" } })];
        expect(await check(packs.dev, "docker-container-health-check", unset)).to.deep.equal([]);
        try {
            await packs.dev.reconfigure({ "docker-container-health-check": { maxIntervalSeconds: 10 } });
            expect((await check(packs.dev, "docker-container-health-check", unset))[0]?.message).to.contain("interval is 0s (at most 10 s)");
        } finally {
            await packs.dev.reconfigure(path.join(configDir, "dev.json"));
        }
    });
});

describe("public-services-watched", () => {
    describe("on AWS", () => {
        const targetGroup = res(t.targetGroup, "api-tg", { protocol: "HTTP" });
        const loadBalancer = (internal: boolean) => res(t.loadBalancer, "alb", { internal, loadBalancerType: "application" });
        const stackWith = (internal: boolean, ...extra: RecordedResource[]) => {
            const lb = loadBalancer(internal);
            const listener = res(t.listener, "https", { loadBalancerArn: unknown, defaultActions: [{ type: "forward", targetGroupArn: unknown }] }, { from: { loadBalancerArn: [lb], defaultActions: [targetGroup] } });
            const service = res(t.ecsService, "api", behindLoadBalancer, { from: { loadBalancers: [targetGroup] } });
            return [targetGroup, lb, listener, service, ...extra];
        };
        const healthAlarm = (alarmActions: unknown[]) =>
            res(t.metricAlarm, "api-unhealthy", { metricName: "UnHealthyHostCount", namespace: "AWS/ApplicationELB", dimensions: { TargetGroup: unknown, LoadBalancer: unknown }, alarmActions }, { from: { dimensions: [targetGroup] } });

        it("refuses an internet-facing service with no health alarm, or one that notifies nobody", async () => {
            const [violation] = await check(packs.production, "public-services-watched", stackWith(false));
            expect(violation.urn).to.equal(`${urnPrefix}${t.ecsService}::api`);
            expect(violation.message).to.contain("serves the internet through api-tg");
            expect(await check(packs.production, "public-services-watched", stackWith(false, healthAlarm([])))).to.have.length(1);
        });

        it("accepts an alarm with actions on the target group's health, and internal services", async () => {
            expect(await check(packs.production, "public-services-watched", stackWith(false, healthAlarm([unknown])))).to.deep.equal([]);
            expect(await check(packs.production, "public-services-watched", stackWith(true))).to.deep.equal([]);
        });
    });

    describe("on DigitalOcean", () => {
        const app = res(t.doApp, "app", appSpec([checkedService]));
        const uptimeCheck = res(t.doUptimeCheck, "uptime", { target: unknown, type: "https", enabled: true }, { from: { target: [app] } });
        const alert = (type: string) => res(t.doUptimeAlert, `uptime-${type}`, { checkId: unknown, type, period: "2m", notifications: [{ emails: ["oncall@example.com"] }] }, { from: { checkId: [uptimeCheck] } });

        it("refuses a public app without an uptime check, or whose check alerts only on latency", async () => {
            expect((await check(packs.staging, "public-services-watched", [app]))[0].message).to.contain("serves api publicly, but no uptime check targets the app");
            expect(await check(packs.staging, "public-services-watched", [app, uptimeCheck, alert("latency")])).to.have.length(1);
        });

        it("accepts an uptime check with a down alert", async () => {
            expect(await check(packs.staging, "public-services-watched", [app, uptimeCheck, alert("down_global")])).to.deep.equal([]);
        });
    });

    describe("on Docker", () => {
        const api = (ip?: string) => res(t.container, "api", { name: "fraud-dev-api", ports: [{ internal: 8000, external: 8000, ...(ip ? { ip } : {}) }] });
        const prometheusImage = res(t.remoteImage, "prometheus-image", { name: "prom/prometheus:v2.53.0" });
        const prometheus = (watched: RecordedResource) =>
            res(t.container, "prometheus", { image: unknown, uploads: [{ file: "/etc/prometheus/rules/api.yml", content: "groups:\n  - name: api\n    rules:\n      - alert: ApiDown\n        expr: up == 0\n" }] }, { from: { image: [prometheusImage] }, dependsOn: [watched] });

        it("refuses a container published on every interface with no alerting Prometheus scraping it", async () => {
            expect((await check(packs.dev, "public-services-watched", [api()]))[0].message).to.contain("publishes a port beyond loopback");
        });

        it("accepts one watched by Prometheus alert rules, and ports bound to loopback", async () => {
            const published = api("0.0.0.0");
            expect(await check(packs.dev, "public-services-watched", [published, prometheusImage, prometheus(published)])).to.deep.equal([]);
            expect(await check(packs.dev, "public-services-watched", [api("127.0.0.1")])).to.deep.equal([]);
        });
    });
});

// ---- Production is the stack's environment, not its name.

describe("production status", () => {
    // The production pack runs with the production stack file, whose fraud-platform:environment is production.
    // Emptying productionStacks makes its name irrelevant: what a stack named prod or production-eu would see.
    afterEach(() => packs.production.reconfigure(path.join(configDir, "production.json")));
    const byEnvironmentOnly = { environmentConfigKey: "fraud-platform:environment", productionStacks: [] };

    const unprotected = [res(t.rdsInstance, "db", { ...compliantRds, deletionProtection: false, multiAz: true }), res(t.doDatabase, "pg", { engine: "pg", nodeCount: 1 })];

    it("treats a stack whose fraud-platform:environment is production as production, whatever its name", async () => {
        await packs.production.reconfigure({
            "rds-deletion-protection": byEnvironmentOnly,
            "digitalocean-database-standby-nodes": byEnvironmentOnly,
            "stateful-resources-protected": byEnvironmentOnly,
        });
        const violations = mandatory(await packs.production.analyze(unprotected));
        expect(violations.map((v) => v.policy)).to.include.members(["rds-deletion-protection", "digitalocean-database-standby-nodes", "stateful-resources-protected"]);
        const deletion = violations.find((v) => v.policy === "rds-deletion-protection")!;
        expect(deletion.message).to.contain("production stack 'production' (fraud-platform:environment is production)");
    });

    it("falls back to the stack-name list where the environment key is absent, and is not production when neither says so", async () => {
        await packs.production.reconfigure({ "rds-deletion-protection": { environmentConfigKey: "fraud-platform:tier", productionStacks: ["production"] } });
        expect((await check(packs.production, "rds-deletion-protection", unprotected))[0].message).to.contain("(listed in productionStacks)");
        await packs.production.reconfigure({ "rds-deletion-protection": { environmentConfigKey: "fraud-platform:tier", productionStacks: ["prod-eu"] } });
        expect(await check(packs.production, "rds-deletion-protection", unprotected)).to.deep.equal([]);
        // The staging stack's environment is staging and its name is not listed.
        expect(await check(packs.staging, "rds-deletion-protection", unprotected)).to.deep.equal([]);
    });
});

// ---- Availability in production.

describe("rds-multi-az", () => {
    it("refuses a production RDS instance without Multi-AZ, and a cluster with one instance", async () => {
        const [single] = await check(packs.production, "rds-multi-az", [res(t.rdsInstance, "db", { ...compliantRds, multiAz: false })]);
        expect(single.urn).to.equal(`${urnPrefix}${t.rdsInstance}::db`);
        expect(single.message).to.contain("multiAz false on production stack 'production'");
        const cluster = res(t.rdsCluster, "aurora", { engine: "aurora-postgresql", clusterIdentifier: "aurora" });
        const writer = res("aws:rds/clusterInstance:ClusterInstance", "aurora-1", { clusterIdentifier: unknown }, { from: { clusterIdentifier: [cluster] } });
        expect((await check(packs.production, "rds-multi-az", [cluster, writer]))[0].message).to.contain("has 1 cluster instance(s)");
        expect(await check(packs.production, "rds-multi-az", [res("aws:docdb/cluster:Cluster", "docs", { clusterIdentifier: "docs" })])).to.have.length(1);
    });

    it("accepts Multi-AZ, two cluster instances, read replicas, and single-AZ databases outside production", async () => {
        expect(await check(packs.production, "rds-multi-az", [res(t.rdsInstance, "db", { ...compliantRds, multiAz: true })])).to.deep.equal([]);
        const cluster = res(t.rdsCluster, "aurora", { engine: "aurora-postgresql", clusterIdentifier: "aurora" });
        const member = (n: number) => res("aws:rds/clusterInstance:ClusterInstance", `aurora-${n}`, { clusterIdentifier: unknown }, { from: { clusterIdentifier: [cluster] } });
        expect(await check(packs.production, "rds-multi-az", [cluster, member(1), member(2)])).to.deep.equal([]);
        expect(await check(packs.production, "rds-multi-az", [res(t.rdsInstance, "replica", { replicateSourceDb: unknown })])).to.deep.equal([]);
        expect(await check(packs.staging, "rds-multi-az", [res(t.rdsInstance, "db", { ...compliantRds, multiAz: false })])).to.deep.equal([]);
    });
});

describe("elasticache-automatic-failover in production", () => {
    it("refuses a production replication group with one node, and a standalone Redis cluster", async () => {
        expect((await check(packs.production, "elasticache-automatic-failover", [res(t.replicationGroup, "redis", { numCacheClusters: 1 })]))[0].message).to.contain("1 node(s) on production stack 'production'");
        expect(await check(packs.production, "elasticache-automatic-failover", [res(t.elasticacheCluster, "redis", { engine: "redis", numCacheNodes: 1 })])).to.have.length(1);
    });

    it("accepts a single node outside production, memcached, and nodes of a replication group", async () => {
        expect(await check(packs.staging, "elasticache-automatic-failover", [res(t.replicationGroup, "redis", { numCacheClusters: 1 })])).to.deep.equal([]);
        expect(await check(packs.production, "elasticache-automatic-failover", [res(t.elasticacheCluster, "mc", { engine: "memcached", numCacheNodes: 2 })])).to.deep.equal([]);
        expect(await check(packs.production, "elasticache-automatic-failover", [res(t.elasticacheCluster, "node", { replicationGroupId: unknown })])).to.deep.equal([]);
    });
});

// ---- Every type that holds data.

describe("snapshots of every cache type", () => {
    it("refuses standalone Redis clusters, serverless caches and MemoryDB clusters without snapshots", async () => {
        for (const resource of [
            res(t.elasticacheCluster, "redis", { engine: "redis" }),
            res(t.serverlessCache, "serverless", { engine: "valkey" }),
            res(t.memorydbCluster, "memorydb", { numShards: 1 }),
        ]) {
            const [violation] = await check(packs.staging, "elasticache-snapshot-retention", [resource]);
            expect(violation?.message, resource.type).to.contain("automatic snapshots off");
        }
    });

    it("accepts snapshots kept long enough, and memcached", async () => {
        for (const resource of [
            res(t.elasticacheCluster, "redis", { engine: "redis", snapshotRetentionLimit: 7 }),
            res(t.serverlessCache, "serverless", { engine: "valkey", snapshotRetentionLimit: 7, dailySnapshotTime: "03:00" }),
            res(t.memorydbCluster, "memorydb", { snapshotRetentionLimit: 7 }),
            res(t.elasticacheCluster, "mc", { engine: "memcached" }),
        ]) {
            expect(await check(packs.production, "elasticache-snapshot-retention", [resource]), resource.type).to.deep.equal([]);
        }
    });
});

describe("elasticache-final-snapshot", () => {
    it("refuses a replication group, cluster or MemoryDB cluster deleted without a final snapshot", async () => {
        expect((await check(packs.staging, "elasticache-final-snapshot", [res(t.replicationGroup, "redis", { snapshotRetentionLimit: 1 })]))[0].message).to.contain("finalSnapshotIdentifier is not set");
        expect((await check(packs.staging, "elasticache-final-snapshot", [res(t.memorydbCluster, "memorydb", {})]))[0].message).to.contain("finalSnapshotName is not set");
    });

    it("accepts a final snapshot name, even one only known at update time", async () => {
        expect(await check(packs.staging, "elasticache-final-snapshot", [res(t.replicationGroup, "redis", { finalSnapshotIdentifier: unknown })])).to.deep.equal([]);
        expect(await check(packs.staging, "elasticache-final-snapshot", [res(t.memorydbCluster, "memorydb", { finalSnapshotName: "memorydb-final" })])).to.deep.equal([]);
    });
});

describe("elasticache-encryption-at-rest", () => {
    it("refuses a Redis replication group without encryption at rest (off by default)", async () => {
        expect(await check(packs.staging, "elasticache-encryption-at-rest", [res(t.replicationGroup, "redis", { engine: "redis" })])).to.have.length(1);
        expect(await check(packs.staging, "elasticache-encryption-at-rest", [res(t.replicationGroup, "valkey", { engine: "valkey", atRestEncryptionEnabled: false })])).to.have.length(1);
    });

    it("accepts encryption at rest, and Valkey's default", async () => {
        expect(await check(packs.staging, "elasticache-encryption-at-rest", [res(t.replicationGroup, "redis", { engine: "redis", atRestEncryptionEnabled: true })])).to.deep.equal([]);
        expect(await check(packs.staging, "elasticache-encryption-at-rest", [res(t.replicationGroup, "valkey", { engine: "valkey" })])).to.deep.equal([]);
    });
});

describe("spaces-bucket-versioning", () => {
    it("refuses a Spaces bucket without versioning and accepts one with it", async () => {
        expect(await check(packs.staging, "spaces-bucket-versioning", [res(t.spacesBucket, "models", { name: "fraud-models", region: "nyc3" })])).to.have.length(1);
        expect(await check(packs.staging, "spaces-bucket-versioning", [res(t.spacesBucket, "models", { name: "fraud-models", region: "nyc3", versioning: { enabled: false } })])).to.have.length(1);
        expect(await check(packs.staging, "spaces-bucket-versioning", [res(t.spacesBucket, "models", { name: "fraud-models", region: "nyc3", versioning: { enabled: true } })])).to.deep.equal([]);
    });
});

describe("dynamodb-point-in-time-recovery", () => {
    it("refuses a table without point-in-time recovery and accepts one with it", async () => {
        expect(await check(packs.staging, "dynamodb-point-in-time-recovery", [res(t.dynamodbTable, "cases", { hashKey: "id" })])).to.have.length(1);
        expect(await check(packs.staging, "dynamodb-point-in-time-recovery", [res(t.dynamodbTable, "cases", { hashKey: "id", pointInTimeRecovery: { enabled: true } })])).to.deep.equal([]);
    });
});

describe("efs-backup-policy", () => {
    const fileSystem = res(t.efsFileSystem, "shared", { encrypted: true });
    const policy = (status: string) => res("aws:efs/backupPolicy:BackupPolicy", "shared-backup", { fileSystemId: unknown, backupPolicy: { status } }, { from: { fileSystemId: [fileSystem] } });

    it("refuses a file system without an enabled backup policy, or unencrypted", async () => {
        expect((await check(packs.staging, "efs-backup-policy", [fileSystem]))[0].message).to.contain("has no BackupPolicy");
        expect((await check(packs.staging, "efs-backup-policy", [fileSystem, policy("DISABLED")]))[0].message).to.contain("DISABLED, not ENABLED");
        expect(await check(packs.staging, "efs-backup-policy", [res(t.efsFileSystem, "shared", {}), policy("ENABLED")])).to.have.length.at.least(1);
    });

    it("accepts an encrypted file system with backups enabled", async () => {
        expect(await check(packs.staging, "efs-backup-policy", [fileSystem, policy("ENABLED")])).to.deep.equal([]);
    });
});

describe("stateful-resources-protected, every data-holding type", () => {
    it("refuses EBS, EFS, DynamoDB, MemoryDB, DocumentDB, ElastiCache and Spaces resources without protect in production", async () => {
        const types = [t.ebsVolume, t.efsFileSystem, t.dynamodbTable, t.memorydbCluster, "aws:docdb/cluster:Cluster", t.elasticacheCluster, t.serverlessCache, t.spacesBucket];
        const resources = types.map((type, i) => res(type, `data-${i}`, {}));
        expect((await check(packs.production, "stateful-resources-protected", resources)).map((v) => v.urn)).to.have.members(resources.map((r) => r.urn));
        const protectedOnes = types.map((type, i) => res(type, `data-${i}`, {}, { protect: true }));
        expect(await check(packs.production, "stateful-resources-protected", protectedOnes)).to.deep.equal([]);
    });
});

// ---- False refusals.

describe("no false refusals", () => {
    it("a same-region read replica inherits its source's encryption; a cross-region one does not", async () => {
        expect(await check(packs.staging, "rds-storage-encrypted", [res(t.rdsInstance, "replica", { replicateSourceDb: unknown })])).to.deep.equal([]);
        expect(await check(packs.staging, "rds-storage-encrypted", [res(t.rdsInstance, "replica", { replicateSourceDb: "fraud-db" })])).to.deep.equal([]);
        expect(await check(packs.staging, "rds-storage-encrypted", [res(t.rdsInstance, "replica", { replicateSourceDb: "arn:aws:rds:us-west-2:210987654321:db:fraud-db" })])).to.have.length(1);
        expect(await check(packs.staging, "rds-storage-encrypted", [res(t.rdsInstance, "replica", { replicateSourceDb: "fraud-db", storageEncrypted: false })])).to.have.length(1);
    });

    it("a lower-case http health-check protocol is valid", async () => {
        const lowerCase = { protocol: "http", healthCheck: { enabled: true, protocol: "http", path: "/health/ready", interval: 10, timeout: 5, healthyThreshold: 2, unhealthyThreshold: 3, matcher: "200" } };
        expect(await check(packs.production, "alb-target-group-health-check", [res(t.targetGroup, "tg", lowerCase)])).to.deep.equal([]);
    });

    it("BucketV2's inline versionings list enables versioning", async () => {
        expect(await check(packs.staging, "s3-bucket-versioning", [res(t.bucketV2, "models", { bucket: "fraud-models", versionings: [{ enabled: true }] })])).to.deep.equal([]);
        expect(await check(packs.staging, "s3-bucket-versioning", [res(t.bucketV2, "models", { bucket: "fraud-models", versionings: [{ enabled: false }] })])).to.have.length(1);
    });
});

// ---- Health checks that cannot fail.

describe("health checks that cannot fail", () => {
    const saneTargetCheck = { enabled: true, path: "/health/ready", interval: 10, timeout: 5, healthyThreshold: 2, unhealthyThreshold: 3, matcher: "200" };

    it("alb-target-group-health-check refuses an explicit path of / and a matcher counting 4xx as healthy", async () => {
        expect((await check(packs.staging, "alb-target-group-health-check", [res(t.targetGroup, "tg", { healthCheck: { ...saneTargetCheck, path: "/" } })]))[0].message).to.contain("healthCheck.path is `/`");
        expect((await check(packs.staging, "alb-target-group-health-check", [res(t.targetGroup, "tg", { healthCheck: { ...saneTargetCheck, matcher: "200-499" } })]))[0].message).to.contain("counts 200-499 as healthy");
        expect(await check(packs.staging, "alb-target-group-health-check", [res(t.targetGroup, "tg", { healthCheck: { ...saneTargetCheck, matcher: "200,404" } })])).to.have.length(1);
        expect(await check(packs.staging, "alb-target-group-health-check", [res(t.targetGroup, "tg", { healthCheck: { ...saneTargetCheck, matcher: "200-399" } })])).to.deep.equal([]);
    });

    describe("ecs-task-container-health-checks", () => {
        const definitions = (healthCheck: object) => ({ family: "api", containerDefinitions: JSON.stringify([{ name: "api", essential: true, healthCheck }]) });
        const probe = ["CMD-SHELL", "curl -f http://127.0.0.1:8000/health/live || exit 1"];

        it("refuses `exit 0`, `true` and `|| true` probes, and intervals and retries beyond the stack's limits", async () => {
            for (const command of [["CMD-SHELL", "exit 0"], ["CMD", "true"], ["CMD-SHELL", "curl -f http://127.0.0.1:8000/health || true"]]) {
                const [violation] = await check(packs.staging, "ecs-task-container-health-checks", [res(t.taskDefinition, "api-task", definitions({ command }))]);
                expect(violation?.message, command.join(" ")).to.contain("its health check cannot fail");
            }
            const [slow] = await check(packs.production, "ecs-task-container-health-checks", [res(t.taskDefinition, "api-task", definitions({ command: probe, interval: 300, retries: 10 }))]);
            expect(slow.message).to.contain("healthCheck.interval is 300 s (at most 30)").and.contain("healthCheck.retries is 10 (at most 3)");
        });

        it("accepts a probe that can fail, within the limits", async () => {
            expect(await check(packs.production, "ecs-task-container-health-checks", [res(t.taskDefinition, "api-task", definitions({ command: probe, interval: 10, timeout: 5, retries: 3 }))])).to.deep.equal([]);
        });
    });

    describe("digitalocean-app-health-checks", () => {
        it("refuses checks with no upper bound on period and failures, a check of /, and a worker with a port but no HTTP liveness path", async () => {
            const slowService = { ...checkedService, healthCheck: { httpPath: "/health", periodSeconds: 300, failureThreshold: 50 } };
            const [slow] = await check(packs.production, "digitalocean-app-health-checks", [res(t.doApp, "app", appSpec([slowService]))]);
            expect(slow.message).to.contain("healthCheck.periodSeconds is 300 (at most 30)").and.contain("healthCheck.failureThreshold is 50 (at most 3)");
            const defaults = { ...checkedService, healthCheck: { httpPath: "/health" } };
            expect((await check(packs.production, "digitalocean-app-health-checks", [res(t.doApp, "app", appSpec([defaults]))]))[0].message).to.contain("App Platform's default 9");
            const root = { ...checkedService, healthCheck: { ...checkedService.healthCheck, httpPath: "/" } };
            expect((await check(packs.staging, "digitalocean-app-health-checks", [res(t.doApp, "app", appSpec([root]))]))[0].message).to.contain('healthCheck.httpPath is "/"');
            const tcpOnlyWorker = { name: "worker", livenessHealthCheck: { port: 8000, ...boundedTimings } };
            const [worker] = await check(packs.staging, "digitalocean-app-health-checks", [res(t.doApp, "app", { spec: { ...appSpec([checkedService]).spec, workers: [tcpOnlyWorker] } })]);
            expect(worker.message).to.contain("worker 'worker': its liveness check on port 8000 has no httpPath");
            const slowWorker = { name: "worker", livenessHealthCheck: { httpPath: "/health/live", port: 8000, periodSeconds: 120 } };
            expect(await check(packs.staging, "digitalocean-app-health-checks", [res(t.doApp, "app", { spec: { ...appSpec([checkedService]).spec, workers: [slowWorker] } })])).to.have.length(1);
        });

        it("accepts bounded checks, a worker with an HTTP liveness check, and a worker without a port", async () => {
            const bounded = { ...checkedService, healthCheck: { ...checkedService.healthCheck, failureThreshold: 3, timeoutSeconds: 5 } };
            // A worker without a port (PORT alone is set on every component) needs no liveness check.
            const workers = [{ name: "worker", livenessHealthCheck: { httpPath: "/health/live", port: 8000, ...boundedTimings } }, { name: "queue", envs: [{ key: "PORT", value: "8000" }] }];
            expect(await check(packs.production, "digitalocean-app-health-checks", [res(t.doApp, "app", { spec: { ...appSpec([{ ...bounded, livenessHealthCheck: { httpPath: "/health/live", timeoutSeconds: 5, failureThreshold: 3 } }]).spec, workers } })])).to.deep.equal([]);
        });
    });

    describe("docker-container-health-check", () => {
        it("refuses a check of `exit 0` or `true`, and too many retries", async () => {
            for (const tests of [["CMD-SHELL", "exit 0"], ["CMD", "true"], ["CMD", "/bin/sh", "-c", "wget -q --spider http://127.0.0.1:8000/ || true"]]) {
                const [violation] = await check(packs.dev, "docker-container-health-check", [res(t.container, "api", { healthcheck: { tests, interval: "10s" } })]);
                expect(violation?.message, tests.join(" ")).to.contain("the health check cannot fail");
            }
            expect((await check(packs.dev, "docker-container-health-check", [res(t.container, "api", { healthcheck: { tests: ["CMD", "pg_isready"], interval: "10s", retries: 50 } })]))[0].message).to.contain("retries is 50");
        });

        it("exempts a one-shot container (restart \"no\", run to completion) but not a long-running one that leaves restart at its default", async () => {
            const migration = res(t.container, "migrate", { image: "api:1", command: ["alembic", "upgrade", "head"], restart: "no", mustRun: false });
            expect(await check(packs.dev, "docker-container-health-check", [migration])).to.deep.equal([]);
            expect(await check(packs.dev, "docker-container-health-check", [res(t.container, "migrate", { image: "api:1", restart: "no", attach: true })])).to.deep.equal([]);
            // The provider's default restart policy is "no": without a run-to-completion option it is a service.
            expect(await check(packs.dev, "docker-container-health-check", [res(t.container, "api", { image: "api:1", restart: "no" })])).to.have.length(1);
        });
    });
});

// ---- Docker data paths as the images define them.

describe("docker-data-on-named-volume, as the images lay out their data", () => {
    const image = (name: string) => res(t.remoteImage, `${name.replace(/[^a-z0-9]+/g, "-")}-image`, { name });
    const server = (imageResource: RecordedResource, inputs: Record<string, unknown>) =>
        res(t.container, "db", { name: "db", image: unknown, healthcheck: { tests: ["CMD-SHELL", "pg_isready"] }, ...inputs }, { from: { image: [imageResource] } });
    const named = (target: string) => ({ mounts: [{ type: "volume", source: "db-data", target }] });

    it("refuses PostgreSQL 18 with the old mount path (its entrypoint refuses it) and accepts /var/lib/postgresql", async () => {
        const pg18 = image("postgres:18-alpine");
        const [old] = await check(packs.dev, "docker-data-on-named-volume", [pg18, server(pg18, named("/var/lib/postgresql/data"))]);
        expect(old.message).to.contain("postgres 18").and.contain("refuses to start with a mount at the old /var/lib/postgresql/data");
        expect(await check(packs.dev, "docker-data-on-named-volume", [pg18, server(pg18, named("/var/lib/postgresql"))])).to.deep.equal([]);
        // An untagged image is the newest major.
        const latest = image("postgres");
        expect(await check(packs.dev, "docker-data-on-named-volume", [latest, server(latest, named("/var/lib/postgresql/data"))])).to.have.length(1);
    });

    it("refuses a named volume at a parent of the image's declared VOLUME (an anonymous volume hides it)", async () => {
        const pg16 = image("postgres:16");
        const [hidden] = await check(packs.dev, "docker-data-on-named-volume", [pg16, server(pg16, named("/var/lib/postgresql"))]);
        expect(hidden.message).to.contain("on an anonymous volume at /var/lib/postgresql/data (the image's own VOLUME");
        expect(await check(packs.dev, "docker-data-on-named-volume", [pg16, server(pg16, named("/var/lib/postgresql/data"))])).to.deep.equal([]);
    });

    it("knows Bitnami's /bitnami paths", async () => {
        const bitnami = image("bitnami/postgresql:17");
        expect((await check(packs.dev, "docker-data-on-named-volume", [bitnami, server(bitnami, named("/var/lib/postgresql/data"))]))[0].message).to.contain("/bitnami/postgresql/data");
        expect(await check(packs.dev, "docker-data-on-named-volume", [bitnami, server(bitnami, named("/bitnami/postgresql"))])).to.deep.equal([]);
        const redis = image("bitnami/redis:7.4");
        expect(await check(packs.dev, "docker-data-on-named-volume", [redis, server(redis, named("/bitnami/redis/data"))])).to.deep.equal([]);
        expect(await check(packs.dev, "docker-data-on-named-volume", [redis, server(redis, named("/data"))])).to.have.length(1);
    });

    it("refuses Redis or Valkey with persistence off, even on a named volume", async () => {
        const valkey = image("valkey/valkey:8");
        const off = server(valkey, { ...named("/data"), command: ["valkey-server", "--save", "", "--appendonly", "no"] });
        expect((await check(packs.dev, "docker-data-on-named-volume", [valkey, off]))[0].message).to.contain("persistence off");
        const offInShell = server(valkey, { ...named("/data"), entrypoints: ["sh", "-c"], command: ["exec valkey-server --save '' --appendonly no"] });
        expect(await check(packs.dev, "docker-data-on-named-volume", [valkey, offInShell])).to.have.length(1);
        const aof = server(valkey, { ...named("/data"), command: ["valkey-server", "--save", "", "--appendonly", "yes"] });
        expect(await check(packs.dev, "docker-data-on-named-volume", [valkey, aof])).to.deep.equal([]);
    });
});

// ---- The stacks in the repository, through the emulated engine and the pack with their policy config.

describe("stacks in the repository", function () {
    this.timeout(60_000);

    for (const stack of ["dev", "staging", "production"] as const) {
        it(`${stack} previews with no mandatory violation under policies/config/${stack}.json`, async () => {
            const preview = await previewStack(stack);
            const violations = mandatory(await packs[stack].analyze(preview.resources));
            expect(violations.map((v) => `${v.policy} ${v.urn}`)).to.deep.equal([]);
        });
    }

    it("selfhosted (docker, environment production) has no mandatory violation under policies/config/selfhosted.json", async () => {
        // The running production pack (its stack's environment is production too), reconfigured with selfhosted's file;
        // the update run is the one test/selfhosted.test.ts reads.
        const selfhosted = await updateStack("selfhosted");
        await packs.production.reconfigure(path.join(configDir, "selfhosted.json"));
        try {
            const violations = mandatory(await packs.production.analyze(selfhosted.resources));
            expect(violations.map((v) => `${v.policy} ${v.urn}`)).to.deep.equal([]);
        } finally {
            await packs.production.reconfigure(path.join(configDir, "production.json"));
        }
    });

    it("production passes every policy at update time too, including the ones a preview cannot run", async () => {
        // In a preview containerDefinitions is unknown, so ecs-task-container-health-checks is only advisory there;
        // `pulumi up` runs it on known values. Emulate that: an update run, analyzed by a pack told it is not a preview.
        const update = await updateStack("production", deployable("production"));
        const pack = productionUpdatePack;
        {
            const violations = await pack.analyze(update.resources);
            expect(violations.map((v) => `${v.enforcementLevel} ${v.policy} ${v.urn.split("::").pop()}: ${v.message.split("\n")[0]}`)).to.deep.equal([]);
            // And there the container rule gates: a task whose container check cannot fail stops the update.
            const taskDefinition = update.ofType(t.taskDefinition)[0];
            const definitions = JSON.parse(taskDefinition.inputs.containerDefinitions as string) as { healthCheck?: object }[];
            const trivial = definitions.map((d) => ({ ...d, healthCheck: { command: ["CMD-SHELL", "exit 0"], interval: 10, timeout: 5, retries: 3 } }));
            const broken = { ...taskDefinition, inputs: { ...taskDefinition.inputs, containerDefinitions: JSON.stringify(trivial) } };
            const gated = (await pack.analyze([broken])).filter((v) => v.policy === "ecs-task-container-health-checks");
            expect(gated.map((v) => v.enforcementLevel)).to.include("mandatory");
        }
    });

    // A production copy with 3 days of backups failing rds-backup-retention: test/preview.test.ts, through the CLI.

    it("a production copy without Multi-AZ (database.highAvailability: false) fails with rds-multi-az", async () => {
        const preview = await previewStack("production", { database: { highAvailability: false } });
        const violations = mandatory(await packs.production.analyze(preview.resources));
        expect(violations.map((v) => [v.policy, v.urn.split("::").pop()])).to.deep.equal([["rds-multi-az", "fraud-production-db-postgres"]]);
    });

    it("a production copy with one cache node (cache.nodeCount: 1) fails with elasticache-automatic-failover", async () => {
        const preview = await previewStack("production", { cache: { nodeCount: 1 } });
        const violations = mandatory(await packs.production.analyze(preview.resources));
        expect(violations.map((v) => v.policy)).to.deep.equal(["elasticache-automatic-failover"]);
        expect(violations[0].message).to.contain("1 node(s) on production stack 'production'");
    });

    it("a dev copy on PostgreSQL 18 mounts its volume where the 18 image keeps its data, and passes", async () => {
        const preview = await previewStack("dev", { database: { engineVersion: "18" } });
        const postgres = preview.named("-postgres", t.container);
        expect((postgres.inputs.mounts as { target: string }[]).map((m) => m.target)).to.deep.equal(["/var/lib/postgresql"]);
        expect(mandatory(await packs.dev.analyze(preview.resources))).to.deep.equal([]);
        // The mount the backend used before PostgreSQL 18 is refused by the pack.
        // The stack analysis reads the planned state, so the old mount goes into both.
        const atOldPath = (props: Record<string, unknown>) => ({ ...props, mounts: [{ ...(props.mounts as object[])[0], target: "/var/lib/postgresql/data" }] });
        const oldPath = { ...postgres, inputs: atOldPath(postgres.inputs), planned: postgres.planned && atOldPath(postgres.planned) };
        const refused = mandatory(await packs.dev.analyze(preview.resources.map((r) => (r === postgres ? oldPath : r))));
        expect(refused.map((v) => v.policy)).to.deep.equal(["docker-data-on-named-volume"]);
    });

    it("a dev copy whose api checks its health every 2 minutes fails with docker-container-health-check, analyzed as it registers", async () => {
        const file = readStackConfig("dev");
        const services = devServices();
        const config = { ...file.config, "fraud-platform:services": JSON.stringify({ ...services, api: { ...services.api, healthCheck: { intervalSeconds: 120 } } }) };
        // As the offline preview runs it: each registration goes to the pack while the program is still running.
        const streaming = analyzeAsRegistered(Promise.resolve(packs.dev));
        const { resources } = await runProgram({ project: file.project, stack: "dev", config, secretKeys: file.secretKeys, preview: true, program, onRegister: streaming.onRegister });
        const violations = await streaming.finish(resources);

        expect(mandatory(violations).map((v) => [v.policy, v.urn.split("::").pop()])).to.deep.equal([["docker-container-health-check", "fraud-dev-app-api"]]);
        expect(violations).to.deep.equal(await packs.dev.analyze(resources));
        const report = formatPolicyReport(packs.dev.info, violations);
        expect(report).to.contain(`❌ fraud-platform-policies@v${packs.dev.info.version} (local: policies)`);
        expect(report).to.contain("- [mandatory]  docker-container-health-check  (docker:index/container:Container: fraud-dev-app-api)");
        expect(report).to.contain("healthcheck.interval is 120s (at most 30 s).");
    });
});

});

/** The dev stack file's services, to override one of them. */
function devServices(): Record<string, Record<string, unknown>> {
    return JSON.parse(readStackConfig("dev").config["fraud-platform:services"]) as Record<string, Record<string, unknown>>;
}
