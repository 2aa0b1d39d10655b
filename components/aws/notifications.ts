import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { MonitoringSpec } from "../../config";
import type { Severity } from "../alerts/catalogue";
import { assumeRolePolicy, awsOptions, policyDocument, type AwsContext } from "./context";
import { storeSecret } from "./secrets";

/**
 * The two alert topics, as seed 000 separates them: `critical` pages (PagerDuty) and posts to Slack,
 * `warning` only posts to Slack; the alert e-mails get both. Anything that alerts on AWS (alarms, budgets,
 * deployment events) publishes to the topic of its severity.
 */
export interface AlertTopics {
    critical: aws.sns.Topic;
    warning: aws.sns.Topic;
}

/**
 * Creates both topics. The critical one keeps the name the single alert topic had (`<name>`), so it stays
 * the same resource with its subscriptions; the warning one is `<name>-warning`.
 */
export function createAlertTopics(ctx: AwsContext, name: string, parent: pulumi.Resource): AlertTopics {
    const topic = (resourceName: string, severity: Severity) =>
        new aws.sns.Topic(resourceName, { displayName: `${ctx.spec.project} ${ctx.spec.environment} ${severity} alerts` }, awsOptions(ctx, parent));
    const critical = topic(name, "critical");
    const warning = topic(`${name}-warning`, "warning");
    // CloudWatch alarms and AWS Budgets publish to the warning topic; Budgets needs the topic policy to say so:
    // https://docs.aws.amazon.com/cost-management/latest/userguide/budgets-sns-policy.html
    const publisher = (sid: string, service: string) => ({
        Sid: sid,
        Effect: "Allow" as const,
        Principal: { Service: service },
        Action: ["sns:Publish"],
        Resource: [warning.arn],
        Condition: { StringEquals: { "aws:SourceAccount": ctx.accountId } },
    });
    new aws.sns.TopicPolicy(
        `${name}-warning`,
        { arn: warning.arn, policy: policyDocument([publisher("CloudWatchAlarmsPublish", "cloudwatch.amazonaws.com"), publisher("BudgetsPublish", "budgets.amazonaws.com")]) },
        awsOptions(ctx, parent),
    );
    return { critical, warning };
}

/** PagerDuty's CloudWatch integration endpoint; it confirms SNS subscriptions by itself. */
export function pagerDutyEndpoint(integrationKey: pulumi.Input<string>): pulumi.Output<string> {
    return pulumi.secret(pulumi.interpolate`https://events.pagerduty.com/integration/${integrationKey}/enqueue`);
}

/**
 * Slack incoming webhooks cannot confirm an SNS subscription, nor read SNS's envelope, so a
 * subscription straight to the webhook would stay "pending confirmation" and deliver nothing.
 * This small function receives the topic's messages and posts them to the webhook as Slack text.
 */
const slackForwarderSource = `
import { SecretsManagerClient, GetSecretValueCommand } from "@aws-sdk/client-secrets-manager";

const secrets = new SecretsManagerClient({});
let webhookUrl;

function describe(message, subject) {
    try {
        const alarm = JSON.parse(message);
        if (alarm.AlarmName) {
            const icon = alarm.NewStateValue === "ALARM" ? ":rotating_light:" : alarm.NewStateValue === "OK" ? ":white_check_mark:" : ":grey_question:";
            return icon + " *" + alarm.AlarmName + "* is " + alarm.NewStateValue + "\\n" + (alarm.AlarmDescription ?? "") + "\\n_" + alarm.NewStateReason + "_";
        }
    } catch {}
    return "*" + (subject ?? "Alert") + "*\\n" + message;
}

export const handler = async (event) => {
    webhookUrl ??= (await secrets.send(new GetSecretValueCommand({ SecretId: process.env.WEBHOOK_SECRET_ARN }))).SecretString;
    for (const record of event.Records) {
        const response = await fetch(webhookUrl, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify({ text: describe(record.Sns.Message, record.Sns.Subject) }),
        });
        if (!response.ok) throw new Error("Slack answered " + response.status);
    }
};
`;

