import { productionDefaults, productionSchemas, resourceRule, settings } from "../lib/define";
import { digitalocean } from "../lib/types";
import { productionStatus } from "../lib/values";

export const digitaloceanDatabaseStandby = resourceRule<typeof productionDefaults & { minimumNodes: number }, { engine?: string; nodeCount?: number }>({
    name: "digitalocean-database-standby-nodes",
    description: "DigitalOcean managed databases of production stacks run a standby node that takes over on failure.",
    enforcementLevel: "mandatory",
    severity: "high",
    remediation: "Set `nodeCount` to at least the minimum on production stacks (the database `highAvailability` / cache `nodeCount` config of this project).",
    settings: settings(
        { ...productionDefaults, minimumNodes: 2 },
        {
            ...productionSchemas,
            minimumNodes: { type: "integer", minimum: 2, maximum: 3, description: "Fewest nodes (primary plus standbys) a production database cluster may have." },
        },
    ),
    types: [digitalocean.databaseCluster],
    validate({ props, settings: { minimumNodes, ...production }, violation }) {
        const status = productionStatus(production);
        if (!status.production) return;
        if ((props.nodeCount ?? 1) < minimumNodes) {
            violation(`nodeCount is ${props.nodeCount ?? "not set"} for the ${props.engine ?? ""} cluster on ${status.reason}: a node failure or maintenance takes the database down; at least ${minimumNodes} required.`);
        }
    },
});

export const digitaloceanValkeyPersistence = resourceRule<{ forbiddenModes: readonly string[] }, { persistence?: string }>({
    name: "digitalocean-valkey-persistence",
    description: "DigitalOcean Valkey and Redis clusters persist their data to disk, which is also what their backups are made of.",
    enforcementLevel: "mandatory",
    severity: "high",
    remediation: "Set `persistence: \"rdb\"` (or leave it unset: DigitalOcean's default is rdb).",
    settings: settings(
        { forbiddenModes: ["off"] },
        { forbiddenModes: { type: "array", items: { type: "string" }, minItems: 1, description: "Persistence modes that are refused." } },
    ),
    types: [digitalocean.valkeyConfig, digitalocean.redisConfig],
    validate({ props, settings: { forbiddenModes }, violation }) {
        if (props.persistence !== undefined && forbiddenModes.includes(props.persistence)) {
            violation(`persistence is '${props.persistence}': no RDB dumps and no backups are taken, so a restart loses every key.`);
        }
    },
});

/** A health check of an App Platform component (@pulumi/digitalocean 4, `AppSpecServiceHealthCheck` and the liveness variants). */
interface AppHealthCheck {
    httpPath?: string;
    port?: number;
    initialDelaySeconds?: number;
    periodSeconds?: number;
    timeoutSeconds?: number;
    successThreshold?: number;
    failureThreshold?: number;
}

interface AppComponent {
    name?: string;
    httpPort?: number;
    envs?: { key?: string; value?: string }[];
    healthCheck?: AppHealthCheck;
    livenessHealthCheck?: AppHealthCheck;
}

/** The parts of a DigitalOcean App spec the rules read (@pulumi/digitalocean 4, `AppSpec`). */
interface AppProps {
    spec?: {
        name?: string;
        alerts?: { rule?: string; disabled?: boolean }[];
        services?: AppComponent[];
        workers?: AppComponent[];
    };
}

interface AppHealthSettings {
    requireLivenessHealthCheck: boolean;
    maxPeriodSeconds: number;
    maxFailureThreshold: number;
    maxSuccessThreshold: number;
}

// App Platform's defaults when a field is unset: period 10 s, timeout 1 s, success 1, failure 9
// (App Spec reference, https://docs.digitalocean.com/products/app-platform/reference/app-spec/, `health_check`).
const appCheckDefaults = { periodSeconds: 10, timeoutSeconds: 1, successThreshold: 1, failureThreshold: 9 };

