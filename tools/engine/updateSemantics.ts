/**
 * How each resource type behaves on an update, as data: which input changes replace the resource (the
 * provider's replace-on-change properties: Terraform `ForceNew`), which properties the provider does not
 * read back after create (so the next diff always sees them change), which collections are sets (order
 * does not matter, and positional `ignoreChanges` paths into them do nothing: pulumi-terraform-bridge#1756),
 * and which `customTimeouts` the resource declares (others are ignored with a warning: the bridge's
 * pkg/tfshim/sdk-v2/provider2.go configWithTimeouts/warnIgnoredCustomTimeouts).
 *
 * Paths use Pulumi's property names; `[*]` stands for every element of a list or set.
 */

export type TimeoutKind = "create" | "update" | "delete";

export interface UpdateSemantics {
    /** Top-level input properties whose change replaces the resource; `"*"`: any change replaces. */
    replaceOn: readonly string[];
    /** Paths the provider does not read back: absent from the state after create or update. */
    notReadBack?: readonly string[];
    /**
     * Paths of environment-variable lists whose `SECRET` entries the API returns encrypted (`EV[…]`), so
     * the state never holds the value the program sends.
     */
    secretEnvsReadBackEncrypted?: readonly string[];
    /** Paths of set-typed collections. */
    sets?: readonly string[];
    /** The custom timeouts the resource declares; undefined: not modelled (no warning). */
    timeouts?: readonly TimeoutKind[];
    /**
     * Properties that replace the resource only for some changes (the provider's CustomizeDiff `ForceNewIf`),
     * with the test on the old and the new value.
     */
    replaceWhen?: Readonly<Record<string, (oldValue: unknown, newValue: unknown) => boolean>>;
    source: string;
}

/** `7.1` < `7.2` < `16.4`: numeric, part by part; undefined when either is not a version. */
function versionDowngrade(oldValue: unknown, newValue: unknown): boolean {
    if (typeof oldValue !== "string" || typeof newValue !== "string") return false;
    const parts = (v: string) => v.split(".").map((n) => Number.parseInt(n, 10));
    const [a, b] = [parts(oldValue), parts(newValue)];
    if ([...a, ...b].some(Number.isNaN)) return false;
    for (let i = 0; i < Math.min(a.length, b.length); i += 1) if (a[i] !== b[i]) return b[i] < a[i];
    return false;
}

const tf = (path: string) => `hashicorp/terraform-provider-aws ${path} (ForceNew attributes)`;
const doTf = (path: string) => `digitalocean/terraform-provider-digitalocean ${path}`;
const all: readonly TimeoutKind[] = ["create", "update", "delete"];

const appComponents = ["services", "workers", "jobs", "staticSites", "functions"];

