import * as digitalocean from "@pulumi/digitalocean";
import * as pulumi from "@pulumi/pulumi";
import type { MonitoringSpec } from "../../config";
import type { Scope } from "../backend";

type ComponentAlert = digitalocean.types.input.AppSpecServiceAlert;
type AlertDestinations = digitalocean.types.input.AppSpecAlertDestinations;

/**
 * Where alerts go: the configured emails (team members, verified for uptime alerts) and, when set, the
 * Slack webhook (a secret). `pagingEmails` (a paging service's e-mail integration) receive the uptime
 * and database alerts only: App Platform sends app alerts to members of the DigitalOcean team alone.
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
        to.pagingEmails.length > 0 ? `paging email (uptime and database alerts): ${to.pagingEmails.join(", ")}` : undefined,
        to.slack ? `slack: ${to.slack.channel}` : undefined,
    ];
    return parts.filter((part): part is string => part !== undefined).join("; ");
}

/** The e-mail addresses of the uptime and database alerts: every configured one, the paging ones included. */
function allEmails(to: Destinations): string[] | undefined {
    const emails = [...to.emails, ...to.pagingEmails];
    return emails.length > 0 ? emails : undefined;
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

/** Per-component alerts on the seed-000 CPU and memory thresholds, and on restarts. */
export function componentAlerts(thresholds: MonitoringSpec["thresholds"], to: Destinations): ComponentAlert[] {
    const rules: [string, number][] = [
        ["CPU_UTILIZATION", thresholds.cpuPercent],
        ["MEM_UTILIZATION", thresholds.memoryPercent],
        ["RESTART_COUNT", restartsPerFiveMinutes],
    ];
    return rules.map(([rule, value]) => ({ rule, operator: "GREATER_THAN", value, window: "FIVE_MINUTES", destinations: appDestinations(to) }));
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
    args: { healthUrl: pulumi.Output<string>; regions: string[]; thresholds: MonitoringSpec["thresholds"]; to: Destinations },
): { check: digitalocean.UptimeCheck; alerts: digitalocean.UptimeAlert[] } {
    const check = new digitalocean.UptimeCheck(`${scope.name}-uptime`, {
        name: `${scope.name} health`,
        target: args.healthUrl,
        type: "https",
        regions: args.regions,
        enabled: true,
    }, { parent: scope.parent });
    const notifications = [{
        emails: allEmails(args.to),
        slacks: args.to.slack ? [{ channel: args.to.slack.channel, url: args.to.slack.url }] : undefined,
    }];
    const alert = (kind: string, settings: Omit<digitalocean.UptimeAlertArgs, "checkId" | "notifications" | "name">) =>
        new digitalocean.UptimeAlert(`${scope.name}-uptime-${kind}`, {
            checkId: check.id,
            name: `${scope.name} ${kind}`,
            notifications,
            ...settings,
        }, { parent: scope.parent });
    const alerts = [
        alert("down", { type: "down_global", period: "2m" }),
        alert("latency", {
            type: "latency",
            comparison: "greater_than",
            threshold: args.thresholds.p95LatencyMs,
            period: uptimePeriod(args.thresholds.latencyMinutes),
        }),
        alert("tls-expiry", { type: "ssl_expiry", comparison: "less_than", threshold: certificateExpiryDays, period: "5m" }),
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
    args: { clusterIds: pulumi.Output<string>[]; thresholds: MonitoringSpec["thresholds"]; to: Destinations },
): digitalocean.MonitorAlert[] {
    const metrics: [string, string, number][] = [
        ["cpu", "v1/dbaas/alerts/cpu_alerts", args.thresholds.cpuPercent],
        ["memory", "v1/dbaas/alerts/memory_utilization_alerts", args.thresholds.memoryPercent],
        ["disk", "v1/dbaas/alerts/disk_utilization_alerts", args.thresholds.diskPercent],
    ];
    return metrics.map(([metric, type, value]) =>
        new digitalocean.MonitorAlert(`${scope.name}-db-${metric}`, {
            type,
            compare: "GreaterThan",
            value,
            window: "5m",
            entities: args.clusterIds,
            enabled: true,
            description: `${scope.name}: database ${metric} above ${value} %`,
            alerts: {
                emails: allEmails(args.to),
                slacks: args.to.slack ? [{ channel: args.to.slack.channel, url: args.to.slack.url }] : undefined,
            },
        }, { parent: scope.parent }),
    );
}
