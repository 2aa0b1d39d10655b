import * as digitalocean from "@pulumi/digitalocean";
import * as pulumi from "@pulumi/pulumi";
import type { DatabaseSpec, EnvironmentSpec } from "../../config";
import { resolveDatabaseNodeCount } from "../../config/digitalocean";
import type { DatabaseConnection, Scope } from "../backend";
import { maintenanceWindow, tagList } from "./naming";

/** Managed clusters take longer than the provider's 30-minute default to create with standby nodes. */
export const clusterTimeouts: pulumi.CustomTimeouts = { create: "60m", update: "60m" };

export interface Postgres {
    cluster: digitalocean.DatabaseCluster;
    /** What the services use: through the PgBouncer pool. */
    connection: DatabaseConnection;
    /**
     * Secret. Straight to the primary, bypassing the pool: migration tools need session features
     * (advisory locks, DDL in one transaction) that transaction pooling does not keep.
     */
    directUrl: pulumi.Output<string>;
    /**
     * Secret. The cluster's admin user (`doadmin`) on the app's database, for the one statement the app
     * user cannot run on itself: PostgreSQL 15+ gives only the database owner (doadmin, since the API
     * creates the database) CREATE on the `public` schema.
     */
    adminUrl: pulumi.Output<string>;
}

/**
 * Managed PostgreSQL in the environment's VPC: the cluster (a standby node when highly available),
 * the app's own database and user (never the `doadmin` superuser), and a PgBouncer pool.
 */
export function createPostgres(scope: Scope, spec: DatabaseSpec, environment: EnvironmentSpec, vpc: digitalocean.Vpc): Postgres {
    const settings = environment.digitalocean;
    const stateful = { parent: scope.parent, protect: environment.protect };
    const cluster = new digitalocean.DatabaseCluster(`${scope.name}-cluster`, {
        name: scope.name,
        engine: "pg",
        // DigitalOcean takes the major version only.
        version: spec.engineVersion.split(".")[0],
        size: spec.size ?? settings.databaseSize,
        region: settings.region,
        nodeCount: resolveDatabaseNodeCount(settings, spec.highAvailability),
        privateNetworkUuid: vpc.id,
        maintenanceWindows: [maintenanceWindow(spec.maintenanceWindow)],
        // The plan's included disk grows before it fills; DigitalOcean has no upper bound to set (maxStorageGb).
        storageAutoscale: { enabled: true, thresholdPercent: 80, incrementGib: 10 },
        tags: tagList(environment.tags),
    }, { ...stateful, customTimeouts: clusterTimeouts });

    const database = new digitalocean.DatabaseDb(`${scope.name}-database`, { clusterId: cluster.id, name: spec.name }, stateful);
    const user = new digitalocean.DatabaseUser(`${scope.name}-user`, { clusterId: cluster.id, name: spec.user }, { parent: scope.parent });
    const pool = new digitalocean.DatabaseConnectionPool(`${scope.name}-pool`, {
        clusterId: cluster.id,
        name: `${spec.name}-pool`,
        dbName: database.name,
        user: user.name,
        mode: settings.connectionPool.mode,
        size: settings.connectionPool.size,
    }, { parent: scope.parent });

    // Built from the user's and the pool's outputs, on the private (VPC) host, TLS required.
    const url = postgresUrl(user.name, user.password, pool.privateHost, pool.port, pool.name);
    return {
        cluster,
        connection: {
            host: pool.privateHost,
            port: pool.port,
            database: pool.name,
            user: user.name,
            password: pulumi.secret(user.password),
            url,
        },
        directUrl: postgresUrl(user.name, user.password, cluster.privateHost, cluster.port, database.name),
        adminUrl: postgresUrl(cluster.user, cluster.password, cluster.privateHost, cluster.port, database.name),
    };
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

/**
 * Trusted sources of a managed cluster: only the app. Without a firewall rule a DigitalOcean cluster
 * accepts connections from anywhere that has the credentials. `scope` is the app's: the rule needs
 * the app's id, and the app's component depends on the database's, so a rule parented to the
 * database would make the two wait on each other.
 */
export function admitOnlyTheApp(scope: Scope, kind: string, cluster: digitalocean.DatabaseCluster, app: digitalocean.App): digitalocean.DatabaseFirewall {
    return new digitalocean.DatabaseFirewall(`${scope.name}-${kind}-firewall`, {
        clusterId: cluster.id,
        rules: [{ type: "app", value: app.id }],
    }, { parent: scope.parent });
}
