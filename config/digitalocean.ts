import { z } from "zod";
import { belongsTo } from "./backendSizes";
import { privateIpv4Block } from "./cidr";
import { weeklyWindow } from "./common";
import {
    appInstanceSizes,
    appInstanceSizeSlugs,
    appPlatformRegionOf,
    appPlatformRegions,
    databaseOfferings,
    nodeCountsFor,
    smallestSizeFor,
    type ClusterEngine,
} from "./digitaloceanOfferings";

/** App Platform instance size slugs DigitalOcean sells (see digitaloceanOfferings.ts for the source). */
const instanceSize = z.enum(appInstanceSizeSlugs);

/** Managed database size slugs, e.g. `db-s-1vcpu-2gb`. */
const databaseSize = z.string().regex(/^(db|gd|so1_5|m|m3|c|c2)-[a-z0-9-]+$/, "a managed database size slug, e.g. db-s-1vcpu-2gb");

/** A private (RFC 1918) IPv4 range between /16 and /24, as DigitalOcean VPCs require. */
const vpcIpRange = privateIpv4Block({ min: 16, max: 24, why: "what DigitalOcean VPCs accept" });

const hostname = z
    .string()
    .regex(/^(?=.{4,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/, "a lower-case DNS name, e.g. staging-api.example.com");

/** Uptime check probe regions, as the API spells them (the provider's doc comments show camelCase, which the API rejects). */
export const uptimeRegions = ["us_east", "us_west", "eu_west", "se_asia"] as const;

/** Settings of the DigitalOcean backend (the `staging` stack). Every key has a default. */
export const digitalOceanSettings = z.strictObject({
    /** Datacenter region of the VPC and the managed databases, e.g. `nyc3`; the app runs in the matching App Platform region (`nyc`). */
    region: z.string().regex(/^[a-z]{3}\d?$/, "a DigitalOcean region slug, e.g. nyc3 or fra1").default("nyc3"),
    /** Private range of the environment's VPC: RFC 1918, /16 to /24, not overlapping another VPC of the account. */
    vpcIpRange: vpcIpRange.default("10.116.0.0/20"),
    /**
     * App Platform instance size per component. Autoscaling on CPU is only available on dedicated-CPU
     * sizes (`apps-d-*`); on shared sizes a component runs its configured `count`.
     */
    instanceSizes: z
        .strictObject({
            // The smallest sizes that run more than one instance: the services' default counts are 3 and 2.
            // Seed 004's single-instance apps-s-1vcpu-0.5gb needs count 1 (the staging stack sets both).
            api: instanceSize.default("apps-s-1vcpu-1gb"),
            worker: instanceSize.default("apps-s-1vcpu-1gb"),
            ml: instanceSize.default("apps-s-1vcpu-1gb"),
            /** The PRE_DEPLOY job that runs the migrations. */
            migration: instanceSize.default("apps-s-1vcpu-0.5gb"),
        })
        .default({ api: "apps-s-1vcpu-1gb", worker: "apps-s-1vcpu-1gb", ml: "apps-s-1vcpu-1gb", migration: "apps-s-1vcpu-0.5gb" }),
    /**
     * PostgreSQL size when `database.size` is not set. Default: the smallest size the node count allows
     * (`db-s-1vcpu-1gb` for one node, `db-s-1vcpu-2gb` with standbys).
     */
    databaseSize: databaseSize.optional(),
    /**
     * PostgreSQL nodes: one primary plus standbys. Default: 2 when `database.highAvailability` is on
     * (production), else 1. Production must have at least 2.
     */
    databaseNodeCount: z.number().int().min(1).max(3).optional(),
    /** PgBouncer pool the services connect through. `transaction` suits short web requests. */
    connectionPool: z
        .strictObject({
            /** Server connections in the pool. */
            size: z.number().int().min(1).max(100).default(20),
            mode: z.enum(["transaction", "session", "statement"]).default("transaction"),
        })
        .default({ size: 20, mode: "transaction" }),
    /** Cache engine. Valkey is DigitalOcean's managed successor to Redis; use `redis` only where Valkey is unavailable. */
    cacheEngine: z.enum(["valkey", "redis"]).default("valkey"),
    /** Valkey major version (`cache.engineVersion` is the Redis version and applies to the `redis` engine). */
    valkeyVersion: z.string().regex(/^\d+$/, "a Valkey major version, e.g. 8").default("8"),
    /**
     * Cache size when `cache.size` is not set. Default: the smallest size `cache.nodeCount` allows
     * (`db-s-1vcpu-1gb` for one node; standbys start at `db-s-1vcpu-2gb`).
     */
    cacheSize: databaseSize.optional(),
    /** Weekly maintenance window of the cache, UTC; a day apart from the database's so both are never down together. */
    cacheMaintenanceWindow: weeklyWindow.default("sat:04:30-sat:05:30"),
    /** Optional custom domain for the api, made the app's primary domain. `zone`: a DigitalOcean DNS zone App Platform may manage. */
    domain: z.strictObject({ name: hostname, zone: hostname.optional() }).optional(),
    /**
     * Command of the one PRE_DEPLOY job, run with the api image; a non-zero exit stops the release and
     * the running version stays.
     */
    migrationCommand: z.array(z.string().min(1)).min(1).default(["python", "-m", "app.migrate"]),
    /**
     * Before the migration, in the same PRE_DEPLOY job, grant the app user `CREATE` on the `public` schema
     * with `psql` as the database owner (PostgreSQL 15+ gives it to the owner only). Needs `psql` in the
     * api image. Set false when the image has no `psql` and the grant was run once by hand (docs/digitalocean.md).
     */
    schemaGrant: z.boolean().default(true),
    /**
     * Addresses of a paging service's e-mail integration (PagerDuty's, Opsgenie's) that receive the
     * uptime and database alerts. DigitalOcean sends uptime alerts only to addresses verified in its
     * control panel, and app alerts only to members of the DigitalOcean team, so these get no app alerts.
     */
    pagingEmails: z.array(z.email()).default([]),
    /** Slack channel named in alert destinations (the webhook itself is `slackWebhookUrl`). */
    slackChannel: z.string().regex(/^#?[a-z0-9][a-z0-9._-]{0,79}$/, "a Slack channel name, e.g. #fraud-alerts").default("#fraud-alerts"),
    /** Regions the uptime check probes from. */
    uptimeRegions: z.array(z.enum(uptimeRegions)).min(1).default(["us_east", "eu_west"]),
    /**
     * How long `pulumi up` waits for the app's first deployment (image pull, PRE_DEPLOY job, health
     * checks) before failing. The provider declares only a create timeout for the app.
     */
    deploymentTimeoutMinutes: z.number().int().min(10).max(180).default(45),
    /**
     * Whether the worker gets an HTTP liveness check on its port. Turn it off for a worker that serves
     * no HTTP: App Platform would restart it forever.
     */
    workerLivenessCheck: z.boolean().default(true),
    /**
     * For one `pulumi up`: send the settings App Platform accepts but never returns (alert destinations,
     * registry credentials, the app-level SECRET env), which are otherwise left out of the diff so a
     * second `up` plans nothing. Set it after changing one of them, run `up`, then unset it.
     */
    resendWriteOnlySettings: z.boolean().default(false),
});

export type DigitalOceanSettings = z.infer<typeof digitalOceanSettings>;

/** App Platform's registry types, and where each image reference points. */
export type RegistryType = "DOCR" | "GHCR" | "DOCKER_HUB";

export interface ImageSource {
    registryType: RegistryType;
    /** Registry (owner) name; absent for DOCR, where the account's registry is implied. */
    registry?: string;
    repository: string;
    /** Set when the reference has no digest: App Platform takes a tag or a digest, not both. */
    tag?: string;
    digest?: string;
}

/**
 * Splits an image reference into App Platform's image source: `registry.digitalocean.com/<registry>/<repo>`
 * is DOCR, `ghcr.io/<owner>/<repo>` is GHCR, `docker.io/<owner>/<repo>` or a reference without a host is
 * Docker Hub (`library` for official images). A digest pins the image and wins over the tag.
 * Returns a string describing the problem when App Platform cannot pull from the reference's registry.
 */
export function parseImageReference(reference: string): ImageSource | string {
    const [withoutDigest, digest] = reference.split("@");
    const lastSlash = withoutDigest.lastIndexOf("/");
    const tagSeparator = withoutDigest.indexOf(":", lastSlash + 1);
    const name = tagSeparator === -1 ? withoutDigest : withoutDigest.slice(0, tagSeparator);
    const tag = tagSeparator === -1 ? undefined : withoutDigest.slice(tagSeparator + 1);
    const pin = digest === undefined ? { tag } : { digest };

    const segments = name.split("/");
    const hasHost = segments.length > 1 && (segments[0].includes(".") || segments[0].includes(":") || segments[0] === "localhost");
    const host = hasHost ? segments[0] : "docker.io";
    const path = hasHost ? segments.slice(1) : segments;

    switch (host) {
        case "registry.digitalocean.com":
            if (path.length < 2) return "a DOCR reference registry.digitalocean.com/<registry>/<repository>";
            return { registryType: "DOCR", repository: path.slice(1).join("/"), ...pin };
        case "ghcr.io":
            if (path.length < 2) return "a GHCR reference ghcr.io/<owner>/<repository>";
            return { registryType: "GHCR", registry: path[0], repository: path.slice(1).join("/"), ...pin };
        case "docker.io":
        case "index.docker.io":
            return path.length === 1
                ? { registryType: "DOCKER_HUB", registry: "library", repository: path[0], ...pin }
                : { registryType: "DOCKER_HUB", registry: path[0], repository: path.slice(1).join("/"), ...pin };
        default:
            return `an image App Platform can pull: registry.digitalocean.com (DOCR), ghcr.io (GHCR) or Docker Hub; ${host} is not supported`;
    }
}

/** DigitalOcean's eviction policy names (snake_case; the provider's doc comments show camelCase, which the API rejects). */
export const evictionPolicies: Readonly<Record<string, string>> = {
    noeviction: "noeviction",
    "allkeys-lru": "allkeys_lru",
    "allkeys-random": "allkeys_random",
    "volatile-lru": "volatile_lru",
    "volatile-random": "volatile_random",
    "volatile-ttl": "volatile_ttl",
};

/** PostgreSQL nodes: the explicit setting, else two (primary and standby) with high availability, else one. */
export function resolveDatabaseNodeCount(settings: DigitalOceanSettings, highAvailability: boolean): number {
    return settings.databaseNodeCount ?? (highAvailability ? 2 : 1);
}

/** PostgreSQL size: `database.size`, else `digitalocean.databaseSize`, else the smallest the node count allows. */
export function resolveDatabaseSize(settings: DigitalOceanSettings, explicit: string | undefined, nodes: number): string {
    return explicit ?? settings.databaseSize ?? smallestSizeFor("pg", nodes) ?? "db-s-1vcpu-2gb";
}

/** Cache size: `cache.size`, else `digitalocean.cacheSize`, else the smallest the node count allows. */
export function resolveCacheSize(settings: DigitalOceanSettings, explicit: string | undefined, nodes: number): string {
    return explicit ?? settings.cacheSize ?? smallestSizeFor(settings.cacheEngine, nodes) ?? "db-s-1vcpu-2gb";
}

type Problem = { path: (string | number)[]; allowed: string };

/**
 * A managed-database layout DigitalOcean sells: the region offers the engine, and the size allows the
 * node count. Reports the key at fault and names the valid choices.
 */
function layoutProblems(
    engine: ClusterEngine,
    region: string,
    size: { value: string; path: (string | number)[] },
    nodes: { value: number; path: (string | number)[] },
): Problem[] {
    const offering = databaseOfferings[engine];
    const problems: Problem[] = [];
    if (!offering.regions.includes(region)) {
        problems.push({ path: ["digitalocean", "region"], allowed: `DigitalOcean offers ${engine} in ${offering.regions.join(", ")}` });
    }
    const sizes = offering.layouts[nodes.value];
    if (sizes === undefined) {
        problems.push({ path: nodes.path, allowed: `${engine} clusters have ${Object.keys(offering.layouts).join(", ")} nodes on DigitalOcean` });
    } else if (!sizes.includes(size.value)) {
        const counts = nodeCountsFor(engine, size.value);
        const origin = belongsTo(size.value);
        const why = counts.length === 0
            ? `${size.value} is ${origin ? `${origin}, ` : ""}not a ${engine} size DigitalOcean sells`
            : `${size.value} allows only ${counts.join(" or ")} node${counts.length === 1 && counts[0] === 1 ? "" : "s"}`;
        problems.push({
            path: size.path,
            allowed: `${why}; a ${nodes.value}-node ${engine} cluster takes one of ${sizes.join(", ")} (or set ${nodes.path.join(".")} to ${counts.join(" or ") || "1"})`,
        });
    }
    return problems;
}

/**
 * Rules a stack that selects the DigitalOcean backend must also satisfy; each names the key at fault.
 * Reads the raw config input defensively, like the other cross-key rules: a key of the wrong type is the
 * schema's problem, reported there.
 */
export function digitalOceanProblems(input: Record<string, unknown>): Problem[] {
    if (input.backend !== "digitalocean") return [];
    const problems: Problem[] = [];
    const at = (...path: string[]) => path.reduce<unknown>((node, key) => (isRecord(node) ? node[key] : undefined), input);
    const str = (...path: string[]) => (typeof at(...path) === "string" ? (at(...path) as string) : undefined);
    const num = (...path: string[]) => (typeof at(...path) === "number" ? (at(...path) as number) : undefined);

    for (const name of ["api", "worker", "ml"]) {
        const image = at("services", name, "image");
        if (typeof image !== "string") continue;
        const source = parseImageReference(image);
        if (typeof source === "string") problems.push({ path: ["services", name, "image"], allowed: `must be ${source}` });
    }
    const eviction = at("cache", "evictionPolicy");
    if (typeof eviction === "string" && /^(allkeys|volatile)-lfu$/.test(eviction)) {
        problems.push({ path: ["cache", "evictionPolicy"], allowed: `must be one DigitalOcean supports: ${Object.keys(evictionPolicies).join(", ")}` });
    }
    const emails = at("monitoring", "alertEmails");
    if ((!Array.isArray(emails) || emails.length === 0) && at("slackWebhookUrl") === undefined) {
        problems.push({
            path: ["monitoring", "alertEmails"],
            allowed: "DigitalOcean alerts need a destination: set monitoring.alertEmails (members of the DigitalOcean team, verified for uptime alerts) or slackWebhookUrl",
        });
    }
    const production = input.environment === "production";
    const pagingEmails = at("digitalocean", "pagingEmails");
    if (production && at("slackWebhookUrl") === undefined && (!Array.isArray(pagingEmails) || pagingEmails.length === 0)) {
        // The neutral rule accepts a PagerDuty key; DigitalOcean cannot send to PagerDuty, so on this backend it pages nobody.
        problems.push({
            path: ["slackWebhookUrl"],
            allowed:
                "production on DigitalOcean pages through Slack or a paging e-mail integration: DigitalOcean's alerts reach e-mail and Slack only, " +
                "and this backend ignores pagerDutyIntegrationKey. Set the webhook as a secret (PagerDuty's Slack integration can page " +
                "from the channel), or digitalocean.pagingEmails to the integration's verified address",
        });
    }

    // Layouts: region, engine, size and node count together, as DigitalOcean sells them.
    const region = str("digitalocean", "region") ?? "nyc3";
    if (/^[a-z]{3}\d?$/.test(region) && appPlatformRegionOf(region) === undefined) {
        const datacenters = Object.values(appPlatformRegions).flat();
        problems.push({ path: ["digitalocean", "region"], allowed: `App Platform runs in ${datacenters.join(", ")}; the app and its databases share the region's VPC` });
    }
    const explicitNodes = num("digitalocean", "databaseNodeCount");
    const highAvailability = at("database", "highAvailability");
    const standby = typeof highAvailability === "boolean" ? highAvailability : production;
    const pgNodes = explicitNodes ?? (standby ? 2 : 1);
    const pgNodesPath = explicitNodes !== undefined ? ["digitalocean", "databaseNodeCount"] : ["database", "highAvailability"];
    if (production && pgNodes < 2) {
        problems.push({ path: pgNodesPath, allowed: "production on DigitalOcean needs at least 2 PostgreSQL nodes (a standby for automatic failover)" });
    }
    const pgSizePath = str("database", "size") !== undefined ? ["database", "size"] : ["digitalocean", "databaseSize"];
    const pgSize = str("database", "size") ?? str("digitalocean", "databaseSize") ?? smallestSizeFor("pg", pgNodes);
    problems.push(...layoutProblems("pg", region, { value: pgSize ?? "", path: pgSizePath }, { value: pgNodes, path: pgNodesPath }));

    const cacheEngine: ClusterEngine = at("digitalocean", "cacheEngine") === "redis" ? "redis" : "valkey";
    const cacheNodes = num("cache", "nodeCount") ?? 3;
    const cacheSizePath = str("cache", "size") !== undefined ? ["cache", "size"] : ["digitalocean", "cacheSize"];
    const cacheSize = str("cache", "size") ?? str("digitalocean", "cacheSize") ?? smallestSizeFor(cacheEngine, cacheNodes);
    const reported = new Set(problems.map((problem) => problem.path.join(".")));
    // An unsold node count has no smallest size: the layout check reports the node count then.
    for (const problem of layoutProblems(cacheEngine, region, { value: cacheSize ?? "", path: cacheSizePath }, { value: cacheNodes, path: ["cache", "nodeCount"] })) {
        // A region neither engine offers is one problem, not two.
        if (!reported.has(problem.path.join("."))) problems.push(problem);
    }

    // App Platform sizes: a single-instance size runs one instance, and only scalable sizes autoscale.
    const sizeKeys: Record<string, string> = { api: "api", worker: "worker", ml: "ml" };
    const sizeDefaults: Record<string, string> = { api: "apps-s-1vcpu-1gb", worker: "apps-s-1vcpu-1gb", ml: "apps-s-1vcpu-1gb" };
    const roleCounts: Record<string, number> = { api: 3, worker: 2, ml: 2 };
    for (const [service, key] of Object.entries(sizeKeys)) {
        const slug = str("digitalocean", "instanceSizes", key) ?? sizeDefaults[service];
        const size = appInstanceSizes[slug];
        if (size === undefined || !size.singleInstanceOnly) continue;
        const count = num("services", service, "count") ?? roleCounts[service];
        if (count > 1) {
            const multi = Object.entries(appInstanceSizes).filter(([, s]) => !s.singleInstanceOnly).map(([name]) => name);
            problems.push({
                path: ["services", service, "count"],
                allowed: `${slug} (digitalocean.instanceSizes.${key}) runs a single instance; set count 1 or a size that takes ${count}: ${multi.join(", ")}`,
            });
        }
    }
    return problems;
}

function isRecord(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

