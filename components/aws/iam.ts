import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { assumeRolePolicy, awsOptions, policyDocument, type AwsContext, type PolicyStatement } from "./context";

/** The Claude 3 Haiku foundation model in the stack's region: the task role's default Bedrock grant. */
export function defaultBedrockModelArn(ctx: AwsContext): pulumi.Output<string> {
    return pulumi.interpolate`arn:${ctx.partition}:bedrock:${ctx.region}::foundation-model/anthropic.claude-3-haiku-20240307-v1:0`;
}

/** `<account>.dkr.ecr.<region>.amazonaws.com/<repo>:tag` → its repository name, for images pulled from ECR. */
export function ecrRepository(image: string): { registryAccount: string; region: string; repository: string } | undefined {
    const match = /^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?\/([^:@]+)/.exec(image);
    return match ? { registryAccount: match[1], region: match[2], repository: match[3] } : undefined;
}

export interface ExecutionRoleArgs {
    /** The Secrets Manager secrets the containers receive; the role may read these and nothing else. */
    secretArns: pulumi.Input<string>[];
    /** Log groups the awslogs driver writes to. */
    logGroupArns: pulumi.Input<string>[];
    /** Container images, to grant pulls from the ECR repositories among them. */
    images: string[];
}

/**
 * The role ECS itself uses to start tasks: pull images, write logs, and resolve the containers'
 * `secrets`. Inline and exact, instead of AmazonECSTaskExecutionRolePolicy, which grants every
 * repository and every log group.
 */
export function createExecutionRole(ctx: AwsContext, name: string, parent: pulumi.Resource, args: ExecutionRoleArgs): aws.iam.Role {
    const role = new aws.iam.Role(
        name,
        { description: "ECS task execution: image pulls, logs, and the app's secrets", assumeRolePolicy: assumeRolePolicy(ctx, "ecs-tasks.amazonaws.com", true) },
        awsOptions(ctx, parent),
    );
    const statements: PolicyStatement[] = [
        { Sid: "ReadAppSecrets", Effect: "Allow", Action: ["secretsmanager:GetSecretValue"], Resource: args.secretArns },
        {
            Sid: "WriteContainerLogs",
            Effect: "Allow",
            Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
            Resource: args.logGroupArns.map((arn) => pulumi.interpolate`${arn}:log-stream:*`),
        },
    ];
    const repositories = [...new Set(args.images.map(ecrRepository).filter((r) => r !== undefined).map((r) => `${r.region}:${r.registryAccount}:repository/${r.repository}`))].map(
        (path) => pulumi.interpolate`arn:${ctx.partition}:ecr:${path}`,
    );
    if (repositories.length > 0) {
        // GetAuthorizationToken is account-wide by design (it has no resource type); the pulls are per repository.
        statements.push({ Sid: "EcrLogin", Effect: "Allow", Action: ["ecr:GetAuthorizationToken"], Resource: ["*"] });
        statements.push({
            Sid: "PullAppImages",
            Effect: "Allow",
            Action: ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
            Resource: repositories,
        });
    }
    new aws.iam.RolePolicy(name, { role: role.id, policy: policyDocument(statements) }, awsOptions(ctx, role));
    return role;
}

export interface TaskRoleArgs {
    modelsBucketArn: pulumi.Output<string>;
    bedrockModelArn: pulumi.Input<string>;
}

/** The role the application code runs as: read model files, invoke the one configured Bedrock model. */
export function createTaskRole(ctx: AwsContext, name: string, parent: pulumi.Resource, args: TaskRoleArgs): aws.iam.Role {
    const role = new aws.iam.Role(
        name,
        { description: "Fraud platform tasks: read models, invoke the configured Bedrock model", assumeRolePolicy: assumeRolePolicy(ctx, "ecs-tasks.amazonaws.com", true) },
        awsOptions(ctx, parent),
    );
    new aws.iam.RolePolicy(
        name,
        {
            role: role.id,
            policy: policyDocument([
                { Sid: "ReadModels", Effect: "Allow", Action: ["s3:GetObject"], Resource: [pulumi.interpolate`${args.modelsBucketArn}/*`] },
                { Sid: "InvokeModel", Effect: "Allow", Action: ["bedrock:InvokeModel"], Resource: [args.bedrockModelArn] },
            ]),
        },
        awsOptions(ctx, role),
    );
    return role;
}
