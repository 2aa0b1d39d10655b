import * as pulumi from "@pulumi/pulumi";
import type { DatabaseSpec } from "../config";
import type { DatabaseConnection, EnvironmentBackend } from "./backend";

export interface DatabaseArgs {
    spec: DatabaseSpec;
    backend: EnvironmentBackend;
}

/** The environment's PostgreSQL database, on whichever backend the stack selects. */
export class Database extends pulumi.ComponentResource {
    readonly host: pulumi.Output<string>;
    readonly port: pulumi.Output<number>;
    /** Secret connection URL. */
    readonly url: pulumi.Output<string>;
    readonly connection: DatabaseConnection;

    constructor(name: string, args: DatabaseArgs, opts?: pulumi.ComponentResourceOptions) {
        super("fraud-platform:index:Database", name, {}, opts);
        this.connection = args.backend.createDatabase({ name, parent: this }, args.spec);
        this.host = this.connection.host;
        this.port = this.connection.port;
        this.url = pulumi.secret(this.connection.url);
        this.registerOutputs({ host: this.host, port: this.port, url: this.url });
    }
}
