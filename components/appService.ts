import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import type { ServiceName, ServiceSpec } from "../config";
import type { CacheConnection, DatabaseConnection, EnvironmentBackend } from "./backend";

export interface AppServiceArgs {
    services: Record<ServiceName, ServiceSpec>;
    database: DatabaseConnection;
    cache: CacheConnection;
    backend: EnvironmentBackend;
}

/** The api, worker and ml services, wired to the database and cache through secret connection URLs. */
export class AppService extends pulumi.ComponentResource {
    /** Public base URL of the api. */
    readonly url: pulumi.Output<string>;
    readonly healthUrl: pulumi.Output<string>;
    /** What the release path reads back (images, readiness URL, rollout slots); empty where a backend reports nothing. */
    readonly release: pulumi.Output<unknown>;

    constructor(name: string, args: AppServiceArgs, opts?: pulumi.ComponentResourceOptions) {
        super("fraud-platform:index:AppService", name, {}, opts);
        // One key per environment, whatever the backend; seed 002 asks for at least 32 characters.
        const secretKey =
            args.backend.stableSecret?.("app-secret-key") ?? new random.RandomPassword(`${name}-secret-key`, { length: 64, special: false }, { parent: this }).result;
        const endpoints = args.backend.createAppService(
            { name, parent: this },
            {
                services: args.services,
                database: { ...args.database, password: pulumi.secret(args.database.password), url: pulumi.secret(args.database.url) },
                cache: { ...args.cache, url: pulumi.secret(args.cache.url) },
                appSecretKey: pulumi.secret(secretKey),
            },
        );
        this.url = endpoints.url;
        this.healthUrl = endpoints.healthUrl;
        this.release = endpoints.release ?? pulumi.output({});
        this.registerOutputs({ url: this.url, healthUrl: this.healthUrl, release: this.release });
    }
}
