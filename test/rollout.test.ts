import { expect } from "chai";
import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ConfigValidationError, loadEnvironmentSpec, rolloutSettings, type RawStackConfig, type RolloutSettings } from "../config";
import { deploymentMatchesRelease, type PollingOptions } from "../tools/release/deploy";
import { DeploymentsClient } from "../tools/release/deploymentsClient";
import { DigitalOceanApps } from "../tools/release/digitaloceanApps";
import { checkCommittedImages, checkImagesMatchRelease, imageTag, ReleaseImageError } from "../tools/release/images";
import { PromotionError, requireStagingDeployed } from "../tools/release/promotion";
import { runRollout, type ReleaseOutput, type RolloutInput } from "../tools/release/rollout";
import { notifySlack, slackMessage } from "../tools/release/slack";
import { runSmokeTests, type Clock } from "../tools/release/smoke";
import { ApprovalError, awaitApproval, type ApprovalQuery } from "../tools/release/approval";
import { stageStep } from "../tools/release/cli";
import { startStandIn } from "./standIn";
import { stageConfigCommand } from "../tools/release/rolloutCli";
import { StageConfigError, stagePosition } from "../tools/release/stageConfig";

/** A local HTTP stand-in: records every request and answers with `answer`. */

/** Virtual time: sleeping advances the clock at once, so a 30-minute rollout runs in milliseconds. */
function virtualClock(start = Date.parse("2026-03-02T10:00:00Z")): Clock & { slept: number } {
    const clock = {
        current: start,
        slept: 0,
        now: () => clock.current,
        sleep: async (ms: number) => {
            clock.current += ms;
            clock.slept += ms;
            await new Promise<void>((resolve) => setImmediate(resolve));
        },
    };
    return clock;
}

const commit = "3f2a9c1d4e5b6a7980c1d2e3f4a5b6c7d8e9f001";
const tag = "v1.4.3";
const fast: PollingOptions = { timeoutMs: 2_000, initialIntervalMs: 2, maxIntervalMs: 5, backoffFactor: 2 };
const settings = (overrides: Record<string, unknown> = {}): RolloutSettings =>
    rolloutSettings.parse({ checkIntervalSeconds: 60, smoke: { endpoints: ["/api/v1/score"], retries: 1, retryIntervalSeconds: 5, deadlineSeconds: 60 }, ...overrides });

/**
 * The Pulumi Deployments API for one stack, plus the app it deploys: each created deployment succeeds at
 * once and moves the app's traffic as its ROLLOUT_STAGE says; the app answers 503 while `badAt` % or more
 * of the traffic is on the new revision.
 */
async function releaseWorld(options: { badAt?: number; stack?: string; deployTags?: boolean; failingStep?: string }) {
    const stack = options.stack ?? "production";
    const stackPath = `/api/stacks/acme/fraud-platform/${stack}`;
    const state = { candidatePercent: 0, candidateState: "stopped", created: [] as Record<string, string>[], deployments: new Map<string, string>() };
    const unhealthy = () => options.badAt !== undefined && state.candidatePercent >= options.badAt;
    const app = await startStandIn(({ path }) => {
        if (path === "/health" || path === "/health/ready" || path === "/api/v1/score") return unhealthy() ? { status: 503, body: { status: "unhealthy" } } : { status: 200, body: { status: "healthy" } };
        return { status: 404 };
    });
    const release: ReleaseOutput = {
        version: "1.4.3",
        images: { api: "ghcr.io/dygsom/fraud-api:1.4.3", worker: "ghcr.io/dygsom/fraud-api:1.4.3", ml: "ghcr.io/dygsom/fraud-ml:1.4.3" },
        readinessUrl: `${app.url}/health/ready`,
        databaseBackup: { id: "fraud-production-db-pre-v1-4-3-ab12", location: "arn:aws:rds:us-east-1:123456789012:snapshot:fraud-production-db-pre-v1-4-3-ab12", createdAt: "2026-03-02T10:01:00.000Z" },
    };
    const api = await startStandIn(({ method, path, body }) => {
        if (path === `${stackPath}/deployments/settings`) return { status: 200, body: { vcs: { deployTags: options.deployTags ?? false, tagFilters: ["v*.*.*"] } } };
        if (method === "POST" && path === `${stackPath}/deployments`) {
            const variables = (body as { operationContext: { environmentVariables: Record<string, string> } }).operationContext.environmentVariables;
            state.created.push(variables);
            const id = `dep-${state.created.length}`;
            const stage = variables.ROLLOUT_STAGE;
            if (stage === "prepare" || stage === "rollback" || stage === "complete") {
                state.candidatePercent = 0;
                state.candidateState = stage === "prepare" ? "starting" : "stopped";
            } else if (variables.ROLLOUT_PERCENT !== undefined) {
                state.candidatePercent = Number(variables.ROLLOUT_PERCENT);
                state.candidateState = "running";
            }
            state.deployments.set(id, stage === options.failingStep ? "failed" : "succeeded");
            return { status: 202, body: { id } };
        }
        const single = new RegExp(`^${stackPath}/deployments/(dep-\\d+)$`).exec(path);
        if (single) return { status: 200, body: { id: single[1], status: state.deployments.get(single[1]) ?? "failed", created: "2026-03-02 10:00:00.000", modified: "2026-03-02 10:01:00.000", updates: [{ version: 40 + Number(single[1].slice(4)) }] } };
        if (path === `${stackPath}/export`) {
            const outputs = { url: app.url, healthUrl: `${app.url}/health`, release: { ...release, rollout: { liveSlot: "blue", candidateSlot: "green", candidatePercent: state.candidatePercent, candidateState: state.candidateState, weights: {}, images: {} } } };
            return { status: 200, body: { deployment: { resources: [{ urn: "urn:pulumi:x::y::pulumi:pulumi:Stack::y", type: "pulumi:pulumi:Stack", outputs }] } } };
        }
        return { status: 404, body: { message: `no route ${method} ${path}` } };
    });
    const client = new DeploymentsClient({ baseUrl: api.url, token: "pul-test", organization: "acme", project: "fraud-platform" });
    return { app, api, client, state, close: async () => Promise.all([app.close(), api.close()]) };
}

