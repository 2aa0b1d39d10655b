/**
 * `database.size` and `cache.size` are free text shared by the backends; a size written for one backend
 * and used on another (an RDS class on DigitalOcean) reaches the provider and fails there. These rules
 * name the backend the size belongs to and the sizes the selected backend takes.
 */

/**
 * DigitalOcean managed database size slugs (`doctl databases options slugs --engine pg`;
 * https://docs.digitalocean.com/products/databases/postgresql/details/pricing/): the basic (shared CPU)
 * line; general purpose (`gd-`), storage optimised (`so1_5-`) and memory optimised (`m-`) follow the same form.
 */
export const digitalOceanDatabaseSizes = [
    "db-s-1vcpu-1gb",
    "db-s-1vcpu-2gb",
    "db-s-2vcpu-4gb",
    "db-s-4vcpu-8gb",
    "db-s-6vcpu-16gb",
    "db-s-8vcpu-32gb",
    "db-s-16vcpu-64gb",
] as const;

const digitalOceanSlug = /^(db|gd|so1_5|m|m3|c|c2)-[a-z0-9-]+$/;
const rdsClass = /^db\.[a-z0-9-]+\.[a-z0-9]+$/;
const elastiCacheType = /^cache\.[a-z0-9-]+\.[a-z0-9]+$/;

function belongsTo(size: string): string | undefined {
    if (rdsClass.test(size)) return "an RDS instance class (the aws backend)";
    if (elastiCacheType.test(size)) return "an ElastiCache node type (the aws backend)";
    if (/^apps-[sd]-/.test(size)) return "an App Platform instance size (digitalocean.instanceSizes)";
    return undefined;
}

/** Common RDS and ElastiCache sizes, for messages (the full lists: `aws rds describe-orderable-db-instance-options`, `aws elasticache describe-reserved-cache-nodes-offerings`). */
const awsExamples = {
    database: "db.t4g.medium, db.m7g.large, db.r6g.large, db.r7g.xlarge",
    cache: "cache.t4g.small, cache.m7g.large, cache.r6g.large, cache.r7g.xlarge",
} as const;

/** The aws backend's message for a `database.size` / `cache.size` it cannot use, naming where the size belongs. */
export function awsSizeMessage(key: "database" | "cache", size: string): string {
    const origin = digitalOceanSlug.test(size) ? "a DigitalOcean size slug (the digitalocean backend)" : belongsTo(size);
    const what = key === "database" ? "an RDS instance class" : "an ElastiCache node type";
    return `${origin ? `is ${origin}; ` : ""}must be ${what} on the aws backend, e.g. ${awsExamples[key]}`;
}

/** Problems of a size given to a backend that does not take it. Reads the raw input defensively. */
export function backendSizeProblems(input: Record<string, unknown>): { path: (string | number)[]; allowed: string }[] {
    const problems: { path: (string | number)[]; allowed: string }[] = [];
    const at = (...path: string[]) => path.reduce<unknown>((node, key) => (node !== null && typeof node === "object" ? (node as Record<string, unknown>)[key] : undefined), input);
    if (input.backend !== "digitalocean") return problems; // the aws backend's own rules are in aws.ts
    const doSizes = `${digitalOceanDatabaseSizes.join(", ")} (or a gd-, so1_5- or m- slug)`;
    for (const key of ["database", "cache"]) {
        const size = at(key, "size");
        if (typeof size !== "string" || digitalOceanSlug.test(size)) continue;
        const origin = belongsTo(size);
        problems.push({
            path: [key, "size"],
            allowed: `${origin ? `is ${origin}; ` : ""}on DigitalOcean ${key}.size is a managed database size slug: ${doSizes}`,
        });
    }
    return problems;
}
