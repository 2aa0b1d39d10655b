import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { awsOptions, policyDocument, statefulOptions, type AwsContext, type PolicyStatement } from "./context";

export interface PrivateBucketArgs {
    /** Keep every version of every object (models: a bad upload can be rolled back). */
    versioned: boolean;
    /** Days an overwritten or deleted object's older versions are kept (versioned buckets). */
    noncurrentVersionDays?: number;
    /** Days objects are kept at all (logs); unset keeps them. */
    expireAfterDays?: number;
    /** S3 server access logs of this bucket go to this bucket, under `prefix` (the target's policy must admit S3's logging service). */
    accessLogsTo?: { bucket: PrivateBucket; prefix: string };
    /** Extra bucket-policy statements, given the bucket's ARN (e.g. log delivery). */
    extraStatements?: (bucketArn: pulumi.Output<string>) => PolicyStatement[];
}

/**
 * An S3 bucket no one can make public: public access blocked, ACLs disabled, encrypted, TLS-only
 * by policy, with a lifecycle for old versions or old objects. Protected in production.
 */
export class PrivateBucket extends pulumi.ComponentResource {
    readonly bucket: aws.s3.Bucket;
    readonly name: pulumi.Output<string>;
    readonly arn: pulumi.Output<string>;
    /** Resolves once the policy is in place (log delivery must not start before it). */
    readonly policy: aws.s3.BucketPolicy;

    constructor(name: string, ctx: AwsContext, args: PrivateBucketArgs, opts: pulumi.ComponentResourceOptions) {
        super("fraud-platform:aws:PrivateBucket", name, {}, opts);
        const options = (extra: pulumi.CustomResourceOptions = {}) => awsOptions(ctx, this, extra);

        this.bucket = new aws.s3.Bucket(name, { forceDestroy: false }, statefulOptions(ctx, this));
        this.name = this.bucket.bucket;
        this.arn = this.bucket.arn;
        const bucket = this.bucket.id;

        const ownership = new aws.s3.BucketOwnershipControls(name, { bucket, rule: { objectOwnership: "BucketOwnerEnforced" } }, options());
        const publicAccess = new aws.s3.BucketPublicAccessBlock(
            name,
            { bucket, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true },
            options(),
        );
        // SSE-S3: the one encryption load-balancer log delivery supports, and needs no key grants for readers.
        new aws.s3.BucketServerSideEncryptionConfiguration(
            name,
            { bucket, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" }, bucketKeyEnabled: true }] },
            options(),
        );
        let versioning: aws.s3.BucketVersioning | undefined;
        if (args.versioned) {
            versioning = new aws.s3.BucketVersioning(name, { bucket, versioningConfiguration: { status: "Enabled" } }, options());
        }

        const rules: aws.types.input.s3.BucketLifecycleConfigurationRule[] = [
            { id: "abort-incomplete-uploads", status: "Enabled", filter: {}, abortIncompleteMultipartUpload: { daysAfterInitiation: 7 } },
        ];
        if (args.versioned && args.noncurrentVersionDays !== undefined) {
            rules.push({
                id: "expire-old-versions",
                status: "Enabled",
                filter: {},
                noncurrentVersionExpiration: { noncurrentDays: args.noncurrentVersionDays },
                expiration: { expiredObjectDeleteMarker: true },
            });
        }
        if (args.expireAfterDays !== undefined) {
            rules.push({ id: "expire-objects", status: "Enabled", filter: {}, expiration: { days: args.expireAfterDays } });
        }
        new aws.s3.BucketLifecycleConfiguration(name, { bucket, rules }, options({ dependsOn: versioning ? [versioning] : [] }));

        if (args.accessLogsTo !== undefined) {
            new aws.s3.BucketLogging(
                name,
                { bucket, targetBucket: args.accessLogsTo.bucket.bucket.id, targetPrefix: args.accessLogsTo.prefix },
                // Delivery starts once the target's policy admits the logging service.
                options({ dependsOn: [args.accessLogsTo.bucket.policy] }),
            );
        }

        this.policy = new aws.s3.BucketPolicy(
            name,
            {
                bucket,
                policy: policyDocument([
                    {
                        Sid: "DenyInsecureTransport",
                        Effect: "Deny",
                        Principal: { AWS: "*" },
                        Action: ["s3:*"],
                        Resource: [this.arn, pulumi.interpolate`${this.arn}/*`],
                        Condition: { Bool: { "aws:SecureTransport": "false" } },
                    },
                    ...(args.extraStatements?.(this.arn) ?? []),
                ]),
            },
            // A policy put before the public-access block could briefly be judged public; order them.
            options({ dependsOn: [publicAccess, ownership] }),
        );
        this.registerOutputs({ name: this.name, arn: this.arn });
    }
}