function rolloutInput(world: Awaited<ReturnType<typeof releaseWorld>>, clock: Clock, extra: Partial<RolloutInput> = {}): RolloutInput {
    return {
        client: world.client,
        stack: "production",
        environment: "production",
        backend: "aws",
        tag,
        commit,
        path: "api",
        settings: settings(),
        clock,
        polling: fast,
        discovery: fast,
        triggeredBy: "release-manager",
        ...extra,
    };
}

describe("rollout: seed 003's three stages against local stand-ins", function () {
    this.timeout(20_000);

    it("walks 5 % → 50 % → 100 %, watching each stage for its minutes, and records succeeded only after the last watch", async () => {
        const world = await releaseWorld({});
        try {
            const clock = virtualClock();
            const started = clock.now();
            const record = await runRollout(rolloutInput(world, clock, { alarms: async () => [] }));

            expect(record.status).to.equal("succeeded");
            // After the last stage's watch, `complete` makes the new slot the live one and stops the old one.
            expect(world.state.created.map((v) => v.ROLLOUT_STAGE)).to.deep.equal(["prepare", "canary", "progressive", "full", "complete"]);
            expect(world.state.created.map((v) => v.ROLLOUT_PERCENT)).to.deep.equal([undefined, "5", "50", "100", undefined]);
            expect(world.state.candidateState).to.equal("stopped");
            expect(record.warnings).to.deep.equal([]);
            expect(world.state.created.every((v) => v.RELEASE_TAG === tag && v.RELEASE_COMMIT === commit)).to.equal(true);
            expect(record.rollout_stages.map((s) => [s.stage, s.traffic_percentage, s.duration_minutes, s.status])).to.deep.equal([
                ["canary", 5, 5, "healthy"],
                ["progressive", 50, 10, "healthy"],
                ["full", 100, 15, "healthy"],
            ]);
            // A check at once and every minute (checkIntervalSeconds 60) up to the stage's end.
            expect(record.rollout_stages.map((s) => s.checks)).to.deep.equal([6, 11, 16]);
            expect(record.completed_at).to.equal(new Date(started + 30 * 60_000).toISOString());
            expect(record.rollback_deadline).to.equal(new Date(started + 90 * 60_000).toISOString());
            expect(record).to.include({ rollback_available: true, rollback_window_minutes: 60, retention_days: 365, git_sha: commit, git_ref: `refs/tags/${tag}`, triggered_by: "release-manager", version: "1.4.3" });
            expect(record.services_deployed).to.deep.include({ service: "api", image: "ghcr.io/dygsom/fraud-api:1.4.3" });
            expect(record.database_backup?.backup_id).to.equal("fraud-production-db-pre-v1-4-3-ab12");
            expect(record.migrations_applied).to.equal(null);
            expect(record.health_checks).to.deep.equal({
                smoke_tests: "passed",
                probes: { health: "healthy", readiness: "healthy", "/api/v1/score": "healthy" },
                alarms: { checked: true, firing: [] },
            });
            expect(record.pulumi_deployments.map((d) => d.step)).to.deep.equal(["prepare", "canary", "progressive", "full", "complete"]);
            expect(record.failure).to.equal(null);
            expect(record.rollback).to.equal(null);
            // Probes went to the stand-in app from outside: health, readiness and the critical endpoint.
            expect(new Set(world.app.requests.map((r) => r.path))).to.deep.equal(new Set(["/health", "/health/ready", "/api/v1/score"]));
        } finally {
            await world.close();
        }
    });

    it("fails at the 50 % stage, shifts all traffic back to the live slot and records failed with the stage", async () => {
        const world = await releaseWorld({ badAt: 50 });
        try {
            const record = await runRollout(rolloutInput(world, virtualClock()));

            expect(record.status).to.equal("failed");
            expect(record.failure?.stage).to.equal("progressive");
            expect(record.failure?.reason).to.include("smoke tests failed").and.to.include("HTTP 503");
            expect(record.rollout_stages.map((s) => [s.stage, s.status])).to.deep.equal([
                ["canary", "healthy"],
                ["progressive", "failed"],
                ["full", "not-started"],
            ]);
            expect(world.state.created.map((v) => v.ROLLOUT_STAGE)).to.deep.equal(["prepare", "canary", "progressive", "rollback"]);
            expect(world.state.candidatePercent).to.equal(0);
            expect(record.rollback).to.include({ status: "succeeded", smoke_tests: "passed", deployment_id: "dep-4" });
            // Nothing completed: no rollback window opens for a release that never finished.
            expect(record).to.include({ completed_at: null, rollback_deadline: null, rollback_available: false });
            expect(record.health_checks.smoke_tests).to.equal("passed");
        } finally {
            await world.close();
        }
    });

    it("fails a stage whose update left the weights where they were (settings without stage-config), instead of claiming it", async () => {
        const world = await releaseWorld({});
        try {
            const client = world.client;
            const original = client.getStackOutputs.bind(client);
            client.getStackOutputs = async (stack, signal) => {
                const outputs = await original(stack, signal);
                const release = outputs.release as ReleaseOutput;
                return { ...outputs, release: { ...release, rollout: { ...release.rollout!, candidatePercent: 0 } } };
            };
            const record = await runRollout(rolloutInput(world, virtualClock()));
            expect(record.failure?.stage).to.equal("canary");
            expect(record.failure?.reason).to.include("reports 0 % on the new revision, not 5 %").and.to.include("stage-config");
            expect(record.rollout_stages[0]).to.include({ status: "failed", checks: 0 });
        } finally {
            await world.close();
        }
    });

    it("a health alarm firing at the canary fails the release there, even while the smoke tests pass", async () => {
        const world = await releaseWorld({});
        try {
            const record = await runRollout(rolloutInput(world, virtualClock(), { alarms: async () => (world.state.candidatePercent >= 5 ? ["fraud-production-api-rollback-5xx"] : []) }));
            expect(record.failure).to.deep.include({ stage: "canary" });
            expect(record.failure?.reason).to.include("fraud-production-api-rollback-5xx");
            expect(record.rollback?.status).to.equal("succeeded");
        } finally {
            await world.close();
        }
    });

    it("DigitalOcean: deploys, smoke-tests, and on failure rolls the app back to the deployment active before, through the API", async () => {
        const world = await releaseWorld({ badAt: 0, stack: "staging" });
        const doApi = await startStandIn(({ method, path }) => {
            if (method === "GET" && path === "/v2/apps/app-1") return { status: 200, body: { app: { id: "app-1", active_deployment: { id: "do-before", phase: "ACTIVE" } } } };
            if (method === "POST" && path === "/v2/apps/app-1/rollback") {
                world.state.candidatePercent = -1; // the old deployment serves again: healthy
                return { status: 200, body: { deployment: { id: "do-rollback", phase: "PENDING_DEPLOY" } } };
            }
            if (method === "GET" && path === "/v2/apps/app-1/deployments/do-rollback") return { status: 200, body: { deployment: { id: "do-rollback", phase: "ACTIVE" } } };
            return { status: 404 };
        });
        try {
            // The stack reports its App Platform app.
            const client = world.client;
            const original = client.getStackOutputs.bind(client);
            client.getStackOutputs = async (stack, signal) => {
                const outputs = await original(stack, signal);
                return { ...outputs, release: { ...(outputs.release as object), appId: "app-1", rollout: null } };
            };
            const record = await runRollout(rolloutInput(world, virtualClock(), { stack: "staging", environment: "staging", backend: "digitalocean", digitalocean: new DigitalOceanApps("do-token", doApi.url) }));

            expect(record.status).to.equal("failed");
            expect(record.failure?.stage).to.equal("full");
            expect(record.rollout_stages.map((s) => [s.stage, s.traffic_percentage])).to.deep.equal([["full", 100]]);
            const rollback = doApi.requests.find((r) => r.method === "POST");
            expect(rollback?.body).to.deep.equal({ deployment_id: "do-before", skip_pin: true });
            expect(record.rollback).to.include({ status: "succeeded", deployment_id: "do-rollback", smoke_tests: "passed" });
            // App Platform swaps the whole app: only the release's own update ran through Pulumi Deployments.
            expect(world.state.created.map((v) => v.ROLLOUT_STAGE)).to.deep.equal(["prepare"]);
        } finally {
            await Promise.all([world.close(), doApi.close()]);
        }
    });

    it("a failed prepare update records failed at prepare, with no rollback (no traffic had moved)", async () => {
        const world = await releaseWorld({ failingStep: "prepare" });
        try {
            const record = await runRollout(rolloutInput(world, virtualClock()));
            expect(record.failure?.stage).to.equal("prepare");
            expect(record.rollback).to.equal(null);
            expect(record.rollout_stages.every((s) => s.status === "not-started")).to.equal(true);
        } finally {
            await world.close();
        }
    });
});

