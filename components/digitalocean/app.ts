import * as digitalocean from "@pulumi/digitalocean";
import * as pulumi from "@pulumi/pulumi";
import type { EnvironmentSpec, HealthCheckSpec, ServiceSpec } from "../../config";
import { parseImageReference, type RegistryType } from "../../config/digitalocean";
import { appInstanceSizes, appPlatformRegionOf } from "../../config/digitaloceanOfferings";
import type { AppEndpoints, Scope } from "../backend";
import { appAlerts, componentAlerts, type Destinations } from "./alerts";
import type { Cache } from "./cache";
import type { Postgres } from "./database";
import { bindable, componentEnv } from "./env";
import { shellLine } from "./naming";

import Inputs = digitalocean.types.input;

/** The app's `databases` components: the names bindable variables refer to (`${fraud-db.DATABASE_URL}`). */
export const databaseComponents = { postgres: "fraud-db", cache: "fraud-cache" } as const;

/** The one PRE_DEPLOY job: the grant, then the migrations, in this order. */
export const migrationJobName = "migrate";

export interface AppArgs {
    services: Record<ServiceSpec["name"], ServiceSpec>;
    /** Secret: the app's signing key, handed to every component as `APP_SECRET_KEY`. */
    appSecretKey: pulumi.Output<string>;
    environment: EnvironmentSpec;
    vpc: digitalocean.Vpc;
    postgres: Postgres;
    cache: Cache;
    destinations: Destinations;
}

export interface App extends AppEndpoints {
    app: digitalocean.App;
}

/**
 * The App Platform app (seed 004): the api as a public service, ml as an internal service, the worker,
 * and one PRE_DEPLOY job that grants the schema and runs the migrations, so a failed migration stops
 * the release. PostgreSQL and the cache are attached as `databases` components: the services get their
 * connection details through bindable variables, and App Platform keeps the clusters' trusted sources
 * for the app. All components join the environment's VPC.
 */
