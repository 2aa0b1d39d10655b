import type * as pulumi from "@pulumi/pulumi";
import type {
    BackendKind,
    CacheSpec,
    DatabaseSpec,
    EnvironmentSpec,
    MonitoringSpec,
    ServiceName,
    ServiceSpec,
} from "../config";

/** Where a backend registers the resources of one neutral component: their parent, and the stem of their names. */
export interface Scope {
    /** Child resource names start with this, e.g. `fraud-db` → `fraud-db-instance`. */
    name: string;
    parent: pulumi.Resource;
}

/** How the app reaches PostgreSQL. `password` and `url` are secret outputs. */
export interface DatabaseConnection {
    host: pulumi.Output<string>;
    port: pulumi.Output<number>;
    database: pulumi.Output<string>;
    user: pulumi.Output<string>;
    /** Secret. */
    password: pulumi.Output<string>;
    /** Secret: `postgresql://user:password@host:port/database?sslmode=…`. */
    url: pulumi.Output<string>;
}

/** How the app reaches Redis. `url` is a secret output. */
export interface CacheConnection {
    host: pulumi.Output<string>;
    port: pulumi.Output<number>;
    /** Secret: `redis://…` or `rediss://…` with the auth token. */
    url: pulumi.Output<string>;
}

export interface AppServiceArgs {
    services: Record<ServiceName, ServiceSpec>;
    database: DatabaseConnection;
    cache: CacheConnection;
    /** Secret: the app's signing key (JWTs, API-key hashes), handed to every service as `APP_SECRET_KEY`. */
    appSecretKey: pulumi.Output<string>;
}

export interface AppEndpoints {
    /** Public base URL of the api. */
    url: pulumi.Output<string>;
    /** Public URL of the api's readiness endpoint, which uptime checks and smoke tests probe. */
    healthUrl: pulumi.Output<string>;
    /**
     * Facts the release path reads back from the stack's `release` output (tools/release/rollout.ts
     * `releaseOutputSchema`): images, readiness URL, the rollout's slots and weights, the release's backup.
     */
    release?: pulumi.Output<unknown>;
}

export interface MonitoringArgs {
    monitoring: MonitoringSpec;
    app: AppEndpoints;
}

export interface MonitoringEndpoints {
    /** Where a person looks first: a CloudWatch dashboard, the DigitalOcean app insights, or local Grafana. */
    dashboardUrl: pulumi.Output<string>;
    /** What alerts are sent through (an SNS topic ARN, the alert destinations), for the record. */
    alertTarget: pulumi.Output<string>;
}

/**
 * One cloud's way of building an environment. The Environment calls these in order
 * (database, cache, app service, monitoring), each with its neutral component as parent.
 * A backend keeps what later steps need (networks, security groups, alarms' dimensions)
 * in its own fields; nothing provider-specific crosses this interface.
 */
export interface EnvironmentBackend {
    readonly kind: BackendKind;
    createDatabase(scope: Scope, spec: DatabaseSpec): DatabaseConnection;
    createCache(scope: Scope, spec: CacheSpec): CacheConnection;
    createAppService(scope: Scope, args: AppServiceArgs): AppEndpoints;
    createMonitoring(scope: Scope, args: MonitoringArgs): MonitoringEndpoints;
    /**
     * A secret that must outlive the stack's state: a backend whose data survives `pulumi destroy` (the
     * docker backend's kept volumes) derives it from a stack secret; the others leave this out and the
     * program generates one.
     */
    stableSecret?(purpose: string): pulumi.Output<string>;
}

/**
 * A backend module's entry point. `scope` is the Environment: shared foundations
 * (a network, a VPC, a project, a provider) hang from it.
 */
export type BackendFactory = (spec: EnvironmentSpec, scope: Scope) => EnvironmentBackend;

/**
 * Loads the selected backend's module, and with it its provider SDK. Stacks that do
 * not select a backend never load its SDK. `require` rather than `import()`: the program
 * is CommonJS, and a native dynamic import would bypass the TypeScript loader the CLI and
 * the tests register.
 */
export function loadBackend(kind: BackendKind): BackendFactory {
    /* eslint-disable @typescript-eslint/no-require-imports */
    switch (kind) {
        case "aws":
            return (require("./aws") as typeof import("./aws")).createAwsBackend;
        case "digitalocean":
            return (require("./digitalocean") as typeof import("./digitalocean")).createDigitalOceanBackend;
        case "docker":
            return (require("./docker") as typeof import("./docker")).createDockerBackend;
    }
    /* eslint-enable @typescript-eslint/no-require-imports */
}