describe("rollout: smoke tests", () => {
    it("retry a failing URL and pass once it answers; give up after the retries with the reason", async () => {
        let failures = 2;
        const app = await startStandIn(() => (failures-- > 0 ? { status: 502 } : { status: 200 }));
        try {
            const clock = virtualClock();
            const options = { retries: 3, retryIntervalMs: 10_000, deadlineMs: 300_000, requestTimeoutMs: 2_000 };
            const passed = await runSmokeTests([{ name: "health", url: `${app.url}/health` }], options, clock);
            expect(passed.results[0]).to.include({ status: "passed", attempts: 3, httpStatus: 200 });
            expect(clock.slept).to.equal(20_000);

            failures = 100;
            const failed = await runSmokeTests([{ name: "health", url: `${app.url}/health` }], options, clock);
            expect(failed.status).to.equal("failed");
            expect(failed.results[0]).to.include({ attempts: 4, error: "HTTP 502" });
        } finally {
            await app.close();
        }
    });

    it("stop at the deadline, and report an unreachable URL", async () => {
        const app = await startStandIn(() => ({ status: 503 }));
        await app.close();
        const clock = virtualClock();
        const report = await runSmokeTests([{ name: "health", url: `${app.url}/health` }], { retries: 20, retryIntervalMs: 10_000, deadlineMs: 30_000, requestTimeoutMs: 1_000 }, clock);
        expect(report.status).to.equal("failed");
        expect(report.results[0].attempts).to.be.at.most(3);
        expect(report.results[0].error).to.match(/fetch failed|ECONNREFUSED/);
    });
});

