import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { subnetCidr } from "../../config/cidr";
import { assumeRolePolicy, awsOptions, policyDocument, type AwsContext } from "./context";

/** Subnets are carved as eighths of the VPC block: private ones from slot 0, public ones from slot 4. */
const subnetSlots = { newBits: 3, privateFirst: 0, publicFirst: 4 } as const;

/**
 * The VPC: public subnets (load balancer and NAT only) and private subnets (tasks, database,
 * cache) in each availability zone, with egress through a NAT gateway per zone (or one, by config).
 */
export class Network extends pulumi.ComponentResource {
    readonly vpc: aws.ec2.Vpc;
    readonly vpcId: pulumi.Output<string>;
    readonly cidrBlock: string;
    readonly publicSubnetIds: pulumi.Output<string>[];
    readonly privateSubnetIds: pulumi.Output<string>[];
    readonly privateRouteTableIds: pulumi.Output<string>[];
    /** Every connection accepted or rejected in the VPC, when `aws.flowLogs` (default: production). */
    readonly flowLog?: aws.ec2.FlowLog;

    constructor(name: string, ctx: AwsContext, opts: pulumi.ComponentResourceOptions) {
        super("fraud-platform:aws:Network", name, {}, opts);
        const settings = ctx.spec.aws;
        const options = (extra: pulumi.CustomResourceOptions = {}) => awsOptions(ctx, this, extra);
        this.cidrBlock = settings.vpcCidr;

        const zones = aws.getAvailabilityZonesOutput(
            { state: "available", filters: [{ name: "opt-in-status", values: ["opt-in-not-required"] }] },
            { provider: ctx.provider, parent: this },
        ).names;
        const zoneCount = settings.availabilityZoneCount;
        const zoneAt = (index: number) =>
            zones.apply((names) => {
                if (names.length < zoneCount) {
                    throw new Error(`${ctx.region} has ${names.length} availability zones; fraud-platform:aws.availabilityZoneCount asks for ${zoneCount}`);
                }
                return names[index];
            });

        this.vpc = new aws.ec2.Vpc(`${name}-vpc`, { cidrBlock: settings.vpcCidr, enableDnsSupport: true, enableDnsHostnames: true }, options());
        this.vpcId = this.vpc.id;

        // The default security group admits everything from its own members; strip it so nothing can use it by accident.
        new aws.ec2.DefaultSecurityGroup(`${name}-default-sg`, { vpcId: this.vpc.id, ingress: [], egress: [] }, options());

        const internetGateway = new aws.ec2.InternetGateway(`${name}-igw`, { vpcId: this.vpc.id }, options());
        const publicRoutes = new aws.ec2.RouteTable(
            `${name}-public-rt`,
            { vpcId: this.vpc.id, routes: [{ cidrBlock: "0.0.0.0/0", gatewayId: internetGateway.id }] },
            options(),
        );

        const publicSubnets: aws.ec2.Subnet[] = [];
        const privateSubnets: aws.ec2.Subnet[] = [];
        this.privateRouteTableIds = [];
        const natGateways: aws.ec2.NatGateway[] = [];
        for (let index = 0; index < zoneCount; index++) {
            const zone = zoneAt(index);
            const publicSubnet = new aws.ec2.Subnet(
                `${name}-public-${index}`,
                {
                    vpcId: this.vpc.id,
                    availabilityZone: zone,
                    cidrBlock: subnetCidr(settings.vpcCidr, subnetSlots.newBits, subnetSlots.publicFirst + index),
                    // The load balancer and NAT gateways get their addresses explicitly; nothing else should land here with one.
                    mapPublicIpOnLaunch: false,
                    tags: { tier: "public" },
                },
                options(),
            );
            new aws.ec2.RouteTableAssociation(`${name}-public-${index}`, { subnetId: publicSubnet.id, routeTableId: publicRoutes.id }, options());
            publicSubnets.push(publicSubnet);

            if (settings.natGateways === "perAz" || index === 0) {
                const address = new aws.ec2.Eip(`${name}-nat-${index}`, { domain: "vpc" }, options());
                natGateways.push(
                    new aws.ec2.NatGateway(
                        `${name}-nat-${index}`,
                        { subnetId: publicSubnet.id, allocationId: address.id, connectivityType: "public" },
                        options({ dependsOn: [internetGateway] }),
                    ),
                );
            }

            const privateSubnet = new aws.ec2.Subnet(
                `${name}-private-${index}`,
                {
                    vpcId: this.vpc.id,
                    availabilityZone: zone,
                    cidrBlock: subnetCidr(settings.vpcCidr, subnetSlots.newBits, subnetSlots.privateFirst + index),
                    mapPublicIpOnLaunch: false,
                    tags: { tier: "private" },
                },
                options(),
            );
            // Each zone's private subnets leave through their own zone's NAT gateway (or the single one).
            const nat = natGateways[Math.min(index, natGateways.length - 1)];
            const privateRoutes = new aws.ec2.RouteTable(
                `${name}-private-rt-${index}`,
                { vpcId: this.vpc.id, routes: [{ cidrBlock: "0.0.0.0/0", natGatewayId: nat.id }] },
                options(),
            );
            new aws.ec2.RouteTableAssociation(`${name}-private-${index}`, { subnetId: privateSubnet.id, routeTableId: privateRoutes.id }, options());
            privateSubnets.push(privateSubnet);
            this.privateRouteTableIds.push(privateRoutes.id);
        }
        this.publicSubnetIds = publicSubnets.map((subnet) => subnet.id);
        this.privateSubnetIds = privateSubnets.map((subnet) => subnet.id);

        if (settings.flowLogs ?? ctx.production) this.flowLog = this.createFlowLog(name, ctx);

        this.registerOutputs({
            vpcId: this.vpcId,
            publicSubnetIds: this.publicSubnetIds,
            privateSubnetIds: this.privateSubnetIds,
        });
    }

