import * as digitalocean from "@pulumi/digitalocean";
import type * as pulumi from "@pulumi/pulumi";
import type { EnvironmentName, EnvironmentSpec } from "../../config";
import type { Scope } from "../backend";

const projectEnvironments: Record<EnvironmentName, string> = { dev: "Development", staging: "Staging", production: "Production" };

/**
 * The DigitalOcean project that groups the environment's resources in the control panel and its
 * billing. Members are given by their DigitalOcean URNs (`do:app:<id>`, `do:dbaas:<id>`), which the
 * app's `appUrn` and the clusters' `clusterUrn` outputs carry. Created last, once every member exists.
 * (The VPC, uptime check and alert policies are not project resources in DigitalOcean.)
 */
export function createProject(scope: Scope, spec: EnvironmentSpec, members: pulumi.Output<string>[]): digitalocean.Project {
    return new digitalocean.Project(`${scope.name}-project`, {
        name: `${spec.project}-${spec.stack}`,
        description: `${spec.project} ${spec.environment}: fraud API (api, worker, ml), PostgreSQL, cache, monitoring`,
        purpose: "Web Application",
        environment: projectEnvironments[spec.environment],
        resources: members,
    }, { parent: scope.parent });
}
