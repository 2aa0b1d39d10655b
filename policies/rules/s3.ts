import type { PolicyResource } from "@pulumi/policy";
import { resourceRule, settings, stackRule } from "../lib/define";
import { aws, digitalocean } from "../lib/types";
import { UNKNOWN, dependsOn, knownElements, knownString, label, peek } from "../lib/values";

const bucketTypes: readonly string[] = [aws.bucket, aws.bucketV2];
const versioningTypes: readonly string[] = [aws.bucketVersioning, aws.bucketVersioningV2];

/** Whether a versioning resource configures this bucket: through its `bucket` input, or by the same known name. */
function configures(versioning: PolicyResource, bucket: PolicyResource): boolean {
    if (dependsOn(versioning, bucket, "bucket")) return true;
    const target = knownString(() => versioning.props.bucket);
    const name = knownString(() => bucket.props.bucket);
    return target !== undefined && target === name;
}

export const s3BucketVersioning = stackRule<{ requireMfaDelete: boolean }>({
    name: "s3-bucket-versioning",
    description: "S3 buckets keep object versions, so an overwrite or delete can be undone.",
    enforcementLevel: "mandatory",
    severity: "high",
    remediation: "Add an `aws.s3.BucketVersioning` for the bucket with `versioningConfiguration: { status: \"Enabled\" }` (in @pulumi/aws 7 versioning is its own resource).",
    settings: settings(
        { requireMfaDelete: false },
        { requireMfaDelete: { type: "boolean", description: "Also require MFA delete (`versioningConfiguration.mfaDelete: \"Enabled\"`)." } },
    ),
    validate({ resources, settings: { requireMfaDelete }, violation }) {
        const versionings = resources.filter((r) => versioningTypes.includes(r.type));
        for (const bucket of resources.filter((r) => bucketTypes.includes(r.type))) {
            // The inline arguments are deprecated in @pulumi/aws 7 but still honoured: `versioning` on Bucket,
            // the `versionings` list on BucketV2.
            const inline = peek(() => bucket.props.versioning?.enabled);
            const inlineList = knownElements<Record<string, unknown>>(() => bucket.props.versionings).map((v) => peek(() => v.enabled));
            if ((inline === true || inlineList.includes(true)) && !requireMfaDelete) continue;
            if (inlineList.includes(UNKNOWN)) continue;
            const configured = versionings.filter((v) => configures(v, bucket));
            if (configured.length === 0) {
                violation(`${label(bucket)} has no BucketVersioning resource: overwritten or deleted objects are gone for good.`, bucket.urn);
                continue;
            }
            const statuses = configured.map((v) => peek(() => v.props.versioningConfiguration?.status as unknown));
            // A status computed from other resources is only known at update time: nothing to judge in a preview.
            if (statuses.includes(UNKNOWN)) continue;
            if (!statuses.includes("Enabled")) {
                violation(`${label(bucket)} has versioning status ${statuses.map((s) => String(s ?? "not set")).join(", ")}, not Enabled.`, bucket.urn);
            } else if (requireMfaDelete && !configured.some((v) => knownString(() => v.props.versioningConfiguration?.mfaDelete) === "Enabled")) {
                violation(`${label(bucket)} has versioning without MFA delete.`, bucket.urn);
            }
        }
    },
});

export const spacesBucketVersioning = resourceRule<{ requireVersioning: boolean }, { name?: string; versioning?: { enabled?: boolean } }>({
    name: "spaces-bucket-versioning",
    description: "DigitalOcean Spaces buckets keep object versions, so an overwrite or delete can be undone.",
    enforcementLevel: "mandatory",
    severity: "high",
    remediation: "Set `versioning: { enabled: true }` on the `digitalocean.SpacesBucket` (and a lifecycle rule expiring noncurrent versions after the retention you need).",
    settings: settings(
        { requireVersioning: true },
        { requireVersioning: { type: "boolean", description: "Require versioning on every Spaces bucket (turn off for buckets of throw-away artefacts with the enforcement level instead)." } },
    ),
    types: [digitalocean.spacesBucket],
    validate({ props, settings: { requireVersioning }, violation }) {
        if (!requireVersioning) return;
        if (props.versioning?.enabled !== true) {
            violation(`versioning is ${props.versioning ? `{ enabled: ${props.versioning.enabled} }` : "not set"}: overwritten or deleted objects are gone for good.`);
        }
    },
});