    /** VPC flow logs to CloudWatch Logs, delivered by a role only the flow-logs service of this account can assume. */
    private createFlowLog(name: string, ctx: AwsContext): aws.ec2.FlowLog {
        const options = (extra: pulumi.CustomResourceOptions = {}) => awsOptions(ctx, this, extra);
        const logs = new aws.cloudwatch.LogGroup(
            `${name}-flow-logs`,
            { name: `/vpc/${ctx.spec.project}-${ctx.spec.stack}/flow-logs`, retentionInDays: ctx.spec.aws.flowLogRetentionDays },
            options(),
        );
        // https://docs.aws.amazon.com/vpc/latest/userguide/flow-logs-iam-role.html (the role's actions and the confused-deputy condition).
        const role = new aws.iam.Role(
            `${name}-flow-logs`,
            { description: "Delivers the VPC's flow logs to CloudWatch Logs", assumeRolePolicy: assumeRolePolicy(ctx, "vpc-flow-logs.amazonaws.com", true) },
            options(),
        );
        const policy = new aws.iam.RolePolicy(
            `${name}-flow-logs`,
            {
                role: role.id,
                policy: policyDocument([
                    {
                        Sid: "DeliverFlowLogs",
                        Effect: "Allow",
                        Action: ["logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"],
                        Resource: [logs.arn, pulumi.interpolate`${logs.arn}:log-stream:*`],
                    },
                ]),
            },
            awsOptions(ctx, role),
        );
        return new aws.ec2.FlowLog(
            `${name}-flow-log`,
            {
                vpcId: this.vpc.id,
                trafficType: "ALL",
                logDestinationType: "cloud-watch-logs",
                logDestination: logs.arn,
                iamRoleArn: role.arn,
                maxAggregationInterval: 600,
            },
            options({ dependsOn: [policy] }),
        );
    }
}
