import * as digitalocean from "@pulumi/digitalocean";
import * as pulumi from "@pulumi/pulumi";
import type { MonitoringSpec } from "../../config";
import { alertById, alertCatalogue, type AlertDefinition, type Severity } from "../alerts/catalogue";
import type { Scope } from "../backend";

type ComponentAlert = digitalocean.types.input.AppSpecServiceAlert;
type AlertDestinations = digitalocean.types.input.AppSpecAlertDestinations;

/**
 * Where alerts go: the configured emails (team members, verified for uptime alerts) and, when set, the
 * Slack webhook (a secret). `pagingEmails` (a paging service's e-mail integration) receive the critical
 * uptime alerts only (seed 000: warnings never page); App Platform sends app alerts to members of the
 * DigitalOcean team alone, so no app alert can page.
 */
export interface Destinations {
    emails: string[];
    pagingEmails: string[];
    slack?: { channel: string; url: pulumi.Output<string> };
}

export function destinations(monitoring: MonitoringSpec, settings: { slackChannel: string; pagingEmails: string[] }): Destinations {
    return {
        emails: [...monitoring.alertEmails],
        pagingEmails: settings.pagingEmails.filter((email) => !monitoring.alertEmails.includes(email)),
        slack: monitoring.slackWebhookUrl === undefined ? undefined : { channel: settings.slackChannel, url: pulumi.secret(monitoring.slackWebhookUrl) },
    };
}

/** For the record (a stack output): where alerts go, without the webhook URL. */
export function describeDestinations(to: Destinations): string {
    const parts = [
        to.emails.length > 0 ? `email: ${to.emails.join(", ")}` : undefined,
        to.pagingEmails.length > 0 ? `paging email (critical uptime alerts): ${to.pagingEmails.join(", ")}` : undefined,
        to.slack ? `slack: ${to.slack.channel}` : undefined,
    ];
    return parts.filter((part): part is string => part !== undefined).join("; ");
}

/** The e-mail addresses of an uptime or database alert: the paging ones only for a critical alert. */
function emailsFor(to: Destinations, severity: Severity): string[] | undefined {
    const emails = severity === "critical" ? [...to.emails, ...to.pagingEmails] : [...to.emails];
    return emails.length > 0 ? emails : undefined;
}

function catalogueOf(monitoring: Pick<MonitoringSpec, "thresholds" | "metrics">): (id: AlertDefinition["id"]) => AlertDefinition {
    const catalogue = alertCatalogue(monitoring.thresholds, monitoring.metrics);
    return (id) => alertById(catalogue, id);
}

/** The shortest App Platform alert window that covers the wanted minutes (the API's enum). */
function appWindow(minutes: number): string {
    const allowed: [number, string][] = [[5, "FIVE_MINUTES"], [10, "TEN_MINUTES"], [30, "THIRTY_MINUTES"], [60, "ONE_HOUR"]];
    return (allowed.find(([m]) => m >= minutes) ?? allowed[allowed.length - 1])[1];
}

/** The shortest monitoring-policy window that covers the wanted minutes (`5m`, `10m`, `30m`, `1h`). */
function monitorWindow(minutes: number): string {
    const allowed: [number, string][] = [[5, "5m"], [10, "10m"], [30, "30m"], [60, "1h"]];
    return (allowed.find(([m]) => m >= minutes) ?? allowed[allowed.length - 1])[1];
}

function appDestinations(to: Destinations): AlertDestinations {
    return {
        emails: to.emails.length > 0 ? to.emails : undefined,
        slackWebhooks: to.slack ? [{ channel: to.slack.channel, url: to.slack.url }] : undefined,
    };
}

/** App-level alerts: a release that failed, and a custom domain that stopped resolving or lost its certificate. */
export function appAlerts(to: Destinations): digitalocean.types.input.AppSpecAlert[] {
    return ["DEPLOYMENT_FAILED", "DOMAIN_FAILED"].map((rule) => ({ rule, destinations: appDestinations(to) }));
}

/** A component that restarts this often in five minutes is crash-looping. */
const restartsPerFiveMinutes = 3;

/** Per-component alerts: seed 000's memory warning (from the catalogue), CPU, and restarts. */
export function componentAlerts(monitoring: Pick<MonitoringSpec, "thresholds" | "metrics">, to: Destinations): ComponentAlert[] {
    const memory = catalogueOf(monitoring)("memoryHigh");
    const rules: [string, number, string][] = [
        ["CPU_UTILIZATION", monitoring.thresholds.cpuPercent, "FIVE_MINUTES"],
        ["MEM_UTILIZATION", memory.threshold, appWindow(memory.forMinutes)],
        ["RESTART_COUNT", restartsPerFiveMinutes, "FIVE_MINUTES"],
    ];
    return rules.map(([rule, value, window]) => ({ rule, operator: "GREATER_THAN", value, window, destinations: appDestinations(to) }));
}

