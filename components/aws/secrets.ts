import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { awsOptions, statefulOptions, type AwsContext } from "./context";

/** A Secrets Manager secret and its current value. */
export interface StoredSecret {
    secret: aws.secretsmanager.Secret;
    /** The ARN tasks name in `valueFrom` and the execution role is allowed to read. */
    arn: pulumi.Output<string>;
    /** The value itself: what must exist before a task can start with the secret (the secret alone is empty). */
    version: aws.secretsmanager.SecretVersion;
}

/**
 * Stores a value in Secrets Manager. The value stays a secret output end to end (state and
 * preview show it encrypted); containers receive it through `secrets`, never `environment`.
 */
export function storeSecret(
    ctx: AwsContext,
    name: string,
    parent: pulumi.Resource,
    description: string,
    value: pulumi.Input<string>,
): StoredSecret {
    const secret = new aws.secretsmanager.Secret(
        name,
        {
            description,
            // A deleted secret stays recoverable: 30 days in production, elsewhere the shortest window (7 days).
            recoveryWindowInDays: ctx.production ? 30 : 7,
        },
        statefulOptions(ctx, parent),
    );
    // Not protected: a new value replaces the version (secret_string forces replacement), and a protected
    // version would block every rotation. The secret itself is protected and recoverable.
    const version = new aws.secretsmanager.SecretVersion(name, { secretId: secret.id, secretString: pulumi.secret(value) }, awsOptions(ctx, secret));
    return { secret, arn: secret.arn, version };
}
