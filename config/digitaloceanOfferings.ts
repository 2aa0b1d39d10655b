/**
 * What DigitalOcean sells, as data: the managed-database layouts per engine (which sizes each node count
 * allows, and in which regions), the App Platform instance sizes (price, single-instance only, autoscaling)
 * and the App Platform regions with their datacenters.
 *
 * Source: DigitalOcean's published API specification, github.com/digitalocean/openapi at commit
 * 7c1300c479fed9c353cda9fc21cd968619552304:
 * - `specification/resources/databases/responses/options.yml`: the `GET /v2/databases/options` answer
 *   (`options.<engine>.layouts[].num_nodes` / `sizes`, `options.<engine>.regions`).
 * - `specification/resources/apps/models/app_component_instance_base.yml`: the `instance_size_slug` enum.
 * - `specification/resources/apps/responses/examples.yml`, `instance_sizes`: `usd_per_month`,
 *   `single_instance_only`, `scalable` per slug (`GET /v2/apps/tiers/instance_sizes`); `regions`: the
 *   App Platform region slugs and their `data_centers` (`GET /v2/apps/regions`).
 * The live account may see more (DigitalOcean adds sizes and regions): `GET /v2/databases/options`,
 * `doctl apps tier instance-size list` and `doctl apps list-regions` show what it offers today; extend
 * these tables from them, citing the source.
 */

/** The managed-database engines this program creates. */
export type ClusterEngine = "pg" | "valkey" | "redis";

export interface EngineOffering {
    /** Datacenter regions the engine is offered in. */
    regions: readonly string[];
    /** Node count (primary plus standbys) → the sizes that layout allows. */
    layouts: Readonly<Record<number, readonly string[]>>;
}

// Sizes shared by PostgreSQL's layouts (options.yml, `pg.layouts`).
const pgDedicated = [
    "gd-2vcpu-8gb", "gd-4vcpu-16gb", "gd-8vcpu-32gb", "gd-16vcpu-64gb", "gd-32vcpu-128gb", "gd-40vcpu-160gb",
    "so1_5-2vcpu-16gb", "so1_5-4vcpu-32gb", "so1_5-8vcpu-64gb", "so1_5-16vcpu-128gb", "so1_5-24vcpu-192gb", "so1_5-32vcpu-256gb",
];
const pgPremiumWithStandby = [
    "db-intel-1vcpu-2gb", "db-amd-1vcpu-2gb", "db-amd-2vcpu-4gb", "db-intel-2vcpu-4gb", "db-intel-2vcpu-8gb", "db-amd-2vcpu-8gb",
    "db-intel-4vcpu-8gb", "db-amd-4vcpu-8gb", "db-intel-4vcpu-16gb", "db-amd-4vcpu-16gb", "db-amd-8vcpu-32gb", "db-intel-8vcpu-32gb",
    "db-amd-16vcpu-64gb", "db-intel-16vcpu-64gb",
];
const pgWithStandby = ["db-s-1vcpu-2gb", "db-s-2vcpu-4gb", "db-s-4vcpu-8gb", "db-s-6vcpu-16gb", ...pgDedicated, ...pgPremiumWithStandby];

// Sizes shared by the caching engines' layouts (options.yml, `valkey.layouts` and `redis.layouts`).
const cacheWithStandby = [
    "db-s-1vcpu-2gb", "db-s-2vcpu-4gb", "db-s-4vcpu-8gb", "db-s-6vcpu-16gb", "db-s-8vcpu-32gb", "db-s-16vcpu-64gb",
    "m-2vcpu-16gb", "m-4vcpu-32gb", "m-8vcpu-64gb", "m-16vcpu-128gb", "m-24vcpu-192gb", "m-32vcpu-256gb",
];

const allDatabaseRegions = ["ams3", "blr1", "fra1", "lon1", "nyc1", "nyc2", "nyc3", "sfo2", "sfo3", "sgp1", "syd1", "tor1", "ric1", "atl1"];

