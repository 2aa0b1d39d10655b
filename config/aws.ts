import { z } from "zod";
import { awsSizeMessage } from "./backendSizes";
import { privateIpv4Block } from "./cidr";
import { dailyOverlapsWeekly, parseDailyWindow, parseWeeklyWindow, weeklyWindow } from "./common";

// The network carves eight equal subnets out of the VPC (see components/aws/network.ts), so the block must
// leave room for them; /16 to /22 gives subnets of /19 (8,187 usable addresses) down to /25 (123).
const vpcPrefixRange = { min: 16, max: 22 } as const;

const vpcCidr = privateIpv4Block({
    ...vpcPrefixRange,
    why: `AWS allows /16 at most; smaller than /${vpcPrefixRange.max} leaves too few task addresses per subnet`,
});

const awsRegion = z.string().regex(/^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$/, "an AWS region, e.g. us-east-1");

/** The retention periods CloudWatch Logs accepts, in days. */
export const logRetentionPeriods = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653] as const;

const acmCertificateArn = z
    .string()
    .regex(/^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[0-9a-f-]{36}$/, "an ACM certificate ARN, e.g. arn:aws:acm:us-east-1:123456789012:certificate/<uuid>");

const bedrockModelArn = z
    .string()
    .regex(
        /^arn:aws[a-z-]*:bedrock:[a-z0-9-]+:(\d{12})?:(foundation-model|inference-profile|application-inference-profile|provisioned-model)\/[\w.:-]+$/,
        "a Bedrock model ARN without wildcards, e.g. arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0",
    );

