import { expect } from "chai";
import * as fs from "node:fs";
import * as path from "node:path";
import { listStacks, readStackConfig, repoRoot } from "../tools/engine/stackFiles";
import { estimateCost } from "../tools/report/cost";
import type { GraphResource } from "../tools/engine/deployTime";
import { estimateFirstDeploy } from "../tools/report/deployTime";
import { reportFiles, type ReportFiles } from "../tools/report/files";
import { imageOnlyChange, releaseRuns } from "../tools/report/report";
import { toReportResources, type ReportResource } from "../tools/report/types";

const outDir = path.join(repoRoot, "docs", "stacks");
const stacks = listStacks();

/** The texts Graphviz drew in an SVG, entities decoded. */
function svgTexts(svg: string): string {
    return [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)]
        .map((m) => m[1].replace(/&#45;/g, "-").replace(/&amp;/g, "&").replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&#160;/g, " "))
        .join("\n");
}

function line(generated: ReportFiles, pattern: RegExp) {
    const found = generated.report.costLines.filter((l) => pattern.test(l.item));
    expect(found, `one cost line matching ${pattern}`).to.have.length(1);
    return found[0];
}

describe("npm run report", function () {
    this.timeout(240_000);
    const generated = new Map<string, ReportFiles>();

    before(async function () {
        // One pair of update runs per stack (as committed, and after an image-only release), shared by every test.
        for (const stack of stacks) generated.set(stack, await reportFiles(stack, await releaseRuns(stack), outDir));
    });

    const report = (stack: string) => {
        const r = generated.get(stack);
        if (!r) throw new Error(`no report for ${stack}`);
        return r;
    };

    describe("monthly cost", () => {
        it("prices production's Fargate services, NAT gateways, endpoints, load balancer and monitoring as computed by hand", () => {
            const production = report("production");
            // ARM64 Fargate in us-east-1: $0.03238 per vCPU-hour, $0.00356 per GB-hour, 730 hours.
            expect(line(production, /^api service/).monthlyUsd).to.equal(43.25); // 3 × (0.5 × 0.03238 + 1 × 0.00356) × 730 = 43.2525
            // The api's second slot (docs/rollout.md) runs only while a release is under way: between releases, none.
            expect(line(production, /^green service/).monthlyUsd).to.equal(0);
            expect(line(production, /^worker service/).monthlyUsd).to.equal(14.42); // 2 × (0.25 × 0.03238 + 0.5 × 0.00356) × 730 = 14.4175
            expect(line(production, /^ml service/).monthlyUsd).to.equal(57.67); // 2 × (1 × 0.03238 + 2 × 0.00356) × 730 = 57.67
            expect(line(production, /^NAT gateways$/).monthlyUsd).to.equal(65.7); // 2 × 0.045 × 730
            expect(line(production, /Elastic IPs/).monthlyUsd).to.equal(7.3); // 2 × 0.005 × 730
            expect(line(production, /Interface VPC endpoints/).monthlyUsd).to.equal(14.6); // bedrock-runtime only (images come from ghcr.io): 1 endpoint × 2 zones × 0.01 × 730
            expect(line(production, /^Application Load Balancer$/).monthlyUsd).to.equal(16.43); // 0.0225 × 730 = 16.425
            expect(line(production, /gp3 storage/).monthlyUsd).to.equal(4.6); // 20 GB × 2 (Multi-AZ) × 0.115
            expect(line(production, /Secrets Manager/).monthlyUsd).to.equal(1.6); // 4 × 0.40
            expect(line(production, /dashboards/).monthlyUsd).to.equal(3);
            expect(line(production, /CloudWatch alarms/).monthlyUsd).to.equal(5); // 50 alarm metrics × 0.10 (each api slot has its own)
            // 43.25 + 14.42 + 57.67 + 65.70 + 7.30 + 14.60 + 7.30 (ALB addresses) + 16.43 + 5.00 + 3.00 + 4.60 + 1.60
            expect(production.report.monthlyCostUsd).to.equal(240.87);
            // 4.50 NAT data (100 GB × 0.045) + 9.00 data out (100 GB × 0.09) + 5.84 LCU (730 × 0.008) + 17.50 logs
            // (10 log groups × 5 GB × 0.50, with flow logs and WAF logs) + 0.69 S3 (3 buckets × 10 GB × 0.023) + 0 Lambda (inside the free tier).
            expect(line(production, /CloudWatch Logs ingestion/).monthlyUsd).to.equal(25);
            expect(line(production, /^S3 Standard storage$/).monthlyUsd).to.equal(0.69);
            expect(production.report.usageCostUsd).to.equal(45.03);
        });

        it("counts one alarm metric per metric an alarm watches (metric-math alarms count each)", () => {
            const alarms = line(report("production"), /CloudWatch alarms/);
            expect(alarms.quantity).to.be.greaterThan(alarms.resources.length);
            expect(alarms.monthlyUsd).to.be.closeTo(alarms.quantity * 0.1, 1e-9);
        });

        it("shows database and cache lines it has no price for as not priced, outside the total, never as zero", () => {
            const production = report("production");
            for (const pattern of [/^PostgreSQL db\.r6g\.large, Multi-AZ/, /cache\.r6g\.large × 3 nodes/]) {
                const l = line(production, pattern);
                expect(l.monthlyUsd).to.equal(null);
                expect(l.note).to.match(/not found/);
            }
            expect(production.files["production.md"]).to.include("not priced");
        });

        it("prices the deployment hook's Lambda function as usage inside the free tier, not as an unknown", () => {
            const lambda = line(report("production"), /^Lambda requests and duration$/);
            expect(lambda.basis).to.equal("usage");
            expect(lambda.monthlyUsd).to.equal(0);
            expect(lambda.unitPriceUsd).to.equal(0.0000002); // $0.20 per million requests beyond the free million
            expect(lambda.assumption).to.match(/free tier/);
        });

        it("prices staging's App Platform instances and managed Valkey nodes per month", () => {
            const staging = report("staging");
            expect(line(staging, /^api service: 1 × App Platform apps-s-1vcpu-0\.5gb/).monthlyUsd).to.equal(5);
            expect(line(staging, /^worker: 1 × App Platform apps-s-1vcpu-0\.5gb/).monthlyUsd).to.equal(5);
            expect(line(staging, /^Valkey db-s-1vcpu-1gb × 1 node$/).monthlyUsd).to.equal(15);
            expect(line(staging, /^ml service: 1 × App Platform apps-s-1vcpu-1gb/).monthlyUsd).to.equal(12);
            expect(line(staging, /^PostgreSQL db-s-1vcpu-2gb × 1 node$/).monthlyUsd).to.equal(null);
            expect(line(staging, /^Uptime checks$/).monthlyUsd).to.equal(null);
            // The app's `databases` components attach these clusters: billed as the clusters, not again.
            expect(staging.report.costLines.some((l) => /database component/.test(l.item))).to.equal(false);
            expect(staging.report.monthlyCostUsd).to.equal(5 + 5 + 12 + 15);
        });

        it("puts the dev stack (local Docker) at no cloud cost", () => {
            expect(report("dev").report.monthlyCostUsd).to.equal(0);
            expect(report("dev").report.notPriced).to.deep.equal([]);
        });

        it("shows production's lines at seed 001's sizing beside its own", () => {
            const seed = report("production").report.seed001;
            expect(seed).to.not.equal(undefined);
            const items = seed?.costLines.map((l) => l.item) ?? [];
            expect(items).to.include.members(["PostgreSQL db.r5.large, Multi-AZ (primary + standby)", "redis cache.r6g.large × 3 nodes (primary + 2 replicas)"]);
            expect(items.some((i) => i.startsWith("api service: 3 × Fargate") && i.includes("0.5 vCPU / 1 GB"))).to.equal(true);
            expect(items.some((i) => i.startsWith("ml service: 2 × Fargate") && i.includes("1 vCPU / 2 GB"))).to.equal(true);
            // The seed sets no runtime platform, so its tasks are priced at Fargate's default (X86_64) while the
            // stack's own run on ARM64 (Graviton): the same vCPU and memory, 20 % cheaper per hour.
            const fargate = (lines: { item: string; monthlyUsd: number | null }[] | undefined, arch: string) =>
                (lines ?? []).filter((l) => l.item.includes(`× Fargate ${arch} task`)).reduce((sum, l) => sum + (l.monthlyUsd ?? 0), 0);
            const own = fargate(report("production").report.costLines, "ARM64");
            const atSeed = fargate(seed?.costLines, "X86_64");
            expect(fargate(seed?.costLines, "ARM64")).to.equal(0);
            expect(own).to.be.closeTo(115.34, 0.01);
            expect(atSeed).to.be.closeTo(144.16, 0.01);
            expect(report("staging").report.seed001).to.equal(undefined);
        });

        it("lists a resource type it has no model for as not priced instead of failing, and prices no AWS line outside us-east-1", () => {
            const resources: ReportResource[] = [
                { urn: "urn:a", type: "aws:ec2/natGateway:NatGateway", name: "nat", parent: "", custom: true, inputs: {}, dependencies: [], propertyDependencies: {}, protect: false },
                { urn: "urn:b", type: "aws:bedrock/agent:Agent", name: "agent", parent: "", custom: true, inputs: {}, dependencies: [], propertyDependencies: {}, protect: false },
            ];
            const estimate = estimateCost(resources, { "aws:region": "eu-west-1" });
            expect(estimate.notPriced).to.deep.equal([{ type: "aws:bedrock/agent:Agent", count: 1, reason: "no price model for this resource type" }]);
            expect(estimate.lines.find((l) => l.item === "NAT gateways")?.monthlyUsd).to.equal(null);
            expect(estimate.monthlyCostUsd).to.equal(0);
        });
    });

    describe("architecture diagram", () => {
        for (const stack of stacks) {
            it(`${stack}: shows every service, the database, the cache and the edge`, () => {
                const texts = svgTexts(report(stack).files[`${stack}.svg`]);
                const services = Object.keys(JSON.parse(readStackConfig(stack).config["fraud-platform:services"] ?? "{}") as Record<string, unknown>);
                expect(services.length).to.be.greaterThan(0);
                for (const service of services) expect(texts, `service ${service}`).to.match(new RegExp(`^${service} \\(`, "m"));
                expect(texts, "database").to.match(/PostgreSQL/);
                expect(texts, "cache").to.match(/ElastiCache|Valkey|Redis/);
                expect(texts, "edge").to.match(/Application Load Balancer|App Platform ingress|host port|nginx load balancer/);
                expect(texts, "alert destination").to.match(/e-mail|Alertmanager/);
            });
        }
    });

    describe("first deploy", () => {
        it("follows the dependency graph: each step on the critical path starts when the one before it ends", () => {
            for (const stack of stacks) {
                const { criticalPath, firstDeployMinutes, slowestResource } = report(stack).report;
                expect(criticalPath.length, stack).to.be.greaterThan(0);
                for (let i = 1; i < criticalPath.length; i++) {
                    expect(criticalPath[i].startMinute, `${stack} step ${i}`).to.be.closeTo(criticalPath[i - 1].startMinute + criticalPath[i - 1].minutes, 0.11);
                }
                expect(firstDeployMinutes).to.be.at.least(slowestResource.minutes);
            }
            const production = report("production").report;
            expect(production.slowestResource.type).to.equal("aws:rds/instance:Instance");
            expect(production.slowestResource.minutes).to.equal(20); // Multi-AZ, from the engine's one creation-time table
            expect(production.slowestResource.basis).to.match(/^Multi-AZ: hashicorp\/terraform#498/);
            expect(production.criticalPath.map((s) => s.type)).to.include("aws:rds/instance:Instance");
        });

        it("reads the engine's model: waits for a component's children, times each resource by its type and inputs", () => {
            const node = (urn: string, custom: boolean, parent: string, dependencies: string[], type = "test:index:Thing"): GraphResource => ({ urn, type, parent, custom, dependencies, propertyDependencies: {}, inputs: {} });
            const nodes = [
                node("db-component", false, "", [], "fraud-platform:index:Database"),
                node("db", true, "db-component", [], "aws:rds/instance:Instance"),
                node("service", true, "", ["db-component"], "aws:ecs/service:Service"),
            ];
            const estimate = estimateFirstDeploy(nodes);
            expect(estimate.criticalPath.map((s) => s.name)).to.deep.equal(["db", "service"]);
            expect(estimate.totalMinutes).to.equal(10 + 2); // Single-AZ RDS, then a service with no grace period.
        });
    });

    describe("what a release touches", () => {
        it("moves every service image to the next patch version, and on AWS keeps the live api slot on the old image, as the release path does", () => {
            const config = readStackConfig("production").config;
            const { config: next, change } = imageOnlyChange(config);
            expect(change).to.include("ghcr.io/dygsom/fraud-api:1.4.2 → 1.4.3");
            const changedKeys = Object.keys(next).filter((k) => next[k] !== config[k]);
            expect(changedKeys.sort()).to.deep.equal(["fraud-platform:rollout", "fraud-platform:services"]);
            expect(JSON.parse(next["fraud-platform:rollout"])).to.deep.equal({ liveImage: "ghcr.io/dygsom/fraud-api:1.4.2" });
            const staging = readStackConfig("staging").config;
            expect(Object.keys(staging).filter((k) => imageOnlyChange(staging).config[k] !== staging[k])).to.deep.equal(["fraud-platform:services"]);
        });

        it("production: the prepare step replaces the candidate slot's, worker's, ml's and migration's task definitions and runs the migration; the live slot stays", () => {
            const { release } = report("production").report;
            const replaced = release.changes.filter((c) => c.op === "replace");
            expect(replaced.map((c) => c.name).sort()).to.deep.equal(["api-green-task", "migrate-run", "migrate-task", "ml-task", "worker-task"].map((s) => `fraud-production-app-${s}`));
            const updated = release.changes.filter((c) => c.op === "update");
            expect(updated.map((c) => c.name).sort()).to.deep.equal(["api-green", "ml", "worker"].map((s) => `fraud-production-app-${s}-service`));
            for (const u of updated) expect(u.properties, u.name).to.deep.equal(["taskDefinition"]);
            // The live (blue) slot keeps its image: nothing of it changes, nor the load balancer's weights (still 100/0).
            expect(release.changes.some((c) => c.name === "fraud-production-app-api-service" || c.name === "fraud-production-app-api-task")).to.equal(false);
            expect(release.changes.some((c) => c.type === "aws:lb/listenerRule:ListenerRule")).to.equal(false);
            expect(release.changes.filter((c) => c.op === "create" || c.op === "delete")).to.deep.equal([]);
            expect(release.changes.some((c) => c.type === "aws:rds/instance:Instance")).to.equal(false);
            // The traffic stages are later updates (npm run release -- rollout), not part of this one.
            expect(release.rolloutMinutes).to.be.below(15);
        });

        it("staging: updates the one App Platform app in place, its pre-deploy jobs (migrations) first", () => {
            const { release } = report("staging").report;
            expect(release.changes.map((c) => [c.op, c.type, c.properties])).to.deep.equal([["update", "digitalocean:index/app:App", ["spec"]]]);
            expect(release.stages[0].stage).to.match(/pre-deploy job/);
        });

        it("dev: replaces the containers whose image changed, as the Docker provider does", () => {
            const { release } = report("dev").report;
            const replaced = release.changes.filter((c) => c.op === "replace").map((c) => c.name);
            expect(replaced).to.include.members(["fraud-dev-app-api", "fraud-dev-app-worker", "fraud-dev-app-ml"]);
            expect(release.changes.some((c) => c.name.includes("postgres"))).to.equal(false);
        });
    });

    describe("committed reports", () => {
        for (const stack of stacks) {
            it(`docs/stacks/${stack}.* are what \`npm run report\` generates now`, () => {
                for (const [name, content] of Object.entries(report(stack).files)) {
                    const file = path.join(outDir, name);
                    expect(fs.existsSync(file), `${path.relative(repoRoot, file)} exists (run npm run report)`).to.equal(true);
                    expect(fs.readFileSync(file, "utf8"), `${path.relative(repoRoot, file)} is stale: run npm run report`).to.equal(content);
                }
            });
        }

        it("the JSON document carries the fields the issue promises", () => {
            const document = JSON.parse(report("production").files["production.json"]) as Record<string, unknown>;
            expect(document).to.include.keys("stack", "monthlyCostUsd", "costLines", "firstDeployMinutes", "criticalPath", "release", "diagram");
            expect(document.release).to.include.keys("changes", "rolloutMinutes");
            expect(document.diagram).to.equal("docs/stacks/production.svg");
            expect(toReportResources([]).length).to.equal(0);
        });
    });
});