describe("rollout: Slack notifications", () => {
    it("post the seed's success and failure messages to the webhook", async () => {
        const slack = await startStandIn(() => ({ status: 200 }));
        const world = await releaseWorld({ badAt: 50 });
        try {
            const failed = await runRollout(rolloutInput(world, virtualClock()));
            expect(await notifySlack(`${slack.url}/services/T/B/x`, failed, () => undefined)).to.equal("sent");
            const text = (slack.requests[0].body as { text: string }).text;
            expect(text).to.include("🚨 Production deployment FAILED").and.to.include(`Version: ${tag}`).and.to.include(`Deployment ID: ${failed.deployment_id}`);
            expect(text).to.include("Failed stage: progressive").and.to.include("ACTION REQUIRED").and.to.include("fraud-production-db-pre-v1-4-3-ab12");

            const succeeded = { ...failed, status: "succeeded" as const, failure: null, rollback: null, rollback_deadline: "2026-03-02T11:30:00.000Z" };
            expect(slackMessage(succeeded)).to.include("✅ Production deployment successful").and.to.include("All services healthy and operational").and.to.include("Rollback available for 60 minutes");
            expect(await notifySlack(undefined, succeeded, () => undefined)).to.equal("skipped");
        } finally {
            await Promise.all([slack.close(), world.close()]);
        }
    });
});

