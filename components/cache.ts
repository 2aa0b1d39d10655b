import * as pulumi from "@pulumi/pulumi";
import type { CacheSpec } from "../config";
import type { CacheConnection, EnvironmentBackend } from "./backend";

export interface CacheArgs {
    spec: CacheSpec;
    backend: EnvironmentBackend;
}

/** The environment's Redis cache, on whichever backend the stack selects. */
export class Cache extends pulumi.ComponentResource {
    readonly host: pulumi.Output<string>;
    readonly port: pulumi.Output<number>;
    /** Secret connection URL. */
    readonly url: pulumi.Output<string>;
    readonly connection: CacheConnection;

    constructor(name: string, args: CacheArgs, opts?: pulumi.ComponentResourceOptions) {
        super("fraud-platform:index:Cache", name, {}, opts);
        this.connection = args.backend.createCache({ name, parent: this }, args.spec);
        this.host = this.connection.host;
        this.port = this.connection.port;
        this.url = pulumi.secret(this.connection.url);
        this.registerOutputs({ host: this.host, port: this.port, url: this.url });
    }
}
