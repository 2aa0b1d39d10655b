import * as digitalocean from "@pulumi/digitalocean";
import type { EnvironmentSpec } from "../../config";
import type { Scope } from "../backend";

/**
 * The environment's private network. The databases live in it and the app joins it, so the app
 * reaches PostgreSQL and Valkey on their private hostnames; nothing else in the account shares it.
 */
export function createVpc(scope: Scope, spec: EnvironmentSpec): digitalocean.Vpc {
    return new digitalocean.Vpc(`${scope.name}-vpc`, {
        name: vpcName(spec),
        region: spec.digitalocean.region,
        ipRange: spec.digitalocean.vpcIpRange,
        description: `${spec.project} ${spec.stack}: app, PostgreSQL and cache`,
    }, {
        parent: scope.parent,
        // The clusters outlive `pulumi destroy` (retainOnDelete), and DigitalOcean refuses to delete a VPC
        // that still has members: the VPC stays with them, so a destroy completes.
        retainOnDelete: true,
    });
}

/**
 * VPC names are unique per account, and a new region or IP range forces a new VPC
 * (terraform-provider-digitalocean, digitalocean/vpc/resource_vpc.go: `region` and `ip_range` are
 * `ForceNew`), which Pulumi creates before it deletes the old one. The project and stack keep two
 * stacks apart; the region and range keep the old and the new VPC apart during a replacement.
 * The name itself can change in place. DigitalOcean VPC names are at most 255 characters.
 */
export function vpcName(spec: EnvironmentSpec): string {
    const range = spec.digitalocean.vpcIpRange.replace(/[./]/g, "-");
    return `${spec.project}-${spec.stack}-${spec.digitalocean.region}-${range}`;
}