describe("rollout: a release is a version", () => {
    it("refuses a tag whose committed images are not tagged with its version, naming each", () => {
        const images = { "fraud-platform:services.api.image": "ghcr.io/dygsom/fraud-api:1.4.2", "fraud-platform:services.ml.image": "ghcr.io/dygsom/fraud-ml:1.4.3" };
        expect(() => checkImagesMatchRelease("v1.4.3", images, "Pulumi.production.yaml")).to.throw(ReleaseImageError, /services\.api\.image is ghcr\.io\/dygsom\/fraud-api:1\.4\.2/);
        expect(() => checkImagesMatchRelease("v1.4.3", { a: "ghcr.io/x/api:1.4.3@sha256:" + "a".repeat(64), b: "registry:5000/x/ml:v1.4.3" }, "f")).not.to.throw();
        expect(() => checkImagesMatchRelease("v1.4.3", { a: "ghcr.io/x/api@sha256:" + "a".repeat(64) }, "f")).to.throw(ReleaseImageError, /not tagged 1\.4\.3/);
        expect(imageTag("registry:5000/x/api")).to.equal(undefined);
    });

    it("validate refuses a tag whose committed stack file ships other images (CLI, exit 1), and accepts the matching one", function () {
        this.timeout(15_000);
        const repo = fs.mkdtempSync(path.join(os.tmpdir(), "release-images-"));
        const git = (...args: string[]) => execFileSync("git", args, { cwd: repo, encoding: "utf8" }).trim();
        try {
            git("init", "--quiet", "--initial-branch=main");
            git("config", "user.email", "release@test.invalid");
            git("config", "user.name", "release test");
            const stackFile = (version: string) =>
                `config:\n  fraud-platform:services:\n    api:\n      image: ghcr.io/dygsom/fraud-api:${version}\n    worker:\n      image: ghcr.io/dygsom/fraud-api:${version}\n    ml:\n      image: ghcr.io/dygsom/fraud-ml:${version}\n`;
            fs.writeFileSync(path.join(repo, "Pulumi.production.yaml"), stackFile("1.4.2"));
            git("add", ".");
            git("commit", "--quiet", "-m", "release 1.4.2");
            git("tag", "v1.4.2");
            // v1.4.3 tagged on a commit that still ships the 1.4.2 images.
            git("commit", "--quiet", "--allow-empty", "-m", "docs only");
            git("tag", "v1.4.3");
            const result = spawnSync(
                process.execPath,
                ["--import", "tsx", path.resolve(__dirname, "../tools/release/cli.ts"), "validate", "--tag", "v1.4.3", "--main-ref", "main", "--repo", repo],
                { cwd: path.resolve(__dirname, ".."), encoding: "utf8" },
            );
            expect(result.status, result.stderr).to.equal(1);
            expect(result.stderr).to.include("release v1.4.3 refused").and.to.include("fraud-platform:services.api.image is ghcr.io/dygsom/fraud-api:1.4.2");
            expect(() => checkCommittedImages(repo, git("rev-parse", "v1.4.2"), "production", "v1.4.2")).not.to.throw();
        } finally {
            fs.rmSync(repo, { recursive: true, force: true });
        }
    });

    it("a stage's or rollback's update is never taken for the release's own update (re-runs find the prepare update)", () => {
        const withVariables = (variables: Record<string, string>) => ({
            id: "d",
            status: "succeeded",
            created: "",
            modified: "",
            configuration: { environmentVariables: Object.entries(variables).map(([name, value]) => ({ name, value })) },
        });
        expect(deploymentMatchesRelease(withVariables({ RELEASE_TAG: "v1.4.3", ROLLOUT_STAGE: "prepare" }), "v1.4.3", commit)).to.equal(true);
        expect(deploymentMatchesRelease(withVariables({ RELEASE_TAG: "v1.4.3", ROLLOUT_STAGE: "canary" }), "v1.4.3", commit)).to.equal(false);
        expect(deploymentMatchesRelease(withVariables({ RELEASE_TAG: "v1.4.3", ROLLOUT_STAGE: "rollback" }), "v1.4.3", commit)).to.equal(false);
        expect(deploymentMatchesRelease(withVariables({ PULUMI_CI_TAG_NAME: "v1.4.3" }), "v1.4.3", commit)).to.equal(true);
    });

    it("production refuses a commit staging has not deployed", async () => {
        const api = await startStandIn(({ path }) => {
            if (path.startsWith("/api/stacks/acme/fraud-platform/staging/deployments?")) {
                return { status: 200, body: { deployments: [{ id: "s-1", status: "succeeded", created: "", modified: "", configuration: { environmentVariables: [{ name: "RELEASE_TAG", value: "v1.4.2" }] } }] } };
            }
            if (path === "/api/stacks/acme/fraud-platform/staging/deployments/s-1") return { status: 200, body: { id: "s-1", status: "succeeded", created: "", modified: "", configuration: { environmentVariables: [{ name: "RELEASE_TAG", value: "v1.4.2" }] } } };
            return { status: 404 };
        });
        try {
            const client = new DeploymentsClient({ baseUrl: api.url, token: "t", organization: "acme", project: "fraud-platform" });
            expect(await requireStagingDeployed(client, "staging", "v1.4.2", commit)).to.equal("s-1");
            const error = await requireStagingDeployed(client, "staging", "v1.4.3", "0".repeat(40)).catch((e: unknown) => e);
            expect(error).to.be.instanceOf(PromotionError);
            expect((error as Error).message).to.include("v1.4.3").and.to.include("release it to staging first");
        } finally {
            await api.close();
        }
    });
});

