import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { EnvironmentSpec } from "../../config";
import { applyNameLimits } from "./naming";

/**
 * What every part of the AWS backend shares: the validated spec, the one explicit provider
 * (region and default tags), and facts about the account that ARNs are built from.
 */
export interface AwsContext {
    spec: EnvironmentSpec;
    /** Every AWS resource is registered with this provider, so every taggable one carries `spec.tags`. */
    provider: aws.Provider;
    region: string;
    accountId: pulumi.Output<string>;
    /** `aws`, `aws-us-gov`, `aws-cn`: the first field after `arn:`. */
    partition: pulumi.Output<string>;
    /** Whether databases, caches, buckets and secrets carry `protect`. */
    protect: boolean;
    production: boolean;
}

export function createContext(spec: EnvironmentSpec, name: string, parent: pulumi.Resource): AwsContext {
    // One explicit provider, not the ambient default: its region comes from the validated spec, and its
    // default tags reach every taggable resource without each call repeating them (engine-side transforms
    // would do the same, but they are not available everywhere, e.g. under the SDK's mocks).
    const provider = new aws.Provider(
        `${name}-aws`,
        { region: spec.aws.region, defaultTags: { tags: spec.tags } },
        { parent },
    );
    const invokeOptions = { provider, parent };
    return {
        spec,
        provider,
        region: spec.aws.region,
        accountId: aws.getCallerIdentityOutput({}, invokeOptions).accountId,
        partition: aws.getPartitionOutput({}, invokeOptions).partition,
        protect: spec.protect,
        production: spec.environment === "production",
    };
}

/**
 * Options for an AWS resource: its parent, the backend's provider, and anything else given. Every AWS
 * resource passes through here, so here the name limits of components/aws/naming.ts are applied, once.
 */
export function awsOptions(ctx: AwsContext, parent: pulumi.Resource, extra: pulumi.CustomResourceOptions = {}): pulumi.CustomResourceOptions {
    return { ...extra, parent, provider: ctx.provider, transformations: [...(extra.transformations ?? []), applyNameLimits] };
}

/** Options for a stateful AWS resource (data lives in it): as {@link awsOptions}, plus `protect` when the stack protects them. */
export function statefulOptions(ctx: AwsContext, parent: pulumi.Resource, extra: pulumi.CustomResourceOptions = {}): pulumi.CustomResourceOptions {
    return { ...awsOptions(ctx, parent, extra), protect: ctx.protect };
}

/** An IAM policy document with explicit actions; `Resource` may be a list of (output) ARNs. */
export interface PolicyStatement {
    Sid?: string;
    Effect: "Allow" | "Deny";
    Action: string[];
    /** Omitted only in trust policies. */
    Resource?: pulumi.Input<string>[] | pulumi.Input<string>;
    /** `"*"` in VPC endpoint policies (anyone, limited by their own identity policies). */
    Principal?: Record<string, pulumi.Input<string> | pulumi.Input<string>[]> | "*";
    Condition?: Record<string, Record<string, pulumi.Input<string> | pulumi.Input<string>[]>>;
}

/** Serialises a policy document, refusing wildcard actions: every grant in this backend names what it allows. */
export function policyDocument(statements: PolicyStatement[]): pulumi.Output<string> {
    for (const statement of statements) {
        const wildcard = statement.Action.find((action) => action.includes("*"));
        if (wildcard !== undefined && statement.Effect === "Allow") {
            throw new Error(`IAM statement ${statement.Sid ?? ""} allows the wildcard action '${wildcard}'; name the actions instead`);
        }
    }
    return pulumi.jsonStringify({ Version: "2012-10-17", Statement: statements });
}

/**
 * The trust policy that lets an AWS service assume a role. `sameAccountOnly` adds the confused-deputy
 * guard for services that send `aws:SourceAccount` (ECS tasks do; not every service does).
 */
export function assumeRolePolicy(ctx: AwsContext, service: string, sameAccountOnly = false): pulumi.Output<string> {
    return policyDocument([
        {
            Effect: "Allow",
            Action: ["sts:AssumeRole"],
            Principal: { Service: service },
            ...(sameAccountOnly ? { Condition: { StringEquals: { "aws:SourceAccount": ctx.accountId } } } : {}),
        },
    ]);
}
