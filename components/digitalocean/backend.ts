import type * as digitalocean from "@pulumi/digitalocean";
import * as pulumi from "@pulumi/pulumi";
import type { CacheSpec, DatabaseSpec, EnvironmentSpec } from "../../config";
import type {
    AppEndpoints,
    AppServiceArgs,
    CacheConnection,
    DatabaseConnection,
    EnvironmentBackend,
    MonitoringArgs,
    MonitoringEndpoints,
    Scope,
} from "../backend";
import { createDatabaseAlerts, createUptimeAlerts, describeDestinations, destinations } from "./alerts";
import { createApp, type App } from "./app";
import { createCache, type Cache } from "./cache";
import { admitOnlyTheApp, createPostgres, type Postgres } from "./database";
import { createProject } from "./project";
import { createVpc } from "./vpc";

/**
 * The staging environment on DigitalOcean (seed 004): an App Platform app in a VPC with managed
 * PostgreSQL and Valkey, database firewalls that admit only the app, uptime and database alerts,
 * and a project that groups it all. Later steps read what earlier ones built from this object's
 * fields; nothing DigitalOcean-specific crosses the backend interface.
 */
export class DigitalOceanBackend implements EnvironmentBackend {
    readonly kind = "digitalocean" as const;
    private readonly vpc: digitalocean.Vpc;
    private postgres?: { scope: Scope; resources: Postgres };
    private cache?: { scope: Scope; resources: Cache };
    private app?: App;

    constructor(
        private readonly spec: EnvironmentSpec,
        private readonly scope: Scope,
    ) {
        this.vpc = createVpc(scope, spec);
    }

    createDatabase(scope: Scope, spec: DatabaseSpec): DatabaseConnection {
        const resources = createPostgres(scope, spec, this.spec, this.vpc);
        this.postgres = { scope, resources };
        return resources.connection;
    }

    createCache(scope: Scope, spec: CacheSpec): CacheConnection {
        const resources = createCache(scope, spec, this.spec, this.vpc);
        this.cache = { scope, resources };
        return resources.connection;
    }

    createAppService(scope: Scope, args: AppServiceArgs): AppEndpoints {
        const postgres = this.required(this.postgres, "createDatabase");
        const cache = this.required(this.cache, "createCache");
        const app = createApp(scope, {
            ...args,
            environment: this.spec,
            vpc: this.vpc,
            migrationDatabaseUrl: postgres.resources.directUrl,
            adminDatabaseUrl: postgres.resources.adminUrl,
            destinations: this.destinations(),
            dependsOn: [cache.resources.settings],
        });
        // The firewalls need the app's id, so they follow the app.
        admitOnlyTheApp(scope, "db", postgres.resources.cluster, app.app);
        admitOnlyTheApp(scope, "cache", cache.resources.cluster, app.app);
        this.app = app;
        return { url: app.url, healthUrl: app.healthUrl };
    }

    createMonitoring(scope: Scope, args: MonitoringArgs): MonitoringEndpoints {
        const postgres = this.required(this.postgres, "createDatabase");
        const cache = this.required(this.cache, "createCache");
        const app = this.required(this.app, "createAppService");
        const to = this.destinations(args.monitoring);
        createUptimeAlerts(scope, {
            healthUrl: args.app.healthUrl,
            regions: this.spec.digitalocean.uptimeRegions,
            thresholds: args.monitoring.thresholds,
            to,
        });
        createDatabaseAlerts(scope, {
            clusterIds: [postgres.resources.cluster.id, cache.resources.cluster.id],
            thresholds: args.monitoring.thresholds,
            to,
        });
        // Every member exists by now: the project is the last thing built.
        createProject(this.scope, this.spec, [app.app.appUrn, postgres.resources.cluster.clusterUrn, cache.resources.cluster.clusterUrn]);
        return {
            dashboardUrl: pulumi.interpolate`https://cloud.digitalocean.com/apps/${app.app.id}/insights`,
            alertTarget: pulumi.output(describeDestinations(to)),
        };
    }

    private destinations(monitoring = this.spec.monitoring) {
        return destinations(monitoring, this.spec.digitalocean.slackChannel);
    }

    private required<T>(built: T | undefined, step: string): T {
        if (built === undefined) throw new Error(`the digitalocean backend needs ${step} to run first`);
        return built;
    }
}
