import type { ResourceValidationPolicy } from "@pulumi/policy";
import { productionStacksSetting, settings } from "../lib/define";
import { aws, digitalocean, docker } from "../lib/types";
import { currentStack, isProductionStack } from "../lib/values";

type ProtectSettings = {
    productionStacks: readonly string[];
    statefulTypes: readonly string[];
};

const protectSettings = settings<ProtectSettings>(
    {
        productionStacks: ["production"],
        statefulTypes: [
            aws.rdsInstance,
            aws.rdsCluster,
            aws.replicationGroup,
            aws.bucket,
            aws.bucketV2,
            "aws:efs/fileSystem:FileSystem",
            "aws:dynamodb/table:Table",
            digitalocean.databaseCluster,
            "digitalocean:index/volume:Volume",
            "digitalocean:index/spacesBucket:SpacesBucket",
            docker.volume,
        ],
    },
    {
        productionStacks: productionStacksSetting,
        statefulTypes: { type: "array", items: { type: "string", pattern: "^[^:]+:[^:]*:[^:]+$" }, description: "Type tokens of the resources that hold data." },
    },
);

const remediation = "Pass `{ protect: true }` in the resource options (this project: `protect` follows the `environment` config; production turns it on). Lift it deliberately with `pulumi state unprotect` before a planned removal.";

/**
 * Written without `resourceRule` because it applies to a configurable list of types and reads the resource
 * options rather than its properties.
 */
export const statefulResourcesProtected: ResourceValidationPolicy = {
    name: "stateful-resources-protected",
    description: "Resources that hold data carry the `protect` option on production stacks, so no update or destroy can delete them.",
    enforcementLevel: "mandatory",
    severity: "critical",
    remediationSteps: remediation,
    configSchema: protectSettings.schema,
    validateResource: (args, report) => {
        const { productionStacks, statefulTypes } = protectSettings.read(args);
        if (!statefulTypes.includes(args.type) || !isProductionStack(productionStacks)) return;
        if (!args.opts.protect) {
            report(`${args.name} (${args.type}) holds data on production stack '${currentStack()}' without protect: a replacement or \`pulumi destroy\` deletes it.\nRemediation: ${remediation}`);
        }
    },
};