export function createApp(scope: Scope, args: AppArgs): App {
    const { environment, services, destinations: to, postgres, cache } = args;
    const settings = environment.digitalocean;
    const { api, worker, ml } = services;
    const db = databaseComponents.postgres;
    const connections = {
        // Through the PgBouncer pool (https://docs.digitalocean.com/products/app-platform/how-to/connect-pg-pools/);
        // the app lists the pool in its dependsOn, so it exists before the deployment resolves the variable.
        DATABASE_URL: bindable(db, postgres.poolName, "DATABASE_URL"),
        REDIS_URL: bindable(databaseComponents.cache, "DATABASE_URL"),
    };
    const shared = {
        ENVIRONMENT: environment.environment,
        // App Platform resolves a component's name to its instances inside the app.
        ML_SERVICE_URL: `http://${ml.name}:${ml.port}`,
    };
    const envOf = (service: ServiceSpec) => componentEnv({ ...shared, ...service.env, ...connections, PORT: String(service.port), SERVICE_NAME: service.name });
    const alerts = componentAlerts(environment.monitoring, to);
    const image = (reference: string) => imageSource(reference, settings.registryCredentials);
    // What every long-running component shares: its image and command, size, scaling, env and alerts.
    const component = (service: ServiceSpec, size: string) => ({
        name: service.name,
        image: image(service.image),
        runCommand: service.command && shellLine(service.command),
        instanceSizeSlug: size,
        ...scaling(service, size),
        envs: envOf(service),
        alerts,
    });

    const apiService: Inputs.AppSpecService = {
        ...component(api, settings.instanceSizes.api),
        httpPort: api.port,
        healthCheck: readiness(api.healthCheck),
        livenessHealthCheck: liveness(api.healthCheck),
    };
    // Internal: reachable only from the other components (internal ports, no http port, no ingress rule).
    const mlService: Inputs.AppSpecService = {
        ...component(ml, settings.instanceSizes.ml),
        internalPorts: [ml.port],
        healthCheck: { ...readiness(ml.healthCheck), port: ml.port },
        livenessHealthCheck: { ...liveness(ml.healthCheck), port: ml.port },
    };
    // Workers take no traffic, so App Platform offers them only the liveness probe, on the worker's port.
    // A worker without an HTTP endpoint turns it off (digitalocean.workerLivenessCheck).
    const workerComponent: Inputs.AppSpecWorker = {
        ...component(worker, settings.instanceSizes.worker),
        livenessHealthCheck: settings.workerLivenessCheck ? { ...liveness(worker.healthCheck), port: worker.port } : undefined,
    };
    const migration = migrationStep(environment);
    const migrationJob: Inputs.AppSpecJob = {
        name: migrationJobName,
        kind: "PRE_DEPLOY",
        image: image(api.image),
        runCommand: migration.runCommand,
        instanceSizeSlug: settings.instanceSizes.migration,
        instanceCount: 1,
        envs: componentEnv(
            // Straight to the primary, bypassing the pool: migration tools need session features
            // (advisory locks, DDL in one transaction) that transaction pooling does not keep.
            { ENVIRONMENT: environment.environment, DATABASE_URL: bindable(db, "DATABASE_URL") },
            migration.grant ? { ADMIN_DATABASE_URL: postgres.adminUrl } : {},
        ),
    };

    const domain = settings.domain;
    const spec: Inputs.AppSpec = {
        name: scope.name,
        // The config edge refused datacenters App Platform does not run in.
        region: appPlatformRegionOf(settings.region) ?? settings.region,
        vpcs: [{ id: args.vpc.id }],
        domainNames: domain && [{ name: domain.name, type: "PRIMARY", zone: domain.zone }],
        // `VALKEY` is an engine of the spec since terraform-provider-digitalocean v2.64.0 (#1422); the SDK's
        // doc comment still lists the older engines only.
        databases: [
            { name: db, engine: "PG", clusterName: postgres.cluster.name, dbName: postgres.database.name, dbUser: postgres.user.name, production: true },
            { name: databaseComponents.cache, engine: settings.cacheEngine === "valkey" ? "VALKEY" : "REDIS", clusterName: cache.cluster.name, production: true },
        ],
        // The one app-wide SECRET: App Platform returns it encrypted, see writeOnlyPaths.
        envs: componentEnv({}, { APP_SECRET_KEY: args.appSecretKey }),
        alerts: appAlerts(to),
        // Everything under / goes to the api; no rule routes to ml, which stays internal.
        ingress: { rules: [{ component: { name: api.name }, match: { path: { prefix: "/" } } }] },
        services: [apiService, mlService],
        workers: [workerComponent],
        jobs: [migrationJob],
    };

    const app = new digitalocean.App(`${scope.name}-app`, { spec }, {
        parent: scope.parent,
        // The clusters' trusted sources and the cache's settings are in place before the first deployment;
        // the database, user and pool are referenced by the spec itself.
        dependsOn: [postgres.firewall, cache.firewall, cache.settings, postgres.database, postgres.user, postgres.pool],
        // A deployment (image pull, PRE_DEPLOY job, health checks) can outlast the provider's 30-minute
        // default (digitalocean/terraform-provider-digitalocean#628). The provider declares only a create
        // timeout (digitalocean/app/resource_app.go, `Timeouts`); it waits for an update's deployment with
        // that same create timeout, so `create` covers both.
        customTimeouts: { create: `${settings.deploymentTimeoutMinutes}m` },
        ignoreChanges: settings.resendWriteOnlySettings ? [] : writeOnlyPaths(spec),
    });

    const url = domain ? pulumi.output(`https://${domain.name}`) : app.liveUrl;
    return { app, url, healthUrl: pulumi.interpolate`${url}${api.healthCheck.path}` };
}

/**
 * The settings App Platform accepts but never returns as sent, each as a whole property the bridge can
 * leave out of the diff, so a second `up` plans no change:
 * - alert destinations: the provider does not read them back (digitalocean/app/app_spec.go,
 *   `flattenAppAlerts` sets rule, operator, value and window only);
 * - SECRET env values come back as `EV[…]` ciphertext. `env` is a set in the provider, so a positional
 *   path into it (`envs[1].value`) never matches an element (pulumi/pulumi-terraform-bridge#1756);
 *   the SECRETs live in their own env lists (the app-level one, the migration job's), ignored whole;
 * - registry credentials come back encrypted ("encrypted on first submission", the API's
 *   `apps_image_source_spec.yml`).
 * Every path goes through lists and objects only, never into a set's elements.
 */
