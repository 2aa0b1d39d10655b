/**
 * `database.size` and `cache.size` are free text shared by the backends; a size written for one backend
 * and used on another (an RDS class on DigitalOcean) reaches the provider and fails there. These rules
 * name the backend the size belongs to and the sizes the selected backend takes.
 */

const digitalOceanSlug = /^(db|gd|so1_5|m|m3|c|c2)-[a-z0-9-]+$/;
const rdsClass = /^db\.[a-z0-9-]+\.[a-z0-9]+$/;
const elastiCacheType = /^cache\.[a-z0-9-]+\.[a-z0-9]+$/;

/** Which backend (or key) a size written for another place belongs to, for messages. */
export function belongsTo(size: string): string | undefined {
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
