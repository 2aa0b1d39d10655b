import { productionStacksSetting, resourceRule, settings } from "../lib/define";
import { digitalocean } from "../lib/types";
import { currentStack, isProductionStack } from "../lib/values";

export const digitaloceanDatabaseStandby = resourceRule<{ minimumNodes: number; productionStacks: readonly string[] }, { engine?: string; nodeCount?: number }>({
    name: "digitalocean-database-standby-nodes",
    description: "DigitalOcean managed databases of production stacks run a standby node that takes over on failure.",
    enforcementLevel: "mandatory",
    severity: "high",
    remediation: "Set `nodeCount` to at least the minimum on production stacks (the database `highAvailability` / cache `nodeCount` config of this project).",
    settings: settings(
        { minimumNodes: 2, productionStacks: ["production"] },
        {
            minimumNodes: { type: "integer", minimum: 2, maximum: 3, description: "Fewest nodes (primary plus standbys) a production database cluster may have." },
            productionStacks: productionStacksSetting,
        },
    ),
    types: [digitalocean.databaseCluster],
    validate({ props, settings: { minimumNodes, productionStacks }, violation }) {
        if (!isProductionStack(productionStacks)) return;
        if ((props.nodeCount ?? 1) < minimumNodes) {
            violation(`nodeCount is ${props.nodeCount ?? "not set"} for the ${props.engine ?? ""} cluster on production stack '${currentStack()}': a node failure or maintenance takes the database down; at least ${minimumNodes} required.`);
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

/** The parts of a DigitalOcean App spec the rules read (@pulumi/digitalocean 4, `AppSpec`). */
interface AppProps {
    spec?: {
        name?: string;
        alerts?: { rule?: string; disabled?: boolean }[];
        services?: {
            name?: string;
            healthCheck?: { httpPath?: string; port?: number };
            livenessHealthCheck?: { httpPath?: string };
        }[];
    };
}

export const digitaloceanAppHealthChecks = resourceRule<{ requireLivenessHealthCheck: boolean }, AppProps>({
    name: "digitalocean-app-health-checks",
    description: "Every service of a DigitalOcean App Platform app has a readiness health check on an HTTP path.",
    enforcementLevel: "mandatory",
    severity: "high",
    remediation: "Give each service `healthCheck: { httpPath: \"/health\", initialDelaySeconds, periodSeconds, timeoutSeconds, successThreshold, failureThreshold }` (the service `healthCheck` config).",
    settings: settings(
        { requireLivenessHealthCheck: false },
        { requireLivenessHealthCheck: { type: "boolean", description: "Also require a `livenessHealthCheck` with an HTTP path, so a hung instance is restarted." } },
    ),
    types: [digitalocean.app],
    validate({ props, settings: { requireLivenessHealthCheck }, violation }) {
        for (const service of props.spec?.services ?? []) {
            const name = service.name ?? "(unnamed)";
            if (!service.healthCheck?.httpPath) {
                violation(`service '${name}' has ${service.healthCheck ? "a health check without an httpPath (TCP only)" : "no health check"}: App Platform routes traffic to instances whose application is not ready.`);
            } else if (requireLivenessHealthCheck && !service.livenessHealthCheck?.httpPath) {
                violation(`service '${name}' has no liveness health check with an httpPath: a hung instance is never restarted.`);
            }
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
