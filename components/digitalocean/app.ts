import * as digitalocean from "@pulumi/digitalocean";
import * as pulumi from "@pulumi/pulumi";
import type { EnvironmentSpec, HealthCheckSpec, ServiceSpec } from "../../config";
import { parseImageReference } from "../../config/digitalocean";
import type { AppEndpoints, AppServiceArgs, Scope } from "../backend";
import { appAlerts, componentAlerts, type Destinations } from "./alerts";
import { componentEnv, secretValuePaths } from "./env";
import { appPlatformRegion, shellLine } from "./naming";

import Inputs = digitalocean.types.input;

export interface AppArgs extends AppServiceArgs {
    environment: EnvironmentSpec;
    vpc: digitalocean.Vpc;
    /** Secret: the direct (unpooled) PostgreSQL URL the migration job uses. */
    migrationDatabaseUrl: pulumi.Output<string>;
    /** Secret: the admin user's URL on the app's database, for the schema grant. */
    adminDatabaseUrl: pulumi.Output<string>;
    destinations: Destinations;
    /** Resources the first deployment needs in place besides those its inputs reference. */
    dependsOn: pulumi.Resource[];
}

export interface App extends AppEndpoints {
    app: digitalocean.App;
}

/**
 * The App Platform app (seed 004): the api as a public service, ml as an internal service, the worker,
 * and a PRE_DEPLOY job that runs the migrations so a failed migration stops the release. All join the
 * environment's VPC and pull their images from the configured registry.
 */