describe("rollout: stage positions and config", () => {
    const s = rolloutSettings.parse({});
    const image = "ghcr.io/dygsom/fraud-api:1.4.3";

    it("prepare makes the finished candidate the live slot; stages raise its share; rollback returns it to 0", () => {
        expect(stagePosition("prepare", s, undefined, image)).to.deep.equal({ liveSlot: "blue", candidatePercent: 0, candidateState: "starting" });
        const finished = { liveSlot: "blue" as const, candidateSlot: "green" as const, candidatePercent: 100, weights: {}, images: { blue: "x:1.4.1", green: "x:1.4.2" } };
        expect(stagePosition("prepare", s, finished, image)).to.deep.equal({ liveSlot: "green", candidatePercent: 0, liveImage: "x:1.4.2", candidateState: "starting" });
        const prepared = { liveSlot: "green" as const, candidateSlot: "blue" as const, candidatePercent: 0, weights: {}, images: { blue: image, green: "x:1.4.2" } };
        expect(stagePosition("progressive", s, prepared, image)).to.deep.equal({ liveSlot: "green", candidatePercent: 50, liveImage: "x:1.4.2", candidateState: "running" });
        expect(stagePosition("rollback", s, { ...prepared, candidatePercent: 50 }, image)).to.deep.equal({ liveSlot: "green", candidatePercent: 0, liveImage: "x:1.4.2", candidateState: "stopped" });
        // complete: the new revision's slot becomes the live one with its image; the old slot stops.
        const completed = stagePosition("complete", s, { ...prepared, candidatePercent: 100 }, image);
        expect(completed).to.deep.equal({ liveSlot: "blue", candidatePercent: 0, liveImage: image, candidateState: "stopped" });
        expect(() => stagePosition("complete", s, { ...prepared, candidatePercent: 50 }, image)).to.throw(/serves 50 %, not 100 %/);
        // The next release keeps the completed slot live and starts the stopped one with its image.
        const afterComplete = { liveSlot: "blue" as const, candidateSlot: "green" as const, candidatePercent: 0, weights: {}, images: { blue: image, green: image } };
        expect(stagePosition("prepare", s, afterComplete, "x:1.4.4")).to.deep.equal({ liveSlot: "blue", candidatePercent: 0, liveImage: image, candidateState: "starting" });
        // The rollback runbook's redeploy of an older tag: the live slot takes that image with all traffic, even mid-release.
        expect(stagePosition("redeploy", s, { ...prepared, candidatePercent: 50 }, "x:1.4.1")).to.deep.equal({ liveSlot: "green", candidatePercent: 0, liveImage: "x:1.4.1", candidateState: "stopped" });
        // hold: an update by hand keeps the position the stack reports, or blue serving on a stack that never ran.
        expect(stagePosition("hold", s, { ...prepared, candidatePercent: 50, candidateState: "running" }, "x:9.9.9")).to.deep.equal({ liveSlot: "green", candidatePercent: 50, liveImage: "x:1.4.2", candidateState: "running" });
        expect(stagePosition("hold", s, { ...prepared, images: { blue: "x:0", green: "x:1.4.2" } }, "x:9.9.9")).to.deep.equal({ liveSlot: "green", candidatePercent: 0, liveImage: "x:1.4.2", candidateState: "stopped" });
        expect(stagePosition("hold", s, undefined, image)).to.deep.equal({ liveSlot: "blue", candidatePercent: 0, candidateState: "stopped" });
        expect(stagePosition("redeploy", s, undefined, "x:1.4.1")).to.deep.equal({ liveSlot: "blue", candidatePercent: 0, liveImage: "x:1.4.1", candidateState: "stopped" });
        // Which step a Deployments run takes: ROLLOUT_STAGE from `release rollout`, redeploy for the runbook, prepare for a tag push.
        expect(stageStep(undefined, { ROLLOUT_STAGE: "canary" })).to.equal("canary");
        expect(stageStep(undefined, { RELEASE_ROLLBACK: "true" })).to.equal("redeploy");
        expect(stageStep(undefined, { ROLLOUT_STAGE: "", RELEASE_ROLLBACK: "" })).to.equal("prepare");
        expect(stageStep("full", { ROLLOUT_STAGE: "canary" })).to.equal("full");
        expect(() => stagePosition("canary", s, { ...prepared, images: { blue: "x:1.4.2", green: "x:1.4.2" } }, image)).to.throw(StageConfigError, /run the prepare step/);
        expect(() => stagePosition("halfway", s, prepared, image)).to.throw(StageConfigError, /prepare, canary, progressive, full, rollback, complete, redeploy, hold/);
    });

    it("refuses bad stages with the key, the value and what is allowed", () => {
        const raw: RawStackConfig = {
            project: "fraud-platform",
            stack: "test",
            values: {
                "fraud-platform:backend": "docker",
                "fraud-platform:services": JSON.stringify({ api: { image: "a/b:1" }, worker: { image: "a/b:1" }, ml: { image: "a/c:1" } }),
                "fraud-platform:rollout": JSON.stringify({ stages: [{ name: "canary", percent: 50, minutes: 5 }, { name: "half", percent: 10, minutes: 5 }, { name: "full", percent: 90, minutes: 15 }], candidatePercent: 7 }),
            },
            secretKeys: new Set(),
        };
        const error = (() => {
            try {
                loadEnvironmentSpec(raw);
            } catch (e) {
                return e;
            }
            return undefined;
        })();
        expect(error).to.be.instanceOf(ConfigValidationError);
        const problems = (error as ConfigValidationError).problems;
        const at = (key: string) => problems.find((p) => p.key === key);
        expect(at("fraud-platform:rollout.stages[1].percent")).to.include({ given: "10" });
        expect(at("fraud-platform:rollout.stages[1].percent")?.allowed).to.include("more than the previous stage's 50");
        expect(at("fraud-platform:rollout.stages[2].percent")?.allowed).to.include("100 in the last stage");
        expect(at("fraud-platform:rollout.candidatePercent")?.allowed).to.include("0 or one of the stages' percents: 0, 50, 10, 90");
        // Traffic on a slot that runs no task would be an outage: a share needs the candidate running.
        expect(at("fraud-platform:rollout.candidateState")?.allowed).to.include('"running" while the new revision takes traffic (candidatePercent 7)');
        expect(rolloutSettings.safeParse({ candidatePercent: 5 }).success).to.equal(false);
        expect(rolloutSettings.safeParse({ candidatePercent: 5, candidateState: "running" }).success).to.equal(true);
        expect(rolloutSettings.parse({}).stages).to.deep.equal([
            { name: "canary", percent: 5, minutes: 5 },
            { name: "progressive", percent: 50, minutes: 10 },
            { name: "full", percent: 100, minutes: 15 },
        ]);
    });
});

