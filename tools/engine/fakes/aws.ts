import type { MockResourceArgs } from "@pulumi/pulumi/runtime/mocks";

const account = "123456789012";
const region = "us-east-1";

/** A short, stable, name-derived token standing in for the random parts AWS puts in ids. */
function token(name: string, length = 8): string {
    let hash = 2166136261;
    for (const char of name) hash = Math.imul(hash ^ char.charCodeAt(0), 16777619) >>> 0;
    return hash.toString(16).padStart(8, "0").slice(0, length);
}

/** What an autonamed resource's name would be: the Pulumi name plus a random-looking suffix. */
function autoname(args: MockResourceArgs, key = "name"): string {
    const given = args.inputs[key];
    return typeof given === "string" ? given : `${args.name}-${token(args.name, 7)}`;
}

/**
 * Outputs the AWS provider computes (ARNs, endpoints, DNS names, autonamed names), faked for an
 * update run of the emulated engine so tests can follow them into what consumes them.
 */
export function awsOutputs(args: MockResourceArgs): Record<string, unknown> {
    switch (args.type) {
        case "aws:rds/instance:Instance": {
            const identifier = autoname(args, "identifier").toLowerCase();
            const address = `${identifier}.c${token(identifier, 10)}.${region}.rds.amazonaws.com`;
            return {
                identifier,
                address,
                endpoint: `${address}:${args.inputs.port ?? 5432}`,
                port: args.inputs.port ?? 5432,
                arn: `arn:aws:rds:${region}:${account}:db:${identifier}`,
                resourceId: `db-${token(identifier, 8).toUpperCase()}`,
            };
        }
        case "aws:rds/subnetGroup:SubnetGroup":
        case "aws:rds/parameterGroup:ParameterGroup":
        case "aws:elasticache/subnetGroup:SubnetGroup":
        case "aws:elasticache/parameterGroup:ParameterGroup":
            // Lower-case, as RDS and ElastiCache store these names.
            return { name: autoname(args).toLowerCase() };
        case "aws:rds/snapshot:Snapshot":
            return { dbSnapshotArn: `arn:aws:rds:${region}:${account}:snapshot:${String(args.inputs.dbSnapshotIdentifier)}` };
        case "aws:elasticache/replicationGroup:ReplicationGroup": {
            const id = autoname(args, "replicationGroupId").toLowerCase();
            const count = typeof args.inputs.numCacheClusters === "number" ? args.inputs.numCacheClusters : 1;
            return {
                id,
                replicationGroupId: id,
                arn: `arn:aws:elasticache:${region}:${account}:replicationgroup:${id}`,
                primaryEndpointAddress: `master.${id}.${token(id, 6)}.use1.cache.amazonaws.com`,
                readerEndpointAddress: `replica.${id}.${token(id, 6)}.use1.cache.amazonaws.com`,
                memberClusters: Array.from({ length: count }, (_, index) => `${id}-${String(index + 1).padStart(3, "0")}`),
            };
        }
        case "aws:lb/loadBalancer:LoadBalancer": {
            const name = autoname(args);
            const suffix = `app/${name}/${token(name, 16)}`;
            return {
                name,
                arn: `arn:aws:elasticloadbalancing:${region}:${account}:loadbalancer/${suffix}`,
                arnSuffix: suffix,
                dnsName: `${name}-${token(name, 9)}.${region}.elb.amazonaws.com`,
                zoneId: "Z35SXDOTRQ7X7K",
            };
        }
        case "aws:lb/targetGroup:TargetGroup": {
            const name = autoname(args);
            const suffix = `targetgroup/${name}/${token(name, 16)}`;
            return { name, arn: `arn:aws:elasticloadbalancing:${region}:${account}:${suffix}`, arnSuffix: suffix };
        }
        case "aws:lb/listener:Listener":
        case "aws:lb/listenerRule:ListenerRule":
            return { arn: `arn:aws:elasticloadbalancing:${region}:${account}:listener/app/${args.name}/${token(args.name, 16)}` };
        case "aws:secretsmanager/secret:Secret": {
            const name = autoname(args);
            return { name, arn: `arn:aws:secretsmanager:${region}:${account}:secret:${name}-${token(name, 6)}` };
        }
        case "aws:s3/bucket:Bucket": {
            const bucket = typeof args.inputs.bucket === "string" ? args.inputs.bucket : `${args.name}-${token(args.name, 7)}`;
            return { bucket, arn: `arn:aws:s3:::${bucket}`, bucketDomainName: `${bucket}.s3.amazonaws.com` };
        }
        case "aws:iam/role:Role": {
            const name = autoname(args);
            return { name, arn: `arn:aws:iam::${account}:role/${name}`, uniqueId: `AROA${token(name, 16).toUpperCase()}` };
        }
        case "aws:ecs/cluster:Cluster": {
            const name = autoname(args);
            return { name, arn: `arn:aws:ecs:${region}:${account}:cluster/${name}` };
        }
        case "aws:ecs/service:Service":
            return { name: autoname(args) };
        case "aws:ecs/taskDefinition:TaskDefinition":
            return {
                arn: `arn:aws:ecs:${region}:${account}:task-definition/${String(args.inputs.family)}:1`,
                arnWithoutRevision: `arn:aws:ecs:${region}:${account}:task-definition/${String(args.inputs.family)}`,
                revision: 1,
            };
        case "aws:cloudwatch/logGroup:LogGroup": {
            const name = autoname(args);
            return { name, arn: `arn:aws:logs:${region}:${account}:log-group:${name}` };
        }
        case "aws:cloudwatch/metricAlarm:MetricAlarm": {
            const name = autoname(args);
            return { name, arn: `arn:aws:cloudwatch:${region}:${account}:alarm:${name}` };
        }
        case "aws:sns/topic:Topic": {
            const name = autoname(args);
            return { name, arn: `arn:aws:sns:${region}:${account}:${name}` };
        }
        case "aws:servicediscovery/httpNamespace:HttpNamespace":
            return { arn: `arn:aws:servicediscovery:${region}:${account}:namespace/ns-${token(args.name, 16)}` };
        case "aws:cloudwatch/eventRule:EventRule": {
            const name = autoname(args);
            return { name, arn: `arn:aws:events:${region}:${account}:rule/${name}` };
        }
        case "aws:lambda/function:Function": {
            const name = autoname(args);
            return { name, arn: `arn:aws:lambda:${region}:${account}:function:${name}` };
        }
        case "aws:wafv2/webAcl:WebAcl": {
            const name = autoname(args);
            const id = `${token(name, 8)}-${token(`${name}-id`, 4)}`;
            return { name, id, arn: `arn:aws:wafv2:${region}:${account}:regional/webacl/${name}/${id}`, capacity: 1000 };
        }
        case "aws:ec2/flowLog:FlowLog":
            return { arn: `arn:aws:ec2:${region}:${account}:vpc-flow-log/fl-${token(args.name, 17)}` };
        case "aws:budgets/budget:Budget": {
            const name = autoname(args);
            return { name, arn: `arn:aws:budgets::${account}:budget/${name}` };
        }
        case "aws:cloudwatch/dashboard:Dashboard":
            return { dashboardArn: `arn:aws:cloudwatch::${account}:dashboard/${String(args.inputs.dashboardName)}` };
        default:
            return {};
    }
}