export function createApp(scope: Scope, args: AppArgs): App {
    const { environment, services, destinations: to } = args;
    const settings = environment.digitalocean;
    const { api, worker, ml } = services;
    const secrets = { APP_SECRET_KEY: args.appSecretKey, DATABASE_URL: args.database.url, REDIS_URL: args.cache.url };
    const shared = {
        ENVIRONMENT: environment.environment,
        // App Platform resolves a component's name to its instances inside the app.
        ML_SERVICE_URL: `http://${ml.name}:${ml.port}`,
    };
    const envOf = (service: ServiceSpec) => componentEnv({ ...shared, ...service.env, PORT: String(service.port), SERVICE_NAME: service.name }, secrets);
    const apiEnv = envOf(api);
    const mlEnv = envOf(ml);
    const workerEnv = envOf(worker);
    const migrationEnv = componentEnv({ ENVIRONMENT: environment.environment }, { DATABASE_URL: args.migrationDatabaseUrl });
    const grantEnv = componentEnv({}, { ADMIN_DATABASE_URL: args.adminDatabaseUrl });
    const alerts = componentAlerts(environment.monitoring.thresholds, to);
    // What every long-running component shares: its image and command, size, scaling, env and alerts.
    const component = (service: ServiceSpec, size: string, envs: ReturnType<typeof componentEnv>) => ({
        name: service.name,
        image: imageSource(service.image),
        runCommand: service.command && shellLine(service.command),
        instanceSizeSlug: size,
        ...scaling(service, size),
        envs,
        alerts,
    });

    const apiService: Inputs.AppSpecService = {
        ...component(api, settings.instanceSizes.api, apiEnv),
        httpPort: api.port,
        healthCheck: readiness(api.healthCheck),
        livenessHealthCheck: liveness(api.healthCheck),
    };
    // Internal: reachable only from the other components (internal ports, no http port, no ingress rule).
    const mlService: Inputs.AppSpecService = {
        ...component(ml, settings.instanceSizes.ml, mlEnv),
        internalPorts: [ml.port],
        healthCheck: { ...readiness(ml.healthCheck), port: ml.port },
        livenessHealthCheck: { ...liveness(ml.healthCheck), port: ml.port },
    };
    // Workers take no traffic, so App Platform offers them only the liveness probe; the worker serves it on its port.
    const workerComponent: Inputs.AppSpecWorker = {
        ...component(worker, settings.instanceSizes.worker, workerEnv),
        livenessHealthCheck: { ...liveness(worker.healthCheck), port: worker.port },
    };
    const migrationJob: Inputs.AppSpecJob = {
        name: "migrate",
        kind: "PRE_DEPLOY",
        image: imageSource(api.image),
        runCommand: shellLine(settings.migrationCommand),
        instanceSizeSlug: settings.instanceSizes.migration,
        instanceCount: 1,
        envs: migrationEnv,
    };

    // The database's owner lets the app user create its tables in `public` (PostgreSQL 15+ no longer lets
    // every user); idempotent, so it runs before every release, with psql from the matching postgres image.
    const { name: database, user } = environment.database;
    const grantJob: Inputs.AppSpecJob = {
        name: "db-grants",
        kind: "PRE_DEPLOY",
        image: imageSource(`postgres:${environment.database.engineVersion.split(".")[0]}-alpine`),
        runCommand: shellLine([
            "psql", "$ADMIN_DATABASE_URL", "-v", "ON_ERROR_STOP=1",
            "-c", `GRANT CONNECT, TEMPORARY ON DATABASE ${database} TO ${user}`,
            "-c", `GRANT USAGE, CREATE ON SCHEMA public TO ${user}`,
        ]).replace("'$ADMIN_DATABASE_URL'", '"$ADMIN_DATABASE_URL"'),
        instanceSizeSlug: settings.instanceSizes.migration,
        instanceCount: 1,
        envs: grantEnv,
    };

    const domain = settings.domain;
    const spec: Inputs.AppSpec = {
        name: scope.name,
        region: appPlatformRegion(settings.region),
        vpcs: [{ id: args.vpc.id }],
        domainNames: domain && [{ name: domain.name, type: "PRIMARY", zone: domain.zone }],
        alerts: appAlerts(to),
        // Everything under / goes to the api; no rule routes to ml, which stays internal.
        ingress: { rules: [{ component: { name: api.name }, match: { path: { prefix: "/" } } }] },
        services: [apiService, mlService],
        workers: [workerComponent],
        jobs: [grantJob, migrationJob],
    };

    const secretPaths = [
        ...secretValuePaths("spec.services[0]", apiEnv),
        ...secretValuePaths("spec.services[1]", mlEnv),
        ...secretValuePaths("spec.workers[0]", workerEnv),
        ...secretValuePaths("spec.jobs[0]", grantEnv),
        ...secretValuePaths("spec.jobs[1]", migrationEnv),
    ];
    const deploymentTimeout = `${settings.deploymentTimeoutMinutes}m`;
    const app = new digitalocean.App(`${scope.name}-app`, { spec }, {
        parent: scope.parent,
        dependsOn: args.dependsOn,
        // A deployment (image pull, PRE_DEPLOY migrations, health checks) can outlast the provider's
        // 30-minute default (digitalocean/terraform-provider-digitalocean#628). The provider waits for
        // an update's deployment with the create timeout, so both are set.
        customTimeouts: { create: deploymentTimeout, update: deploymentTimeout },
        // See secretValuePaths: SECRET values read back encrypted. rolloutSecretEnv lifts this for one run.
        ignoreChanges: settings.rolloutSecretEnv ? [] : secretPaths,
    });

    const url = domain ? pulumi.output(`https://${domain.name}`) : app.liveUrl;
    return { app, url, healthUrl: pulumi.interpolate`${url}${api.healthCheck.path}` };
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
 * CPU autoscaling where App Platform offers it: dedicated-CPU sizes (`apps-d-*`) only. On shared
 * sizes the component runs its configured count.
 */
function scaling(service: ServiceSpec, instanceSize: string): { instanceCount?: number; autoscaling?: Inputs.AppSpecServiceAutoscaling } {
    if (service.autoscaling === undefined || !instanceSize.startsWith("apps-d-")) return { instanceCount: service.count };
    return {
        autoscaling: {
            minInstanceCount: service.autoscaling.minCount,
            maxInstanceCount: service.autoscaling.maxCount,
            metrics: { cpu: { percent: service.autoscaling.cpuTargetPercent } },
        },
    };
}

/** The image source App Platform pulls; the config edge already rejected registries it cannot pull from. */
function imageSource(reference: string): Inputs.AppSpecServiceImage {
    const source = parseImageReference(reference);
    if (typeof source === "string") throw new Error(`image ${reference}: must be ${source}`);
    return source;
}
