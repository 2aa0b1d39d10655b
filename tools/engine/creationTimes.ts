/**
 * Typical creation times per resource type, for the first-deploy model (deployTime.ts) and the report
 * (tools/report). Typical means the median a team sees, not the provider's timeout. Each figure names what
 * it rests on: a measured creation (provider issue threads and acceptance-test logs), the provider's own
 * wait (it returns only once the resource is usable), or, where nothing was found, an estimate marked as
 * such. Some depend on the resource's inputs (Multi-AZ, health-check grace periods, container start
 * periods, App Platform jobs), so a rule may be a function of them. Types not listed are an API call or two
 * ({@link quickCreation}).
 */
import { isRecord, plain } from "./values";

export interface CreationTime {
    seconds: number;
    /** Why this figure: a document, or what the figure is made of. */
    source: string;
}

/** A fixed time for the type, or one computed from the resource's inputs (plain values: no secret markers). */
export type CreationRule = CreationTime | ((inputs: Record<string, unknown>) => CreationTime);

/** What a rule needs of a resource. */
export interface TimedResource {
    type: string;
    /** Inputs as registered (wire markers allowed); absent: the type's figure for default inputs. */
    inputs?: Record<string, unknown>;
}

const minutes = (n: number) => Math.round(n * 60);

const rdsMeasured = "hashicorp/terraform#498: an RDS instance took 5-10 min Single-AZ and 15-20 min Multi-AZ to become available (RDS creates the primary, then the standby from a snapshot and syncs it)";
const rdsTimeout = "provider create timeout 40 m: terraform-provider-aws internal/service/rds/instance.go";
const elasticacheMeasured =
    "hashicorp/terraform#8275: TestAccAWSElasticacheCluster_basic took 395 s; hashicorp/terraform-provider-aws#2048: a Multi-AZ replication group in a VPC took over 40 min once; 15 min taken as typical for a replicated group (primary, then replicas). Provider create timeout 60 m: terraform-provider-aws internal/service/elasticache/replication_group.go";

function numberOf(value: unknown): number | undefined {
    if (typeof value === "number" && Number.isFinite(value)) return value;
    if (typeof value === "string" && value.trim() !== "" && Number.isFinite(Number(value))) return Number(value);
    return undefined;
}

/** `"30s"`, `"1m"`, `"500ms"` (Docker's duration strings) in seconds; 0 when absent or unreadable. */
function durationSeconds(value: unknown): number {
    if (typeof value !== "string") return 0;
    const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(value);
    if (!match) return 0;
    const n = Number(match[1]);
    return ({ ms: n / 1000, s: n, m: n * 60, h: n * 3600 } as Record<string, number>)[match[2]] ?? 0;
}

/**
 * The one creation-time table: per type, a figure or a rule over the inputs. The deploy-time model and the
 * report both read it through {@link creationTime}; tests may pass a filtered copy.
 */
