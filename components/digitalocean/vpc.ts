import * as digitalocean from "@pulumi/digitalocean";
import type { EnvironmentSpec } from "../../config";
import type { Scope } from "../backend";

/**
 * The environment's private network. The databases live in it and the app joins it, so the app
 * reaches PostgreSQL and Valkey on their private hostnames; nothing else in the account shares it.
 */
export function createVpc(scope: Scope, spec: EnvironmentSpec): digitalocean.Vpc {
    return new digitalocean.Vpc(`${scope.name}-vpc`, {
        // VPC names are unique per account: the project and stack keep two stacks from colliding.
        name: `${spec.project}-${spec.stack}`,
        region: spec.digitalocean.region,
        ipRange: spec.digitalocean.vpcIpRange,
        description: `${spec.project} ${spec.stack}: app, PostgreSQL and cache`,
    }, { parent: scope.parent });
}
