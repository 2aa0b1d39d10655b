import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";

/**
 * The Pulumi AWS provider (through the Terraform bridge) autonames a resource whose name property is
 * unset as `<logical name>-<7 random characters>`, and fails in Check when that exceeds the type's limit
 * ("name '<prefix>' plus 7 random chars is longer than maximum length 32").
 * Source: pulumi/pulumi-terraform-bridge pkg/tfbridge/names.go (`AutoNameWithCustomOptions`, default
 * `Randlen: 7`, `Separator: "-"`), wired per type in pulumi/pulumi-aws provider/resources.go.
 */
export const bridgeAutonameSuffixLength = 1 + 7;

/** Characters of the random part this program puts in the names it sets itself (`fraud-prod-api-a-1f3c`). */
export const explicitRandomLength = 4;

/** What AWS allows for one resource type's name, and where that fact comes from. */
export interface NameLimit {
    /** The input property that carries the physical name (the one the bridge autonames). */
    property: string;
    /** Longest name AWS accepts, characters. */
    max: number;
    /** Where the limit is documented. */
    source: string;
    /**
     * Inputs whose change replaces the resource (ForceNew in the provider). When the program has to name a
     * resource of this type itself, its random part is renewed with these, so the replacement gets a new
     * name and create-before-delete does not collide with the old one (as the bridge's autonaming does).
     */
    replaceOn?: string[];
}

/**
 * One table of the name limits of every AWS type this program registers with a name, applied once by
 * {@link applyNameLimits} (SST's naming, `platform/src/components/naming.ts`, follows the same shape).
 * test/awsNames.test.ts walks every resource production registers against it.
 */