const rdsInstanceClass = z.string().regex(/^db\.[a-z0-9-]+\.[a-z0-9]+$/, "an RDS instance class, e.g. db.r6g.large");
const cacheNodeType = z.string().regex(/^cache\.[a-z0-9-]+\.[a-z0-9]+$/, "an ElastiCache node type, e.g. cache.r6g.large");
const s3BucketName = z.string().regex(/^(?!xn--)(?!.*\.\.)[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, "an S3 bucket name (3-63 lower-case letters, digits, dots and hyphens)");

/** Settings of the AWS backend (the `production` stack). Every key has a default; none is required. */
export const awsSettings = z
    .strictObject({
        /** Region every resource is created in. Governs the program's explicit AWS provider (not `aws:region`). */
        region: awsRegion.default("us-east-1"),
        /** Availability zones the VPC spans: 2 or 3. Tasks, the database standby and cache replicas spread across them. */
        availabilityZoneCount: z.literal([2, 3]).default(2),
        /**
         * NAT gateways: `perAz` (one per zone, so losing a zone does not cut the others' egress) or `single`
         * (cheaper, one zone's outage cuts all egress). Production must use `perAz`.
         */
        natGateways: z.enum(["perAz", "single"]).default("perAz"),
        /** The VPC's IPv4 block, /16 to /22, private range. Eight equal subnets are carved from it. */
        vpcCidr: vpcCidr.default("10.0.0.0/16"),
        /**
         * ACM certificate for the load balancer's HTTPS listener, in the same region. Without one the api is
         * served over plain HTTP on port 80 and the program warns.
         */
        certificateArn: acmCertificateArn.optional(),
        /**
         * The name the certificate covers (e.g. api.example.com), which you point at the load balancer with a
         * DNS alias or CNAME. The stack's `url` uses it; without it the URL is the load balancer's own DNS name.
         */
        domainName: z
            .string()
            .regex(/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/, "a lower-case DNS name, e.g. api.example.com")
            .optional(),
        /** How long container, Service Connect and alert-forwarder logs are kept, days (a CloudWatch Logs period). */
        logRetentionDays: z.literal(logRetentionPeriods).default(30),
        /** CPU architecture of every task: ARM64 (Graviton, ~20 % cheaper) or X86_64. Images must be built for it. */
        cpuArchitecture: z.enum(["ARM64", "X86_64"]).default("ARM64"),
        /**
         * The one Bedrock model the task role may invoke.
         * Default: Claude 3 Haiku in `region` (`arn:aws:bedrock:<region>::foundation-model/anthropic.claude-3-haiku-20240307-v1:0`).
         */
        bedrockModelArn: bedrockModelArn.optional(),
        /** Seconds new api tasks may fail load-balancer health checks before ECS replaces them. */
        healthCheckGracePeriodSeconds: z.number().int().min(0).max(7200).default(60),
        /** Seconds the load balancer keeps draining a deregistered task's in-flight requests. */
        deregistrationDelaySeconds: z.number().int().min(0).max(3600).default(30),
        /** Load balancer access logs. Default: on in production, off elsewhere. */
        accessLogs: z.boolean().optional(),
        /** An existing bucket for the access logs (it must allow ELB log delivery). Default: the program creates one. */
        accessLogsBucket: s3BucketName.optional(),
        /** Days the created access-logs bucket keeps logs. */
        accessLogsRetentionDays: z.number().int().min(1).max(3650).default(90),
        /** Days the models bucket keeps a model file's older versions after it is overwritten. */
        modelVersionRetentionDays: z.number().int().min(1).max(3650).default(90),
        /** RDS instance class when `database.size` is not set. */
        defaultDatabaseInstanceClass: rdsInstanceClass.default("db.r6g.large"),
        /** ElastiCache node type when `cache.size` is not set. */
        defaultCacheNodeType: cacheNodeType.default("cache.r6g.large"),
        /** Weekly ElastiCache maintenance window, UTC; must not overlap `cache.snapshotWindow`. */
        cacheMaintenanceWindow: weeklyWindow.default("sun:05:30-sun:06:30"),
        /** Alarm when PostgreSQL has more connections than this (set near 80 % of the instance class's max_connections). */
        databaseConnectionsAlarmThreshold: z.number().int().min(1).default(1000),
        /** Alarm when Redis evicts more keys than this in 5 minutes (the cache is too small for its working set). */
        cacheEvictionsAlarmThreshold: z.number().int().min(1).default(1000),
        /** `uid[:gid]` the containers run as (non-root). Must own nothing the image needs to write outside /tmp. */
        containerUser: z.string().regex(/^[1-9]\d*(:\d+)?$/, "a non-root numeric uid[:gid], e.g. 1000:1000").default("1000:1000"),
        /** Mount the containers' root filesystem read-only; /tmp stays writable (a task-local volume). */
        readonlyRootFilesystem: z.boolean().default(true),
        /** The tool inside the images that the container health check runs against the liveness path. */
        containerHealthProbe: z.enum(["python", "curl", "wget"]).default("python"),
        /**
         * The release's database migration, run with the api image as a one-off ECS task before any task of the
         * new revision starts; a non-zero exit rolls the release back. Same command and default as
         * `digitalocean.migrationCommand` (the PRE_DEPLOY job there).
         */
        migrationCommand: z.array(z.string().min(1)).min(1).default(["python", "-m", "app.migrate"]),
        /** Minutes the migration task may run before it is stopped and the release rolled back. */
        migrationTimeoutMinutes: z.number().int().min(1).max(120).default(30),
        /**
         * Pre-migration snapshots kept, counted in releases (RDS allows 100 manual snapshots per region by
         * default). Older ones are deleted after a successful migration; the current and the previous
         * release's are always kept.
         */
        preMigrationSnapshotsKept: z.number().int().min(2).max(90).default(10),
        /** Requests a minute the new revision must receive before its rollback alarms can judge it. */
        rollbackAlarmMinRequestsPerMinute: z.number().int().min(1).max(100000).default(20),
        /**
         * Bump by one to rotate the app's database password: the app moves to its other login with a fresh
         * password, and the release that follows replaces the tasks (the previous login keeps working meanwhile).
         */
        databasePasswordRotation: z.number().int().min(0).default(0),
        /**
         * Where the images keep the RDS CA bundle (https://truststore.pki.rds.amazonaws.com/global/global-bundle.pem);
         * DATABASE_URL names it as `sslrootcert` with `sslmode=verify-full`.
         */
        databaseCaBundlePath: z.string().regex(/^\/[\w./-]+$/, "an absolute path inside the image, e.g. /etc/ssl/certs/rds-global-bundle.pem").default("/etc/ssl/certs/rds-global-bundle.pem"),
        /**
         * Cache engine: `valkey` (ElastiCache for Valkey 7.2, Redis 7 compatible, about 20 % cheaper per node) or
         * `redis` (Redis OSS). Switching an existing group from redis to valkey is an in-place upgrade; back is not.
         */
        cacheEngine: z.enum(["valkey", "redis"]).default("valkey"),
        /**
         * Interface endpoints for CloudWatch Logs and Secrets Manager, so that traffic skips the NAT gateways. Off by
         * default: at this stack's volumes the NAT gateways carry it for less than the endpoints' hourly charge
         * (2 zones × 2 endpoints ≈ $29/month; docs/aws.md). ECR endpoints follow the images, Bedrock's is always there.
         */
        awsApiEndpoints: z.boolean().default(false),
        /** AWS WAF web ACL on the load balancer (managed rule groups, rate limits). Default: on in production. */
        waf: z.boolean().optional(),
        /** `block` enforces the web ACL's rules; `count` only counts matches (a first rollout, to see what would be blocked). */
        wafMode: z.enum(["block", "count"]).default("block"),
        /** Requests one client IP may send in any 5 minutes before WAF refuses it (WAF's minimum is 10). */
        wafRateLimitPer5Minutes: z.number().int().min(10).max(2000000000).default(2000),
        /** The login path the tighter rate limit guards (seed 002: POST /api/auth/login). */
        wafLoginPath: z.string().regex(/^\/[\w./~-]*$/, "a URL path, e.g. /api/auth/login").default("/api/auth/login"),
        /** Login requests one client IP may send a minute (seed 002: 10; WAF's minimum is 10). */
        wafLoginRateLimitPerMinute: z.number().int().min(10).max(2000000000).default(10),
        /** Days WAF's logs are kept (a CloudWatch Logs period). */
        wafLogRetentionDays: z.literal(logRetentionPeriods).default(90),
        /** VPC flow logs (every accepted and rejected connection) to CloudWatch Logs. Default: on in production. */
        flowLogs: z.boolean().optional(),
        /** Days flow logs are kept (a CloudWatch Logs period). */
        flowLogRetentionDays: z.literal(logRetentionPeriods).default(90),
        /** S3 server access logging for the models bucket (who read or wrote which model). Default: on in production. */
        modelsAccessLogs: z.boolean().optional(),
        /** Days the models bucket's access logs are kept. */
        modelsAccessLogRetentionDays: z.number().int().min(1).max(3650).default(365),
        /**
         * Monthly AWS Budgets amount in US dollars for the stack's tagged resources; alerts at 80 % (forecast and
         * actual) and 100 % (actual) go to the alert topic. Unset: no budget.
         */
        monthlyBudgetUsd: z.number().positive().max(10000000).optional(),
    })
    .superRefine((settings, ctx) => {
        const certificateRegion = settings.certificateArn?.split(":")[3];
        if (certificateRegion !== undefined && certificateRegion !== settings.region) {
            ctx.addIssue({
                code: "custom",
                path: ["certificateArn"],
                message: `an ACM certificate in the stack's region ${settings.region} (a load balancer cannot use one from ${certificateRegion})`,
            });
        }
        const bedrockRegion = settings.bedrockModelArn?.split(":")[3];
        if (bedrockRegion !== undefined && bedrockRegion !== settings.region) {
            ctx.addIssue({
                code: "custom",
                path: ["bedrockModelArn"],
                message: `a Bedrock model ARN in the stack's region ${settings.region} (the tasks call the regional endpoint)`,
            });
        }
    });

export type AwsSettings = z.infer<typeof awsSettings>;

/** Redis versions ElastiCache takes as `major.minor`; a bare major means the newest minor checked for it. */
export const newestRedisMinor: Readonly<Record<string, string>> = { "6": "6.2", "7": "7.1" };

/**
 * The Valkey version ElastiCache runs for a Redis-compatible version: Valkey 7.2 is the Redis 7.2-compatible
 * release (https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/VersionManagement.html, "Valkey 7.2").
 */
export const valkeyForRedisMajor: Readonly<Record<string, string>> = { "7": "7.2" };

/**
 * What the AWS backend needs of the shared keys, checked at the config edge so a stack that selects AWS
 * fails before any resource is registered. Reads the raw input defensively.
 */
export function awsProblems(input: Record<string, unknown>): { path: (string | number)[]; allowed: string }[] {
    if (input.backend !== "aws") return [];
    const problems: { path: (string | number)[]; allowed: string }[] = [];
    const at = (...path: string[]) => path.reduce<unknown>((node, key) => (node !== null && typeof node === "object" ? (node as Record<string, unknown>)[key] : undefined), input);
    const databaseSize = at("database", "size");
    if (typeof databaseSize === "string" && !/^db\.[a-z0-9-]+\.[a-z0-9]+$/.test(databaseSize)) {
        problems.push({ path: ["database", "size"], allowed: awsSizeMessage("database", databaseSize) });
    }
    const cacheSize = at("cache", "size");
    if (typeof cacheSize === "string" && !/^cache\.[a-z0-9-]+\.[a-z0-9]+$/.test(cacheSize)) {
        problems.push({ path: ["cache", "size"], allowed: awsSizeMessage("cache", cacheSize) });
    }
    const cacheVersion = at("cache", "engineVersion");
    if (typeof cacheVersion === "string" && !cacheVersion.includes(".") && newestRedisMinor[cacheVersion] === undefined) {
        problems.push({ path: ["cache", "engineVersion"], allowed: `must be major.minor on the aws backend (e.g. ${cacheVersion}.0), or one of ${Object.keys(newestRedisMinor).join(", ")}` });
    } else if (typeof cacheVersion === "string" && Number(cacheVersion.split(".")[0]) < 7 && (at("aws", "cacheEngine") ?? "valkey") === "valkey") {
        problems.push({
            path: ["cache", "engineVersion"],
            allowed: `ElastiCache for Valkey starts at 7.2 (Redis 7 compatible): use 7 or 7.x, or set fraud-platform:aws.cacheEngine to redis for Redis ${cacheVersion}`,
        });
    }
    problems.push(...fargateSizeProblems(at), ...awsWindowProblems(at), ...loadBalancerHealthCheckProblems(at));
    return problems;
}

type RawLookup = (...path: string[]) => unknown;

/**
 * Task sizes Fargate runs: CPU units to the memory (MiB) each allows.
 * Source: https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-tasks-services.html#fargate-tasks-size
 * (also the `memory` field of RegisterTaskDefinition); any other pair fails with
 * "No Fargate configuration exists for given values".
 */
export const fargateTaskSizes: readonly { cpu: number; memory: { from: number; to: number; step: number } }[] = [
    { cpu: 256, memory: { from: 512, to: 2048, step: 512 } }, // 512, 1024, 2048 (1536 is not offered)
    { cpu: 512, memory: { from: 1024, to: 4096, step: 1024 } },
    { cpu: 1024, memory: { from: 2048, to: 8192, step: 1024 } },
    { cpu: 2048, memory: { from: 4096, to: 16384, step: 1024 } },
    { cpu: 4096, memory: { from: 8192, to: 30720, step: 1024 } },
    { cpu: 8192, memory: { from: 16384, to: 61440, step: 4096 } },
    { cpu: 16384, memory: { from: 32768, to: 122880, step: 8192 } },
];

/** Whether Fargate offers this CPU and memory pair. */
export function isFargateSize(cpu: number, memory: number): boolean {
    if (cpu === 256) return [512, 1024, 2048].includes(memory);
    const row = fargateTaskSizes.find((r) => r.cpu === cpu);
    return row !== undefined && memory >= row.memory.from && memory <= row.memory.to && (memory - row.memory.from) % row.memory.step === 0;
}

function describeFargateRow(row: (typeof fargateTaskSizes)[number]): string {
    if (row.cpu === 256) return "512, 1024 or 2048";
    return `${row.memory.from} to ${row.memory.to} in steps of ${row.memory.step}`;
}

// The roles' defaults, repeated from load.ts's roleDefaults: a pair is checked with the default filled in.
const defaultTaskSizes: Record<string, { cpu: number; memory: number }> = {
    api: { cpu: 512, memory: 1024 },
    worker: { cpu: 256, memory: 512 },
    ml: { cpu: 1024, memory: 2048 },
};

function fargateSizeProblems(at: RawLookup): { path: (string | number)[]; allowed: string }[] {
    const problems: { path: (string | number)[]; allowed: string }[] = [];
    for (const name of ["api", "worker", "ml"]) {
        const cpuGiven = at("services", name, "cpu");
        const memoryGiven = at("services", name, "memory");
        if (cpuGiven === undefined && memoryGiven === undefined) continue;
        const cpu = cpuGiven ?? defaultTaskSizes[name].cpu;
        const memory = memoryGiven ?? defaultTaskSizes[name].memory;
        if (typeof cpu !== "number" || typeof memory !== "number" || !Number.isInteger(cpu) || !Number.isInteger(memory)) continue; // the schema's problem
        const row = fargateTaskSizes.find((r) => r.cpu === cpu);
        if (row === undefined) {
            problems.push({ path: ["services", name, "cpu"], allowed: `must be a Fargate task size on the aws backend: ${fargateTaskSizes.map((r) => r.cpu).join(", ")} CPU units` });
        } else if (!isFargateSize(cpu, memory)) {
            // Blame the key the user wrote; when both are written, memory (it depends on the CPU).
            const blamed = memoryGiven !== undefined ? "memory" : "cpu";
            const given = memoryGiven !== undefined ? "" : ` (memory is ${memory} MiB by default)`;
            problems.push({
                path: ["services", name, blamed],
                allowed: `Fargate has no task of ${cpu} CPU units with ${memory} MiB${given}; with ${cpu} CPU units memory must be ${describeFargateRow(row)} MiB`,
            });
        }
    }
    return problems;
}

/**
 * RDS: the backup window must last at least 30 minutes and not overlap the weekly maintenance window,
 * which also lasts at least 30 minutes (CreateDBInstance, PreferredBackupWindow and
 * PreferredMaintenanceWindow: https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstance.html).
 * ElastiCache: "The minimum snapshot window is a 60 minute period", and the maintenance window is at least
 * 60 minutes (pulumi-aws sdk/nodejs/elasticache/replicationGroup.ts, snapshotWindow and maintenanceWindow;
 * https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/maintenance-window.html). A snapshot taken while
 * maintenance runs is skipped, so the two may not overlap either.
 */
function awsWindowProblems(at: RawLookup): { path: (string | number)[]; allowed: string }[] {
    const problems: { path: (string | number)[]; allowed: string }[] = [];
    const text = (...path: string[]) => {
        const value = at(...path);
        return typeof value === "string" ? value : undefined;
    };
    const check = (daily: { path: string[]; fallback: string; minMinutes: number; what: string }, weekly: { path: string[]; fallback: string; minMinutes: number; what: string }) => {
        const dailyText = text(...daily.path);
        const weeklyText = text(...weekly.path);
        const dailyWindow = parseDailyWindow(dailyText ?? daily.fallback);
        const weeklyWindow = parseWeeklyWindow(weeklyText ?? weekly.fallback);
        let short = false;
        if (dailyText !== undefined && dailyWindow !== undefined && dailyWindow.minutes < daily.minMinutes) {
            problems.push({ path: daily.path, allowed: `${daily.what} must last at least ${daily.minMinutes} minutes (this one lasts ${dailyWindow.minutes})` });
            short = true;
        }
        if (weeklyText !== undefined && weeklyWindow !== undefined && weeklyWindow.minutes < weekly.minMinutes) {
            problems.push({ path: weekly.path, allowed: `${weekly.what} must last at least ${weekly.minMinutes} minutes (this one lasts ${weeklyWindow.minutes})` });
            short = true;
        }
        if (short || dailyWindow === undefined || weeklyWindow === undefined || (dailyText === undefined && weeklyText === undefined)) return;
        if (dailyOverlapsWeekly(dailyWindow, weeklyWindow)) {
            const blamed = dailyText !== undefined ? daily : weekly;
            const other = blamed === daily ? weekly : daily;
            problems.push({
                path: blamed.path,
                allowed: `${blamed.what} must not overlap ${other.what} (${other.path.join(".")} is ${JSON.stringify(text(...other.path) ?? other.fallback)})`,
            });
        }
    };
    check(
        { path: ["database", "backupWindow"], fallback: "03:00-04:00", minMinutes: 30, what: "the RDS backup window" },
        { path: ["database", "maintenanceWindow"], fallback: "sun:04:30-sun:05:30", minMinutes: 30, what: "the RDS maintenance window" },
    );
    check(
        { path: ["cache", "snapshotWindow"], fallback: "02:00-03:00", minMinutes: 60, what: "the ElastiCache snapshot window" },
        { path: ["aws", "cacheMaintenanceWindow"], fallback: "sun:05:30-sun:06:30", minMinutes: 60, what: "the ElastiCache maintenance window" },
    );
    return problems;
}

/**
 * The load balancer's target-group health check: the timeout must be shorter than the interval
 * (ELBv2 CreateTargetGroup refuses a HealthCheckTimeoutSeconds that is not below HealthCheckIntervalSeconds,
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_CreateTargetGroup.html),
 * and HealthyThresholdCount is 2 to 10. Only the api is behind the load balancer.
 */
function loadBalancerHealthCheckProblems(at: RawLookup): { path: (string | number)[]; allowed: string }[] {
    const problems: { path: (string | number)[]; allowed: string }[] = [];
    const timeoutGiven = at("services", "api", "healthCheck", "timeoutSeconds");
    const intervalGiven = at("services", "api", "healthCheck", "intervalSeconds");
    const timeout = timeoutGiven ?? 5;
    const interval = intervalGiven ?? 10;
    if ((timeoutGiven !== undefined || intervalGiven !== undefined) && typeof timeout === "number" && typeof interval === "number" && timeout >= interval) {
        problems.push({
            path: ["services", "api", "healthCheck", timeoutGiven !== undefined ? "timeoutSeconds" : "intervalSeconds"],
            allowed: `the load balancer's health-check timeout (${timeout} s) must be shorter than its interval (${interval} s) on the aws backend`,
        });
    }
    const healthy = at("services", "api", "healthCheck", "healthyThreshold");
    if (typeof healthy === "number" && healthy < 2) {
        problems.push({ path: ["services", "api", "healthCheck", "healthyThreshold"], allowed: "must be ≥ 2 on the aws backend: the load balancer counts 2 to 10 consecutive successes" });
    }
    return problems;
}