/** Why a check's timings let a failure go unnoticed too long; empty when within the limits. */
function timingProblems(where: string, check: AppHealthCheck, limits: AppHealthSettings, readiness: boolean): string[] {
    const period = check.periodSeconds ?? appCheckDefaults.periodSeconds;
    const timeout = check.timeoutSeconds ?? appCheckDefaults.timeoutSeconds;
    const failures = check.failureThreshold ?? appCheckDefaults.failureThreshold;
    const successes = check.successThreshold ?? appCheckDefaults.successThreshold;
    const problems: string[] = [];
    if (period > limits.maxPeriodSeconds) problems.push(`${where}.periodSeconds is ${period} (at most ${limits.maxPeriodSeconds})`);
    if (failures > limits.maxFailureThreshold) problems.push(`${where}.failureThreshold is ${check.failureThreshold ?? `not set (App Platform's default ${failures})`} (at most ${limits.maxFailureThreshold}): a failure goes unnoticed for ${failures * period} s`);
    if (readiness && successes > limits.maxSuccessThreshold) problems.push(`${where}.successThreshold is ${successes} (at most ${limits.maxSuccessThreshold})`);
    if (timeout >= period) problems.push(`${where}.timeoutSeconds (${timeout}) is not below periodSeconds (${period})`);
    if (check.httpPath !== undefined && check.httpPath.trim() === "/") problems.push(`${where}.httpPath is "/": it answers while the service's dependencies are down`);
    return problems;
}

/**
 * Whether a worker declares a port it serves: App Platform's worker spec has no `http_port`, so the port of
 * its liveness check is the declaration. A `PORT` variable is not: programs (this one included) set it on
 * every component, whether it listens or not.
 */
function workerServesHttp(worker: AppComponent): boolean {
    return worker.livenessHealthCheck?.port !== undefined;
}

export const digitaloceanAppHealthChecks = resourceRule<AppHealthSettings, AppProps>({
    name: "digitalocean-app-health-checks",
    description: "Every service of a DigitalOcean App Platform app has a readiness health check on an HTTP path, and workers that declare a port a liveness check on an HTTP path, with timings that notice a failure within minutes.",
    enforcementLevel: "mandatory",
    severity: "high",
    remediation: "Give each service `healthCheck: { httpPath: \"/health\", initialDelaySeconds, periodSeconds, timeoutSeconds, successThreshold, failureThreshold }` (the service `healthCheck` config) within the stack's limits, and a `livenessHealthCheck` with an `httpPath` on a worker that declares a port.",
    settings: settings(
        { requireLivenessHealthCheck: false, maxPeriodSeconds: 60, maxFailureThreshold: 10, maxSuccessThreshold: 5 },
        {
            requireLivenessHealthCheck: { type: "boolean", description: "Also require a `livenessHealthCheck` with an HTTP path on services, and on workers that declare a port, so a hung instance is restarted." },
            maxPeriodSeconds: { type: "integer", minimum: 1, maximum: 300, description: "Longest allowed time between checks, seconds." },
            maxFailureThreshold: { type: "integer", minimum: 1, maximum: 50, description: "Most consecutive failures allowed before an instance is taken out (readiness) or restarted (liveness)." },
            maxSuccessThreshold: { type: "integer", minimum: 1, maximum: 50, description: "Most consecutive successes a readiness check may need before an instance takes traffic." },
        },
    ),
    types: [digitalocean.app],
    validate({ props, settings: limits, violation }) {
        for (const service of props.spec?.services ?? []) {
            const name = service.name ?? "(unnamed)";
            const problems: string[] = [];
            if (!service.healthCheck?.httpPath) {
                violation(`service '${name}' has ${service.healthCheck ? "a health check without an httpPath (TCP only)" : "no health check"}: App Platform routes traffic to instances whose application is not ready.`);
            } else {
                problems.push(...timingProblems("healthCheck", service.healthCheck, limits, true));
            }
            if (service.livenessHealthCheck) problems.push(...timingProblems("livenessHealthCheck", service.livenessHealthCheck, limits, false));
            if (limits.requireLivenessHealthCheck && service.healthCheck?.httpPath && !service.livenessHealthCheck?.httpPath) {
                problems.push("no liveness health check with an httpPath: a hung instance is never restarted");
            }
            if (problems.length > 0) violation(`service '${name}': ${problems.join("; ")}.`);
        }
        // Workers take no traffic, so App Platform gives them only the liveness check.
        for (const worker of props.spec?.workers ?? []) {
            const name = worker.name ?? "(unnamed)";
            const problems: string[] = [];
            if (worker.livenessHealthCheck) problems.push(...timingProblems("livenessHealthCheck", worker.livenessHealthCheck, limits, false));
            if (limits.requireLivenessHealthCheck && workerServesHttp(worker) && !worker.livenessHealthCheck?.httpPath) {
                problems.push(`its liveness check on port ${worker.livenessHealthCheck?.port} has no httpPath (TCP only): a hung worker that still accepts connections is never restarted`);
            }
            if (problems.length > 0) violation(`worker '${name}': ${problems.join("; ")}.`);
        }
    },
});

export const digitaloceanAppDeploymentAlert = resourceRule<{ requiredAlertRules: readonly string[] }, AppProps>({
    name: "digitalocean-app-deployment-failed-alert",
    description: "DigitalOcean App Platform apps alert when a deployment fails.",
    enforcementLevel: "mandatory",
    severity: "medium",
    remediation: "Add `{ rule: \"DEPLOYMENT_FAILED\" }` to the app spec's `alerts` (with `destinations` for the on-call emails or Slack).",
    settings: settings(
        { requiredAlertRules: ["DEPLOYMENT_FAILED"] },
        { requiredAlertRules: { type: "array", items: { type: "string" }, minItems: 1, description: "App-level alert rules every app has enabled, e.g. DEPLOYMENT_FAILED, DOMAIN_FAILED." } },
    ),
    types: [digitalocean.app],
    validate({ props, settings: { requiredAlertRules }, violation }) {
        const enabled = (props.spec?.alerts ?? []).filter((alert) => alert.disabled !== true).map((alert) => alert.rule);
        const missing = requiredAlertRules.filter((rule) => !enabled.includes(rule));
        if (missing.length > 0) {
            violation(`app '${props.spec?.name ?? ""}' has no enabled ${missing.join(", ")} alert: a failed release goes unnoticed while the old one keeps serving.`);
        }
    },
});