export const nameLimits: Readonly<Record<string, NameLimit>> = {
    "aws:lb/loadBalancer:LoadBalancer": {
        property: "name",
        max: 32,
        source: "https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_CreateLoadBalancer.html (Name: maximum of 32 characters); terraform-provider-aws internal/service/elbv2/validate.go",
        // terraform-provider-aws internal/service/elbv2/load_balancer.go: `internal`, `load_balancer_type` are ForceNew.
        replaceOn: ["internal", "loadBalancerType"],
    },
    "aws:lb/targetGroup:TargetGroup": {
        property: "name",
        max: 32,
        source: "https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_CreateTargetGroup.html (Name: maximum of 32 characters); terraform-provider-aws internal/service/elbv2/validate.go",
        // terraform-provider-aws internal/service/elbv2/target_group.go: port, protocol, protocol_version, target_type, vpc_id are ForceNew.
        replaceOn: ["port", "protocol", "protocolVersion", "targetType", "vpcId"],
    },
    "aws:elasticache/replicationGroup:ReplicationGroup": {
        property: "replicationGroupId",
        max: 40,
        source: "https://docs.aws.amazon.com/AmazonElastiCache/latest/APIReference/API_CreateReplicationGroup.html (ReplicationGroupId: 1 to 40 characters)",
    },
    "aws:elasticache/parameterGroup:ParameterGroup": {
        property: "name",
        max: 255,
        source: "https://docs.aws.amazon.com/AmazonElastiCache/latest/APIReference/API_CreateCacheParameterGroup.html (CacheParameterGroupName: up to 255 characters)",
    },
    "aws:elasticache/subnetGroup:SubnetGroup": {
        property: "name",
        max: 255,
        source: "https://docs.aws.amazon.com/AmazonElastiCache/latest/APIReference/API_CreateCacheSubnetGroup.html (CacheSubnetGroupName: no more than 255 characters)",
    },
    "aws:rds/instance:Instance": {
        property: "identifier",
        max: 63,
        source: "https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstance.html (DBInstanceIdentifier: 1 to 63 characters)",
    },
    "aws:rds/parameterGroup:ParameterGroup": {
        property: "name",
        max: 255,
        source: "https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBParameterGroup.html (DBParameterGroupName: 1 to 255 characters)",
    },
    "aws:rds/subnetGroup:SubnetGroup": {
        property: "name",
        max: 255,
        source: "https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBSubnetGroup.html (DBSubnetGroupName: no more than 255 characters)",
    },
    "aws:rds/snapshot:Snapshot": {
        property: "dbSnapshotIdentifier",
        max: 255,
        source: "https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBSnapshot.html (DBSnapshotIdentifier: 1 to 255 characters)",
    },
    "aws:iam/role:Role": {
        property: "name",
        max: 64,
        source: "https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html (RoleName: maximum length of 64)",
    },
    "aws:iam/rolePolicy:RolePolicy": {
        property: "name",
        max: 128,
        source: "https://docs.aws.amazon.com/IAM/latest/APIReference/API_PutRolePolicy.html (PolicyName: maximum length of 128)",
    },
    "aws:lambda/function:Function": {
        property: "name",
        max: 64,
        source: "https://docs.aws.amazon.com/lambda/latest/api/API_CreateFunction.html (FunctionName: the name may be up to 64 characters)",
    },
    "aws:cloudwatch/eventRule:EventRule": {
        property: "name",
        max: 64,
        source: "https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutRule.html (Name: maximum length of 64)",
    },
    "aws:cloudwatch/eventTarget:EventTarget": {
        property: "targetId",
        max: 64,
        source: "https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_Target.html (Id: maximum length of 64)",
    },
    "aws:cloudwatch/metricAlarm:MetricAlarm": {
        property: "name",
        max: 255,
        source: "https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html (AlarmName: maximum length of 255)",
    },
    "aws:cloudwatch/logGroup:LogGroup": {
        property: "name",
        max: 512,
        source: "https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_CreateLogGroup.html (logGroupName: maximum length of 512)",
    },
    "aws:cloudwatch/dashboard:Dashboard": {
        property: "dashboardName",
        max: 255,
        source: "https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutDashboard.html (DashboardName: up to 255 characters)",
    },
    "aws:ecs/cluster:Cluster": {
        property: "name",
        max: 255,
        source: "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CreateCluster.html (clusterName: up to 255 letters, numbers, underscores, hyphens)",
    },
    "aws:ecs/service:Service": {
        property: "name",
        max: 255,
        source: "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CreateService.html (serviceName: up to 255 letters, numbers, underscores, hyphens)",
    },
    "aws:ecs/taskDefinition:TaskDefinition": {
        property: "family",
        max: 255,
        source: "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_RegisterTaskDefinition.html (family: up to 255 characters)",
    },
    "aws:secretsmanager/secret:Secret": {
        property: "name",
        max: 512,
        source: "https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_CreateSecret.html (Name: maximum length of 512)",
    },
    "aws:sns/topic:Topic": {
        property: "name",
        max: 256,
        source: "https://docs.aws.amazon.com/sns/latest/api/API_CreateTopic.html (Name: up to 256 characters)",
    },
    "aws:s3/bucket:Bucket": {
        property: "bucket",
        max: 63,
        source: "https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html (3 to 63 characters)",
    },
    "aws:ec2/securityGroup:SecurityGroup": {
        property: "name",
        max: 255,
        source: "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateSecurityGroup.html (GroupName: up to 255 characters)",
    },
    "aws:servicediscovery/httpNamespace:HttpNamespace": {
        property: "name",
        max: 1024,
        source: "https://docs.aws.amazon.com/cloud-map/latest/api/API_CreateHttpNamespace.html (Name: maximum length of 1024)",
    },
    "aws:wafv2/webAcl:WebAcl": {
        property: "name",
        max: 128,
        source: "https://docs.aws.amazon.com/waf/latest/APIReference/API_CreateWebACL.html (Name: length 1 to 128, pattern ^[\\w\\-]+$)",
    },
    "aws:budgets/budget:Budget": {
        property: "name",
        max: 100,
        source: "https://docs.aws.amazon.com/aws-cost-management/latest/APIReference/API_budgets_Budget.html (BudgetName: length 1 to 100, no ':' or '\\')",
    },
    "aws:appautoscaling/policy:Policy": {
        property: "name",
        max: 256,
        source: "https://docs.aws.amazon.com/autoscaling/application/APIReference/API_PutScalingPolicy.html (PolicyName: maximum length of 256)",
    },
};

/**
 * AWS types this program registers that carry no name AWS limits (or whose identifier AWS generates).
 * Listed so that a new type must be put in one table or the other: test/awsNames.test.ts checks it.
 */
