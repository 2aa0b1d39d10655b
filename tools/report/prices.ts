/**
 * The dated price table the cost model reads. Every price names the page it was read from; all were looked
 * up on the date below through the team's search tool (stored copies of public pages). A price that could
 * not be found is `usd: null`: the report shows that line as "not priced" instead of guessing.
 *
 * AWS prices are on-demand, US East (N. Virginia), us-east-1; other regions are not in the table, so an
 * AWS stack elsewhere gets "not priced" lines. DigitalOcean lists one price for all regions.
 */
export const priceTableDate = "2026-12-02";

export interface PriceFact {
    usd: number | null;
    /** What one unit is: `vCPU-hour`, `GB-month`, `hour`, `month`, … */
    unit: string;
    /** Where the price was read (URL and what it says). */
    source: string;
    /** Why the price is missing, or a caveat about the source. */
    note?: string;
}

/** Hours in a month, as AWS's pricing pages and calculator use. */
export const hoursPerMonth = 730;

const vantageFargate = "https://www.vantage.sh/blog/fargate-pricing (us-east-1 table: Linux/x86 $0.04048 per vCPU-hour, $0.004445 per GB-hour; Linux/ARM $0.03238, $0.00356)";
const infratallyRds = "https://infratally.com/articles/aws-rds-pricing-explained-2026.html (us-east-1 Single-AZ per hour: db.t4g.micro $0.016, db.t4g.small $0.032, db.t4g.medium $0.065; Multi-AZ exactly double)";
const notFound = (what: string) => `not found in the pages searched on ${priceTableDate} (${what}); price it from the provider's page before relying on this line`;

export const awsUsEast1 = {
    fargateX86VcpuHour: { usd: 0.04048, unit: "vCPU-hour", source: vantageFargate },
    fargateX86GbHour: { usd: 0.004445, unit: "GB-hour", source: vantageFargate },
    fargateArmVcpuHour: { usd: 0.03238, unit: "vCPU-hour", source: vantageFargate },
    fargateArmGbHour: { usd: 0.00356, unit: "GB-hour", source: vantageFargate },
    /** RDS for PostgreSQL, Single-AZ, per instance-hour, by class. */
    rdsPostgresInstanceHour: {
        "db.t4g.micro": { usd: 0.016, unit: "instance-hour", source: infratallyRds },
        "db.t4g.small": { usd: 0.032, unit: "instance-hour", source: infratallyRds },
        "db.t4g.medium": { usd: 0.065, unit: "instance-hour", source: infratallyRds },
        "db.r6g.large": {
            usd: null,
            unit: "instance-hour",
            source: "",
            note: notFound("the stored copies of aws.amazon.com/rds/postgresql/pricing and aws.amazon.com/rds/pricing carry no rate tables; the third-party guides found (usage.ai, infratally.com, selfhost.dev, cloudburn.io) give no db.r6g.large rate"),
        },
        "db.r5.large": { usd: null, unit: "instance-hour", source: "", note: notFound("AWS RDS pricing page tables are not in the stored copies") },
    } as Record<string, PriceFact>,
    rdsMultiAzFactor: {
        usd: 2,
        unit: "× Single-AZ",
        source: "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_OnDemandDBInstances.html (Multi-AZ: compute billed per DB instance-hour for both the primary and the standby; storage per GB-month for both)",
    },
    rdsGp3GbMonth: {
        usd: 0.115,
        unit: "GB-month",
        source: "https://www.usage.ai/blogs/aws/reserved-instances/rds/pricing-calculator/ (us-east-1: storage GB provisioned × $0.115/month (gp3), citing aws.amazon.com/rds/pricing)",
    },
    rdsBackupGbMonth: {
        usd: 0.095,
        unit: "GB-month beyond the provisioned size",
        source: "https://www.usage.ai/blogs/aws/reserved-instances/rds/pricing-calculator/ (backup storage above 100 % of provisioned size ~$0.095/GB-month; free up to the provisioned size)",
    },
    /** ElastiCache (Redis OSS), per node-hour, by node type. */
    elasticacheNodeHour: {
        "cache.r6g.large": {
            usd: null,
            unit: "node-hour",
            source: "",
            note: notFound("the stored copies of aws.amazon.com/elasticache/pricing stop before the on-demand node table; c3x.dev and cloudburn.io guides give no cache.r6g.large rate"),
        },
    } as Record<string, PriceFact>,
    albHour: { usd: 0.0225, unit: "ALB-hour", source: "https://cloud-horizons.com/blog/alb-the-line-item-nobody-watches/ (hourly base $0.0225 per ALB per hour; LCU-hour $0.008)" },
    albLcuHour: { usd: 0.008, unit: "LCU-hour", source: "https://cloud-horizons.com/blog/alb-the-line-item-nobody-watches/ (LCU-hour bills $0.008 each)" },
    natHour: { usd: 0.045, unit: "NAT gateway-hour", source: "https://basavytix.com/blog/aws-nat-gateway-pricing (us-east-1: $0.045/hr per NAT gateway, $0.045 per GB processed)" },
    natGb: { usd: 0.045, unit: "GB processed", source: "https://basavytix.com/blog/aws-nat-gateway-pricing (us-east-1: $0.045 per GB processed)" },
    publicIpv4Hour: {
        usd: 0.005,
        unit: "public IPv4 address-hour",
        source: "https://www.doit.com/aws-public-ipv4-price-increase-the-complete-guide/ (since 1 Feb 2024 every public IPv4 address: NAT gateway, load balancer, … $0.005/hour)",
    },
    interfaceEndpointAzHour: {
        usd: 0.01,
        unit: "endpoint-AZ-hour",
        source: "https://www.egresscost.com/nat-gateway (VPC interface endpoint $7.20 per AZ per month = $0.01 × 720 h); billed per AZ: https://aws.amazon.com/privatelink/pricing/",
    },
    interfaceEndpointGb: { usd: 0.01, unit: "GB processed", source: "aws.amazon.com/privatelink/pricing (stored mirror: first 1 PB per month $0.01 per GB processed)" },
    dataTransferOutGb: {
        usd: 0.09,
        unit: "GB to the internet",
        source: "https://cloudpipelines.pages.dev/guides/aws-nat-gateway-pricing-2026/ (standard data transfer out, first 10 TB tier, $0.09/GB)",
    },
    cloudwatchAlarmMetricMonth: {
        usd: 0.1,
        unit: "standard-resolution alarm metric-month",
        source: "https://c3x.dev/resources/aws/aws_cloudwatch_metric_alarm ($0.10/alarm-month standard resolution); free tier of 10 alarm metrics per account (aws.amazon.com/cloudwatch/pricing) not applied",
    },
    cloudwatchDashboardMonth: {
        usd: 3,
        unit: "dashboard-month",
        source: "https://www.factualminds.com/blog/amazon-cloudwatch-pricing-metrics-logs-alarms-dashboards/ (dashboards at $3 each); free tier of 3 dashboards per account not applied",
    },
    cloudwatchLogsIngestGb: {
        usd: 0.5,
        unit: "GB ingested",
        source: "https://www.factualminds.com/blog/amazon-cloudwatch-pricing-metrics-logs-alarms-dashboards/ (Logs ingestion at $0.50/GB)",
    },
    secretMonth: {
        usd: 0.4,
        unit: "secret-month",
        source: "https://hivebook.wiki/wiki/aws-secrets-manager-rotated-secrets-dynamic-db-credentials-kms ($0.40 per secret per month + $0.05 per 10k API calls)",
    },
    s3StandardGbMonth: {
        usd: 0.023,
        unit: "GB-month",
        source: "https://devnotes.tech/understanding-aws-s3-pricing-a-complete-cost-breakdown-with-examples (S3 Standard: pricing starts at $0.023 per GB/month, US East region; first tier)",
    },
    lambdaRequest: {
        usd: 0.0000002,
        unit: "request",
        source: "https://docs.aws.amazon.com/whitepapers/latest/how-aws-pricing-works/lambda.html (free tier 1 million requests per month, then $0.20 per 1 million; 400,000 GB-seconds per month free, then $0.00001667 per GB-second)",
    },
} as const;