export const updateSemantics: Readonly<Record<string, UpdateSemantics>> = {
    "random:index/randomPassword:RandomPassword": { replaceOn: ["*"], source: "hashicorp/terraform-provider-random internal/provider/resource_password.go (every attribute RequiresReplace)" },
    "random:index/randomString:RandomString": { replaceOn: ["*"], source: "hashicorp/terraform-provider-random internal/provider/resource_string.go (every attribute RequiresReplace)" },
    // Every argument of a key replaces it; a certificate is replaced on any subject, use or validity change, and read
    // back once it is in its early-renewal window (ready_for_renewal), which a real `pulumi up` turns into a replacement.
    "tls:index/privateKey:PrivateKey": { replaceOn: ["*"], source: "hashicorp/terraform-provider-tls internal/provider/resource_private_key.go (algorithm, rsa_bits, ecdsa_curve: RequiresReplace)" },
    "tls:index/selfSignedCert:SelfSignedCert": {
        replaceOn: ["privateKeyPem", "validityPeriodHours", "allowedUses", "dnsNames", "ipAddresses", "uris", "subject", "isCaCertificate", "maxPathLength", "setSubjectKeyId", "setAuthorityKeyId"],
        source: "hashicorp/terraform-provider-tls internal/provider/resource_self_signed_cert.go (RequiresReplace plan modifiers; early_renewal_hours updates in place)",
    },
    "random:index/randomId:RandomId": { replaceOn: ["*"], source: "hashicorp/terraform-provider-random internal/provider/resource_id.go (every attribute RequiresReplace)" },

    "aws:ec2/vpc:Vpc": { replaceOn: ["cidrBlock", "instanceTenancy", "ipv4IpamPoolId"], source: tf("internal/service/ec2/vpc_.go") },
    "aws:ec2/subnet:Subnet": { replaceOn: ["vpcId", "cidrBlock", "availabilityZone", "availabilityZoneId", "outpostArn"], source: tf("internal/service/ec2/vpc_subnet.go") },
    "aws:ec2/eip:Eip": { replaceOn: ["domain", "address", "publicIpv4Pool", "networkBorderGroup"], timeouts: ["update", "delete"], source: tf("internal/service/ec2/ec2_eip.go") },
    "aws:ec2/internetGateway:InternetGateway": { replaceOn: [], timeouts: all, source: tf("internal/service/ec2/vpc_internet_gateway.go") },
    "aws:ec2/natGateway:NatGateway": { replaceOn: ["allocationId", "subnetId", "connectivityType", "privateIp"], timeouts: all, source: tf("internal/service/ec2/vpc_nat_gateway.go") },
    "aws:ec2/routeTable:RouteTable": { replaceOn: ["vpcId"], sets: ["routes", "propagatingVgws"], timeouts: all, source: tf("internal/service/ec2/vpc_route_table.go") },
    "aws:ec2/routeTableAssociation:RouteTableAssociation": { replaceOn: ["subnetId", "gatewayId"], source: tf("internal/service/ec2/vpc_route_table_association.go") },
    "aws:ec2/vpcEndpoint:VpcEndpoint": { replaceOn: ["serviceName", "vpcId", "vpcEndpointType", "serviceRegion"], sets: ["subnetIds", "securityGroupIds", "routeTableIds"], timeouts: all, source: tf("internal/service/ec2/vpc_endpoint.go") },
    "aws:ec2/securityGroup:SecurityGroup": { replaceOn: ["name", "namePrefix", "description", "vpcId"], sets: ["ingress", "egress"], timeouts: ["create", "delete"], source: tf("internal/service/ec2/vpc_security_group.go") },
    "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": { replaceOn: ["vpcId"], sets: ["ingress", "egress"], source: tf("internal/service/ec2/vpc_default_security_group.go") },
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": { replaceOn: ["securityGroupId"], source: tf("internal/service/ec2/vpc_security_group_ingress_rule.go (security_group_id RequiresReplace)") },
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": { replaceOn: ["securityGroupId"], source: tf("internal/service/ec2/vpc_security_group_egress_rule.go (security_group_id RequiresReplace)") },

    "aws:rds/parameterGroup:ParameterGroup": { replaceOn: ["name", "namePrefix", "family", "description"], sets: ["parameters"], source: tf("internal/service/rds/parameter_group.go") },
    "aws:rds/subnetGroup:SubnetGroup": { replaceOn: ["name", "namePrefix"], sets: ["subnetIds"], source: tf("internal/service/rds/subnet_group.go") },
    "aws:rds/instance:Instance": {
        replaceOn: ["availabilityZone", "characterSetName", "dbName", "kmsKeyId", "ncharCharacterSetName", "restoreToPointInTime", "s3Import", "snapshotIdentifier", "storageEncrypted", "timezone", "username", "customIamInstanceProfile"],
        sets: ["vpcSecurityGroupIds", "enabledCloudwatchLogsExports"],
        timeouts: all,
        source: tf("internal/service/rds/instance.go"),
    },
    "aws:rds/snapshot:Snapshot": { replaceOn: ["dbInstanceIdentifier", "dbSnapshotIdentifier"], timeouts: ["create"], source: tf("internal/service/rds/snapshot.go") },
    "aws:elasticache/parameterGroup:ParameterGroup": { replaceOn: ["name", "family", "description"], sets: ["parameters"], source: tf("internal/service/elasticache/parameter_group.go") },
    "aws:elasticache/subnetGroup:SubnetGroup": { replaceOn: ["name"], sets: ["subnetIds"], source: tf("internal/service/elasticache/subnet_group.go") },
    "aws:elasticache/replicationGroup:ReplicationGroup": {
        replaceOn: ["replicationGroupId", "atRestEncryptionEnabled", "kmsKeyId", "port", "subnetGroupName", "snapshotArns", "snapshotName", "preferredCacheClusterAzs", "dataTieringEnabled", "networkType", "securityGroupNames", "globalReplicationGroupId"],
        // CustomizeDiff customizeDiffEngineForceNewOnDowngrade and customizeDiffEngineVersionForceNewOnDowngrade:
        // Redis OSS → Valkey and version upgrades modify the group in place; the way back replaces it.
        replaceWhen: {
            engine: (oldValue, newValue) => oldValue === "valkey" && newValue === "redis",
            engineVersion: versionDowngrade,
        },
        sets: ["securityGroupIds", "securityGroupNames", "logDeliveryConfigurations"],
        timeouts: all,
        source: tf("internal/service/elasticache/replication_group.go"),
    },
    "aws:secretsmanager/secret:Secret": { replaceOn: ["name", "namePrefix"], sets: ["replicas"], source: tf("internal/service/secretsmanager/secret.go") },
    "aws:secretsmanager/secretVersion:SecretVersion": { replaceOn: ["secretId", "secretBinary"], sets: ["versionStages"], source: tf("internal/service/secretsmanager/secret_version.go") },
    "aws:s3/bucket:Bucket": { replaceOn: ["bucket", "bucketPrefix", "objectLockEnabled"], timeouts: all, source: tf("internal/service/s3/bucket.go") },
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls": { replaceOn: ["bucket"], source: tf("internal/service/s3/bucket_ownership_controls.go") },
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": { replaceOn: ["bucket"], source: tf("internal/service/s3/bucket_public_access_block.go") },
    "aws:s3/bucketVersioning:BucketVersioning": { replaceOn: ["bucket", "expectedBucketOwner"], source: tf("internal/service/s3/bucket_versioning.go") },
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": { replaceOn: ["bucket", "expectedBucketOwner"], sets: ["rules"], source: tf("internal/service/s3/bucket_server_side_encryption_configuration.go") },
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": { replaceOn: ["bucket", "expectedBucketOwner"], source: tf("internal/service/s3/bucket_lifecycle_configuration.go") },
    "aws:s3/bucketPolicy:BucketPolicy": { replaceOn: ["bucket"], source: tf("internal/service/s3/bucket_policy.go") },

    "aws:iam/role:Role": { replaceOn: ["name", "namePrefix", "path"], sets: ["managedPolicyArns", "inlinePolicies"], source: tf("internal/service/iam/role.go") },
    "aws:iam/rolePolicy:RolePolicy": { replaceOn: ["name", "namePrefix", "role"], source: tf("internal/service/iam/role_policy.go") },
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": { replaceOn: ["role", "policyArn"], source: tf("internal/service/iam/role_policy_attachment.go") },

    "aws:ecs/cluster:Cluster": { replaceOn: ["name"], sets: ["settings"], source: tf("internal/service/ecs/cluster.go") },
    // Every argument of a task definition but tags forces a new revision.
    "aws:ecs/taskDefinition:TaskDefinition": {
        replaceOn: ["containerDefinitions", "family", "cpu", "memory", "networkMode", "executionRoleArn", "taskRoleArn", "requiresCompatibilities", "runtimePlatform", "volumes", "ephemeralStorage", "pidMode", "ipcMode", "placementConstraints", "proxyConfiguration", "inferenceAccelerators", "enableFaultInjection"],
        sets: ["volumes", "placementConstraints", "requiresCompatibilities", "inferenceAccelerators"],
        source: tf("internal/service/ecs/task_definition.go"),
    },
    "aws:ecs/service:Service": {
        replaceOn: ["name", "cluster", "launchType", "schedulingStrategy", "iamRole", "deploymentController"],
        sets: ["loadBalancers", "networkConfiguration.securityGroups", "networkConfiguration.subnets", "serviceRegistries", "capacityProviderStrategies", "placementConstraints"],
        timeouts: all,
        source: tf("internal/service/ecs/service.go"),
    },
    "aws:lb/loadBalancer:LoadBalancer": { replaceOn: ["name", "namePrefix", "internal", "loadBalancerType", "customerOwnedIpv4Pool"], sets: ["securityGroups", "subnets", "subnetMappings"], timeouts: all, source: tf("internal/service/elbv2/load_balancer.go") },
    "aws:lb/targetGroup:TargetGroup": { replaceOn: ["name", "namePrefix", "port", "protocol", "protocolVersion", "targetType", "vpcId", "ipAddressType", "targetControlPort"], source: tf("internal/service/elbv2/target_group.go") },
    "aws:lb/listener:Listener": { replaceOn: ["loadBalancerArn"], timeouts: ["create", "update"], source: tf("internal/service/elbv2/listener.go") },
    "aws:lb/listenerRule:ListenerRule": { replaceOn: ["listenerArn"], sets: ["conditions"], source: tf("internal/service/elbv2/listener_rule.go") },
    "aws:servicediscovery/httpNamespace:HttpNamespace": { replaceOn: ["name"], source: tf("internal/service/servicediscovery/http_namespace.go") },
    "aws:appautoscaling/target:Target": { replaceOn: ["resourceId", "scalableDimension", "serviceNamespace"], source: tf("internal/service/appautoscaling/target.go") },
    "aws:appautoscaling/policy:Policy": { replaceOn: ["name", "resourceId", "scalableDimension", "serviceNamespace"], source: tf("internal/service/appautoscaling/policy.go") },
    "aws:cloudwatch/logGroup:LogGroup": { replaceOn: ["name", "namePrefix", "logGroupClass"], source: tf("internal/service/logs/group.go") },
    "aws:cloudwatch/metricAlarm:MetricAlarm": { replaceOn: ["name"], sets: ["alarmActions", "okActions", "insufficientDataActions", "metricQueries"], source: tf("internal/service/cloudwatch/metric_alarm.go") },
    "aws:cloudwatch/dashboard:Dashboard": { replaceOn: ["dashboardName"], source: tf("internal/service/cloudwatch/dashboard.go") },
    "aws:cloudwatch/eventRule:EventRule": { replaceOn: ["name", "namePrefix", "eventBusName"], source: tf("internal/service/events/rule.go") },
    "aws:cloudwatch/eventTarget:EventTarget": { replaceOn: ["rule", "targetId", "eventBusName"], source: tf("internal/service/events/target.go") },
    "aws:lambda/invocation:Invocation": {
        // With the default lifecycle_scope CREATE_ONLY, a changed input forces a new invocation (CustomizeDiff).
        replaceOn: ["functionName", "qualifier", "triggers", "input"],
        source: tf("internal/service/lambda/invocation.go (function_name, qualifier, triggers ForceNew; input by customizeDiff in CREATE_ONLY scope)"),
    },
    "aws:wafv2/webAcl:WebAcl": { replaceOn: ["name", "namePrefix", "scope"], sets: ["rules"], source: tf("internal/service/wafv2/web_acl.go") },
    "aws:wafv2/webAclAssociation:WebAclAssociation": { replaceOn: ["resourceArn", "webAclArn"], timeouts: ["create"], source: tf("internal/service/wafv2/web_acl_association.go") },
    "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration": { replaceOn: ["resourceArn"], sets: ["logDestinationConfigs", "redactedFields"], source: tf("internal/service/wafv2/web_acl_logging_configuration.go") },
    "aws:ec2/flowLog:FlowLog": {
        replaceOn: ["deliverCrossAccountRole", "destinationOptions", "eniId", "iamRoleArn", "logDestination", "logDestinationType", "logFormat", "maxAggregationInterval", "regionalNatGatewayId", "subnetId", "trafficType", "transitGatewayAttachmentId", "transitGatewayId", "vpcId"],
        timeouts: [],
        source: tf("internal/service/ec2/vpc_flow_log.go (every argument but tags ForceNew; no timeouts)"),
    },
    "aws:s3/bucketLogging:BucketLogging": { replaceOn: ["bucket", "expectedBucketOwner"], sets: ["targetGrants"], timeouts: [], source: tf("internal/service/s3/bucket_logging.go") },
    "aws:budgets/budget:Budget": { replaceOn: ["name", "namePrefix", "accountId"], sets: ["notifications", "costFilters"], source: tf("internal/service/budgets/budget.go") },
    "aws:lambda/function:Function": { replaceOn: ["name", "packageType"], timeouts: all, source: tf("internal/service/lambda/function.go") },
    "aws:sns/topic:Topic": { replaceOn: ["name", "namePrefix", "fifoTopic"], source: tf("internal/service/sns/topic.go") },
    "aws:sns/topicPolicy:TopicPolicy": { replaceOn: ["arn"], source: tf("internal/service/sns/topic_policy.go") },
    "aws:sns/topicSubscription:TopicSubscription": { replaceOn: ["topic", "protocol", "endpoint"], source: tf("internal/service/sns/topic_subscription.go") },

    "digitalocean:index/vpc:Vpc": { replaceOn: ["region", "ipRange"], timeouts: ["delete"], source: doTf("digitalocean/vpc/resource_vpc.go") },
    // Only create declares a timeout: digitalocean/database/resource_database_cluster.go (Timeouts: Create).
    "digitalocean:index/databaseCluster:DatabaseCluster": { replaceOn: ["name", "engine", "privateNetworkUuid", "projectId"], sets: ["tags"], timeouts: ["create"], source: doTf("digitalocean/database/resource_database_cluster.go") },
    "digitalocean:index/databaseDb:DatabaseDb": { replaceOn: ["clusterId", "name"], source: doTf("digitalocean/database/resource_database_db.go") },
    "digitalocean:index/databaseUser:DatabaseUser": { replaceOn: ["clusterId", "name"], source: doTf("digitalocean/database/resource_database_user.go") },
    "digitalocean:index/databaseValkeyConfig:DatabaseValkeyConfig": { replaceOn: ["clusterId"], source: doTf("digitalocean/database/resource_database_valkey_config.go") },
    "digitalocean:index/databaseConnectionPool:DatabaseConnectionPool": { replaceOn: ["*"], source: doTf("digitalocean/database/resource_database_connection_pool.go (every argument ForceNew)") },
    "digitalocean:index/databaseFirewall:DatabaseFirewall": { replaceOn: ["clusterId"], sets: ["rules"], source: doTf("digitalocean/database/resource_database_firewall.go") },
    "digitalocean:index/app:App": {
        replaceOn: [],
        // The API does not return alert destinations; flattenAppAlerts writes alerts without them.
        // Source: digitalocean/app/app_spec.go flattenAppAlerts.
        notReadBack: ["spec.alerts[*].destinations", ...appComponents.map((c) => `spec.${c}[*].alerts[*].destinations`)],
        // flattenAppEnvs stores the value the API returns, and the API returns SECRET values encrypted.
        // Source: digitalocean/app/app_spec.go flattenAppEnvs;
        // https://docs.digitalocean.com/products/app-platform/how-to/use-environment-variables/ (encrypted values show as EV[…]).
        secretEnvsReadBackEncrypted: ["spec.envs", ...appComponents.map((c) => `spec.${c}[*].envs`)],
        // Source: digitalocean/app/app_spec.go ("env": TypeSet; alertDestinationsSchema: TypeSet).
        sets: ["spec.envs", ...appComponents.map((c) => `spec.${c}[*].envs`)],
        timeouts: ["create"],
        source: doTf("digitalocean/app/resource_app.go (Timeouts: Create only), digitalocean/app/app_spec.go"),
    },
    "digitalocean:index/project:Project": { replaceOn: [], sets: ["resources"], source: doTf("digitalocean/project/resource_project.go") },
    "digitalocean:index/uptimeCheck:UptimeCheck": { replaceOn: [], sets: ["regions"], source: doTf("digitalocean/uptime/resource_uptime_check.go") },
    "digitalocean:index/monitorAlert:MonitorAlert": { replaceOn: [], sets: ["entities", "tags"], source: doTf("digitalocean/monitoring/resource_monitor_alert.go") },
    "digitalocean:index/uptimeAlert:UptimeAlert": { replaceOn: ["checkId"], source: doTf("digitalocean/uptime/resource_uptime_alert.go") },

    // A container is replaced on nearly any change. Source: kreuzwerker/terraform-provider-docker internal/provider/resource_docker_container.go (ForceNew on all but restart/resources limits).
    "docker:index/container:Container": { replaceOn: ["*"], sets: ["envs", "mounts", "networksAdvanced", "labels", "uploads", "volumes"], timeouts: ["create", "delete"], source: "kreuzwerker/terraform-provider-docker internal/provider/resource_docker_container.go" },
    "docker:index/network:Network": { replaceOn: ["*"], sets: ["labels", "ipamConfigs"], source: "kreuzwerker/terraform-provider-docker internal/provider/resource_docker_network.go" },
    "docker:index/volume:Volume": { replaceOn: ["*"], sets: ["labels"], source: "kreuzwerker/terraform-provider-docker internal/provider/resource_docker_volume.go" },
    "docker:index/remoteImage:RemoteImage": { replaceOn: ["name", "pullTriggers", "triggers", "build"], source: "kreuzwerker/terraform-provider-docker internal/provider/resource_docker_image.go" },
};

export function semanticsOf(type: string): UpdateSemantics | undefined {
    return updateSemantics[type];
}

/** The custom timeouts a registration sets that its resource does not declare: the bridge ignores them with a warning. */
export function ignoredTimeouts(type: string, timeouts: { create: string; update: string; delete: string } | undefined): TimeoutKind[] {
    const declared = updateSemantics[type]?.timeouts;
    if (!timeouts || !declared) return [];
    return (["create", "update", "delete"] as const).filter((kind) => timeouts[kind] !== "" && !declared.includes(kind));
}
