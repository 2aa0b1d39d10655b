import semver from "semver";
import { z } from "zod";
import { awsSettings } from "./aws";
import { dailyWindow, envVarName, imageReference, percent, port, positiveInt, urlPath, weeklyWindow } from "./common";
import { digitalOceanSettings } from "./digitalocean";
import { dockerSettings } from "./docker";
import { rolloutSettings } from "./rollout";

export const environmentNames = ["dev", "staging", "production"] as const;
export const backendKinds = ["aws", "digitalocean", "docker"] as const;
export const serviceNames = ["api", "worker", "ml"] as const;

export type EnvironmentName = (typeof environmentNames)[number];
export type BackendKind = (typeof backendKinds)[number];
export type ServiceName = (typeof serviceNames)[number];

const healthCheck = z.strictObject({
    /** Readiness path the load balancer / platform probes. */
    path: urlPath.optional(),
    /** Liveness path the container's own health check probes. */
    livenessPath: urlPath.optional(),
    intervalSeconds: z.number().int().min(5).max(300).default(10),
    timeoutSeconds: z.number().int().min(2).max(60).default(5),
    healthyThreshold: z.number().int().min(1).max(10).default(2),
    unhealthyThreshold: z.number().int().min(2).max(10).default(3),
    startPeriodSeconds: z.number().int().min(0).max(300).default(10),
});

/**
 * Instances of one service, on any backend: ECS runs at most 5,000 tasks per service (Amazon ECS service
 * quotas, https://docs.aws.amazon.com/general/latest/gr/ecs-service.html). Tighter backend bounds (App
 * Platform 250, Docker a local 16) are checked in load.ts.
 */
export const maxInstancesPerService = 5000;
const instanceCount = positiveInt.max(maxInstancesPerService);

const autoscaling = z.strictObject({
    minCount: instanceCount,
    maxCount: instanceCount,
    cpuTargetPercent: percent.default(70),
});

const service = z.strictObject({
    image: imageReference,
    port: port.optional(),
    /** CPU units: 1024 = one vCPU. At most 16 vCPU, Fargate's largest task. */
    cpu: positiveInt.max(16384).optional(),
    /** Memory in MiB. At most 120 GiB, Fargate's largest task. */
    memory: positiveInt.max(122880).optional(),
    count: instanceCount.optional(),
    healthCheck: healthCheck.default({
        intervalSeconds: 10,
        timeoutSeconds: 5,
        healthyThreshold: 2,
        unhealthyThreshold: 3,
        startPeriodSeconds: 10,
    }),
    command: z.array(z.string().min(1)).min(1).optional(),
    env: z.record(envVarName, z.string()).default({}),
    autoscaling: autoscaling.optional(),
});

const services = z.strictObject({
    api: service,
    worker: service,
    ml: service,
});

const database = z.strictObject({
    engineVersion: z
        .string()
        .regex(/^\d+(\.\d+)?$/, "a PostgreSQL major or major.minor version, e.g. 16 or 16.4")
        .refine((v) => Number.parseInt(v, 10) >= 16, "PostgreSQL 16 or newer")
        .default("16"),
    /** Backend-specific size (AWS instance class, DigitalOcean slug); each backend has a default. */
    size: z.string().min(1).optional(),
    storageGb: z.number().int().min(20).max(65536).default(20),
    maxStorageGb: z.number().int().min(20).max(65536).default(100),
    backupRetentionDays: z.number().int().min(1).max(35).default(7),
    backupWindow: dailyWindow.default("03:00-04:00"),
    maintenanceWindow: weeklyWindow.default("sun:04:30-sun:05:30"),
    highAvailability: z.boolean().optional(),
    name: z.string().regex(/^[a-z][a-z0-9_]{0,62}$/, "a lower-case identifier").default("fraud"),
    user: z.string().regex(/^[a-z][a-z0-9_]{0,62}$/, "a lower-case identifier").default("fraud_app"),
});

const cache = z.strictObject({
    engineVersion: z.string().regex(/^\d+(\.\d+)?$/, "a Redis major or major.minor version, e.g. 7 or 7.1").default("7"),
    nodeCount: z.number().int().min(1).max(6).default(3),
    size: z.string().min(1).optional(),
    snapshotRetentionDays: z.number().int().min(0).max(35).optional(),
    snapshotWindow: dailyWindow.default("02:00-03:00"),
    evictionPolicy: z
        .enum(["noeviction", "allkeys-lru", "allkeys-lfu", "volatile-lru", "volatile-lfu", "volatile-ttl", "allkeys-random", "volatile-random"])
        .default("allkeys-lru"),
});

/**
 * Seed 000's alert thresholds and durations, the only place they are written (components/alerts/catalogue.ts
 * reads them). Critical (page): error rate > 5 % for 5 min, p95 > 1 s for 5 min, health check failing,
 * database connection errors. Warning (Slack): error rate > 1 % for 10 min, cache hit rate < 50 % for
 * 15 min, disk > 80 %, memory > 85 %.
 */
// CloudWatch evaluates at most one day of periods (period × evaluation periods ≤ 86,400 s): minutes ≤ 1440.
const minutes = positiveInt.max(1440);
const thresholds = z.strictObject({
    errorRatePercent: percent.default(5),
    errorRateMinutes: minutes.default(5),
    warningErrorRatePercent: percent.default(1),
    warningErrorRateMinutes: minutes.default(10),
    p95LatencyMs: positiveInt.max(600_000).default(1000),
    latencyMinutes: minutes.default(5),
    /** A service failing its health check (not scraped, unhealthy targets) this long pages. */
    healthCheckMinutes: minutes.default(2),
    /** Database connection errors: more than this many a minute, for `databaseConnectionErrorMinutes`, page. */
    databaseConnectionErrorsPerMinute: z.number().int().min(0).default(0),
    databaseConnectionErrorMinutes: minutes.default(1),
    memoryPercent: percent.default(85),
    memoryMinutes: minutes.default(5),
    cpuPercent: percent.default(85),
    diskPercent: percent.default(80),
    diskMinutes: minutes.default(5),
    cacheHitRatePercent: percent.default(50),
    cacheHitRateMinutes: minutes.default(15),
    /** A metric the alerts read that is missing this long raises a warning (a renamed metric is not silence). */
    missingMetricMinutes: minutes.default(10),
});

