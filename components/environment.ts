import * as pulumi from "@pulumi/pulumi";
import type { EnvironmentSpec } from "../config";
import { AppService } from "./appService";
import type { BackendFactory } from "./backend";
import { Cache } from "./cache";
import { Database } from "./database";
import { Monitoring } from "./monitoring";

export interface EnvironmentArgs {
    spec: EnvironmentSpec;
    /** The selected backend's factory, from {@link loadBackend}. */
    backend: BackendFactory;
}

/**
 * One whole environment of the fraud platform: app service (api, worker, ml), PostgreSQL,
 * Redis and monitoring. It speaks only neutral words; the backend turns them into resources.
 */
export class Environment extends pulumi.ComponentResource {
    readonly url: pulumi.Output<string>;
    readonly healthUrl: pulumi.Output<string>;
    /** The release path's facts (tools/release/rollout.ts). */
    readonly release: pulumi.Output<unknown>;
    readonly dashboardUrl: pulumi.Output<string>;
    readonly alertTarget: pulumi.Output<string>;
    readonly databaseEndpoint: pulumi.Output<string>;
    readonly cacheEndpoint: pulumi.Output<string>;
    /** Secret. */
    readonly databaseUrl: pulumi.Output<string>;
    /** Secret. */
    readonly cacheUrl: pulumi.Output<string>;

    constructor(name: string, args: EnvironmentArgs, opts?: pulumi.ComponentResourceOptions) {
        super("fraud-platform:index:Environment", name, {}, opts);
        const { spec } = args;
        const backend = args.backend(spec, { name, parent: this });

        const database = new Database(`${name}-db`, { spec: spec.database, backend }, { parent: this });
        const cache = new Cache(`${name}-cache`, { spec: spec.cache, backend }, { parent: this });
        const app = new AppService(
            `${name}-app`,
            { services: spec.services, database: database.connection, cache: cache.connection, backend },
            // No dependsOn on the database and cache: only what consumes their connection details (on AWS the
            // secret versions, and through them the task definitions and services) must wait for them. Each
            // backend orders its own resources (Docker's app containers wait for the data containers, App
            // Platform's app for the cache settings), so the load balancer, cluster and roles are created while
            // RDS is (about 15 minutes).
            { parent: this },
        );
        const monitoring = new Monitoring(
            `${name}-monitoring`,
            { spec: spec.monitoring, app: { url: app.url, healthUrl: app.healthUrl }, backend },
            { parent: this, dependsOn: [app] },
        );

        this.url = app.url;
        this.healthUrl = app.healthUrl;
        this.release = app.release;
        this.dashboardUrl = monitoring.dashboardUrl;
        this.alertTarget = monitoring.alertTarget;
        this.databaseEndpoint = pulumi.interpolate`${database.host}:${database.port}`;
        this.cacheEndpoint = pulumi.interpolate`${cache.host}:${cache.port}`;
        this.databaseUrl = database.url;
        this.cacheUrl = cache.url;
        this.registerOutputs({
            url: this.url,
            healthUrl: this.healthUrl,
            release: this.release,
            dashboardUrl: this.dashboardUrl,
            alertTarget: this.alertTarget,
            databaseEndpoint: this.databaseEndpoint,
            cacheEndpoint: this.cacheEndpoint,
            databaseUrl: this.databaseUrl,
            cacheUrl: this.cacheUrl,
        });
    }
}