export const typicalCreationTimes: Readonly<Record<string, CreationRule>> = {
    // Reconciled: issue 9 had 15 min for Multi-AZ with only the provider timeout as a source; the measured
    // thread gives 15-20 min Multi-AZ and 5-10 min Single-AZ, and the model takes the upper end of each.
    "aws:rds/instance:Instance": (inputs) =>
        inputs.multiAz === true ? { seconds: minutes(20), source: `Multi-AZ: ${rdsMeasured}; ${rdsTimeout}` } : { seconds: minutes(10), source: `Single-AZ: ${rdsMeasured}; ${rdsTimeout}` },
    // Reconciled: issue 9 had 12 min (10-15, unsourced); the measured acceptance runs above give 15.
    "aws:elasticache/replicationGroup:ReplicationGroup": { seconds: minutes(15), source: elasticacheMeasured },
    "aws:rds/snapshot:Snapshot": {
        seconds: minutes(5),
        source: "estimate (no measured source found): a manual snapshot of a small instance; the provider waits until it is available (terraform-provider-aws internal/service/rds/snapshot.go, create timeout 20 m)",
    },
    "aws:lb/loadBalancer:LoadBalancer": {
        seconds: minutes(3),
        source: "hashicorp/terraform#24799: an ALB takes no more than 5 min on most runs (rarely up to 30); kubernetes/kubernetes#44695: over 2 min is normal for a new ELB; 3 min taken as typical. The provider waits for active (terraform-provider-aws internal/service/elbv2/load_balancer.go, waitLoadBalancerActive)",
    },
    // Reconciled: issue 9 had 2 min from the provider's wait alone; the measured threads give 3 min or more.
    "aws:ec2/natGateway:NatGateway": {
        seconds: minutes(3),
        source: "kubernetes/kops#944: a NAT gateway takes up to 5-10 min from pending to available; hashicorp/terraform#8687 shows one still creating at 3m40s; 3 min taken as typical. The provider waits for available (terraform-provider-aws internal/service/ec2/vpc_nat_gateway.go)",
    },
    "aws:ec2/vpcEndpoint:VpcEndpoint": (inputs) =>
        inputs.vpcEndpointType === "Interface"
            ? {
                  seconds: minutes(2),
                  source: "estimate (no measured source found): an interface endpoint provisions a network interface per zone; the provider waits for available (terraform-provider-aws internal/service/ec2/vpc_endpoint.go, waitVPCEndpointAvailable)",
              }
            : { seconds: 10, source: "gateway endpoint: route-table entries only, available in seconds (estimate)" },
    "aws:servicediscovery/httpNamespace:HttpNamespace": {
        seconds: 60,
        source: "Cloud Map creates namespaces asynchronously; the provider polls the operation (terraform-provider-aws internal/service/servicediscovery/http_namespace.go)",
    },
    "aws:ecs/service:Service": (inputs) => {
        // With waitForSteadyState the create returns once the tasks are healthy, after the grace period.
        const grace = numberOf(inputs.healthCheckGracePeriodSeconds) ?? 0;
        return {
            seconds: minutes(2) + grace,
            source: `estimate: with waitForSteadyState, ~2 min for Fargate to provision the tasks, pull the image, start and pass health checks (2 × 10 s) and register with Service Connect, plus the ${grace} s health-check grace period`,
        };
    },
    "aws:lambda/function:Function": { seconds: 10, source: "CreateFunction, then the provider waits for State Active (a few seconds)" },
    "aws:iam/role:Role": { seconds: 5, source: "CreateRole plus the provider's wait for IAM propagation" },
    "digitalocean:index/databaseCluster:DatabaseCluster": {
        seconds: minutes(8),
        source: "kestra.io DigitalOcean plugin docs: 'Provisioning typically takes several minutes'; 8 min taken as typical",
    },
    "digitalocean:index/app:App": (inputs) => {
        const spec = isRecord(inputs.spec) ? inputs.spec : {};
        const jobs = Array.isArray(spec.jobs) ? spec.jobs.length : 0;
        return {
            seconds: minutes(5 + jobs),
            source: `estimate (no measured source found): ~5 min to pull the images and pass health checks, plus ~1 min per pre-deploy job (${jobs})`,
        };
    },
    "docker:index/remoteImage:RemoteImage": { seconds: 60, source: "estimate: pulling an image of a few hundred MB" },
    "docker:index/container:Container": (inputs) => {
        const check = isRecord(inputs.healthcheck) ? inputs.healthcheck : {};
        const start = durationSeconds(check.startPeriod) + durationSeconds(check.interval);
        return { seconds: Math.max(5, start), source: `container start until its first health check passes (start period + one interval: ${start} s)` };
    },
};

/** Everything not in {@link typicalCreationTimes}: one or two API calls. */
export const quickCreation: CreationTime = { seconds: 5, source: "a create call or two" };

/** Computed by the engine itself, no provider call: random values and provider configurations. */
const computedLocally: CreationTime = { seconds: 0, source: "computed locally" };

/** The typical creation time of one resource, from its type and inputs. */
export function creationTime(resource: TimedResource, table: Readonly<Record<string, CreationRule>> = typicalCreationTimes): CreationTime {
    const rule = table[resource.type];
    if (rule === undefined) return resource.type.startsWith("random:") || resource.type.startsWith("pulumi:") ? computedLocally : quickCreation;
    if (typeof rule !== "function") return rule;
    const inputs = plain(resource.inputs ?? {});
    return rule(isRecord(inputs) ? inputs : {});
}
