import type { PolicyResource } from "@pulumi/policy";
import { settings, stackRule } from "../lib/define";
import { runsImage } from "../lib/images";
import { aws, digitalocean, docker } from "../lib/types";
import { UNKNOWN, dependenciesOf, dependsOn, knownElements, knownString, label, peek } from "../lib/values";

interface WatcherSettings {
    healthMetricNames: readonly string[];
    uptimeAlertTypes: readonly string[];
    prometheusImages: readonly string[];
}

const ofType = (resources: PolicyResource[], types: readonly string[]) => resources.filter((r) => types.includes(r.type));

// ---- AWS: an ECS service behind an internet-facing load balancer, watched by a CloudWatch alarm on its target group's health.

/** Whether traffic from the internet reaches the target group: some listener forwarding to it is on a non-internal load balancer. */
function internetFacing(targetGroup: PolicyResource, resources: PolicyResource[]): boolean {
    const rules = ofType(resources, aws.listenerRules).filter((rule) => dependsOn(rule, targetGroup));
    const listeners = new Set([
        ...ofType(resources, aws.listeners).filter((listener) => dependsOn(listener, targetGroup)),
        ...rules.flatMap((rule) => dependenciesOf(rule, "listenerArn", aws.listeners)),
    ]);
    const loadBalancers = [...listeners].flatMap((listener) => dependenciesOf(listener, "loadBalancerArn", aws.loadBalancers));
    // A target group whose load balancer is not in this stack may be public: assume it is.
    if (loadBalancers.length === 0) return true;
    return loadBalancers.some((lb) => peek(() => lb.props.internal) !== true);
}

/** Whether an alarm measures target health and notifies someone. */
function isHealthAlarm(alarm: PolicyResource, metricNames: readonly string[]): boolean {
    if (peek(() => alarm.props.actionsEnabled) === false) return false;
    if (peek(() => alarm.props.alarmActions?.length ?? 0) === 0) return false;
    const direct = knownString(() => alarm.props.metricName);
    const queried = knownElements<Record<string, unknown>>(() => alarm.props.metricQueries).map((query) => knownString(() => (query.metric as { metricName?: string } | undefined)?.metricName));
    return [direct, ...queried].some((name) => name !== undefined && metricNames.includes(name));
}

/** Whether the alarm's dimensions name the target group: by taking its ARN suffix, or by a known ARN suffix of an external one. */
function alarmWatches(alarm: PolicyResource, targetGroup: PolicyResource | undefined, externalArns: string[]): boolean {
    if (targetGroup && dependsOn(alarm, targetGroup)) return true;
    const dimensions = [knownString(() => alarm.props.dimensions?.TargetGroup)];
    for (const query of knownElements<Record<string, unknown>>(() => alarm.props.metricQueries)) {
        dimensions.push(knownString(() => (query.metric as { dimensions?: Record<string, string> } | undefined)?.dimensions?.TargetGroup));
    }
    return dimensions.some((suffix) => suffix !== undefined && externalArns.some((arn) => arn.endsWith(suffix)));
}

function checkAwsServices(resources: PolicyResource[], s: WatcherSettings, violation: (problem: string, urn: string) => void) {
    const alarms = ofType(resources, [aws.metricAlarm]).filter((alarm) => isHealthAlarm(alarm, s.healthMetricNames));
    for (const service of ofType(resources, [aws.ecsService])) {
        const attachments = knownElements<Record<string, unknown>>(() => service.props.loadBalancers);
        if (attachments.length === 0) continue;
        const targetGroups = dependenciesOf(service, "loadBalancers", aws.targetGroups);
        const externalArns = attachments.map((a) => knownString(() => a.targetGroupArn)).filter((arn): arn is string => arn !== undefined);
        const watched = (targetGroup?: PolicyResource) => alarms.some((alarm) => alarmWatches(alarm, targetGroup, externalArns));
        if (targetGroups.length === 0) {
            if (!watched()) violation(`${label(service)} takes load-balanced traffic but no alarm on ${s.healthMetricNames.join(" or ")} watches its target group.`, service.urn);
            continue;
        }
        for (const targetGroup of targetGroups.filter((tg) => internetFacing(tg, resources))) {
            if (!watched(targetGroup)) {
                violation(`${label(service)} serves the internet through ${label(targetGroup)}, but no CloudWatch alarm with actions on ${s.healthMetricNames.join(" or ")} watches that target group: nobody is told when it has no healthy targets.`, service.urn);
            }
        }
    }
}

// ---- DigitalOcean: an App Platform service reachable from the internet, watched by an uptime check with a down alert.

/** The names of the app's services that App Platform routes public traffic to. */
function publicAppServices(app: PolicyResource): string[] {
    const ingressRules = knownElements<Record<string, unknown>>(() => app.props.spec?.ingress?.rules);
    const routedByIngress = ingressRules.map((rule) => knownString(() => (rule.component as { name?: string } | undefined)?.name));
    const names: string[] = [];
    for (const service of knownElements<Record<string, unknown>>(() => app.props.spec?.services)) {
        const name = knownString(() => service.name) ?? "(unnamed)";
        if (ingressRules.length > 0) {
            if (routedByIngress.includes(name)) names.push(name);
            continue;
        }
        // Without ingress rules, a service is public unless it only has internal ports.
        const routes = knownElements(() => service.routes as unknown[] | undefined);
        const internalOnly = knownElements(() => service.internalPorts as unknown[] | undefined).length > 0 && peek(() => service.httpPort) === undefined;
        if (routes.length > 0 || !internalOnly) names.push(name);
    }
    return names;
}

