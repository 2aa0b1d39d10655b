import { resourceRule, settings } from "../lib/define";
import { probeProblem } from "../lib/probes";
import { aws } from "../lib/types";

/** The inputs of `aws.ecs.Service` that the rules read (@pulumi/aws 7). */
interface ServiceProps {
    loadBalancers?: { targetGroupArn?: string; containerName?: string; containerPort?: number }[];
    healthCheckGracePeriodSeconds?: number;
    deploymentCircuitBreaker?: { enable?: boolean; rollback?: boolean };
    alarms?: { alarmNames?: string[]; enable?: boolean; rollback?: boolean };
    deploymentController?: { type?: string };
}

const behindLoadBalancer = (props: ServiceProps) => (props.loadBalancers?.length ?? 0) > 0;
// Circuit breakers and alarm rollback belong to the ECS deployment controller; CodeDeploy and external
// controllers roll back by their own means and ECS rejects these settings for them.
const ecsDeploys = (props: ServiceProps) => (props.deploymentController?.type ?? "ECS") === "ECS";

export const ecsServiceGracePeriod = resourceRule<{ minimumGracePeriodSeconds: number }, ServiceProps>({
    name: "ecs-service-health-check-grace-period",
    description: "ECS services behind a load balancer give new tasks a health-check grace period to start.",
    enforcementLevel: "mandatory",
    severity: "high",
    remediation: "Set `healthCheckGracePeriodSeconds` to at least the container's start period (the service `healthCheck.startPeriodSeconds` config).",
    settings: settings(
        { minimumGracePeriodSeconds: 10 },
        { minimumGracePeriodSeconds: { type: "integer", minimum: 1, maximum: 2147483647, description: "Fewest seconds the load balancer's failed health checks are ignored after a task starts." } },
    ),
    types: [aws.ecsService],
    validate({ props, settings: { minimumGracePeriodSeconds }, violation }) {
        if (!behindLoadBalancer(props)) return;
        const seconds = props.healthCheckGracePeriodSeconds ?? 0;
        if (seconds < minimumGracePeriodSeconds) {
            violation(`healthCheckGracePeriodSeconds is ${props.healthCheckGracePeriodSeconds ?? "not set"}: tasks still starting fail the load balancer's checks and are killed in a loop; at least ${minimumGracePeriodSeconds} required.`);
        }
    },
});

export const ecsServiceCircuitBreaker = resourceRule<{ includeServicesWithoutLoadBalancer: boolean }, ServiceProps>({
    name: "ecs-service-circuit-breaker-rollback",
    description: "ECS services behind a load balancer stop a failing deployment and roll back to the last healthy one.",
    enforcementLevel: "mandatory",
    severity: "high",
    remediation: "Set `deploymentCircuitBreaker: { enable: true, rollback: true }`.",
    settings: settings(
        { includeServicesWithoutLoadBalancer: false },
        { includeServicesWithoutLoadBalancer: { type: "boolean", description: "Also require the circuit breaker on services without a load balancer (workers)." } },
    ),
    types: [aws.ecsService],
    validate({ props, settings: { includeServicesWithoutLoadBalancer }, violation }) {
        if (!ecsDeploys(props) || !(includeServicesWithoutLoadBalancer || behindLoadBalancer(props))) return;
        const breaker = props.deploymentCircuitBreaker;
        if (breaker?.enable !== true || breaker.rollback !== true) {
            violation(`deploymentCircuitBreaker is ${breaker ? `{ enable: ${breaker.enable}, rollback: ${breaker.rollback} }` : "not set"}: a release whose tasks never become healthy keeps replacing them instead of rolling back.`);
        }
    },
});

export const ecsServiceAlarmRollback = resourceRule<{ minimumAlarms: number }, ServiceProps>({
    name: "ecs-service-alarm-rollback",
    description: "ECS services behind a load balancer roll a deployment back when its CloudWatch alarms fire.",
    enforcementLevel: "mandatory",
    severity: "high",
    remediation: "Set `alarms: { enable: true, rollback: true, alarmNames: [...] }` with the service's error-rate and latency alarms.",
    settings: settings(
        { minimumAlarms: 1 },
        { minimumAlarms: { type: "integer", minimum: 1, maximum: 10, description: "Fewest alarms the deployment watches." } },
    ),
    types: [aws.ecsService],
    validate({ props, settings: { minimumAlarms }, violation }) {
        if (!ecsDeploys(props) || !behindLoadBalancer(props)) return;
        const alarms = props.alarms;
        if (alarms?.enable !== true || alarms.rollback !== true) {
            violation(`alarms is ${alarms ? `{ enable: ${alarms.enable}, rollback: ${alarms.rollback} }` : "not set"}: a release that passes health checks but raises errors or latency stays deployed.`);
        } else if ((alarms.alarmNames?.length ?? 0) < minimumAlarms) {
            violation(`alarms.alarmNames lists ${alarms.alarmNames?.length ?? 0} alarm(s); at least ${minimumAlarms} required.`);
        }
    },
});

