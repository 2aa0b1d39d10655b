import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { awsOptions, type AwsContext } from "./context";

/** WAF rule priorities: the rate limits are judged before the managed rule groups. */
const priority = { login: 0, perIp: 1, common: 10, knownBadInputs: 20 } as const;

const visibility = (metricName: string) => ({ cloudwatchMetricsEnabled: true, metricName, sampledRequestsEnabled: true });

/**
 * What the rules do in each mode: our rules take an action, managed rule groups an override (`none` keeps
 * their own actions). In `count` mode nothing is blocked; matches are only counted and logged.
 */
export function wafActions(mode: "block" | "count"): { action: { block: object } | { count: object }; overrideAction: { none: object } | { count: object } } {
    return mode === "count" ? { action: { count: {} }, overrideAction: { count: {} } } : { action: { block: {} }, overrideAction: { none: {} } };
}

/**
 * The edge that limits abuse: an AWS WAF web ACL on the load balancer with AWS's managed rule groups
 * (common attacks, known bad inputs), a rate limit per client IP, and a tighter one on the login path
 * (seed 002: 10 a minute). `aws.wafMode: count` only counts what would be blocked (a first rollout).
 * Logs go to CloudWatch Logs, kept `aws.wafLogRetentionDays`.
 */
export class EdgeFirewall extends pulumi.ComponentResource {
    readonly webAcl: aws.wafv2.WebAcl;
    readonly association: aws.wafv2.WebAclAssociation;

    constructor(name: string, ctx: AwsContext, loadBalancerArn: pulumi.Input<string>, opts: pulumi.ComponentResourceOptions) {
        super("fraud-platform:aws:EdgeFirewall", name, {}, opts);
        const settings = ctx.spec.aws;
        const options = (extra: pulumi.CustomResourceOptions = {}) => awsOptions(ctx, this, extra);
        const { action, overrideAction } = wafActions(settings.wafMode);
        const managedGroup = (ruleName: string, rulePriority: number) => ({
            name: ruleName,
            priority: rulePriority,
            overrideAction,
            statement: { managedRuleGroupStatement: { vendorName: "AWS", name: ruleName } },
            visibilityConfig: visibility(ruleName),
        });

        this.webAcl = new aws.wafv2.WebAcl(
            `${name}-acl`,
            {
                description: `${ctx.spec.project} ${ctx.spec.environment}: managed rules and rate limits in front of the api`,
                scope: "REGIONAL",
                defaultAction: { allow: {} },
                rules: [
                    {
                        name: "login-rate-per-ip",
                        priority: priority.login,
                        action,
                        statement: {
                            rateBasedStatement: {
                                // Rate-based rules count over a window of 60, 120, 300 or 600 s; 60 s makes the limit "a minute".
                                // https://docs.aws.amazon.com/waf/latest/APIReference/API_RateBasedStatement.html
                                limit: settings.wafLoginRateLimitPerMinute,
                                evaluationWindowSec: 60,
                                aggregateKeyType: "IP",
                                scopeDownStatement: {
                                    byteMatchStatement: {
                                        searchString: settings.wafLoginPath,
                                        fieldToMatch: { uriPath: {} },
                                        positionalConstraint: "STARTS_WITH",
                                        textTransformations: [{ priority: 0, type: "NONE" }],
                                    },
                                },
                            },
                        },
                        visibilityConfig: visibility("login-rate-per-ip"),
                    },
                    {
                        name: "rate-per-ip",
                        priority: priority.perIp,
                        action,
                        statement: { rateBasedStatement: { limit: settings.wafRateLimitPer5Minutes, evaluationWindowSec: 300, aggregateKeyType: "IP" } },
                        visibilityConfig: visibility("rate-per-ip"),
                    },
                    managedGroup("AWSManagedRulesCommonRuleSet", priority.common),
                    managedGroup("AWSManagedRulesKnownBadInputsRuleSet", priority.knownBadInputs),
                ],
                visibilityConfig: visibility(`${ctx.spec.project}-${ctx.spec.stack}-edge`),
            },
            options(),
        );

        // WAF delivers only to log groups whose name starts with aws-waf-logs-
        // (https://docs.aws.amazon.com/waf/latest/developerguide/logging-cw-logs.html).
        const logs = new aws.cloudwatch.LogGroup(
            `${name}-logs`,
            { name: `aws-waf-logs-${ctx.spec.project}-${ctx.spec.stack}`, retentionInDays: settings.wafLogRetentionDays },
            options(),
        );
        new aws.wafv2.WebAclLoggingConfiguration(`${name}-logging`, { resourceArn: this.webAcl.arn, logDestinationConfigs: [logs.arn] }, options());
        this.association = new aws.wafv2.WebAclAssociation(`${name}-lb`, { resourceArn: loadBalancerArn, webAclArn: this.webAcl.arn }, options());
        this.registerOutputs({ webAclArn: this.webAcl.arn });
    }
}