/** The shortest period the uptime API accepts that covers the wanted minutes. */
function uptimePeriod(minutes: number): string {
    const allowed: [number, string][] = [[2, "2m"], [3, "3m"], [5, "5m"], [10, "10m"], [15, "15m"], [30, "30m"], [60, "1h"]];
    return (allowed.find(([m]) => m >= minutes) ?? allowed[allowed.length - 1])[1];
}

/** Days before the certificate expires that the TLS alert fires: time to notice a failed renewal. */
const certificateExpiryDays = 14;

/**
 * An uptime check on the api's public health URL, probed from the configured regions, with alerts
 * when it is down from every region, slower than the p95 latency threshold, or its certificate is
 * near expiry. Enum values are the API's snake_case (`down_global`, `greater_than`); the provider's
 * doc comments show camelCase, which the API rejects.
 */
export function createUptimeAlerts(
    scope: Scope,
    args: { healthUrl: pulumi.Output<string>; regions: string[]; monitoring: Pick<MonitoringSpec, "thresholds" | "metrics">; to: Destinations },
): { check: digitalocean.UptimeCheck; alerts: digitalocean.UptimeAlert[] } {
    const seed = catalogueOf(args.monitoring);
    const health = seed("healthCheckFailing");
    const latency = seed("apiLatencyP95");
    const check = new digitalocean.UptimeCheck(`${scope.name}-uptime`, {
        name: `${scope.name} health`,
        target: args.healthUrl,
        type: "https",
        regions: args.regions,
        enabled: true,
    }, { parent: scope.parent });
    const notifications = (severity: Severity) => [{
        emails: emailsFor(args.to, severity),
        slacks: args.to.slack ? [{ channel: args.to.slack.channel, url: args.to.slack.url }] : undefined,
    }];
    const alert = (kind: string, severity: Severity, settings: Omit<digitalocean.UptimeAlertArgs, "checkId" | "notifications" | "name">) =>
        new digitalocean.UptimeAlert(`${scope.name}-uptime-${kind}`, {
            checkId: check.id,
            name: `${scope.name} ${kind}`,
            notifications: notifications(severity),
            ...settings,
        }, { parent: scope.parent });
    const alerts = [
        alert("down", health.severity, { type: "down_global", period: uptimePeriod(health.forMinutes) }),
        alert("latency", latency.severity, {
            type: "latency",
            comparison: "greater_than",
            // The uptime API's latency threshold is in milliseconds.
            threshold: Math.round(latency.threshold * 1000),
            period: uptimePeriod(latency.forMinutes),
        }),
        alert("tls-expiry", "warning", { type: "ssl_expiry", comparison: "less_than", threshold: certificateExpiryDays, period: "5m" }),
    ];
    return { check, alerts };
}

/**
 * Database monitor alerts (the `v1/dbaas/alerts/*` policy types) on both managed clusters: CPU and
 * memory above the seed-000 thresholds, disk above the disk threshold (80 % by default). `GreaterThan`
 * is the monitoring API's own spelling for its comparison.
 */
export function createDatabaseAlerts(
    scope: Scope,
    args: { clusterIds: pulumi.Output<string>[]; monitoring: Pick<MonitoringSpec, "thresholds" | "metrics">; to: Destinations },
): digitalocean.MonitorAlert[] {
    const seed = catalogueOf(args.monitoring);
    const memory = seed("memoryHigh");
    const disk = seed("diskHigh");
    // All warnings: they post to Slack and e-mail the team, and never reach a paging e-mail.
    const metrics: [string, string, number, number][] = [
        ["cpu", "v1/dbaas/alerts/cpu_alerts", args.monitoring.thresholds.cpuPercent, 5],
        ["memory", "v1/dbaas/alerts/memory_utilization_alerts", memory.threshold, memory.forMinutes],
        ["disk", "v1/dbaas/alerts/disk_utilization_alerts", disk.threshold, disk.forMinutes],
    ];
    return metrics.map(([metric, type, value, minutes]) =>
        new digitalocean.MonitorAlert(`${scope.name}-db-${metric}`, {
            type,
            compare: "GreaterThan",
            value,
            window: monitorWindow(minutes),
            entities: args.clusterIds,
            enabled: true,
            description: `${scope.name}: database ${metric} above ${value} %`,
            alerts: {
                emails: emailsFor(args.to, "warning"),
                slacks: args.to.slack ? [{ channel: args.to.slack.channel, url: args.to.slack.url }] : undefined,
            },
        }, { parent: scope.parent }),
    );
}