/**
 * `stage-config` as a Deployments executor runs it: against a stand-in `pulumi` on PATH that answers
 * `stack output --json` from a file and logs every other command, so what the step sets is what a real
 * executor's `pulumi config set` would receive.
 */
describe("release: stage-config against a stand-in Pulumi CLI", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fraud-stage-config-"));
    const outputsFile = path.join(dir, "outputs.json");
    const callsFile = path.join(dir, "calls.log");
    fs.writeFileSync(
        path.join(dir, "pulumi"),
        [
            "#!/bin/sh",
            `if [ "$1 $2" = "stack output" ]; then [ -f "${outputsFile}" ] || { echo "error: could not reach the service" >&2; exit 255; }; cat "${outputsFile}"; exit 0; fi`,
            `echo "$*" >> "${callsFile}"`,
        ].join("\n"),
        { mode: 0o755 },
    );
    const live = "ghcr.io/dygsom/fraud-api:1.4.2"; // the committed production image is this release's candidate
    const run = (step: string, outputs: unknown | undefined) => {
        fs.rmSync(callsFile, { force: true });
        if (outputs === undefined) fs.rmSync(outputsFile, { force: true });
        else fs.writeFileSync(outputsFile, JSON.stringify(outputs));
        const savedPath = process.env.PATH;
        const savedStack = process.env.PULUMI_CI_STACK;
        process.env.PATH = `${dir}${path.delimiter}${savedPath ?? ""}`;
        delete process.env.PULUMI_CI_STACK;
        const lines: string[] = [];
        try {
            stageConfigCommand("production", step, (line) => lines.push(line));
        } finally {
            process.env.PATH = savedPath;
            if (savedStack !== undefined) process.env.PULUMI_CI_STACK = savedStack;
        }
        const calls = fs.existsSync(callsFile) ? fs.readFileSync(callsFile, "utf8").trim().split("\n") : [];
        return { lines, calls };
    };
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("prepare on a stack that never ran starts the green slot at 0 % and keeps blue on the release's image", () => {
        const { calls, lines } = run("prepare", {});
        expect(calls).to.deep.equal([
            "config set --path rollout.liveSlot blue --stack production --non-interactive",
            "config set --path rollout.candidatePercent 0 --stack production --non-interactive",
            "config set --path rollout.candidateState starting --stack production --non-interactive",
            "config rm --path rollout.liveImage --stack production --non-interactive",
        ]);
        expect(lines.join("\n")).to.include("no stack outputs yet");
    });

    it("a stage after prepare sets its share, keeps the live slot's image, and runs the candidate", () => {
        const prepared = { release: { rollout: { liveSlot: "blue", candidateSlot: "green", candidatePercent: 0, candidateState: "starting", weights: { blue: 100, green: 0 }, images: { blue: "ghcr.io/dygsom/fraud-api:1.4.1", green: live } } } };
        expect(run("progressive", prepared).calls).to.deep.equal([
            "config set --path rollout.liveSlot blue --stack production --non-interactive",
            "config set --path rollout.candidatePercent 50 --stack production --non-interactive",
            "config set --path rollout.candidateState running --stack production --non-interactive",
            "config set --path rollout.liveImage ghcr.io/dygsom/fraud-api:1.4.1 --stack production --non-interactive",
        ]);
    });

    it("stops, setting nothing, when the stack's outputs cannot be read (never mistaken for a first deployment)", () => {
        expect(() => run("prepare", undefined)).to.throw(StageConfigError, /cannot read the stack's outputs .*could not reach the service/);
        expect(fs.existsSync(callsFile)).to.equal(false);
    });
});

