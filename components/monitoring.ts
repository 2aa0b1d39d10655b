import * as pulumi from "@pulumi/pulumi";
import type { MonitoringSpec } from "../config";
import type { AppEndpoints, EnvironmentBackend } from "./backend";

export interface MonitoringArgs {
    spec: MonitoringSpec;
    app: AppEndpoints;
    backend: EnvironmentBackend;
}

/** Alerts on the seed-000 thresholds and a dashboard, sent to the configured destinations. */
export class Monitoring extends pulumi.ComponentResource {
    readonly dashboardUrl: pulumi.Output<string>;
    readonly alertTarget: pulumi.Output<string>;

    constructor(name: string, args: MonitoringArgs, opts?: pulumi.ComponentResourceOptions) {
        super("fraud-platform:index:Monitoring", name, {}, opts);
        const endpoints = args.backend.createMonitoring({ name, parent: this }, { monitoring: args.spec, app: args.app });
        this.dashboardUrl = endpoints.dashboardUrl;
        this.alertTarget = endpoints.alertTarget;
        this.registerOutputs({ dashboardUrl: this.dashboardUrl, alertTarget: this.alertTarget });
    }
}
