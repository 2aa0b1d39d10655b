import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { awsOptions, policyDocument, type AwsContext } from "./context";
import { ecrRepository } from "./iam";
import type { Network } from "./network";
import type { SecurityGroups } from "./securityGroups";

export interface VpcEndpointArgs {
    /** Every container image: the ECR endpoints exist only when one of them comes from ECR. */
    images: string[];
    /** Buckets the tasks read through the S3 gateway endpoint (the models bucket). */
    bucketArns: pulumi.Input<string>[];
    /** The one Bedrock model the tasks invoke. */
    bedrockModelArn: pulumi.Input<string>;
}

/**
 * The interface endpoints (besides Bedrock's) the stack needs for what it uses: ECR only for ECR images, logs and
 * secrets only when `aws.awsApiEndpoints` asks for them (otherwise the NAT gateways carry that traffic).
 */
export function interfaceEndpointServices(images: string[], awsApiEndpoints: boolean): string[] {
    const fromEcr = images.some((image) => ecrRepository(image) !== undefined);
    return [...(fromEcr ? ["ecr.api", "ecr.dkr"] : []), ...(awsApiEndpoints ? ["logs", "secretsmanager"] : [])];
}

/**
 * Private paths to the AWS APIs the tasks use: S3 (a gateway, free) limited by policy to the stack's buckets
 * and ECR's layer bucket; CloudWatch Logs and Secrets Manager by config; ECR only when images come from ECR
 * (today they come from ghcr.io, through the NAT gateways); and seed 001's private path to Bedrock,
 * with its own security group and a policy that allows only InvokeModel on the configured model.
 */
export function createVpcEndpoints(name: string, ctx: AwsContext, network: Network, groups: SecurityGroups, args: VpcEndpointArgs): { bedrock: aws.ec2.VpcEndpoint; s3: aws.ec2.VpcEndpoint } {
    const options = () => awsOptions(ctx, network);
    const service = (suffix: string) => `com.amazonaws.${ctx.region}.${suffix}`;
    const s3 = new aws.ec2.VpcEndpoint(
        `${name}-s3`,
        {
            vpcId: network.vpcId,
            serviceName: service("s3"),
            vpcEndpointType: "Gateway",
            routeTableIds: network.privateRouteTableIds,
            policy: policyDocument([
                {
                    Sid: "StackBuckets",
                    Effect: "Allow",
                    Principal: "*",
                    Action: ["s3:GetObject", "s3:ListBucket"],
                    Resource: args.bucketArns.flatMap((arn) => [arn, pulumi.interpolate`${arn}/*`]),
                },
                {
                    // ECR keeps image layers in this AWS-owned bucket; pulls through the gateway need it
                    // (https://docs.aws.amazon.com/AmazonECR/latest/userguide/vpc-endpoints.html, "Minimum Amazon S3 bucket permissions").
                    Sid: "EcrImageLayers",
                    Effect: "Allow",
                    Principal: "*",
                    Action: ["s3:GetObject"],
                    Resource: [pulumi.interpolate`arn:${ctx.partition}:s3:::prod-${ctx.region}-starport-layer-bucket/*`],
                },
            ]),
        },
        options(),
    );
    for (const suffix of interfaceEndpointServices(args.images, ctx.spec.aws.awsApiEndpoints)) {
        new aws.ec2.VpcEndpoint(
            `${name}-${suffix.replace(".", "-")}`,
            {
                vpcId: network.vpcId,
                serviceName: service(suffix),
                vpcEndpointType: "Interface",
                subnetIds: network.privateSubnetIds,
                securityGroupIds: [groups.endpoints.id],
                privateDnsEnabled: true,
            },
            options(),
        );
    }
    // Private DNS: the SDKs' default bedrock-runtime.<region>.amazonaws.com resolves to the endpoint inside the
    // VPC, so the services need no endpoint URL (BEDROCK_ENDPOINT_URL is set for clients that want it explicit).
    const bedrock = new aws.ec2.VpcEndpoint(
        `${name}-bedrock-runtime`,
        {
            vpcId: network.vpcId,
            serviceName: service("bedrock-runtime"),
            vpcEndpointType: "Interface",
            subnetIds: network.privateSubnetIds,
            securityGroupIds: [groups.bedrock.id],
            privateDnsEnabled: true,
            policy: policyDocument([
                { Sid: "InvokeConfiguredModel", Effect: "Allow", Principal: "*", Action: ["bedrock:InvokeModel"], Resource: [args.bedrockModelArn] },
            ]),
        },
        options(),
    );
    return { bedrock, s3 };
}