const dotsInstanceSize =
    "https://docs.digitalocean.com/reference/dots/reference/apps/apps-get-instancesize/ (apps-s-1vcpu-0.5gb: usd_per_month 5.00, bandwidth_allowance_gib 50)";

export const digitalOcean = {
    /** App Platform instance sizes, per instance-month. */
    appInstanceMonth: {
        "apps-s-1vcpu-0.5gb": { usd: 5, unit: "instance-month", source: dotsInstanceSize },
        "apps-s-1vcpu-1gb": {
            usd: 12,
            unit: "instance-month",
            source:
                "DigitalOcean API example for GET /v2/apps/tiers/instance_sizes (stored SDK portal copy, 'Apps List Instance Sizes'): the shared 1 vCPU / 1 GiB size that autoscales (former slug professional-xs) usd_per_month 12.00; a public DigitalOcean cost exporter's price table lists apps-s-1vcpu-1gb at 12.0",
            note: "the new slug's price is read from its former slug's; verify on DigitalOcean's App Platform pricing page",
        },
    } as Record<string, PriceFact>,
    /** Managed database node sizes, per node-month (each standby node billed as another node). */
    databaseNodeMonth: {
        "db-s-1vcpu-1gb": {
            usd: 15,
            unit: "node-month",
            source: "https://gist.github.com/fakhrullah/26edc80e92ceaebdf412fd5bfb6d0f01 (DigitalOcean managed db, 1 vCPU 1 GB: 1 node $15, 3 nodes $45 per month)",
            note: "third-party transcription of DigitalOcean's page, date not stated",
        },
        "db-s-1vcpu-2gb": {
            usd: null,
            unit: "node-month",
            source: "",
            note: notFound("docs.digitalocean.com/products/databases/postgresql/details/pricing is not among the stored pages; only unattributable third-party module READMEs name a figure"),
        },
    } as Record<string, PriceFact>,
    appBandwidthAllowanceGib: { usd: null, unit: "GiB per instance-month included", source: dotsInstanceSize },
    uptimeCheckMonth: {
        usd: null,
        unit: "check-month",
        source: "",
        note: notFound("the stored DigitalOcean Uptime docs (product, reference, API pages) state no price"),
    },
} as const;
