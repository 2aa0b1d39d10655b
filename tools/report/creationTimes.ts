/**
 * Typical creation times per resource type, for the first-deploy model. Each names what it rests on: a
 * measured creation (provider issue threads and acceptance-test logs) or, where none was found, an
 * estimate marked as such. Types not listed are API calls that return in seconds.
 */
import { numberInput, packageOf, recordInput } from "./types";

export interface CreationTime {
    minutes: number;
    basis: string;
}

interface TimedNode {
    type: string;
    inputs: Record<string, unknown>;
}

const rdsIssue = "hashicorp/terraform#498: an RDS instance took 5-10 min Single-AZ and 15-20 min Multi-AZ to become available";
const elasticacheTests =
    "hashicorp/terraform#8275: TestAccAWSElasticacheCluster_basic took 395 s; hashicorp/terraform-provider-aws#2048: a Multi-AZ replication group in a VPC took over 40 min once";

export function creationTime(node: TimedNode): CreationTime {
    const inputs = node.inputs;
    switch (node.type) {
        case "aws:rds/instance:Instance":
            return inputs.multiAz === true ? { minutes: 20, basis: rdsIssue } : { minutes: 10, basis: rdsIssue };
        case "aws:rds/snapshot:Snapshot":
            return { minutes: 5, basis: "estimate (no measured source found): a snapshot of a small database" };
        case "aws:elasticache/replicationGroup:ReplicationGroup":
            return { minutes: 15, basis: `${elasticacheTests}; 15 min taken as typical for a replicated group` };
        case "aws:ec2/natGateway:NatGateway":
            return { minutes: 3, basis: "kubernetes/kops#944: a NAT gateway takes up to 5-10 min from pending to available; hashicorp/terraform#8687 shows one still creating at 3m40s; 3 min taken as typical" };
        case "aws:lb/loadBalancer:LoadBalancer":
            return { minutes: 3, basis: "hashicorp/terraform#24799: an ALB takes no more than 5 min on most runs (rarely up to 30); kubernetes/kubernetes#44695: over 2 min is normal for a new ELB; 3 min taken as typical" };
        case "aws:ec2/vpcEndpoint:VpcEndpoint":
            return inputs.vpcEndpointType === "Interface"
                ? { minutes: 2, basis: "estimate (no measured source found): interface endpoints provision a network interface per zone" }
                : { minutes: 0.2, basis: "API call" };
        case "aws:ecs/service:Service": {
            // With waitForSteadyState (the provider default) the create returns once the tasks are healthy.
            const grace = (numberInput(inputs.healthCheckGracePeriodSeconds) ?? 0) / 60;
            return { minutes: 2 + grace, basis: `estimate: ~2 min to pull the image and start the tasks, plus the ${Math.round(grace * 60)} s health-check grace period` };
        }
        case "aws:cloudwatch/dashboard:Dashboard":
        case "aws:cloudwatch/metricAlarm:MetricAlarm":
            return { minutes: 0.1, basis: "API call" };
        case "aws:iam/role:Role":
            return { minutes: 0.2, basis: "API call (IAM is eventually consistent; the provider retries briefly)" };
        case "digitalocean:index/databaseCluster:DatabaseCluster":
            return { minutes: 8, basis: "kestra.io DigitalOcean plugin docs: 'Provisioning typically takes several minutes'; 8 min taken as typical" };
        case "digitalocean:index/app:App": {
            const spec = recordInput(inputs.spec);
            const jobs = Array.isArray(spec?.jobs) ? spec.jobs.length : 0;
            return { minutes: 5 + jobs, basis: `estimate (no measured source found): ~5 min to pull the images and pass health checks, plus ~1 min per pre-deploy job (${jobs})` };
        }
        case "digitalocean:index/uptimeCheck:UptimeCheck":
            return { minutes: 0.1, basis: "API call" };
        case "docker:index/remoteImage:RemoteImage":
            return { minutes: 1, basis: "estimate: pulling an image of a few hundred MB" };
        case "docker:index/container:Container": {
            const check = recordInput(inputs.healthcheck);
            const startSeconds = parseSeconds(check?.startPeriod) + parseSeconds(check?.interval);
            return { minutes: Math.max(0.1, startSeconds / 60), basis: `container start until its first health check passes (start period + one interval: ${startSeconds} s)` };
        }
    }
    if (packageOf(node.type) === "random" || node.type.startsWith("pulumi:")) return { minutes: 0, basis: "computed locally" };
    return { minutes: 0.1, basis: "API call" };
}

function parseSeconds(value: unknown): number {
    if (typeof value !== "string") return 0;
    const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(value);
    if (!match) return 0;
    const n = Number(match[1]);
    return ({ ms: n / 1000, s: n, m: n * 60, h: n * 3600 } as Record<string, number>)[match[2]] ?? 0;
}