const metricName = z.string().regex(/^[a-zA-Z_:][a-zA-Z0-9_:]*$/, "a Prometheus metric name ([a-zA-Z_:][a-zA-Z0-9_:]*)");

/** The metrics the app exports (seed 000's names by default), for apps that name them otherwise. */
const metrics = z.strictObject({
    requests: metricName.default("api_requests_total"),
    errors: metricName.default("api_request_errors_total"),
    /** A histogram in seconds; its buckets must go above the p95 threshold (docs/alerts.md). */
    requestDuration: metricName.default("api_request_duration_seconds"),
    cacheHits: metricName.default("cache_hits_total"),
    cacheMisses: metricName.default("cache_misses_total"),
    dbQueryDuration: metricName.default("db_query_duration_seconds"),
    dbConnectionErrors: metricName.default("db_connection_errors_total"),
});

const monitoring = z.strictObject({
    /** Each address is a subscription (AWS) or an alert destination (DigitalOcean); a list, not a mailing list. */
    alertEmails: z.array(z.email()).max(25).default([]),
    thresholds: thresholds.default(thresholds.parse({})),
    metrics: metrics.default(metrics.parse({})),
});

/**
 * The alert secrets are top-level keys of their own: Pulumi tells a program only whether a whole top-level
 * key is secret, so a plain value next to an encrypted one inside `monitoring` could not be told apart.
 */
const slackWebhookUrl = z.url({ protocol: /^https$/ });
const registryCredentials = z.string().regex(/^[^:\s]+:\S+$/, "<username>:<token>");
const pagerDutyIntegrationKey = z.string().regex(/^[A-Za-z0-9]{32}$/, "a 32-character PagerDuty integration key");

/** The stack config as it is written, before environment-dependent defaults. */
export const stackConfigSchema = z.strictObject({
    /** Required unless the backend is docker (where it defaults to dev): a cloud stack never guesses. */
    environment: z.enum(environmentNames).optional(),
    backend: z.enum(backendKinds),
    protectStatefulResources: z.boolean().optional(),
    /** The release being deployed (seed 003: `v1.4.2`); keys the pre-migration database snapshot. */
    releaseVersion: z
        .string()
        .refine((v) => semver.valid(v) !== null, "a semantic version such as v1.4.2 or 1.4.2")
        .optional(),
    services,
    database: database.default(database.parse({})),
    cache: cache.default(cache.parse({})),
    monitoring: monitoring.default(monitoring.parse({})),
    /** Secret: a Slack incoming webhook every alert is posted to. */
    slackWebhookUrl: slackWebhookUrl.optional(),
    /** Secret: a PagerDuty Events API v2 integration (routing) key. */
    pagerDutyIntegrationKey: pagerDutyIntegrationKey.optional(),
    /**
     * Secret, docker: the one value the local stack derives its PostgreSQL, Redis and Grafana passwords and
     * APP_SECRET_KEY from, so they stay the same across `pulumi destroy` and `pulumi up` (the data volumes,
     * which keep PostgreSQL's and Grafana's stored passwords, are kept). Unset, they are generated (with a warning).
     */
    credentialSeed: z.string().min(32, "at least 32 characters, e.g. `openssl rand -hex 32`").optional(),
    /** Secret, docker: the load balancer's certificate (PEM, chain after it); unset, a self-signed one is generated. */
    tlsCertificate: z.string().min(1).optional(),
    /** Secret, docker: the certificate's private key (PEM). */
    tlsPrivateKey: z.string().min(1).optional(),
    /** Secret, DigitalOcean: `<username>:<token>` (a GitHub token with `read:packages`) to pull private GHCR images. */
    ghcrCredentials: registryCredentials.optional(),
    /** Secret, DigitalOcean: `<username>:<token>` (a Docker Hub access token) to pull private Docker Hub images. */
    dockerHubCredentials: registryCredentials.optional(),
    aws: awsSettings.default(awsSettings.parse({})),
    digitalocean: digitalOceanSettings.default(digitalOceanSettings.parse({})),
    docker: dockerSettings.default(dockerSettings.parse({})),
    /** Seed 003's gradual rollout: stages, smoke tests, and the release's position (config/rollout.ts). */
    rollout: rolloutSettings.default(rolloutSettings.parse({})),
});

export type StackConfig = z.infer<typeof stackConfigSchema>;

/**
 * Environment variables the backends set on the app containers themselves (connection URLs as secrets,
 * the ml service's address, the app's signing key, the port): `services.<name>.env` may not set them.
 */
export const reservedEnvNames = ["DATABASE_URL", "REDIS_URL", "APP_SECRET_KEY", "ML_SERVICE_URL", "ENVIRONMENT", "PORT", "SERVICE_NAME"] as const;
export type HealthCheckConfig = z.infer<typeof healthCheck>;
export type AutoscalingConfig = z.infer<typeof autoscaling>;
export type ThresholdsSpec = z.infer<typeof thresholds>;
export type MetricNamesSpec = z.infer<typeof metrics>;
export { envVarName };

export { secretConfigPaths } from "./secrets";
