import * as pulumi from "@pulumi/pulumi";
import { loadEnvironmentSpec, readRuntimeConfig } from "./config";
import { loadBackend } from "./components/backend";
import { Environment } from "./components/environment";

/** Validates the stack config, loads the selected backend and builds the environment. */
export = async () => {
    const spec = loadEnvironmentSpec(readRuntimeConfig());
    const backend = loadBackend(spec.backend);
    const environment = new Environment(`fraud-${spec.environment}`, { spec, backend });
    return {
        environment: spec.environment,
        backend: spec.backend,
        url: environment.url,
        healthUrl: environment.healthUrl,
        /** What `npm run release` reads back between a release's steps (docs/rollout.md). */
        release: environment.release,
        dashboardUrl: environment.dashboardUrl,
        alertTarget: environment.alertTarget,
        databaseEndpoint: environment.databaseEndpoint,
        cacheEndpoint: environment.cacheEndpoint,
        databaseUrl: pulumi.secret(environment.databaseUrl),
        cacheUrl: pulumi.secret(environment.cacheUrl),
    };
};
