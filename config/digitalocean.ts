import { z } from "zod";
import { privateIpv4Block } from "./cidr";
import { weeklyWindow } from "./common";

/** App Platform instance size slugs, e.g. `apps-s-1vcpu-0.5gb` (shared CPU) or `apps-d-1vcpu-2gb` (dedicated CPU). */
const instanceSize = z.string().regex(/^apps-[sd]-\d+vcpu-[\d.]+gb(-fixed)?$/, "an App Platform instance size slug, e.g. apps-s-1vcpu-0.5gb or apps-d-1vcpu-2gb");

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
            api: instanceSize.default("apps-s-1vcpu-0.5gb"),
            worker: instanceSize.default("apps-s-1vcpu-0.5gb"),
            ml: instanceSize.default("apps-s-1vcpu-1gb"),
            /** The PRE_DEPLOY job that runs the migrations. */
            migration: instanceSize.default("apps-s-1vcpu-0.5gb"),
        })
        .default({ api: "apps-s-1vcpu-0.5gb", worker: "apps-s-1vcpu-0.5gb", ml: "apps-s-1vcpu-1gb", migration: "apps-s-1vcpu-0.5gb" }),
    /** PostgreSQL size when `database.size` is not set. */
    databaseSize: databaseSize.default("db-s-1vcpu-2gb"),
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
    /** Cache size when `cache.size` is not set. */
    cacheSize: databaseSize.default("db-s-1vcpu-1gb"),
    /** Weekly maintenance window of the cache, UTC; a day apart from the database's so both are never down together. */
    cacheMaintenanceWindow: weeklyWindow.default("sat:04:30-sat:05:30"),
    /** Optional custom domain for the api, made the app's primary domain. `zone`: a DigitalOcean DNS zone App Platform may manage. */
    domain: z.strictObject({ name: hostname, zone: hostname.optional() }).optional(),
    /** Command of the PRE_DEPLOY job, run with the api image; a non-zero exit stops the release. */
    migrationCommand: z.array(z.string().min(1)).min(1).default(["python", "-m", "app.migrate"]),
    /** Slack channel named in alert destinations (the webhook itself is `monitoring.slackWebhookUrl`). */
    slackChannel: z.string().regex(/^#?[a-z0-9][a-z0-9._-]{0,79}$/, "a Slack channel name, e.g. #fraud-alerts").default("#fraud-alerts"),
    /** Regions the uptime check probes from. */
    uptimeRegions: z.array(z.enum(uptimeRegions)).min(1).default(["us_east", "eu_west"]),
    /** How long `pulumi up` waits for an App Platform deployment (build, PRE_DEPLOY job, health checks) before failing. */
    deploymentTimeoutMinutes: z.number().int().min(10).max(180).default(45),
    /**
     * Push changed DATABASE_URL / REDIS_URL values to the app on this run. App Platform returns SECRET
     * env values encrypted, so they are excluded from diffs by default (see the README, "App Platform pitfalls"); set
     * this for the one `pulumi up` after the database user, pool or cache was replaced, then unset it.
     */
    rolloutSecretEnv: z.boolean().default(false),
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

/**
 * Rules a stack that selects the DigitalOcean backend must also satisfy; each names the key at fault.
 * Reads the raw config input defensively, like the other cross-key rules: a key of the wrong type is the
 * schema's problem, reported there.
 */
export function digitalOceanProblems(input: Record<string, unknown>): { path: (string | number)[]; allowed: string }[] {
    if (input.backend !== "digitalocean") return [];
    const problems: { path: (string | number)[]; allowed: string }[] = [];
    const at = (...path: string[]) => path.reduce<unknown>((node, key) => (isRecord(node) ? node[key] : undefined), input);

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
    const cacheNodes = at("cache", "nodeCount");
    if (typeof cacheNodes === "number" && cacheNodes > 3) {
        problems.push({ path: ["cache", "nodeCount"], allowed: "must be ≤ 3 on DigitalOcean (a primary and up to two standby nodes)" });
    }
    const emails = at("monitoring", "alertEmails");
    if ((!Array.isArray(emails) || emails.length === 0) && at("slackWebhookUrl") === undefined) {
        problems.push({
            path: ["monitoring", "alertEmails"],
            allowed: "DigitalOcean alerts need a destination: set monitoring.alertEmails (team members' addresses) or slackWebhookUrl",
        });
    }
    const production = input.environment === "production";
    const explicitNodes = at("digitalocean", "databaseNodeCount");
    const highAvailability = at("database", "highAvailability");
    const standby = typeof highAvailability === "boolean" ? highAvailability : production;
    const nodes = typeof explicitNodes === "number" ? explicitNodes : standby ? 2 : 1;
    if (production && nodes < 2) {
        problems.push({
            path: typeof explicitNodes === "number" ? ["digitalocean", "databaseNodeCount"] : ["database", "highAvailability"],
            allowed: "production on DigitalOcean needs at least 2 PostgreSQL nodes (a standby for automatic failover)",
        });
    }
    return problems;
}

function isRecord(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

