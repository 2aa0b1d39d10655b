import { resourceRule, settings } from "../lib/define";
import { aws } from "../lib/types";

/** The inputs of `aws.lb.TargetGroup` that the rule reads (@pulumi/aws 7). */
interface TargetGroupProps {
    protocol?: string;
    targetType?: string;
    protocolVersion?: string;
    healthCheck?: {
        matcher?: string;
        enabled?: boolean;
        path?: string;
        protocol?: string;
        interval?: number;
        timeout?: number;
        healthyThreshold?: number;
        unhealthyThreshold?: number;
    };
}

interface TargetGroupHealthSettings {
    maxIntervalSeconds: number;
    maxHealthyThreshold: number;
    maxUnhealthyThreshold: number;
}

const httpProtocols = ["HTTP", "HTTPS"];
/** Either case is valid: the provider upper-cases the protocol (terraform-provider-aws internal/service/elbv2/target_group.go, the protocols' `StateFunc`). */
const isHttp = (protocol: string | undefined) => httpProtocols.includes((protocol ?? "HTTP").toUpperCase());

/**
 * The HTTP codes a matcher counts as healthy that say the target is not serving: any 4xx or 5xx. ALB matchers
 * are codes 200 to 499, as a list (`200,202`) or a range (`200-299`) (ELB API reference, Matcher `HttpCode`).
 */
function unhealthyCodesAccepted(matcher: string): string[] {
    const accepted: string[] = [];
    for (const part of matcher.split(",").map((p) => p.trim()).filter((p) => p !== "")) {
        const [low, high = low] = part.split("-").map((n) => Number(n.trim()));
        if (Number.isNaN(low) || Number.isNaN(high)) continue;
        if (high >= 400) accepted.push(part);
    }
    return accepted;
}

export const albTargetGroupHealthCheck = resourceRule<TargetGroupHealthSettings, TargetGroupProps>({
    name: "alb-target-group-health-check",
    description: "ALB target groups health-check their targets on an explicit HTTP path other than `/`, count only 2xx/3xx as healthy, and use thresholds that notice a failure within minutes.",
    enforcementLevel: "mandatory",
    severity: "high",
    remediation: "Set `healthCheck: { enabled: true, path: \"/health/ready\", interval, timeout, healthyThreshold, unhealthyThreshold }` with the timeout below the interval, thresholds within the limits and a `matcher` of 2xx/3xx codes only (e.g. \"200\").",
    settings: settings(
        { maxIntervalSeconds: 60, maxHealthyThreshold: 5, maxUnhealthyThreshold: 5 },
        {
            maxIntervalSeconds: { type: "integer", minimum: 5, maximum: 300, description: "Longest allowed time between health checks, seconds." },
            maxHealthyThreshold: { type: "integer", minimum: 2, maximum: 10, description: "Most consecutive successes allowed before a target takes traffic." },
            maxUnhealthyThreshold: { type: "integer", minimum: 2, maximum: 10, description: "Most consecutive failures allowed before a target stops taking traffic." },
        },
    ),
    types: aws.targetGroups,
    validate({ props, settings: limits, violation }) {
        // Lambda targets are invoked, not probed; network (TCP/UDP/TLS) target groups have no HTTP path.
        if (props.targetType === "lambda" || !isHttp(props.protocol)) return;
        const check = props.healthCheck;
        if (check === undefined || check.enabled === false) {
            violation(`healthCheck is ${check ? "disabled" : "not set"}: the load balancer keeps sending traffic to targets that stopped answering.`);
            return;
        }
        const problems: string[] = [];
        if (!isHttp(check.protocol)) problems.push(`healthCheck.protocol is ${check.protocol}: only a TCP connect is checked, not the application`);
        else if (!check.path) problems.push("healthCheck.path is not set: the default `/` says nothing about the service's health");
        else if (check.path.trim() === "/") problems.push("healthCheck.path is `/`: a landing page answers while the service's dependencies are down");
        // gRPC target groups match gRPC status codes (0-99), not HTTP ones.
        if (check.matcher !== undefined && (props.protocolVersion ?? "").toUpperCase() !== "GRPC") {
            const unhealthy = unhealthyCodesAccepted(check.matcher);
            if (unhealthy.length > 0) problems.push(`healthCheck.matcher '${check.matcher}' counts ${unhealthy.join(", ")} as healthy: a target answering 404 or 401 stays in service`);
        }
        // AWS defaults when unset: 30 s interval, 6 s timeout over HTTP (10 s over HTTPS), 3 healthy / 3 unhealthy.
        const interval = check.interval ?? 30;
        const timeout = check.timeout ?? ((check.protocol ?? "HTTP").toUpperCase() === "HTTPS" ? 10 : 6);
        const healthy = check.healthyThreshold ?? 3;
        const unhealthy = check.unhealthyThreshold ?? 3;
        if (interval > limits.maxIntervalSeconds) problems.push(`healthCheck.interval is ${interval} s (at most ${limits.maxIntervalSeconds})`);
        if (timeout >= interval) problems.push(`healthCheck.timeout (${timeout} s) is not below the interval (${interval} s)`);
        if (healthy > limits.maxHealthyThreshold) problems.push(`healthCheck.healthyThreshold is ${healthy} (at most ${limits.maxHealthyThreshold})`);
        if (unhealthy > limits.maxUnhealthyThreshold) problems.push(`healthCheck.unhealthyThreshold is ${unhealthy} (at most ${limits.maxUnhealthyThreshold})`);
        if (problems.length > 0) violation(`${problems.join("; ")}.`);
    },
});
