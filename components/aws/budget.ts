import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { awsOptions, type AwsContext } from "./context";

/**
 * Seed 001's cost monitoring: an AWS Budgets monthly cost budget for the stack's resources (its `stack`
 * cost-allocation tag, which every resource carries through the provider's default tags) with alerts at
 * 80 % (actual and forecast) and 100 % (actual) to the alert topic. The tag must be activated once as a
 * cost-allocation tag in the Billing console (docs/aws.md).
 */
export function createBudget(ctx: AwsContext, name: string, parent: pulumi.Resource, monthlyUsd: number, topicArn: pulumi.Input<string>): aws.budgets.Budget {
    const stackTag = ctx.spec.tags.stack;
    const notify = (threshold: number, notificationType: "ACTUAL" | "FORECASTED") => ({
        comparisonOperator: "GREATER_THAN",
        threshold,
        thresholdType: "PERCENTAGE",
        notificationType,
        subscriberSnsTopicArns: [topicArn],
    });
    return new aws.budgets.Budget(
        name,
        {
            budgetType: "COST",
            timeUnit: "MONTHLY",
            limitAmount: monthlyUsd.toFixed(2),
            limitUnit: "USD",
            // Budgets' tag filter: `user:<key>$<value>` (https://docs.aws.amazon.com/aws-cost-management/latest/APIReference/API_budgets_Budget.html, CostFilters).
            costFilters: stackTag === undefined ? undefined : [{ name: "TagKeyValue", values: [`user:stack$${stackTag}`] }],
            notifications: [notify(80, "ACTUAL"), notify(80, "FORECASTED"), notify(100, "ACTUAL")],
        },
        awsOptions(ctx, parent),
    );
}