export const unnamedTypes: readonly string[] = [
    "aws:appautoscaling/target:Target",
    "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup",
    "aws:ec2/eip:Eip",
    "aws:ec2/internetGateway:InternetGateway",
    "aws:ec2/natGateway:NatGateway",
    "aws:ec2/routeTable:RouteTable",
    "aws:ec2/routeTableAssociation:RouteTableAssociation",
    "aws:ec2/subnet:Subnet",
    "aws:ec2/vpc:Vpc",
    "aws:ec2/vpcEndpoint:VpcEndpoint",
    "aws:ec2/flowLog:FlowLog",
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
    "aws:lb/listener:Listener",
    "aws:lb/listenerRule:ListenerRule",
    "aws:lambda/permission:Permission",
    "aws:lambda/invocation:Invocation",
    "aws:s3/bucketLogging:BucketLogging",
    "aws:wafv2/webAclAssociation:WebAclAssociation",
    "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration",
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
    "aws:s3/bucketPolicy:BucketPolicy",
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    "aws:s3/bucketVersioning:BucketVersioning",
    "aws:secretsmanager/secretVersion:SecretVersion",
    "aws:sns/topicPolicy:TopicPolicy",
    "aws:sns/topicSubscription:TopicSubscription",
];

/** Words shortened first when a name must fit; the rest of the name stays readable. */
const abbreviations: Readonly<Record<string, string>> = {
    production: "prod",
    staging: "stg",
    development: "dev",
    monitoring: "mon",
    infrastructure: "infra",
    deployment: "deploy",
    migration: "migrate",
};

/**
 * A name prefix of at most `max` characters from `name`: first the long words are abbreviated, then
 * middle segments are dropped (the first names the environment, the last the resource), and only then
 * is the text cut. `fraud-production-app-lb-api-a` with room for 16 becomes `fraud-prod-api-a`.
 */
export function shortenName(name: string, max: number): string {
    if (max < 1) throw new Error(`no room for a name prefix of ${name}: ${max} characters`);
    let segments = name.split("-").map((segment) => abbreviations[segment] ?? segment);
    const joined = () => segments.join("-");
    // Drop segments from the middle, keeping the environment (first two) and the resource (last two).
    while (joined().length > max && segments.length > 4) segments = [...segments.slice(0, 2), ...segments.slice(3)];
    return joined().slice(0, max).replace(/-+$/, "");
}

/** `<shortened prefix>-<random>` of at most `max` characters, given the random part's length. */
export function physicalName(max: number, prefix: string, random: string): string {
    return `${shortenName(prefix, max - 1 - random.length)}-${random}`;
}

/** True when the bridge's autoname for this logical name fits the limit. */
export function autonameFits(logicalName: string, limit: NameLimit): boolean {
    return logicalName.length + bridgeAutonameSuffixLength <= limit.max;
}

/**
 * A client-side transformation (engine-side `transforms` are unavailable under the SDK's mocks, see
 * DESIGN.md) applied to every AWS resource through `awsOptions`: a resource whose type has a name limit,
 * whose name property is unset, and whose autoname would not fit gets an explicit name: a shortened
 * prefix and a short random part from `random.RandomString`, renewed whenever the type's replace-on
 * inputs change (so a replacement never collides with the resource it replaces).
 */
export const applyNameLimits: pulumi.ResourceTransformation = (args) => {
    const limit = nameLimits[args.type];
    if (limit === undefined || args.props[limit.property] !== undefined || autonameFits(args.name, limit)) return undefined;
    if (limit.replaceOn === undefined) {
        throw new Error(
            `${args.type} ${args.name}: the autoname would be ${args.name.length + bridgeAutonameSuffixLength} characters, over AWS's ${limit.max}; ` +
                `shorten the component's name or list the type's replace-on inputs in components/aws/naming.ts`,
        );
    }
    const keepers = Object.fromEntries(limit.replaceOn.filter((key) => args.props[key] !== undefined).map((key) => [key, pulumi.output(args.props[key]).apply(String)]));
    const suffix = new random.RandomString(
        `${args.name}-name`,
        { length: explicitRandomLength, upper: false, special: false, keepers },
        { parent: args.opts.parent },
    );
    const name = suffix.result.apply((randomPart) => physicalName(limit.max, args.name, randomPart));
    return { props: { ...args.props, [limit.property]: name }, opts: args.opts };
};
