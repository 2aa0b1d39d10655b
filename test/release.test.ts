import { expect } from "chai";
import { execFile, execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import {
    DeploymentTimeoutError,
    ReleaseSetupError,
    releaseStack,
    type PollingOptions,
    type ReleasePath,
    type StackReleaseResult,
} from "../tools/release/deploy";
import { DeploymentsApiError, DeploymentsClient } from "../tools/release/deploymentsClient";
import { isAncestor, listTags, resolveCommit } from "../tools/release/git";
import { buildDeploymentRecord, policyResultsFromPreview, stackResultSchema } from "../tools/release/record";
import { checkRelease, parseReleaseTag, ReleaseTagError } from "../tools/release/version";
import { startStandIn, type StandIn } from "./standIn";

const repoRoot = path.resolve(__dirname, "..");
const commit = "3f2a9c1d4e5b6a7980c1d2e3f4a5b6c7d8e9f001";

function refusal(run: () => unknown): string {
    try {
        run();
    } catch (error) {
        expect(error).to.be.instanceOf(ReleaseTagError);
        return (error as Error).message;
    }
    throw new Error("expected the release to be refused");
}

describe("release: version validation", () => {
    const onMain = { commit, mainRef: "origin/main", commitIsOnMain: true } as const;

    it("accepts a final release newer than the last one and names the release it replaces", () => {
        const check = checkRelease({ ...onMain, tag: "v1.4.2", target: "production", existingTags: ["v1.4.1", "v1.4.2", "v1.3.9"] });
        expect(check.release.version.version).to.equal("1.4.2");
        expect(check.previous?.tag).to.equal("v1.4.1");
    });

    it("refuses tags that are not v<semver>, naming the tag and the allowed form", () => {
        for (const tag of ["1.4.2", "v1.4", "v1.4.2.1", "v01.4.2", "release-1.4.2", "vlatest"]) {
            const message = refusal(() => parseReleaseTag(tag, "production"));
            expect(message, tag).to.include(`"${tag}"`);
            expect(message, tag).to.include("v<major>.<minor>.<patch>");
        }
    });

    it("refuses pre-releases and build metadata for production; staging takes release candidates", () => {
        const message = refusal(() => parseReleaseTag("v1.5.0-rc.1", "production"));
        expect(message).to.include('"v1.5.0-rc.1"').and.to.include("pre-release").and.to.include("production");
        expect(parseReleaseTag("v1.5.0-rc.1", "staging").prerelease).to.equal(true);
        expect(refusal(() => parseReleaseTag("v1.5.0+build.7", "production"))).to.include("build metadata");
    });

    it("refuses a tag that is not newer than the last release, unless it is a rollback", () => {
        const input = { ...onMain, tag: "v1.4.1", target: "production" as const, existingTags: ["v1.4.1", "v1.4.2"] };
        const message = refusal(() => checkRelease(input));
        expect(message).to.include('"v1.4.1"').and.to.include('last release "v1.4.2"');
        expect(checkRelease({ ...input, rollback: true }).release.tag).to.equal("v1.4.1");
    });

    it("compares by semver, ignoring pre-releases and tags that are not releases", () => {
        const existing = ["v1.10.0", "v1.9.0", "v2.0.0-rc.1", "deploy-2024-01", "v1.2"];
        expect(checkRelease({ ...onMain, tag: "v1.10.1", target: "production", existingTags: existing }).previous?.tag).to.equal("v1.10.0");
        expect(refusal(() => checkRelease({ ...onMain, tag: "v1.9.5", target: "production", existingTags: existing }))).to.include("v1.10.0");
    });

    it("refuses a tagged commit that is not on main, naming the commit and the ref", () => {
        const message = refusal(() =>
            checkRelease({ ...onMain, commitIsOnMain: false, tag: "v2.0.0", target: "production", existingTags: [] }),
        );
        expect(message).to.include(commit).and.to.include("origin/main");
    });

    describe("against a git repository", () => {
        let repo: string;
        const run = (...args: string[]) => execFileSync("git", args, { cwd: repo, encoding: "utf8" }).trim();

        before(() => {
            repo = fs.mkdtempSync(path.join(os.tmpdir(), "release-git-"));
            run("init", "--quiet", "--initial-branch=main");
            run("config", "user.email", "release@test.invalid");
            run("config", "user.name", "release test");
            run("commit", "--quiet", "--allow-empty", "-m", "first");
            run("tag", "v1.0.0");
            run("commit", "--quiet", "--allow-empty", "-m", "second");
            run("tag", "-a", "v1.1.0", "-m", "annotated release");
            run("checkout", "--quiet", "-b", "feature");
            run("commit", "--quiet", "--allow-empty", "-m", "unmerged work");
            run("tag", "v1.2.0");
            run("checkout", "--quiet", "main");
        });
        after(() => fs.rmSync(repo, { recursive: true, force: true }));

        it("reads tags and answers 'on main' with git merge-base --is-ancestor", () => {
            expect(listTags(repo)).to.have.members(["v1.0.0", "v1.1.0", "v1.2.0"]);
            const annotated = resolveCommit(repo, "v1.1.0");
            expect(annotated).to.equal(run("rev-parse", "main"));
            expect(isAncestor(repo, annotated, "main")).to.equal(true);
            expect(isAncestor(repo, resolveCommit(repo, "v1.2.0"), "main")).to.equal(false);
        });

        it("the CLI refuses a tag on an unmerged branch with exit code 1 and a clear message", function () {
            this.timeout(15_000);
            // --repo points the command at the scratch repository instead of the one it lives in.
            const result = spawnSync(
                process.execPath,
                ["--import", "tsx", path.join(repoRoot, "tools/release/cli.ts"), "validate", "--tag", "v1.2.0", "--main-ref", "main", "--repo", repo],
                { cwd: repoRoot, encoding: "utf8" },
            );
            expect(result.status, result.stderr).to.equal(1);
            expect(result.stderr).to.include('release tag "v1.2.0"').and.to.include("not on main");
        });
    });
});


const stackPath = "/api/stacks/acme/fraud-platform/production";
const fast: PollingOptions = { timeoutMs: 2_000, initialIntervalMs: 5, maxIntervalMs: 20, backoffFactor: 2 };

function deployment(id: string, status: string, extra: Record<string, unknown> = {}) {
    return { id, status, created: "2026-03-02 10:00:00.000", modified: "2026-03-02 10:07:30.500", version: 12, pulumiOperation: "update", ...extra };
}

const stackState = {
    version: 3,
    deployment: {
        resources: [
            {
                urn: "urn:pulumi:production::fraud-platform::pulumi:pulumi:Stack::fraud-platform-production",
                type: "pulumi:pulumi:Stack",
                outputs: {
                    url: "https://api.fraud.example.com",
                    databaseUrl: { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", ciphertext: "AAABAJ0x" },
                },
            },
        ],
    },
};

describe("release: Deployments API client", () => {
    let api: StandIn | undefined;
    afterEach(async () => {
        await api?.close();
        api = undefined;
    });

    function clientFor(server: StandIn): DeploymentsClient {
        return new DeploymentsClient({ baseUrl: server.url, token: "pul-test-token", organization: "acme", project: "fraud-platform" });
    }

    async function release(server: StandIn, releasePath: ReleasePath, polling: PollingOptions = fast): Promise<StackReleaseResult> {
        return releaseStack({ client: clientFor(server), stack: "production", tag: "v1.4.2", commit, path: releasePath, polling, discovery: fast });
    }

    it("api path: creates the deployment pinned to the tagged commit, polls it to success and collects masked outputs", async () => {
        const statuses = ["not-started", "running", "running", "succeeded"];
        api = await startStandIn(({ method, path: url }) => {
            if (method === "GET" && url === `${stackPath}/deployments/settings`) return { status: 200, body: { gitHub: { deployTags: false } } };
            if (method === "POST" && url === `${stackPath}/deployments`) return { status: 202, body: { id: "dep-7", consoleUrl: "https://app.pulumi.com/acme/fraud-platform/production/deployments/12", version: 12 } };
            if (method === "GET" && url === `${stackPath}/deployments/dep-7`) {
                const status = statuses.shift() ?? "succeeded";
                return { status: 200, body: deployment("dep-7", status, { updates: status === "succeeded" ? [{ version: 42, result: "succeeded" }] : [] }) };
            }
            if (method === "GET" && url === `${stackPath}/export`) return { status: 200, body: stackState };
            return { status: 404, body: { message: `no route ${method} ${url}` } };
        });

        const result = await release(api, "api");

        expect(result).to.include({ stack: "production", deploymentId: "dep-7", status: "succeeded", updateVersion: 42, path: "api" });
        expect(result.finishedAt).to.equal("2026-03-02T10:07:30.500Z");
        expect(result.outputs).to.deep.equal({ url: "https://api.fraud.example.com", databaseUrl: "[secret]" });
        expect(JSON.stringify(result)).not.to.include("AAABAJ0x");

        const create = api.requests.find((r) => r.method === "POST");
        expect(create?.body).to.deep.equal({
            operation: "update",
            inheritSettings: true,
            sourceContext: { git: { commit } },
            operationContext: { environmentVariables: { RELEASE_TAG: "v1.4.2", RELEASE_COMMIT: commit } },
        });
        for (const request of api.requests) {
            expect(request.headers.authorization).to.equal("token pul-test-token");
            expect(request.headers.accept).to.equal("application/vnd.pulumi+8");
        }
        expect(api.requests.filter((r) => r.path === `${stackPath}/deployments/dep-7`)).to.have.length(4);
    });

    it("reports a failed deployment as failed, without reading outputs", async () => {
        api = await startStandIn(({ method, path: url }) => {
            if (url.endsWith("/deployments/settings")) return { status: 200, body: {} };
            if (method === "POST") return { status: 202, body: { id: "dep-8" } };
            if (url === `${stackPath}/deployments/dep-8`) return { status: 200, body: deployment("dep-8", "failed") };
            return { status: 404, body: {} };
        });

        const result = await release(api, "api");

        expect(result.status).to.equal("failed");
        expect(result.outputs).to.deep.equal({});
        expect(api.requests.map((r) => r.path)).not.to.include(`${stackPath}/export`);
    });

    it("gives up with a timeout error when the API does not answer in time", async () => {
        api = await startStandIn(({ method, path: url }) => {
            if (url.endsWith("/deployments/settings")) return { status: 200, body: {} };
            if (method === "POST") return { status: 202, body: { id: "dep-9" } };
            return "no answer";
        });

        const started = Date.now();
        const error = await release(api, "api", { ...fast, timeoutMs: 300 }).then(
            () => undefined,
            (e: unknown) => e,
        );

        expect(error).to.be.instanceOf(DeploymentTimeoutError);
        expect((error as Error).message).to.include("dep-9").and.to.include("production").and.to.include("no answer");
        expect(Date.now() - started).to.be.below(1_500);
    });

    it("waits out a busy API (503) but stops at once on a refused token (401)", async () => {
        let busy = 2;
        api = await startStandIn(({ method, path: url }) => {
            if (url.endsWith("/deployments/settings")) return { status: 200, body: {} };
            if (method === "POST") return { status: 202, body: { id: "dep-10" } };
            if (url.endsWith("/export")) return { status: 200, body: stackState };
            return busy-- > 0 ? { status: 503, body: { message: "busy" } } : { status: 200, body: deployment("dep-10", "succeeded") };
        });
        expect((await release(api, "api")).status).to.equal("succeeded");
        await api.close();

        // The token is revoked mid-release: polling stops at the first 401 instead of retrying to the deadline.
        api = await startStandIn(({ method, path: url }) => {
            if (url.endsWith("/deployments/settings")) return { status: 200, body: {} };
            if (method === "POST") return { status: 202, body: { id: "dep-11" } };
            return { status: 401, body: { message: "invalid token" } };
        });
        const error = await release(api, "api").then(
            () => undefined,
            (e: unknown) => e,
        );
        expect(error).to.be.instanceOf(DeploymentsApiError);
        expect((error as Error).message).to.include("401");
        expect(api.requests.filter((r) => r.path === `${stackPath}/deployments/dep-11`)).to.have.length(1);
    });

    it("tag-trigger path: finds the deployment the tag push started and follows it, creating none", async () => {
        const polls: Record<string, number> = {};
        api = await startStandIn(({ method, path: url }) => {
            if (url.endsWith("/deployments/settings")) return { status: 200, body: { gitHub: { deployTags: true, tagFilters: ["v*.*.*", "!*-*"] } } };
            if (method === "GET" && url.startsWith(`${stackPath}/deployments?`)) {
                // The push webhook lands a moment later: the first listing only has the previous release.
                polls.list = (polls.list ?? 0) + 1;
                const listed = [deployment("dep-old", "succeeded")];
                return { status: 200, body: { deployments: polls.list > 1 ? [deployment("dep-new", "running"), ...listed] : listed } };
            }
            const variables = (tag: string) => ({ configuration: { environmentVariables: [{ name: "PULUMI_CI_TAG_NAME", value: tag }] } });
            if (url === `${stackPath}/deployments/dep-old`) return { status: 200, body: deployment("dep-old", "succeeded", variables("v1.4.1")) };
            if (url === `${stackPath}/deployments/dep-new`) {
                polls.new = (polls.new ?? 0) + 1;
                return { status: 200, body: deployment("dep-new", polls.new > 2 ? "succeeded" : "running", variables("v1.4.2")) };
            }
            if (url.endsWith("/export")) return { status: 200, body: stackState };
            return { status: 404, body: {} };
        });

        const result = await release(api, "tag-trigger");

        expect(result).to.include({ deploymentId: "dep-new", status: "succeeded", path: "tag-trigger" });
        expect(api.requests.filter((r) => r.method === "POST")).to.have.length(0);
    });

    it("the deploy command reads PULUMI_BACKEND_URL, PULUMI_ORG and the project from Pulumi.yaml, and writes the result file", async function () {
        this.timeout(15_000);
        api = await startStandIn(({ method, path: url }) => {
            if (url === `${stackPath}/deployments/settings`) return { status: 200, body: { gitHub: { deployTags: false } } };
            if (method === "POST" && url === `${stackPath}/deployments`) return { status: 202, body: { id: "dep-cli" } };
            if (url === `${stackPath}/deployments/dep-cli`) return { status: 200, body: deployment("dep-cli", "succeeded") };
            if (url === `${stackPath}/export`) return { status: 200, body: stackState };
            return { status: 404, body: {} };
        });
        const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "release-out-")), "production.json");
        // Asynchronous: the fake API answers from this process while the command runs.
        const { stdout } = await promisify(execFile)(
            process.execPath,
            ["--import", "tsx", "tools/release/cli.ts", "deploy", "--path", "api", "--stack", "production", "--tag", "v1.4.2", "--commit", commit, "--out", out],
            { cwd: repoRoot, env: { ...process.env, PULUMI_BACKEND_URL: api.url, PULUMI_ORG: "acme", PULUMI_ACCESS_TOKEN: "pul-cli-token" } },
        );
        expect(stdout).to.include("dep-cli succeeded");
        const written = stackResultSchema.parse(JSON.parse(fs.readFileSync(out, "utf8")));
        expect(written).to.include({ stack: "production", deploymentId: "dep-cli", status: "succeeded" });
        expect(written.outputs.databaseUrl).to.equal("[secret]");
        expect(api.requests.every((r) => r.headers.authorization === "token pul-cli-token")).to.equal(true);
        fs.rmSync(path.dirname(out), { recursive: true, force: true });
    });

    it("never deploys a tag twice: the api path refuses a stack that deploys the tag on push, and tag-trigger refuses one that does not", async () => {
        api = await startStandIn(() => ({ status: 200, body: { gitHub: { deployTags: true, tagFilters: ["v*.*.*"] } } }));
        const twice = await release(api, "api").then(
            () => undefined,
            (e: unknown) => e,
        );
        expect(twice).to.be.instanceOf(ReleaseSetupError);
        expect((twice as Error).message).to.include("twice");
        expect(api.requests.filter((r) => r.method === "POST")).to.have.length(0);
        await api.close();

        api = await startStandIn(() => ({ status: 200, body: { gitHub: { deployTags: false } } }));
        const nothing = await release(api, "tag-trigger").then(
            () => undefined,
            (e: unknown) => e,
        );
        expect(nothing).to.be.instanceOf(ReleaseSetupError);
        expect((nothing as Error).message).to.include("does not deploy tag v1.4.2");
    });
});

