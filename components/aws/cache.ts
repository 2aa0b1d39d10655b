import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import type { CacheSpec } from "../../config";
import { newestRedisMinor, valkeyForRedisMajor } from "../../config/aws";
import type { CacheConnection, Scope } from "../backend";
import { awsOptions, statefulOptions, type AwsContext } from "./context";
import type { Network } from "./network";
import type { SecurityGroups } from "./securityGroups";
import { redisPort } from "./securityGroups";

export interface RedisCache {
    connection: CacheConnection;
    replicationGroup: aws.elasticache.ReplicationGroup;
    /** One id per node, `<group>-001` …, the dimension ElastiCache reports node metrics under. */
    nodeIds: pulumi.Output<string>[];
}

/**
 * ElastiCache wants `major.minor` from Redis 7 on. A bare major means the newest minor we have
 * checked for it (Redis OSS 7 ended at 7.1); the config edge refuses any other bare major.
 */
export function redisEngineVersion(version: string): string {
    return version.includes(".") ? version : (newestRedisMinor[version] ?? version);
}

/**
 * The parameter-group family of a Redis version: `redis5.0` up to Redis 5, `redis6.x` for Redis 6, `redis7` from 7 on.
 * https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/ParameterGroups.Engine.html
 */
export function redisParameterGroupFamily(version: string): string {
    const [major, minor = "0"] = version.split(".");
    if (Number(major) >= 7) return `redis${major}`;
    if (major === "6") return "redis6.x";
    return `redis${major}.${minor}`;
}

/**
 * The engine and version ElastiCache runs: Redis OSS as configured, or, for `valkey`, the Valkey release
 * compatible with the configured Redis major (the config edge refused majors below 7 for valkey).
 */
export function cacheEngineVersion(engine: "valkey" | "redis", redisVersion: string): { engine: "valkey" | "redis"; version: string; family: string } {
    if (engine === "redis") {
        const version = redisEngineVersion(redisVersion);
        return { engine, version, family: redisParameterGroupFamily(version) };
    }
    const version = valkeyForRedisMajor[redisVersion.split(".")[0]] ?? "7.2";
    // https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/ParameterGroups.Engine.html: `valkey7`, `valkey8`.
    return { engine, version, family: `valkey${version.split(".")[0]}` };
}

/**
 * A Redis replication group in the private subnets: a primary and replicas spread over the zones
 * with automatic failover, encrypted at rest and in transit, an auth token, and daily snapshots.
 */
export function createRedis(ctx: AwsContext, scope: Scope, spec: CacheSpec, network: Network, groups: SecurityGroups): RedisCache {
    const { name, parent } = scope;
    const options = () => awsOptions(ctx, parent);
    const { engine, version, family } = cacheEngineVersion(ctx.spec.aws.cacheEngine, spec.engineVersion);
    const replicated = spec.nodeCount > 1;
    // The config edge checked that a configured size is a node type.
    const nodeType = spec.size ?? ctx.spec.aws.defaultCacheNodeType;

    const subnetGroup = new aws.elasticache.SubnetGroup(
        `${name}-subnets`,
        { description: `${ctx.spec.project} ${ctx.spec.environment} Redis (private subnets)`, subnetIds: network.privateSubnetIds },
        options(),
    );
    const parameterGroup = new aws.elasticache.ParameterGroup(
        `${name}-params`,
        {
            family,
            description: `${ctx.spec.project} ${ctx.spec.environment}: eviction policy ${spec.evictionPolicy}`,
            parameters: [{ name: "maxmemory-policy", value: spec.evictionPolicy }],
        },
        options(),
    );
    // ElastiCache auth tokens take printable ASCII except space, ", / and @; letters and digits keep the URL simple.
    const authToken = new random.RandomPassword(`${name}-auth-token`, { length: 64, special: false }, { parent });
    // As for the database: a final-snapshot name that never repeats across destroys and replacements.
    const snapshotSuffix = new random.RandomId(
        `${name}-snapshot-suffix`,
        // The engine is not a keeper: redis → valkey is an in-place upgrade of the same group.
        { byteLength: 4, keepers: { engine: "redis", nodeType, atRestEncryption: "true" } },
        { parent },
    );

    const replicationGroup = new aws.elasticache.ReplicationGroup(
        `${name}-redis`,
        {
            description: `${ctx.spec.project} ${ctx.spec.environment} cache`,
            engine,
            engineVersion: version,
            nodeType,
            numCacheClusters: spec.nodeCount,
            port: redisPort,
            parameterGroupName: parameterGroup.name,
            subnetGroupName: subnetGroup.name,
            securityGroupIds: [groups.cache.id],
            automaticFailoverEnabled: replicated,
            multiAzEnabled: replicated,
            atRestEncryptionEnabled: true,
            transitEncryptionEnabled: true,
            transitEncryptionMode: "required",
            authToken: authToken.result,
            snapshotRetentionLimit: spec.snapshotRetentionDays,
            snapshotWindow: spec.snapshotWindow,
            maintenanceWindow: ctx.spec.aws.cacheMaintenanceWindow,
            finalSnapshotIdentifier: spec.snapshotRetentionDays > 0 ? pulumi.interpolate`${name}-final-${snapshotSuffix.hex}` : undefined,
            autoMinorVersionUpgrade: true,
            applyImmediately: false,
        },
        statefulOptions(ctx, parent),
    );

    const host = replicationGroup.primaryEndpointAddress;
    const connection: CacheConnection = {
        host,
        port: pulumi.output(redisPort),
        // rediss: TLS, which the group requires. The client verifies the server certificate (issued by Amazon's
        // public CAs for *.cache.amazonaws.com) against the system trust store and checks the host name:
        // ssl_cert_reqs=required is redis-py's URL form of that (https://redis.readthedocs.io/en/stable/connections.html).
        url: pulumi.secret(pulumi.interpolate`rediss://:${authToken.result}@${host}:${redisPort}/0?ssl_cert_reqs=required&ssl_check_hostname=true`),
    };
    const nodeIds = Array.from({ length: spec.nodeCount }, (_, index) =>
        pulumi.interpolate`${replicationGroup.id}-${String(index + 1).padStart(3, "0")}`,
    );
    return { connection, replicationGroup, nodeIds };
}
