/**
 * Seed 001's production sizing (the deployment guide's Terraform, /work/shared/seeds/001_*.txt, "Production
 * Infrastructure" and "Caching Strategy"), applied to a stack's registered resources so the cost model can
 * price the same lines at that sizing beside the stack's own. Kept as data: the seed is a document, not
 * part of the repository, and its sizing does not change with the program.
 */
import { inputSource, numberInput, stringInput, type ReportResource } from "./types";
import { serviceName } from "./cost";

export const seed001Sizing = {
    /**
     * module "ecs_cluster": services api 512/1024 ×3, worker 256/512 ×2, ml_service 1024/2048 ×2. The seed sets
     * no runtime platform (and builds its images from `php:8.2-fpm-alpine` without `--platform`), so its tasks run
     * on ECS's default, Linux X86_64: the RegisterTaskDefinition API leaves `runtimePlatform` optional and
     * Fargate then runs X86_64 (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_definition_parameters.html#runtime-platform).
     */
    taskCpuArchitecture: "X86_64",
    services: {
        api: { cpu: 512, memory: 1024, count: 3 },
        worker: { cpu: 256, memory: 512, count: 2 },
        ml: { cpu: 1024, memory: 2048, count: 2 },
    } as Record<string, { cpu: number; memory: number; count: number }>,
    /** module "rds": instance_class db.r5.large, multi_az true, backup_retention 7. */
    database: { instanceClass: "db.r5.large", multiAz: true },
    /** aws elasticache create-replication-group --num-cache-clusters 3 --cache-node-type cache.r6g.large. */
    cache: { nodeType: "cache.r6g.large", numCacheClusters: 3 },
};

/** The resources as they would be at seed 001's sizing; everything the seed does not size is unchanged. */
export function atSeed001Sizing(resources: ReportResource[]): ReportResource[] {
    const taskSizes = new Map<string, { cpu: number; memory: number }>();
    const byUrn = new Map(resources.map((r) => [r.urn, r]));
    const resized = resources.map((r) => {
        const inputs = { ...r.inputs };
        switch (r.type) {
            case "aws:ecs/service:Service": {
                const size = seed001Sizing.services[serviceName(r.name)];
                if (size) {
                    inputs.desiredCount = size.count;
                    const task = inputSource(r, "taskDefinition", "aws:ecs/taskDefinition:TaskDefinition", byUrn);
                    if (task) taskSizes.set(task.urn, size);
                }
                break;
            }
            case "aws:rds/instance:Instance":
                inputs.instanceClass = seed001Sizing.database.instanceClass;
                inputs.multiAz = seed001Sizing.database.multiAz;
                break;
            case "aws:elasticache/replicationGroup:ReplicationGroup":
                inputs.nodeType = seed001Sizing.cache.nodeType;
                inputs.numCacheClusters = seed001Sizing.cache.numCacheClusters;
                // Seed 001 runs Redis 7 (ElastiCache for Redis OSS), whatever engine the stack chose.
                inputs.engine = "redis";
                delete inputs.numNodeGroups;
                delete inputs.replicasPerNodeGroup;
                break;
        }
        return { ...r, inputs };
    });
    return resized.map((r) => {
        const size = taskSizes.get(r.urn);
        if (!size || r.type !== "aws:ecs/taskDefinition:TaskDefinition") return r;
        const runtimePlatform = { operatingSystemFamily: "LINUX", cpuArchitecture: seed001Sizing.taskCpuArchitecture };
        return { ...r, inputs: { ...r.inputs, cpu: String(size.cpu), memory: String(size.memory), runtimePlatform } };
    });
}

/** Whether the seed's sizing applies: an AWS stack with ECS services (seed 001 is an AWS guide). */
export function seed001Applies(resources: ReportResource[]): boolean {
    return resources.some((r) => r.type === "aws:ecs/service:Service" && numberInput(r.inputs.desiredCount) !== undefined && stringInput(r.name) !== undefined);
}
