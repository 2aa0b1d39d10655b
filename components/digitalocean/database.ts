import { createHash } from "node:crypto";
import * as digitalocean from "@pulumi/digitalocean";
import * as pulumi from "@pulumi/pulumi";
import type { DatabaseSpec, EnvironmentSpec } from "../../config";
import { resolveDatabaseNodeCount, resolveDatabaseSize } from "../../config/digitalocean";
import type { DatabaseConnection, Scope } from "../backend";
import { maintenanceWindow, tagList } from "./naming";

/**
 * Managed clusters with standby nodes can take longer than the provider's 30-minute default to come
 * online. The provider declares only a create timeout for clusters
 * (terraform-provider-digitalocean, digitalocean/database/resource_database_cluster.go, `Timeouts`:
 * `Create: schema.DefaultTimeout(30 * time.Minute)`): an `update` timeout would be silently ignored.
 */
export const clusterTimeouts: pulumi.CustomTimeouts = { create: "60m" };

export interface Postgres {
    cluster: digitalocean.DatabaseCluster;
    database: digitalocean.DatabaseDb;
    user: digitalocean.DatabaseUser;
    pool: digitalocean.DatabaseConnectionPool;
    /** The pool's name, known before it exists: bindable variables name it (`${fraud-db.<pool>.DATABASE_URL}`). */
    poolName: string;
    /** The cluster's trusted sources, in place from the cluster's creation on. */
    firewall: digitalocean.DatabaseFirewall;
    /** For the stack's outputs: through the PgBouncer pool. The app gets its own through bindable variables. */
    connection: DatabaseConnection;
    /**
     * Secret. The cluster's admin user (`doadmin`) on the app's database, for the one statement the app
     * user cannot run on itself: PostgreSQL 15+ gives only the database owner (doadmin, since the API
     * creates the database) CREATE on the `public` schema.
     */
    adminUrl: pulumi.Output<string>;
}

/**
 * Managed PostgreSQL in the environment's VPC: the cluster (a standby node when highly available) with
 * trusted sources from its creation on, the app's own database and user (never the `doadmin`
 * superuser), and a PgBouncer pool. The cluster and the database outlive `pulumi destroy`
 * (`retainOnDelete`): dropping them is a deliberate step (docs/digitalocean.md).
 */
export function createPostgres(
    scope: Scope,
    spec: DatabaseSpec,
    environment: EnvironmentSpec,
    vpc: digitalocean.Vpc,
    formerFirewall: pulumi.Alias[] = [],
): Postgres {
    const settings = environment.digitalocean;
    const stateful = { parent: scope.parent, protect: environment.protect, retainOnDelete: true };
    const nodeCount = resolveDatabaseNodeCount(settings, spec.highAvailability);
    const cluster = new digitalocean.DatabaseCluster(`${scope.name}-cluster`, {
        // The app's `databases` component names the cluster; a new name would be a new, empty cluster.
        name: scope.name,
        engine: "pg",
        // DigitalOcean takes the major version only.
        version: spec.engineVersion.split(".")[0],
        size: resolveDatabaseSize(settings, spec.size, nodeCount),
        region: settings.region,
        nodeCount,
        privateNetworkUuid: vpc.id,
        maintenanceWindows: [maintenanceWindow(spec.maintenanceWindow)],
        // The plan's included disk grows before it fills; DigitalOcean has no upper bound to set (maxStorageGb).
        storageAutoscale: { enabled: true, thresholdPercent: 80, incrementGib: 10 },
        tags: tagList(environment.tags),
    }, { ...stateful, customTimeouts: clusterTimeouts });
    const firewall = trustedSources(scope, cluster, settings.vpcIpRange, formerFirewall);

    const database = new digitalocean.DatabaseDb(`${scope.name}-database`, { clusterId: cluster.id, name: spec.name }, stateful);
    const user = new digitalocean.DatabaseUser(`${scope.name}-user`, { clusterId: cluster.id, name: spec.user }, { parent: scope.parent });
    const pooled = poolName(spec.name, spec.user, settings.connectionPool);
    const pool = new digitalocean.DatabaseConnectionPool(`${scope.name}-pool`, {
        clusterId: cluster.id,
        name: pooled,
        dbName: database.name,
        user: user.name,
        mode: settings.connectionPool.mode,
        size: settings.connectionPool.size,
    }, { parent: scope.parent });

    const url = postgresUrl(user.name, user.password, pool.privateHost, pool.port, pool.name);
    return {
        cluster,
        database,
        user,
        pool,
        poolName: pooled,
        firewall,
        connection: {
            host: pool.privateHost,
            port: pool.port,
            database: pool.name,
            user: user.name,
            password: pulumi.secret(user.password),
            url,
        },
        adminUrl: postgresUrl(cluster.user, cluster.password, cluster.privateHost, cluster.port, database.name),
    };
}

/**
 * Every property of a connection pool forces a new pool (terraform-provider-digitalocean,
 * digitalocean/database/resource_database_connection_pool.go: `name`, `user`, `mode`, `size`, `db_name`
 * are all `ForceNew`), and Pulumi creates the new pool before it deletes the old one. A name derived from
 * those settings lets the two exist side by side: the app's bindable variable switches to the new pool
 * in the same `up`, then the old pool goes. Pool names are 3 to 63 characters.
 */
export function poolName(database: string, user: string, pool: { mode: string; size: number }): string {
    const fingerprint = createHash("sha256").update(`${database}\n${user}\n${pool.mode}\n${pool.size}`).digest("hex").slice(0, 8);
    return `${database.slice(0, 40)}-pool-${fingerprint}`;
}

/**
 * Trusted sources of a managed cluster, created right after the cluster and before anything receives its
 * credentials: only the environment's VPC range (the app joins the VPC). Without a rule, a DigitalOcean
 * cluster accepts connections from anywhere that has the credentials. App Platform adds its own `app`
 * rule when it attaches the cluster as a `databases` component, so the rules are not diffed after
 * creation (a whole-property `ignoreChanges`, which the bridge honours; the rules are a set in the
 * provider, digitalocean/database/resource_database_firewall.go).
 *
 * Deleting a `DatabaseFirewall` empties the cluster's rules (the same file: Delete sends an empty rule
 * list), which opens the cluster to anyone with its credentials. So the firewall is kept with its cluster
 * (`retainOnDelete`: a destroyed stack leaves retained clusters closed), and `formerNames` carries the
 * names it had before, so a move updates it in place instead of creating a new one and emptying the rules
 * when the old one is deleted.
 */
export function trustedSources(
    scope: Scope,
    cluster: digitalocean.DatabaseCluster,
    vpcIpRange: string,
    formerNames: pulumi.Alias[] = [],
): digitalocean.DatabaseFirewall {
    return new digitalocean.DatabaseFirewall(`${scope.name}-firewall`, {
        clusterId: cluster.id,
        rules: [{ type: "ip_addr", value: vpcIpRange }],
    }, { parent: scope.parent, ignoreChanges: ["rules"], retainOnDelete: true, aliases: formerNames });
}

function postgresUrl(
    user: pulumi.Input<string>,
    password: pulumi.Input<string>,
    host: pulumi.Input<string>,
    port: pulumi.Input<number>,
    database: pulumi.Input<string>,
): pulumi.Output<string> {
    return pulumi.secret(
        pulumi.all([user, password, host, port, database]).apply(([u, p, h, n, d]) =>
            `postgresql://${encodeURIComponent(u)}:${encodeURIComponent(p)}@${h}:${n}/${encodeURIComponent(d)}?sslmode=require`,
        ),
    );
}
