import type { ResourceValidationPolicy } from "@pulumi/policy";
import { productionDefaults, productionSchemas, settings } from "../lib/define";
import { aws, digitalocean, docker } from "../lib/types";
import { productionStatus } from "../lib/values";

type ProtectSettings = typeof productionDefaults & { statefulTypes: readonly string[] };

const protectSettings = settings<ProtectSettings>(
    {
        ...productionDefaults,
        statefulTypes: [
            aws.rdsInstance,
            aws.rdsCluster,
            aws.docdbCluster,
            aws.replicationGroup,
            aws.elasticacheCluster,
            aws.serverlessCache,
            aws.memorydbCluster,
            aws.bucket,
            aws.bucketV2,
            aws.efsFileSystem,
            aws.ebsVolume,
            aws.dynamodbTable,
            digitalocean.databaseCluster,
            digitalocean.volume,
            digitalocean.spacesBucket,
            docker.volume,
        ],
    },
    {
        ...productionSchemas,
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
        const { statefulTypes, ...production } = protectSettings.read(args);
        if (!statefulTypes.includes(args.type)) return;
        const status = productionStatus(production);
        if (!status.production) return;
        if (!args.opts.protect) {
            report(`${args.name} (${args.type}) holds data on ${status.reason} without protect: a replacement or \`pulumi destroy\` deletes it.\nRemediation: ${remediation}`);
        }
    },
};
