import * as digitalocean from "@pulumi/digitalocean";
import * as pulumi from "@pulumi/pulumi";
import type { CacheSpec, EnvironmentSpec } from "../../config";
import { evictionPolicies } from "../../config/digitalocean";
import type { CacheConnection, Scope } from "../backend";
import { clusterTimeouts } from "./database";
import { maintenanceWindow, tagList } from "./naming";

export interface Cache {
    cluster: digitalocean.DatabaseCluster;
    /** The engine settings (persistence); the app waits for them. */
    settings: digitalocean.DatabaseValkeyConfig | digitalocean.DatabaseRedisConfig;
    connection: CacheConnection;
}

/**
 * A managed Valkey (or Redis) cluster in the environment's VPC, with the configured eviction policy,
 * RDB persistence on and TLS required.
 */
export function createCache(scope: Scope, spec: CacheSpec, environment: EnvironmentSpec, vpc: digitalocean.Vpc): Cache {
    const settings = environment.digitalocean;
    const engine = settings.cacheEngine;
    const cluster = new digitalocean.DatabaseCluster(`${scope.name}-cluster`, {
        name: scope.name,
        engine,
        version: engine === "valkey" ? settings.valkeyVersion : spec.engineVersion.split(".")[0],
        size: spec.size ?? settings.cacheSize,
        region: settings.region,
        nodeCount: spec.nodeCount,
        privateNetworkUuid: vpc.id,
        // The config edge rejects the policies DigitalOcean lacks (the LFU ones), so the lookup always hits.
        evictionPolicy: evictionPolicies[spec.evictionPolicy],
        maintenanceWindows: [maintenanceWindow(settings.cacheMaintenanceWindow)],
        tags: tagList(environment.tags),
    }, { parent: scope.parent, protect: environment.protect, customTimeouts: clusterTimeouts });

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
