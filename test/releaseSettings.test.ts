import { expect } from "chai";
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { z } from "zod";
import { DeploymentsClient, DeploymentsNetworkError } from "../tools/release/deploymentsClient";
import { diffSettings, readSettingsFile } from "../tools/release/settings";
import { failureReport, main as releaseMain } from "../tools/release/cli";
import { settingsMain } from "../tools/release/settingsCli";
import { tagTriggersDeployment } from "../tools/release/tagFilters";
import { startStandIn } from "./standIn";

const repoRoot = path.resolve(__dirname, "..");
const fastRetry = { attempts: 3, baseDelayMs: 5 };

function isRecord(value: unknown): value is Record<string, unknown> {
    return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** Patch Settings' documented merge: objects key by key, everything else replaced, null removes. */
function merge(current: unknown, patch: unknown): unknown {
    if (!isRecord(patch) || !isRecord(current)) return patch;
    const merged: Record<string, unknown> = { ...current };
    for (const [key, value] of Object.entries(patch)) {
        if (value === null) delete merged[key];
        else merged[key] = merge(current[key], value);
    }
    return merged;
}

/**
 * A stand-in for Pulumi Cloud's settings endpoints of one stack. `failures` answers the first requests
 * with a dropped connection; settings start as `initial` (undefined: the stack has none, 404).
 */
async function startSettingsApi(initial?: Record<string, unknown>, failures = 0) {
    let stored: unknown = initial;
    let toFail = failures;
    const api = await startStandIn((request) => {
        if (toFail-- > 0) return "drop";
        const known = request.path === "/api/stacks/acme/fraud-platform/production/deployments/settings";
        if (known && request.method === "GET" && stored !== undefined) return { status: 200, body: stored };
        if (known && request.method === "POST") {
            stored = merge(stored ?? {}, request.body);
            return { status: 200 };
        }
        return { status: 404, body: { code: 404, message: "Not Found" } };
    });
    return { url: api.url, seen: api.requests, close: api.close };
}

function io(url: string) {
    let out = "";
    return {
        io: { out: (text: string) => void (out += text), env: { PULUMI_ACCESS_TOKEN: "pul-test", PULUMI_ORG: "acme", PULUMI_BACKEND_URL: url }, repoRoot, project: "fraud-platform", retry: fastRetry },
        output: () => out,
    };
}

function runReleaseCli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ status: number | null; stdout: string; stderr: string }> {
    return new Promise((resolve, reject) => {
        const child = spawn(process.execPath, ["--require", "tsx/cjs", path.join(repoRoot, "tools/release/cli.ts"), ...args], {
            cwd: repoRoot,
            env: { ...process.env, PULUMI_ACCESS_TOKEN: "", PULUMI_ORG: "", ...env },
            stdio: ["ignore", "pipe", "pipe"],
        });
        let stdout = "";
        let stderr = "";
        child.stdout.setEncoding("utf8").on("data", (c: string) => (stdout += c));
        child.stderr.setEncoding("utf8").on("data", (c: string) => (stderr += c));
        child.once("error", reject);
        child.once("close", (status) => resolve({ status, stdout, stderr }));
    });
}

const stackTrace = /\n\s+at .+:\d+:\d+\)?\n/;