/** One entry of a task definition's `containerDefinitions` JSON, as ECS documents it. */
interface ContainerDefinition {
    name?: string;
    essential?: boolean;
    healthCheck?: { command?: unknown[]; interval?: number; timeout?: number; retries?: number; startPeriod?: number };
}

interface ContainerCheckSettings {
    includeNonEssentialContainers: boolean;
    maxIntervalSeconds: number;
    maxRetries: number;
}

/**
 * Why a container's health check cannot fail or notices a failure too late; empty when it is sound.
 * ECS's defaults when unset: interval 30 s, timeout 5 s, retries 3 (ECS API reference, HealthCheck).
 */
function containerCheckProblems(check: NonNullable<ContainerDefinition["healthCheck"]>, limits: ContainerCheckSettings): string[] {
    const problems: string[] = [];
    const trivial = probeProblem(check.command ?? []);
    if (trivial) problems.push(`its health check cannot fail: ${trivial}`);
    const interval = check.interval ?? 30;
    const timeout = check.timeout ?? 5;
    const retries = check.retries ?? 3;
    if (interval > limits.maxIntervalSeconds) problems.push(`healthCheck.interval is ${interval} s (at most ${limits.maxIntervalSeconds})`);
    if (retries > limits.maxRetries) problems.push(`healthCheck.retries is ${retries} (at most ${limits.maxRetries})`);
    if (timeout >= interval) problems.push(`healthCheck.timeout (${timeout} s) is not below the interval (${interval} s)`);
    return problems;
}

export const ecsTaskContainerHealthChecks = resourceRule<ContainerCheckSettings, { containerDefinitions?: string }>({
    name: "ecs-task-container-health-checks",
    description: "Every essential container of an ECS task definition has a health check that can fail, with an interval and retries that notice a failure within minutes. Enforced in `pulumi up`: a preview cannot read container definitions built from unknown values.",
    enforcementLevel: "mandatory",
    severity: "high",
    remediation: "Give each essential container a `healthCheck` ({ command: [\"CMD-SHELL\", \"<probe of its liveness path>\"], interval, timeout, retries, startPeriod }) whose command fails when the application does, within the stack's limits.",
    settings: settings(
        { includeNonEssentialContainers: false, maxIntervalSeconds: 60, maxRetries: 5 },
        {
            includeNonEssentialContainers: { type: "boolean", description: "Also require health checks on non-essential (sidecar) containers." },
            maxIntervalSeconds: { type: "integer", minimum: 5, maximum: 300, description: "Longest allowed time between health checks, seconds (ECS allows 5 to 300)." },
            maxRetries: { type: "integer", minimum: 1, maximum: 10, description: "Most consecutive failures allowed before ECS marks the container unhealthy (ECS allows 1 to 10)." },
        },
    ),
    types: [aws.taskDefinition],
    validate({ props, settings: limits, violation }) {
        // Read outside the try: an unknown value must reach the server, which reports the rule as not runnable in preview.
        const definitions = props.containerDefinitions ?? "[]";
        let containers: unknown;
        try {
            containers = JSON.parse(definitions);
        } catch (error) {
            violation(`containerDefinitions is not valid JSON (${(error as Error).message}).`);
            return;
        }
        if (!Array.isArray(containers)) {
            violation("containerDefinitions is not a JSON array of containers.");
            return;
        }
        for (const [index, container] of (containers as ContainerDefinition[]).entries()) {
            // ECS treats a container as essential unless it says otherwise.
            if (container.essential === false && !limits.includeNonEssentialContainers) continue;
            const name = container.name ?? `#${index}`;
            const command = container.healthCheck?.command ?? [];
            if (command.length === 0 || command[0] === "NONE") {
                violation(`container '${name}' has no health check: ECS only notices it when the process exits.`);
                continue;
            }
            const problems = containerCheckProblems(container.healthCheck ?? {}, limits);
            if (problems.length > 0) violation(`container '${name}': ${problems.join("; ")}.`);
        }
    },
});