function slackForwarder(ctx: AwsContext, name: string, parent: pulumi.Resource, topics: AlertTopics, webhookUrl: pulumi.Output<string>): void {
    const options = (extra: pulumi.CustomResourceOptions = {}) => awsOptions(ctx, parent, extra);
    const webhook = storeSecret(ctx, `${name}-webhook`, parent, `${ctx.spec.project} ${ctx.spec.environment} Slack webhook for alerts`, webhookUrl);
    const logGroup = new aws.cloudwatch.LogGroup(`${name}-logs`, { retentionInDays: ctx.spec.aws.logRetentionDays }, options());
    const role = new aws.iam.Role(
        `${name}-role`,
        { description: "Alert forwarder: read the Slack webhook secret, write its logs", assumeRolePolicy: assumeRolePolicy(ctx, "lambda.amazonaws.com") },
        options(),
    );
    const policy = new aws.iam.RolePolicy(
        `${name}-role`,
        {
            role: role.id,
            policy: policyDocument([
                { Sid: "ReadWebhook", Effect: "Allow", Action: ["secretsmanager:GetSecretValue"], Resource: [webhook.arn] },
                { Sid: "WriteLogs", Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: [pulumi.interpolate`${logGroup.arn}:log-stream:*`] },
            ]),
        },
        awsOptions(ctx, role),
    );
    const forwarder = new aws.lambda.Function(
        name,
        {
            description: "Posts the alert topic's messages to Slack",
            runtime: "nodejs22.x",
            architectures: ["arm64"],
            handler: "index.handler",
            code: new pulumi.asset.AssetArchive({ "index.mjs": new pulumi.asset.StringAsset(slackForwarderSource) }),
            role: role.arn,
            timeout: 15,
            memorySize: 128,
            environment: { variables: { WEBHOOK_SECRET_ARN: webhook.arn } },
            loggingConfig: { logFormat: "Text", logGroup: logGroup.name },
        },
        options({ dependsOn: [policy, webhook.version] }),
    );
    // One forwarder for both topics; the critical topic's permission and subscription keep their earlier names.
    for (const severity of ["critical", "warning"] as const) {
        const suffix = severity === "critical" ? "" : "-warning";
        const permission = new aws.lambda.Permission(
            `${name}${suffix}`,
            { action: "lambda:InvokeFunction", function: forwarder.name, principal: "sns.amazonaws.com", sourceArn: topics[severity].arn },
            awsOptions(ctx, forwarder),
        );
        new aws.sns.TopicSubscription(`${name}${suffix}-subscription`, { topic: topics[severity].arn, protocol: "lambda", endpoint: forwarder.arn }, options({ dependsOn: [permission] }));
    }
}

/**
 * Subscribes the configured destinations: PagerDuty to the critical topic only; Slack and each e-mail
 * address to both (a warning never pages).
 */
export function subscribeAlertDestinations(ctx: AwsContext, name: string, parent: pulumi.Resource, topics: AlertTopics, monitoring: MonitoringSpec): void {
    const options = (extra: pulumi.CustomResourceOptions = {}) => awsOptions(ctx, parent, extra);
    for (const severity of ["critical", "warning"] as const) {
        const prefix = severity === "critical" ? name : `${name}-warning`;
        for (const address of monitoring.alertEmails) {
            // Keyed by the address, so reordering the list changes nothing. Each address must confirm once, by email.
            new aws.sns.TopicSubscription(
                `${prefix}-email-${address.toLowerCase().replace(/[^a-z0-9]+/g, "-")}`,
                { topic: topics[severity].arn, protocol: "email", endpoint: address },
                options(),
            );
        }
    }
    if (monitoring.pagerDutyIntegrationKey !== undefined) {
        new aws.sns.TopicSubscription(
            `${name}-pagerduty`,
            { topic: topics.critical.arn, protocol: "https", endpoint: pagerDutyEndpoint(monitoring.pagerDutyIntegrationKey), endpointAutoConfirms: true },
            options(),
        );
    }
    if (monitoring.slackWebhookUrl !== undefined) {
        slackForwarder(ctx, `${name}-slack`, parent, topics, monitoring.slackWebhookUrl);
    }
}