function appDomains(app: PolicyResource): string[] {
    const named = knownElements<Record<string, unknown>>(() => app.props.spec?.domainNames).map((d) => knownString(() => d.name));
    const legacy = knownElements<unknown>(() => app.props.spec?.domains).map((d) => (typeof d === "string" ? d : undefined));
    return [...named, ...legacy].filter((d): d is string => d !== undefined && d !== "");
}

function checkDigitalOceanApps(resources: PolicyResource[], s: WatcherSettings, violation: (problem: string, urn: string) => void) {
    const checks = ofType(resources, [digitalocean.uptimeCheck]).filter((check) => peek(() => check.props.enabled) !== false);
    const alerts = ofType(resources, [digitalocean.uptimeAlert]).filter((alert) => {
        const type = knownString(() => alert.props.type);
        return type !== undefined && s.uptimeAlertTypes.includes(type) && peek(() => alert.props.notifications?.length ?? 0) !== 0;
    });
    for (const app of ofType(resources, [digitalocean.app])) {
        const services = publicAppServices(app);
        if (services.length === 0) continue;
        const domains = appDomains(app);
        const watching = checks.filter((check) => {
            if (dependsOn(check, app, "target")) return true;
            const target = knownString(() => check.props.target);
            return target !== undefined && domains.some((domain) => target.includes(domain));
        });
        const alerted = watching.some((check) => alerts.some((alert) => dependsOn(alert, check, "checkId")));
        if (!alerted) {
            const problem = watching.length === 0 ? "no uptime check targets the app" : `its uptime check has no ${s.uptimeAlertTypes.join("/")} alert with notifications`;
            violation(`${label(app)} serves ${services.join(", ")} publicly, but ${problem}: an outage is noticed by users first.`, app.urn);
        }
    }
}

// ---- Docker: a container publishing a port beyond the host, watched by a Prometheus with alert rules that scrapes it.

const loopback = (ip: string) => ip.startsWith("127.") || ip === "::1" || ip === "localhost";

function publishesBeyondHost(container: PolicyResource): boolean {
    if (peek(() => container.props.publishAllPorts) === true) return true;
    return knownElements<Record<string, unknown>>(() => container.props.ports).some((port) => {
        const ip = peek(() => port.ip);
        // Docker binds an unset address to 0.0.0.0: every interface.
        return ip !== UNKNOWN && !loopback(typeof ip === "string" && ip !== "" ? ip : "0.0.0.0");
    });
}

function uploadedTexts(container: PolicyResource): string[] {
    return knownElements<Record<string, unknown>>(() => container.props.uploads)
        .map((upload) => knownString(() => upload.content))
        .filter((content): content is string => content !== undefined);
}

function checkDockerContainers(resources: PolicyResource[], s: WatcherSettings, violation: (problem: string, urn: string) => void) {
    const containers = ofType(resources, [docker.container]);
    const alertingPrometheus = containers.filter((c) => runsImage(c, s.prometheusImages) && uploadedTexts(c).some((text) => /^\s*-?\s*alert:/m.test(text)));
    for (const container of containers.filter(publishesBeyondHost)) {
        if (alertingPrometheus.includes(container)) continue;
        const name = knownString(() => container.props.name);
        const watched = alertingPrometheus.some((prometheus) => dependsOn(prometheus, container) || (name !== undefined && uploadedTexts(prometheus).some((text) => text.includes(name))));
        if (!watched) {
            violation(`${label(container)} publishes a port beyond loopback, but no Prometheus container with alert rules scrapes it (depends on it or names it in its configuration).`, container.urn);
        }
    }
}

export const publicServicesWatched = stackRule<WatcherSettings>({
    name: "public-services-watched",
    description: "Every service reachable from outside is watched by an alarm or uptime check on its health that notifies someone.",
    enforcementLevel: "mandatory",
    severity: "high",
    remediation: "AWS: a CloudWatch alarm on the target group's UnHealthyHostCount/HealthyHostCount with alarmActions. DigitalOcean: an UptimeCheck on the app's health URL and an UptimeAlert (type down) with notifications. Docker: a Prometheus container with alert rules that scrapes the container.",
    settings: settings(
        {
            healthMetricNames: ["UnHealthyHostCount", "HealthyHostCount"],
            uptimeAlertTypes: ["down", "down_global"],
            prometheusImages: ["prom/prometheus", "bitnami/prometheus"],
        },
        {
            healthMetricNames: { type: "array", items: { type: "string" }, minItems: 1, description: "CloudWatch metrics (namespace AWS/ApplicationELB) that count as target health." },
            uptimeAlertTypes: { type: "array", items: { type: "string", enum: ["latency", "down", "down_global", "ssl_expiry"] }, minItems: 1, description: "DigitalOcean uptime alert types that count as watching health." },
            prometheusImages: { type: "array", items: { type: "string" }, minItems: 1, description: "Image repositories (no registry or tag) that run Prometheus." },
        },
    ),
    validate({ resources, settings: s, violation }) {
        checkAwsServices(resources, s, violation);
        checkDigitalOceanApps(resources, s, violation);
        checkDockerContainers(resources, s, violation);
    },
});