describe("release settings: deploy/<stack>.settings.yaml", () => {
    const production = readSettingsFile("production", repoRoot);
    const staging = readSettingsFile("staging", repoRoot);
    const trigger = (settings: typeof production) => ({ deployTags: settings.gitHub.deployTags, tagFilters: settings.gitHub.tagFilters ?? [] });

    it("production deploys final release tags only, never branch pushes; staging deploys main and no tag", () => {
        expect(production.gitHub.deployCommits).to.equal(false);
        expect(production.gitHub.tagFilters).to.include("v*.*.*");
        for (const tag of ["v1.4.2", "v10.0.0"]) expect(tagTriggersDeployment(trigger(production), tag), tag).to.equal(true);
        for (const tag of ["v1.5.0-rc.1", "v1.5.0+build.7", "release-1", "v1.5"]) expect(tagTriggersDeployment(trigger(production), tag), tag).to.equal(false);
        expect(staging.gitHub.deployCommits).to.equal(true);
        expect(tagTriggersDeployment(trigger(staging), "v1.4.2")).to.equal(false);
    });

    it("the real pulumi up runs the policy pack with the stack's own thresholds", () => {
        for (const [stack, settings] of [["production", production], ["staging", staging]] as const) {
            expect(settings.operationContext.environmentVariables, stack).to.include({
                PULUMI_OPTION_POLICY_PACK: "policies",
                PULUMI_OPTION_POLICY_PACK_CONFIG: `policies/config/${stack}.json`,
            });
        }
    });

    it("credentials: AWS through OIDC; no credential pasted into settings or the committed file", () => {
        expect(production.operationContext.oidc?.aws.roleArn).to.match(/role\/fraud-platform-production/);
        for (const settings of [production, staging]) expect(JSON.stringify(settings)).not.to.match(/DIGITALOCEAN_TOKEN|AWS_SECRET_ACCESS_KEY|pulumi env open/);
        // The schema refuses a credential-looking variable, naming the key and where credentials belong.
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fraud-settings-"));
        fs.mkdirSync(path.join(dir, "deploy"));
        for (const file of ["policies/PulumiPolicy.yaml", "policies/config/staging.json"]) fs.cpSync(path.join(repoRoot, file), path.join(dir, file));
        const text = fs.readFileSync(path.join(repoRoot, "deploy/staging.settings.yaml"), "utf8");
        fs.writeFileSync(path.join(dir, "deploy/staging.settings.yaml"), text.replace("    PULUMI_SKIP_UPDATE_CHECK:", "    DIGITALOCEAN_TOKEN: dop_v1_x\n    PULUMI_SKIP_UPDATE_CHECK:"));
        expect(() => readSettingsFile("staging", dir)).to.throw(/operationContext\.environmentVariables\.DIGITALOCEAN_TOKEN.*Pulumi ESC environment/);
        fs.writeFileSync(path.join(dir, "deploy/staging.settings.yaml"), text.replace("    PULUMI_OPTION_POLICY_PACK: policies\n", ""));
        expect(() => readSettingsFile("staging", dir)).to.throw(/PULUMI_OPTION_POLICY_PACK is required/);
        fs.rmSync(dir, { recursive: true, force: true });
    });

    it("pre-run commands use npm scripts that exist, and no file or doc names the removed deployment CLI", () => {
        const scripts = z.object({ scripts: z.record(z.string(), z.string()) }).parse(JSON.parse(fs.readFileSync(path.join(repoRoot, "package.json"), "utf8"))).scripts;
        for (const settings of [production, staging]) {
            for (const [, script] of settings.operationContext.preRunCommands.join("\n").matchAll(/npm run(?:\s+--?[\w-]+)*\s+([\w:-]+)/g)) expect(scripts).to.have.property(script ?? "");
        }
        expect(fs.readdirSync(repoRoot).filter((f) => /^Pulumi\..+\.deploy\.ya?ml$/.test(f))).to.deep.equal([]);
        const files = ["README.md", ".github/workflows/ci.yml", ".github/workflows/release.yml", ...fs.readdirSync(path.join(repoRoot, "docs")).filter((f) => f.endsWith(".md")).map((f) => `docs/${f}`)];
        for (const dir of ["docs/runbooks", "tools/release", "tools", "test"]) {
            for (const f of fs.readdirSync(path.join(repoRoot, dir))) if (/\.(md|ts)$/.test(f) && f !== "releaseSettings.test.ts") files.push(`${dir}/${f}`);
        }
        const removed = new RegExp(["pulumi deployment settings (push|init|env)", "Pulumi\\.[\\w<>]+\\.deploy\\.yaml"].join("|"));
        for (const file of files) expect(fs.readFileSync(path.join(repoRoot, file), "utf8"), file).not.to.match(removed);
    });
});