describe("release: deployment record", () => {
    const production: StackReleaseResult = {
        stack: "production",
        path: "api",
        deploymentId: "dep-7",
        deploymentVersion: 12,
        status: "succeeded",
        updateVersion: 42,
        startedAt: "2026-03-02T10:03:00.000Z",
        finishedAt: "2026-03-02T10:07:30.500Z",
        outputs: { url: "https://api.fraud.example.com", databaseUrl: "[secret]" },
    };
    const staging: StackReleaseResult = { ...production, stack: "staging", deploymentId: "dep-5", startedAt: "2026-03-02T09:58:00.000Z", finishedAt: "2026-03-02T10:01:00.000Z" };
    const preview = [
        { stack: "staging", resources: [], policyViolations: [] },
        {
            stack: "production",
            resources: [],
            policyViolations: [{ policy: "alarm-actions", pack: "fraud-platform", enforcementLevel: "advisory", urn: "urn:x", message: "no OK action" }],
        },
    ];

    it("records version, commit, each stack with outputs, policy results, timestamps and a 60-minute rollback deadline", () => {
        const record = buildDeploymentRecord({
            tag: "v1.4.2",
            commit,
            previousTag: "v1.4.1",
            path: "api",
            expectedStacks: ["staging", "production"],
            stacks: [staging, production],
            policy: policyResultsFromPreview(preview),
        });

        expect(record).to.include({ version: "1.4.2", tag: "v1.4.2", commit, status: "succeeded", previousTag: "v1.4.1", path: "api" });
        expect(record.startedAt).to.equal("2026-03-02T09:58:00.000Z");
        expect(record.finishedAt).to.equal("2026-03-02T10:07:30.500Z");
        expect(record.rollback).to.deep.equal({
            windowMinutes: 60,
            deadline: "2026-03-02T11:07:30.500Z",
            available: true,
            previousTag: "v1.4.1",
            runbook: "docs/runbooks/rollback.md",
        });
        expect(record.stacks.map((s) => [s.stack, s.outputs.databaseUrl])).to.deep.equal([
            ["staging", "[secret]"],
            ["production", "[secret]"],
        ]);
        expect(record.policy.find((p) => p.stack === "production")).to.include({ result: "passed", mandatory: 0, advisory: 1 });
        expect(record.missingStacks).to.deep.equal([]);
        expect(fs.existsSync(path.join(repoRoot, record.rollback.runbook)), record.rollback.runbook).to.equal(true);
        // Survives the trip through the result file the workflow passes between jobs.
        expect(stackResultSchema.parse(JSON.parse(JSON.stringify(production)))).to.deep.equal(production);
    });

    it("is failed when a stack failed, a stack has no result, or a mandatory policy is violated", () => {
        const base = { tag: "v1.4.2", commit, previousTag: null, path: "tag-trigger" as const, expectedStacks: ["production"], policy: [] };
        expect(buildDeploymentRecord({ ...base, stacks: [{ ...production, status: "failed" }] }).status).to.equal("failed");

        const missing = buildDeploymentRecord({ ...base, stacks: [], now: new Date("2026-03-02T12:00:00Z") });
        expect(missing).to.include({ status: "failed" });
        expect(missing.missingStacks).to.deep.equal(["production"]);
        expect(missing.rollback).to.include({ deadline: "2026-03-02T13:00:00.000Z", available: false });

        const mandatory = policyResultsFromPreview({
            stack: "production",
            resources: [],
            policyViolations: [{ policy: "database-backups", pack: "fraud-platform", enforcementLevel: "mandatory", urn: "urn:db", message: "no backups" }],
        });
        expect(mandatory[0]).to.include({ result: "failed", mandatory: 1 });
        expect(buildDeploymentRecord({ ...base, stacks: [production], policy: mandatory }).status).to.equal("failed");
    });
});

