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
import { createPostgres, type Postgres } from "./database";
import { createProject } from "./project";
import { createVpc } from "./vpc";

/**
 * The staging environment on DigitalOcean (seed 004): an App Platform app in a VPC with managed
 * PostgreSQL and Valkey attached as its `databases` components, trusted sources on both clusters from
 * their creation on, uptime and database alerts, and a project that groups it all. Later steps read
 * what earlier ones built from this object's fields; nothing DigitalOcean-specific crosses the backend
 * interface.
 */
export class DigitalOceanBackend implements EnvironmentBackend {
    readonly kind = "digitalocean" as const;
    private readonly vpc: digitalocean.Vpc;
    private postgres?: Postgres;
    private cache?: Cache;
    private app?: App;

    constructor(
        private readonly spec: EnvironmentSpec,
        private readonly scope: Scope,
    ) {
        this.vpc = createVpc(scope, spec);
    }

    createDatabase(scope: Scope, spec: DatabaseSpec): DatabaseConnection {
        this.postgres = createPostgres(scope, spec, this.spec, this.vpc, this.formerFirewall("db"));
        return this.postgres.connection;
    }

    createCache(scope: Scope, spec: CacheSpec): CacheConnection {
        this.cache = createCache(scope, spec, this.spec, this.vpc, this.formerFirewall("cache"));
        return this.cache.connection;
    }

    createAppService(scope: Scope, args: AppServiceArgs): AppEndpoints {
        // The app reaches both through bindable variables of its `databases` components, not through
        // the connection URLs in `args`, which serve the stack's outputs.
        const app = createApp(scope, {
            services: args.services,
            appSecretKey: args.appSecretKey,
            environment: this.spec,
            vpc: this.vpc,
            postgres: this.required(this.postgres, "createDatabase"),
            cache: this.required(this.cache, "createCache"),
            destinations: this.destinations(),
        });
        this.app = app;
        const { api, worker, ml } = args.services;
        return {
            url: app.url,
            healthUrl: app.healthUrl,
            // The release rolls a failed release back to the app's previous deployment by this id (docs/rollout.md).
            release: pulumi.output({ version: this.spec.releaseVersion ?? null, images: { api: api.image, worker: worker.image, ml: ml.image }, readinessUrl: app.healthUrl, appId: app.app.id }),
        };
    }

    createMonitoring(scope: Scope, args: MonitoringArgs): MonitoringEndpoints {
        const postgres = this.required(this.postgres, "createDatabase");
        const cache = this.required(this.cache, "createCache");
        const app = this.required(this.app, "createAppService");
        const to = this.destinations(args.monitoring);
        createUptimeAlerts(scope, {
            healthUrl: args.app.healthUrl,
            regions: this.spec.digitalocean.uptimeRegions,
            monitoring: args.monitoring,
            to,
        });
        createDatabaseAlerts(scope, {
            clusterIds: [postgres.cluster.id, cache.cluster.id],
            monitoring: args.monitoring,
            to,
        });
        // Every member exists by now: the project is the last thing built.
        createProject(this.scope, this.spec, [app.app.appUrn, postgres.cluster.clusterUrn, cache.cluster.clusterUrn]);
        return {
            dashboardUrl: pulumi.interpolate`https://cloud.digitalocean.com/apps/${app.app.id}/insights`,
            alertTarget: pulumi.output(describeDestinations(to)),
        };
    }

    /**
     * Where each cluster's firewall lived before it moved to its cluster's scope: under the app service
     * (`<env>-app-<kind>-firewall`), when it admitted only the app and so had to follow it.
     */
    private formerFirewall(kind: "db" | "cache"): pulumi.Alias[] {
        const formerParent = pulumi.createUrn(`${this.scope.name}-app`, "fraud-platform:index:AppService", this.scope.parent);
        return [{ name: `${this.scope.name}-app-${kind}-firewall`, parent: formerParent }];
    }

    private destinations(monitoring = this.spec.monitoring) {
        return destinations(monitoring, this.spec.digitalocean);
    }

    private required<T>(built: T | undefined, step: string): T {
        if (built === undefined) throw new Error(`the digitalocean backend needs ${step} to run first`);
        return built;
    }
}