export const databaseOfferings: Readonly<Record<ClusterEngine, EngineOffering>> = {
    pg: {
        regions: allDatabaseRegions,
        layouts: {
            // The smallest plan (db-s-1vcpu-1gb, and its premium twins) is single-node only.
            1: ["db-s-1vcpu-1gb", "db-intel-1vcpu-1gb", "db-amd-1vcpu-1gb", ...pgWithStandby],
            2: pgWithStandby,
            3: pgWithStandby,
        },
    },
    valkey: {
        // No nyc2 for Valkey.
        regions: allDatabaseRegions.filter((region) => region !== "nyc2"),
        layouts: { 1: ["db-s-1vcpu-1gb", ...cacheWithStandby], 2: cacheWithStandby, 3: cacheWithStandby },
    },
    redis: {
        regions: allDatabaseRegions,
        layouts: { 1: ["db-s-1vcpu-1gb", ...cacheWithStandby], 2: cacheWithStandby, 3: cacheWithStandby },
    },
};

/** The node counts an engine's size allows, e.g. `db-s-1vcpu-1gb` → [1]. */
export function nodeCountsFor(engine: ClusterEngine, size: string): number[] {
    return Object.entries(databaseOfferings[engine].layouts)
        .filter(([, sizes]) => sizes.includes(size))
        .map(([nodes]) => Number(nodes));
}

/** The first (smallest, as DigitalOcean lists them) size a layout allows: the default when none is configured. */
export function smallestSizeFor(engine: ClusterEngine, nodes: number): string | undefined {
    return databaseOfferings[engine].layouts[nodes]?.[0];
}

export interface AppInstanceSize {
    /** List price, USD per month per instance. */
    usdPerMonth: number;
    /** The size runs one instance only (`single_instance_only`): no `instance_count` above 1. */
    singleInstanceOnly: boolean;
    /** The size can autoscale (`scalable`): the dedicated-CPU sizes. */
    scalable: boolean;
}

export const appInstanceSizes: Readonly<Record<string, AppInstanceSize>> = {
    "apps-s-1vcpu-0.5gb": { usdPerMonth: 5, singleInstanceOnly: true, scalable: false },
    "apps-s-1vcpu-1gb-fixed": { usdPerMonth: 10, singleInstanceOnly: true, scalable: false },
    "apps-s-1vcpu-1gb": { usdPerMonth: 12, singleInstanceOnly: false, scalable: false },
    "apps-s-1vcpu-2gb": { usdPerMonth: 25, singleInstanceOnly: false, scalable: false },
    "apps-s-2vcpu-4gb": { usdPerMonth: 50, singleInstanceOnly: false, scalable: false },
    "apps-d-1vcpu-0.5gb": { usdPerMonth: 29, singleInstanceOnly: false, scalable: true },
    "apps-d-1vcpu-1gb": { usdPerMonth: 34, singleInstanceOnly: false, scalable: true },
    "apps-d-1vcpu-2gb": { usdPerMonth: 39, singleInstanceOnly: false, scalable: true },
    "apps-d-1vcpu-4gb": { usdPerMonth: 49, singleInstanceOnly: false, scalable: true },
    "apps-d-2vcpu-4gb": { usdPerMonth: 78, singleInstanceOnly: false, scalable: true },
    "apps-d-2vcpu-8gb": { usdPerMonth: 98, singleInstanceOnly: false, scalable: true },
    "apps-d-4vcpu-8gb": { usdPerMonth: 156, singleInstanceOnly: false, scalable: true },
    "apps-d-4vcpu-16gb": { usdPerMonth: 196, singleInstanceOnly: false, scalable: true },
    "apps-d-8vcpu-32gb": { usdPerMonth: 392, singleInstanceOnly: false, scalable: true },
};

export const appInstanceSizeSlugs = Object.keys(appInstanceSizes) as [string, ...string[]];

/** App Platform region → the datacenter regions it runs in (`GET /v2/apps/regions`). */
export const appPlatformRegions: Readonly<Record<string, readonly string[]>> = {
    ams: ["ams3"],
    nyc: ["nyc1", "nyc3"],
    fra: ["fra1"],
    sfo: ["sfo3"],
    sgp: ["sgp1"],
    blr: ["blr1"],
    tor: ["tor1"],
    lon: ["lon1"],
};

/** The App Platform region whose datacenters include this one, e.g. `nyc3` → `nyc`; undefined when App Platform has none there. */
export function appPlatformRegionOf(datacenter: string): string | undefined {
    return Object.entries(appPlatformRegions).find(([, datacenters]) => datacenters.includes(datacenter))?.[0];
}