/**
 * The tag-trigger path's approval: production's Deployment waits in its pre-run commands until a reviewer of
 * the GitHub environment approves the tag's release.yml run, against a stand-in for GitHub's REST API.
 */
describe("release: production waits for the environment's approval (tag-trigger path)", () => {
    const commit = "0123456789abcdef0123456789abcdef01234567";
    const world = async (reviews: () => unknown[], run: { status: string; conclusion?: string } = { status: "waiting" }) =>
        startStandIn(({ path: url }) => {
            if (url.startsWith("/repos/acme/fraud-platform/actions/workflows/release.yml/runs?")) {
                return { status: 200, body: { workflow_runs: [{ id: 77, head_sha: commit, status: run.status, conclusion: run.conclusion ?? null, html_url: "https://github.com/acme/fraud-platform/actions/runs/77" }] } };
            }
            if (url === "/repos/acme/fraud-platform/actions/runs/77/approvals") return { status: 200, body: reviews() };
            return { status: 404, body: { message: "Not Found" } };
        });
    const query = (apiUrl: string): ApprovalQuery => ({ repository: "acme/fraud-platform", workflow: "release.yml", environment: "production", tag: "v1.4.3", commit, token: "ghp_test", apiUrl, timeoutMs: 45 * 60_000, pollMs: 30_000 });

    it("goes on once a reviewer approves production, and says who", async () => {
        let polls = 0;
        const github = await world(() => (++polls < 3 ? [] : [{ state: "approved", user: { login: "lead" }, environments: [{ name: "production" }] }]));
        try {
            const clock = virtualClock();
            const lines: string[] = [];
            expect(await awaitApproval(query(github.url), clock, (l) => lines.push(l))).to.deep.equal({ runId: 77, approvedBy: "lead" });
            expect(clock.slept).to.equal(60_000);
            expect(lines).to.deep.equal(["v1.4.3: waiting for a reviewer of the production environment to approve https://github.com/acme/fraud-platform/actions/runs/77"]);
            expect(github.requests[0].path).to.include(`head_sha=${commit}`);
        } finally {
            await github.close();
        }
    });

    it("stops on a rejection, on a run that ended unapproved, and at the deadline; an approval of another environment does not count", async () => {
        const rejected = await world(() => [{ state: "rejected", comment: "not today", user: { login: "lead" }, environments: [{ name: "production" }] }]);
        const ended = await world(() => [], { status: "completed", conclusion: "cancelled" });
        const otherEnvironment = await world(() => [{ state: "approved", user: { login: "dev" }, environments: [{ name: "staging" }] }]);
        try {
            const fail = (url: string) => awaitApproval(query(url), virtualClock(), () => undefined).then(() => undefined, (e: unknown) => e);
            expect(await fail(rejected.url)).to.be.instanceOf(ApprovalError).with.property("message").that.includes('lead rejected the production deployment of release.yml run 77 ("not today")');
            expect(await fail(ended.url)).to.be.instanceOf(ApprovalError).with.property("message").that.includes("ended (cancelled) without an approval of production");
            expect(await fail(otherEnvironment.url)).to.be.instanceOf(ApprovalError).with.property("message").that.includes("no approval of the production environment within 45 min");
        } finally {
            await Promise.all([rejected.close(), ended.close(), otherEnvironment.close()]);
        }
    });
});