const scripts = z.object({ scripts: z.record(z.string(), z.string()) }).parse(JSON.parse(fs.readFileSync(path.join(repoRoot, "package.json"), "utf8"))).scripts;

/** The script names of every `npm run [--flags] <name>` in a shell text. */
function npmRunScripts(text: string): string[] {
    return [...text.matchAll(/npm run(?:\s+--?[\w-]+)*\s+([\w:-]+)/g)].map((match) => match[1] ?? "");
}

function readYaml(file: string): unknown {
    return parseYaml(fs.readFileSync(path.join(repoRoot, file), "utf8"));
}

const workflowSchema = z.object({
    on: z.record(z.string(), z.unknown()),
    jobs: z.record(
        z.string(),
        z.object({
            if: z.string().optional(),
            needs: z.union([z.string(), z.array(z.string())]).optional(),
            environment: z.string().optional(),
            steps: z.array(z.object({ uses: z.string().optional(), run: z.string().optional(), with: z.record(z.string(), z.unknown()).optional() })),
        }),
    ),
});

describe("release: GitHub workflows", () => {
    const workflows = ["ci.yml", "release.yml"].map((name) => ({ name, workflow: workflowSchema.parse(readYaml(`.github/workflows/${name}`)) }));
    const steps = (name: string) => workflows.find((w) => w.name === name)?.workflow.jobs ?? {};

    it("are valid YAML and call only npm scripts that exist in package.json", () => {
        for (const { name, workflow } of workflows) {
            const called = Object.values(workflow.jobs).flatMap((job) => job.steps.flatMap((step) => npmRunScripts(step.run ?? "")));
            expect(called, name).not.to.be.empty;
            for (const script of called) expect(scripts, `${name}: npm run ${script}`).to.have.property(script);
        }
    });

    it("reference only files that exist (generated files live under out/)", () => {
        for (const { name, workflow } of workflows) {
            for (const job of Object.values(workflow.jobs)) {
                for (const step of job.steps) {
                    const paths = [...(step.run ?? "").matchAll(/(?:^|[\s"'=])((?:[\w.-]+\/)+[\w.-]+\.(?:ts|js|json|ya?ml|md))/g)].map((m) => m[1] ?? "");
                    if (typeof step.with?.policyPacks === "string") paths.push(path.join(step.with.policyPacks, "package.json"));
                    for (const file of paths.filter((p) => !p.startsWith("out/"))) expect(fs.existsSync(path.join(repoRoot, file)), `${name}: ${file}`).to.equal(true);
                }
            }
        }
    });

    it("ci runs on pull requests and pushes, and previews each stack with the policy pack only when a token is configured", () => {
        const ci = workflows.find((w) => w.name === "ci.yml")?.workflow;
        expect(ci?.on).to.have.keys("pull_request", "push");
        const previews = Object.values(steps("ci.yml")).filter((job) => job.steps.some((s) => s.uses?.startsWith("pulumi/actions@v6")));
        expect(previews).to.have.length(1);
        const [preview] = previews;
        expect(preview?.steps.find((s) => s.uses?.startsWith("pulumi/actions"))?.with).to.include({ command: "preview", policyPacks: "policies" });
        // Job-level `if` cannot read secrets: the skip must come from another job's output.
        expect(preview?.if).to.match(/needs\.[\w-]+\.outputs\./).and.not.to.include("secrets.");
    });

    it("release runs on v*.*.* tags; on the api path production waits for staging and a GitHub environment approval", () => {
        const release = workflows.find((w) => w.name === "release.yml")?.workflow;
        expect(z.object({ push: z.object({ tags: z.array(z.string()) }) }).parse(release?.on).push.tags).to.deep.equal(["v*.*.*"]);
        const jobs = steps("release.yml");
        const production = Object.values(jobs).find((job) => job.steps.some((s) => /release -- deploy --path api --stack production/.test(s.run ?? "")));
        expect(production?.environment).to.equal("production");
        expect(production?.needs).to.include("deploy-staging");
        const follow = Object.values(jobs).find((job) => job.steps.some((s) => /--path tag-trigger/.test(s.run ?? "")));
        // The two paths exclude each other on the same variable: one path per setup.
        expect(follow?.if).to.include("vars.RELEASE_PATH != 'api'");
        expect(jobs["deploy-staging"]?.if).to.include("vars.RELEASE_PATH == 'api'");
        const record = Object.values(jobs).find((job) => job.steps.some((s) => /release -- record/.test(s.run ?? "")));
        expect(record?.steps.some((s) => s.uses?.startsWith("actions/upload-artifact"))).to.equal(true);
    });
});

describe("release: docs", () => {
    it("links only to files that exist: the release section from the repository root, runbooks from their folder", () => {
        const documents = [
            { file: "README.md", base: repoRoot },
            ...fs.readdirSync(path.join(repoRoot, "docs/runbooks")).map((name) => ({ file: `docs/runbooks/${name}`, base: path.join(repoRoot, "docs/runbooks") })),
        ];
        expect(documents.map((d) => d.file)).to.include.members(["docs/runbooks/rollback.md", "docs/runbooks/restore-database.md", "docs/runbooks/rotate-secrets.md", "docs/runbooks/alarms.md"]);
        for (const { file, base } of documents) {
            const text = fs.readFileSync(path.join(repoRoot, file), "utf8");
            for (const [, target] of text.matchAll(/\]\(([^)#\s]+\.md)\)/g)) {
                expect(fs.existsSync(path.join(base, target ?? "")), `${file} → ${target}`).to.equal(true);
            }
        }
    });
});
