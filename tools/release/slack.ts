import type { RolloutRecord } from "./rolloutRecord";

/**
 * Seed 003's Slack notifications, on success and on failure, posted to an incoming webhook
 * (https://api.slack.com/messaging/webhooks: POST a JSON body with `text`). The webhook URL is a secret:
 * it comes from the environment (SLACK_WEBHOOK_URL, a GitHub secret), never from a committed file.
 */

function title(environment: string): string {
    return environment.charAt(0).toUpperCase() + environment.slice(1);
}

/** The message, in the seed's words; every fact in it comes from the record. */
export function slackMessage(record: RolloutRecord): string {
    const env = title(record.environment);
    if (record.status === "succeeded") {
        return [
            `✅ ${env} deployment successful`,
            `Version: ${record.tag}`,
            `Deployment ID: ${record.deployment_id}`,
            `Environment: ${record.environment_url ?? "(url not reported)"}`,
            "All services healthy and operational",
            `Rollback available for ${record.rollback_window_minutes} minutes (until ${record.rollback_deadline})`,
        ].join("\n");
    }
    const backup = record.database_backup
        ? `Database backup available for rollback: ${record.database_backup.backup_id} (${record.database_backup.location})`
        : "No database backup was observed for this release";
    const stage = record.failure ? `Failed stage: ${record.failure.stage}: ${record.failure.reason}` : "Failed before any stage";
    const rolledBack = record.rollback ? `Automatic rollback: ${record.rollback.status}` : "No automatic rollback was needed (no traffic had shifted)";
    return [
        `🚨 ${env} deployment FAILED`,
        `Version: ${record.tag}`,
        `Deployment ID: ${record.deployment_id}`,
        stage,
        rolledBack,
        "",
        "⚠️ ACTION REQUIRED: Manual investigation needed",
        backup,
        `Check workflow logs for failure details${record.workflow_run_url ? `: ${record.workflow_run_url}` : ""}`,
    ].join("\n");
}

/** Posts the message; a notification that cannot be delivered is reported, never fatal to the release. */
export async function notifySlack(webhookUrl: string | undefined, record: RolloutRecord, log: (line: string) => void): Promise<"sent" | "skipped" | "failed"> {
    if (webhookUrl === undefined || webhookUrl === "") {
        log("slack: SLACK_WEBHOOK_URL is not set; no notification sent");
        return "skipped";
    }
    try {
        const response = await fetch(webhookUrl, {
            method: "POST",
            headers: { "Content-Type": "application/json" },
            body: JSON.stringify({ text: slackMessage(record) }),
            signal: AbortSignal.timeout(10_000),
        });
        if (!response.ok) {
            log(`slack: the webhook answered HTTP ${response.status}; notification not delivered`);
            return "failed";
        }
        return "sent";
    } catch (error) {
        log(`slack: notification not delivered (${error instanceof Error ? error.message : String(error)})`);
        return "failed";
    }
}
