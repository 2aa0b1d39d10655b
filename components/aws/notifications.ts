import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { MonitoringSpec } from "../../config";
import { assumeRolePolicy, awsOptions, policyDocument, type AwsContext } from "./context";
import { storeSecret } from "./secrets";

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

function slackForwarder(ctx: AwsContext, name: string, parent: pulumi.Resource, topic: aws.sns.Topic, webhookUrl: pulumi.Output<string>): void {
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
        options({ dependsOn: [policy] }),
    );
    const permission = new aws.lambda.Permission(
        name,
        { action: "lambda:InvokeFunction", function: forwarder.name, principal: "sns.amazonaws.com", sourceArn: topic.arn },
        awsOptions(ctx, forwarder),
    );
    new aws.sns.TopicSubscription(`${name}-subscription`, { topic: topic.arn, protocol: "lambda", endpoint: forwarder.arn }, options({ dependsOn: [permission] }));
}

/** Subscribes the configured destinations to the alert topic: each email, PagerDuty, Slack. */
export function subscribeAlertDestinations(ctx: AwsContext, name: string, parent: pulumi.Resource, topic: aws.sns.Topic, monitoring: MonitoringSpec): void {
    const options = (extra: pulumi.CustomResourceOptions = {}) => awsOptions(ctx, parent, extra);
    for (const address of monitoring.alertEmails) {
        // Keyed by the address, so reordering the list changes nothing. Each address must confirm once, by email.
        new aws.sns.TopicSubscription(
            `${name}-email-${address.toLowerCase().replace(/[^a-z0-9]+/g, "-")}`,
            { topic: topic.arn, protocol: "email", endpoint: address },
            options(),
        );
    }
    if (monitoring.pagerDutyIntegrationKey !== undefined) {
        new aws.sns.TopicSubscription(
            `${name}-pagerduty`,
            { topic: topic.arn, protocol: "https", endpoint: pagerDutyEndpoint(monitoring.pagerDutyIntegrationKey), endpointAutoConfirms: true },
            options(),
        );
    }
    if (monitoring.slackWebhookUrl !== undefined) {
        slackForwarder(ctx, `${name}-slack`, parent, topic, monitoring.slackWebhookUrl);
    }
}

/**
 * A failed ECS deployment (circuit breaker or rollback alarm) is news even when the rollback worked:
 * the release did not ship. EventBridge forwards those events to the alert topic.
 */
export function forwardDeploymentFailures(ctx: AwsContext, name: string, parent: pulumi.Resource, topic: aws.sns.Topic, clusterName: pulumi.Output<string>): void {
    const options = (extra: pulumi.CustomResourceOptions = {}) => awsOptions(ctx, parent, extra);
    const rule = new aws.cloudwatch.EventRule(
        name,
        {
            description: "ECS deployments of this environment that failed (and were rolled back)",
            eventPattern: pulumi.jsonStringify({
                source: ["aws.ecs"],
                "detail-type": ["ECS Deployment State Change"],
                resources: [{ prefix: pulumi.interpolate`arn:${ctx.partition}:ecs:${ctx.region}:${ctx.accountId}:service/${clusterName}/` }],
                detail: { eventName: ["SERVICE_DEPLOYMENT_FAILED"] },
            }),
        },
        options(),
    );
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
                    Sid: "DeploymentFailuresPublish",
                    Effect: "Allow",
                    Principal: { Service: "events.amazonaws.com" },
                    Action: ["sns:Publish"],
                    Resource: [topic.arn],
                    Condition: { ArnEquals: { "aws:SourceArn": rule.arn } },
                },
            ]),
        },
        options(),
    );
    new aws.cloudwatch.EventTarget(
        name,
        {
            rule: rule.name,
            arn: topic.arn,
            inputTransformer: {
                inputPaths: { service: "$.resources[0]", reason: "$.detail.reason" },
                inputTemplate: '"ECS deployment failed and was rolled back. Service: <service>. Reason: <reason>. Check the service\'s Deployments tab and its logs before releasing again."',
            },
        },
        options({ dependsOn: [policy] }),
    );
}