describe("release settings: diff and push through the Deployments API", () => {
    it("diff shows the tag trigger, OIDC and the policy pack; push sends exactly the file; a diff after push shows no change", async () => {
        const api = await startSettingsApi({ gitHub: { repository: "dygsom/fraud-platform", deployTags: false }, operationContext: { environmentVariables: { EXTRA: "kept" } } });
        try {
            const diff = io(api.url);
            expect(await settingsMain(["diff", "--stack", "production"], diff.io)).to.equal(0);
            expect(diff.output()).to.include("~ gitHub.deployTags: false → true");
            expect(diff.output()).to.include('+ gitHub.tagFilters: ["v*.*.*","!*-*","!*+*"]');
            expect(diff.output()).to.include('+ operationContext.oidc.aws.roleArn: "arn:aws:iam::123456789012:role/fraud-platform-production-deployments"');
            expect(diff.output()).to.include('+ operationContext.environmentVariables.PULUMI_OPTION_POLICY_PACK: "policies"');
            expect(diff.output()).to.include('+ operationContext.environmentVariables.PULUMI_OPTION_POLICY_PACK_CONFIG: "policies/config/production.json"');
            expect(api.seen.map((r) => r.method)).to.deep.equal(["GET"]);

            const push = io(api.url);
            expect(await settingsMain(["push", "--stack", "production"], push.io)).to.equal(0);
            const sent = api.seen.filter((r) => r.method === "POST");
            expect(sent).to.have.length(1);
            expect(sent[0]?.path).to.equal("/api/stacks/acme/fraud-platform/production/deployments/settings");
            expect(sent[0]?.body).to.deep.equal(readSettingsFile("production", repoRoot));

            const again = io(api.url);
            await settingsMain(["diff", "--stack", "production"], again.io);
            expect(again.output()).to.match(/no changes/);
            const pushAgain = io(api.url);
            await settingsMain(["push", "--stack", "production"], pushAgain.io);
            expect(api.seen.filter((r) => r.method === "POST")).to.have.length(1); // nothing to send
        } finally {
            await api.close();
        }
    });

    it("a stack with no settings yet (404) diffs as all additions", () => {
        const changes = diffSettings({}, readSettingsFile("staging", repoRoot));
        expect(changes.map((c) => c.path)).to.include.members(["gitHub.deployCommits", "operationContext.environmentVariables.PULUMI_OPTION_POLICY_PACK"]);
        expect(changes.every((c) => c.current === undefined)).to.equal(true);
    });
});

describe("release API client: network errors", () => {
    it("retries dropped connections with backoff and succeeds", async () => {
        const api = await startSettingsApi({ gitHub: { deployTags: true, tagFilters: ["v*.*.*"] } }, 2);
        try {
            const client = new DeploymentsClient({ baseUrl: api.url, token: "t", organization: "acme", project: "fraud-platform", retry: fastRetry });
            expect(await client.getTagTrigger("production")).to.deep.equal({ deployTags: true, tagFilters: ["v*.*.*"] });
        } finally {
            await api.close();
        }
    });

    it("a server that never answers: bounded attempts, one line", async () => {
        const silent = http.createServer(() => undefined);
        await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
        const url = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
        try {
            const client = new DeploymentsClient({ baseUrl: url, token: "t", organization: "acme", project: "p", requestTimeoutMs: 100, retry: { attempts: 2, baseDelayMs: 5 } });
            const error = await client.getSettings("production").then(() => undefined, (e: unknown) => e);
            expect(error).to.be.instanceOf(DeploymentsNetworkError);
            expect((error as Error).message).to.match(/^Pulumi Cloud could not be reached: GET \/api\/stacks\/acme\/p\/production\/deployments\/settings failed 2 times \(no answer before the request timeout\)$/);
        } finally {
            silent.closeAllConnections();
            silent.close();
        }
    });

    it("the CLI: a refused connection is one line (exit 1); mistyped arguments print the usage (exit 2), never a stack trace", async function () {
        this.timeout(30_000);
        // A port that was just free: nothing listens there.
        const probe = http.createServer();
        await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
        const port = (probe.address() as AddressInfo).port;
        await new Promise<void>((resolve) => probe.close(() => resolve()));
        const env = { PULUMI_ACCESS_TOKEN: "pul-test", PULUMI_ORG: "acme", PULUMI_BACKEND_URL: `http://127.0.0.1:${port}` };
        const [refused, typo] = await Promise.all([runReleaseCli(["settings", "diff", "--stack", "production"], env), runReleaseCli(["validate", "--tga", "v1.2.3"])]);
        expect(refused.status, refused.stderr).to.equal(1);
        expect(refused.stderr.trim().split("\n")).to.have.length(1);
        expect(refused.stderr).to.match(/could not be reached: GET .*failed 4 times \(.*ECONNREFUSED/);
        expect(typo.status, typo.stderr).to.equal(2);
        expect(typo.stderr).to.include("Unknown option '--tga'").and.include("usage:").and.not.match(stackTrace);
        // The same mapping in-process, for the other mistakes.
        const failure = (argv: string[]) => releaseMain(argv).then(() => ({ code: 0, text: "" }), failureReport);
        for (const [argv, message] of [
            [[], "a command is required"],
            [["deplyo"], 'unknown command "deplyo"'],
            [["settings", "show", "--stack", "production"], 'settings takes diff or push, not "show"'],
            [["settings", "diff"], "--stack is required"],
            [["deploy", "--tag", "v1.2.3"], "--commit is required"],
        ] as const) {
            const { code, text } = await failure([...argv]);
            expect(code, text).to.equal(2);
            expect(text).to.include(message).and.include("usage:").and.not.match(stackTrace);
        }
    });
});
