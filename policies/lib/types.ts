/**
 * Type tokens of the resources the rules inspect. The pack matches tokens rather than importing the provider
 * SDKs: it loads in a fraction of the time and works whichever provider versions a program pins.
 * Both the `lb` and the `alb` module names are the same AWS resource.
 */
export const aws = {
    rdsInstance: "aws:rds/instance:Instance",
    rdsCluster: "aws:rds/cluster:Cluster",
    rdsClusterInstance: "aws:rds/clusterInstance:ClusterInstance",
    docdbCluster: "aws:docdb/cluster:Cluster",
    docdbClusterInstance: "aws:docdb/clusterInstance:ClusterInstance",
    elasticacheCluster: "aws:elasticache/cluster:Cluster",
    serverlessCache: "aws:elasticache/serverlessCache:ServerlessCache",
    memorydbCluster: "aws:memorydb/cluster:Cluster",
    dynamodbTable: "aws:dynamodb/table:Table",
    efsFileSystem: "aws:efs/fileSystem:FileSystem",
    efsBackupPolicy: "aws:efs/backupPolicy:BackupPolicy",
    ebsVolume: "aws:ebs/volume:Volume",
    replicationGroup: "aws:elasticache/replicationGroup:ReplicationGroup",
    bucket: "aws:s3/bucket:Bucket",
    bucketV2: "aws:s3/bucketV2:BucketV2",
    bucketVersioning: "aws:s3/bucketVersioning:BucketVersioning",
    bucketVersioningV2: "aws:s3/bucketVersioningV2:BucketVersioningV2",
    targetGroups: ["aws:lb/targetGroup:TargetGroup", "aws:alb/targetGroup:TargetGroup"],
    loadBalancers: ["aws:lb/loadBalancer:LoadBalancer", "aws:alb/loadBalancer:LoadBalancer"],
    listeners: ["aws:lb/listener:Listener", "aws:alb/listener:Listener"],
    listenerRules: ["aws:lb/listenerRule:ListenerRule", "aws:alb/listenerRule:ListenerRule"],
    ecsService: "aws:ecs/service:Service",
    taskDefinition: "aws:ecs/taskDefinition:TaskDefinition",
    metricAlarm: "aws:cloudwatch/metricAlarm:MetricAlarm",
} as const;

export const digitalocean = {
    databaseCluster: "digitalocean:index/databaseCluster:DatabaseCluster",
    valkeyConfig: "digitalocean:index/databaseValkeyConfig:DatabaseValkeyConfig",
    redisConfig: "digitalocean:index/databaseRedisConfig:DatabaseRedisConfig",
    app: "digitalocean:index/app:App",
    volume: "digitalocean:index/volume:Volume",
    spacesBucket: "digitalocean:index/spacesBucket:SpacesBucket",
    uptimeCheck: "digitalocean:index/uptimeCheck:UptimeCheck",
    uptimeAlert: "digitalocean:index/uptimeAlert:UptimeAlert",
} as const;

export const docker = {
    container: "docker:index/container:Container",
    remoteImage: "docker:index/remoteImage:RemoteImage",
    volume: "docker:index/volume:Volume",
} as const;
