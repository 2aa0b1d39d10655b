import * as digitalocean from "@pulumi/digitalocean";
import * as pulumi from "@pulumi/pulumi";
import type { CacheSpec, EnvironmentSpec } from "../../config";
import { evictionPolicies, resolveCacheSize } from "../../config/digitalocean";
import type { CacheConnection, Scope } from "../backend";
import { clusterTimeouts, trustedSources } from "./database";
import { maintenanceWindow, tagList } from "./naming";

export interface Cache {
    cluster: digitalocean.DatabaseCluster;
    /** The engine settings (persistence); the app waits for them. */
    settings: digitalocean.DatabaseValkeyConfig | digitalocean.DatabaseRedisConfig;
    /** The cluster's trusted sources, in place from the cluster's creation on. */
    firewall: digitalocean.DatabaseFirewall;
    /** For the stack's outputs. The app gets its own through bindable variables. */
    connection: CacheConnection;
}

/**
 * A managed Valkey (or Redis) cluster in the environment's VPC, with the configured eviction policy,
 * RDB persistence on, TLS required and trusted sources from its creation on. It outlives
 * `pulumi destroy` (`retainOnDelete`), like the PostgreSQL cluster.
 */
export function createCache(
    scope: Scope,
    spec: CacheSpec,
    environment: EnvironmentSpec,
    vpc: digitalocean.Vpc,
    formerFirewall: pulumi.Alias[] = [],
): Cache {
    const settings = environment.digitalocean;
    const engine = settings.cacheEngine;
    const cluster = new digitalocean.DatabaseCluster(`${scope.name}-cluster`, {
        // The app's `databases` component names the cluster; a new name would be a new, empty cluster.
        name: scope.name,
        engine,
        version: engine === "valkey" ? settings.valkeyVersion : spec.engineVersion.split(".")[0],
        // The config edge checked the size against the node count (DigitalOcean's layouts).
        size: resolveCacheSize(settings, spec.size, spec.nodeCount),
        region: settings.region,
        nodeCount: spec.nodeCount,
        privateNetworkUuid: vpc.id,
        // The config edge rejects the policies DigitalOcean lacks (the LFU ones), so the lookup always hits.
        evictionPolicy: evictionPolicies[spec.evictionPolicy],
        maintenanceWindows: [maintenanceWindow(settings.cacheMaintenanceWindow)],
        tags: tagList(environment.tags),
    }, { parent: scope.parent, protect: environment.protect, retainOnDelete: true, customTimeouts: clusterTimeouts });
    const firewall = trustedSources(scope, cluster, settings.vpcIpRange, formerFirewall);

    // `rdb`: a dump every 10 minutes when keys changed, plus the scheduled backups; `off` loses everything on restart.
    const engineSettings = engine === "valkey"
        ? new digitalocean.DatabaseValkeyConfig(`${scope.name}-config`, {
            clusterId: cluster.id,
            persistence: "rdb",
            frequentSnapshots: true,
            ssl: true,
        }, { parent: scope.parent })
        : new digitalocean.DatabaseRedisConfig(`${scope.name}-config`, {
            clusterId: cluster.id,
            persistence: "rdb",
            ssl: true,
        }, { parent: scope.parent });

    return {
        cluster,
        settings: engineSettings,
        firewall,
        connection: {
            host: cluster.privateHost,
            port: cluster.port,
            url: pulumi.secret(
                pulumi.all([cluster.user, cluster.password, cluster.privateHost, cluster.port]).apply(([user, password, host, port]) =>
                    `rediss://${encodeURIComponent(user)}:${encodeURIComponent(password)}@${host}:${port}`,
                ),
            ),
        },
    };
}