/**
 * A failed ECS deployment is news even when the rollback worked: the release did not ship. EventBridge
 * forwards two kinds of ECS deployment events to the alert topic, each with its own message: a rollback
 * deployment starting (ECS returns the service to its last completed revision), and a deployment failing.
 * A failure with no rollback after it is the stalled case: the service had no completed deployment to
 * return to (its first), so it keeps no healthy revision and `pulumi up` ends with an error.
 * Event shapes: https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs_service_deployment_events.html
 * (rollbacks start as SERVICE_DEPLOYMENT_IN_PROGRESS whose reason says "rolling back to deploymentId ...").
 */
export function forwardDeploymentFailures(ctx: AwsContext, name: string, parent: pulumi.Resource, topic: aws.sns.Topic, clusterName: pulumi.Output<string>): void {
    const options = (extra: pulumi.CustomResourceOptions = {}) => awsOptions(ctx, parent, extra);
    const servicesOfCluster = [{ prefix: pulumi.interpolate`arn:${ctx.partition}:ecs:${ctx.region}:${ctx.accountId}:service/${clusterName}/` }];
    const rules = {
        failed: new aws.cloudwatch.EventRule(
            name,
            {
                description: "ECS deployments of this environment that failed",
                eventPattern: pulumi.jsonStringify({
                    source: ["aws.ecs"],
                    "detail-type": ["ECS Deployment State Change"],
                    resources: servicesOfCluster,
                    detail: { eventName: ["SERVICE_DEPLOYMENT_FAILED"] },
                }),
            },
            options(),
        ),
        rolledBack: new aws.cloudwatch.EventRule(
            `${name}-rollback`,
            {
                description: "ECS rolling this environment's services back to their last completed deployment",
                eventPattern: pulumi.jsonStringify({
                    source: ["aws.ecs"],
                    "detail-type": ["ECS Deployment State Change"],
                    resources: servicesOfCluster,
                    // EventBridge wildcard matching: https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html
                    detail: { eventName: ["SERVICE_DEPLOYMENT_IN_PROGRESS"], reason: [{ wildcard: "*rolling back*" }, { wildcard: "*Rolling back*" }, { wildcard: "*rollback*" }] },
                }),
            },
            options(),
        ),
    };
    const policy = new aws.sns.TopicPolicy(
        name,
        {
            arn: topic.arn,
            policy: policyDocument([
                {
                    Sid: "CloudWatchAlarmsPublish",
                    Effect: "Allow",
                    Principal: { Service: "cloudwatch.amazonaws.com" },
                    Action: ["sns:Publish"],
                    Resource: [topic.arn],
                    Condition: { StringEquals: { "aws:SourceAccount": ctx.accountId } },
                },
                {
                    Sid: "DeploymentEventsPublish",
                    Effect: "Allow",
                    Principal: { Service: "events.amazonaws.com" },
                    Action: ["sns:Publish"],
                    Resource: [topic.arn],
                    Condition: { ArnEquals: { "aws:SourceArn": [rules.failed.arn, rules.rolledBack.arn] } },
                },
            ]),
        },
        options(),
    );
    const messages: Record<keyof typeof rules, string> = {
        failed:
            "ECS deployment FAILED. Service: <service>. Reason: <reason>. If a 'rolled back' message follows, the previous revision serves again. " +
            "If none follows, the service had no completed deployment to return to (a first deployment): it is stalled with no healthy revision, " +
            "and pulumi up ended with an error. Read the stopped tasks' reasons and the logs, fix, and release again.",
        rolledBack:
            "ECS is ROLLING BACK service <service> to its last completed revision (reason: <reason>). The release did not ship; " +
            "the previous revision keeps serving. Check the Deployments tab, the rollback alarms and the migration log before releasing again.",
    };
    for (const [kind, rule] of Object.entries(rules) as [keyof typeof rules, aws.cloudwatch.EventRule][]) {
        new aws.cloudwatch.EventTarget(
            kind === "failed" ? name : `${name}-rollback`,
            {
                rule: rule.name,
                arn: topic.arn,
                inputTransformer: {
                    inputPaths: { service: "$.resources[0]", reason: "$.detail.reason" },
                    inputTemplate: JSON.stringify(messages[kind]),
                },
            },
            options({ dependsOn: [policy] }),
        );
    }
}
