import { expect } from "chai";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { spawnPolicyPack } from "../tools/engine/policyProcess";
import { repoRoot } from "../tools/engine/stackFiles";
import { runPreviewCli } from "./cli";

/** The real entry point, `npm run preview -- …`, asked for now and run in the background (test/cli.ts). */
function preview(...args: string[]): Promise<{ status: number | null; output: string }> {
    return runPreviewCli(...args).then((run) => ({ status: run.status, output: `${run.stdout}${run.stderr}` }));
}
const stackTrace = /\n\s+at .+:\d+:\d+\)?\n/;

describe("offline preview CLI: stack files that are not valid YAML", function () {
    this.timeout(120_000); // a run may still be queued behind others when its test starts
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fraud-yaml-"));
    after(() => fs.rmSync(dir, { recursive: true, force: true }));
    const devWith = (edit: (text: string) => string) => {
        const file = path.join(dir, `Pulumi.dev-${Math.random().toString(36).slice(2)}.yaml`);
        fs.writeFileSync(file, edit(fs.readFileSync(path.join(repoRoot, "Pulumi.dev.yaml"), "utf8")));
        return file;
    };
    const tabFile = devWith((text) => text.replace("\n    api:\n", "\n\tapi:\n"));
    const tabRun = preview("--stack", "dev", "--file", tabFile, "--no-policies");
    const duplicateRun = preview("--stack", "dev", "--file", devWith((text) => text.replace("  fraud-platform:backend: docker\n", "  fraud-platform:backend: docker\n  fraud-platform:backend: aws\n")), "--no-policies");

    it("a tab used as indentation: file, line and column, exit 1, no stack trace", async () => {
        const file = tabFile;
        const line = fs.readFileSync(file, "utf8").split("\n").findIndex((l) => l.startsWith("\tapi:")) + 1;
        const run = await tabRun;
        expect(run.status, run.output).to.equal(1);
        expect(run.output).to.include(`${path.basename(file)}:${line}:1: is not valid YAML: Tabs are not allowed as indentation`);
        expect(run.output).to.not.match(stackTrace);
    });

    it("a duplicate key: file, line and column, exit 1, no stack trace", async () => {
        const run = await duplicateRun;
        expect(run.status, run.output).to.equal(1);
        expect(run.output).to.match(/:6:3: is not valid YAML: Map keys must be unique/);
        expect(run.output).to.not.match(stackTrace);
    });
});

describe("offline preview CLI: mistakes in the arguments", function () {
    this.timeout(120_000);
    const unknownRun = preview("--stak", "dev");
    const stackTypoRun = preview("--stack", "prodution");
    const positionalRun = preview("production");
    const missingRun = preview("--stack", "dev", "--policy-pack-config", path.join(os.tmpdir(), "no-such-policy-config.json"));
    it("mistyped arguments (an unknown option, a stack that does not exist, a bare word) print the usage and exit 2; an unreadable file exits 1; never a stack trace", async () => {
        const unknown = await unknownRun;
        expect(unknown.status, unknown.output).to.equal(2);
        expect(unknown.output).to.include("Unknown option '--stak'").and.include("usage:");
        const stackTypo = await stackTypoRun;
        expect(stackTypo.status, stackTypo.output).to.equal(2);
        expect(stackTypo.output).to.include("No Pulumi.<stack>.yaml for: prodution. Stacks here: dev, production, selfhosted, staging").and.include("usage:");
        const positional = await positionalRun;
        expect(positional.status, positional.output).to.equal(2);
        expect(positional.output).to.include("usage:");
        const missing = await missingRun;
        expect(missing.status, missing.output).to.equal(1);
        expect(missing.output).to.include("--policy-pack-config").and.include("ENOENT");
        for (const run of [unknown, stackTypo, positional, missing]) expect(run.output).to.not.match(stackTrace);
    });
});

describe("stack config delivery to the policy pack", () => {
    const big = { "fraud-platform:services": JSON.stringify({ api: { env: { BLOB: "x".repeat(200 * 1024) } } }), "fraud-platform:backend": "docker" };

    it("sets PULUMI_CONFIG inside the pack's process from a private file, so 200 KiB of config crosses no execve", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fraud-preload-"));
        const file = path.join(dir, "config.json");
        fs.writeFileSync(file, JSON.stringify({ config: big, secretKeys: ["fraud-platform:services"] }), { mode: 0o600 });
        const run = spawnSync(
            process.execPath,
            ["--require", path.join(repoRoot, "tools", "engine", "policyConfigPreload.js"), "-e", "process.stdout.write(JSON.stringify([process.env.PULUMI_CONFIG, process.env.PULUMI_CONFIG_SECRET_KEYS, process.env.FRAUD_PLATFORM_POLICY_CONFIG_FILE]))"],
            { encoding: "utf8", env: { ...process.env, FRAUD_PLATFORM_POLICY_CONFIG_FILE: file } },
        );
        expect(run.status, run.stderr).to.equal(0);
        const [config, secretKeys, leftover] = JSON.parse(run.stdout) as [string, string, string | null];
        expect(JSON.parse(config)).to.deep.equal(big); // what @pulumi/pulumi's runtime reads, as under the CLI
        expect(JSON.parse(secretKeys)).to.deep.equal(["fraud-platform:services"]);
        expect(leftover, "the file variable is not passed on").to.equal(null);
        expect(fs.existsSync(file), "the file is removed once read").to.equal(false);
        fs.rmSync(dir, { recursive: true, force: true });
    });

    it("starts the pack with a config over 128 KiB (it used to fail with E2BIG)", async () => {
        const child = spawnPolicyPack({ stack: { name: "dev", project: "fraud-platform", config: big } });
        const outcome = await new Promise<string>((resolve) => {
            child.once("spawn", () => resolve("spawned"));
            child.once("error", (error) => resolve(error.message));
        });
        child.kill();
        expect(outcome).to.equal("spawned");
    });
});