export function writeOnlyPaths(spec: Inputs.AppSpec): string[] {
    const plain = spec as unknown as {
        envs?: AppEnvList;
        alerts?: unknown[];
        services?: ComponentShape[];
        workers?: ComponentShape[];
        jobs?: ComponentShape[];
    };
    const paths: string[] = [];
    if (plain.envs?.some((env) => env.type === "SECRET")) paths.push("spec.envs");
    (plain.alerts ?? []).forEach((_, index) => paths.push(`spec.alerts[${index}].destinations`));
    for (const kind of ["services", "workers", "jobs"] as const) {
        (plain[kind] ?? []).forEach((component, index) => {
            const at = `spec.${kind}[${index}]`;
            (component.alerts ?? []).forEach((_, alert) => paths.push(`${at}.alerts[${alert}].destinations`));
            if (component.envs?.some((env) => env.type === "SECRET")) paths.push(`${at}.envs`);
            if (component.image?.registryCredentials !== undefined) paths.push(`${at}.image.registryCredentials`);
        });
    }
    return paths;
}

type AppEnvList = { type?: unknown }[];
interface ComponentShape { envs?: AppEnvList; alerts?: unknown[]; image?: { registryCredentials?: unknown } }

/**
 * The PRE_DEPLOY job's command: the schema grant, then the migrations, in one shell so the order is
 * certain (App Platform documents no order between several PRE_DEPLOY jobs). The database's owner
 * (the admin user, since the API creates the database) lets the app user create its tables in
 * `public`, which PostgreSQL 15+ no longer lets every user do; the grant is idempotent.
 */
export function migrationStep(environment: EnvironmentSpec): { grant: boolean; runCommand: string } {
    const settings = environment.digitalocean;
    const migrate = shellLine(settings.migrationCommand);
    if (!settings.schemaGrant) return { grant: false, runCommand: migrate };
    const { name: database, user } = environment.database;
    const grant = shellLine([
        "psql", "$ADMIN_DATABASE_URL", "-v", "ON_ERROR_STOP=1", "-q",
        "-c", `GRANT CONNECT, TEMPORARY ON DATABASE ${database} TO ${user}`,
        "-c", `GRANT USAGE, CREATE ON SCHEMA public TO ${user}`,
    ]).replace("'$ADMIN_DATABASE_URL'", '"$ADMIN_DATABASE_URL"');
    return { grant: true, runCommand: shellLine(["sh", "-c", `set -e; ${grant}; exec ${migrate}`]) };
}

/** Seed 004's readiness check: routing starts after `healthyThreshold` successes, stops after `unhealthyThreshold` failures. */
function readiness(check: HealthCheckSpec): Inputs.AppSpecServiceHealthCheck {
    return {
        httpPath: check.path,
        initialDelaySeconds: check.startPeriodSeconds,
        periodSeconds: check.intervalSeconds,
        timeoutSeconds: check.timeoutSeconds,
        successThreshold: check.healthyThreshold,
        failureThreshold: check.unhealthyThreshold,
    };
}

/** The liveness check restarts an instance that stops answering; one success is enough to count as alive. */
function liveness(check: HealthCheckSpec): Inputs.AppSpecServiceLivenessHealthCheck {
    return {
        httpPath: check.livenessPath,
        initialDelaySeconds: check.startPeriodSeconds,
        periodSeconds: check.intervalSeconds,
        timeoutSeconds: check.timeoutSeconds,
        successThreshold: 1,
        failureThreshold: check.unhealthyThreshold,
    };
}

/**
 * CPU autoscaling where App Platform offers it: the sizes DigitalOcean marks `scalable` (dedicated CPU).
 * On the others the component runs its configured count.
 */
function scaling(service: ServiceSpec, instanceSize: string): { instanceCount?: number; autoscaling?: Inputs.AppSpecServiceAutoscaling } {
    if (service.autoscaling === undefined || appInstanceSizes[instanceSize]?.scalable !== true) return { instanceCount: service.count };
    return {
        autoscaling: {
            minInstanceCount: service.autoscaling.minCount,
            maxInstanceCount: service.autoscaling.maxCount,
            metrics: { cpu: { percent: service.autoscaling.cpuTargetPercent } },
        },
    };
}

/**
 * The image source App Platform pulls, with pull credentials for GHCR and Docker Hub when configured
 * (a secret); DOCR needs none. The config edge already rejected registries App Platform cannot pull from.
 */
function imageSource(reference: string, credentials: EnvironmentSpec["digitalocean"]["registryCredentials"]): Inputs.AppSpecServiceImage {
    const source = parseImageReference(reference);
    if (typeof source === "string") throw new Error(`image ${reference}: must be ${source}`);
    const byRegistry: Partial<Record<RegistryType, string | undefined>> = { GHCR: credentials?.ghcr, DOCKER_HUB: credentials?.dockerHub };
    const secret = byRegistry[source.registryType];
    return secret === undefined ? source : { ...source, registryCredentials: pulumi.secret(secret) };
}
