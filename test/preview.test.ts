import { expect } from "chai";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import YAML from "yaml";
import { repoRoot } from "../tools/engine/stackFiles";
import { inPreviewQueue, processesOfRun, runPreviewCli, startPreview } from "./cli";

interface PreviewDocument {
    stack: string;
    resources: { urn: string; type: string; name: string; parent: string; inputs: Record<string, unknown>; protect: boolean; dependencies: string[] }[];
    policyViolations: { policy: string; pack: string; enforcementLevel: string; urn: string; message: string }[];
}

function stackCopy(stack: string, edit: (config: Record<string, unknown>) => void): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fraud-preview-"));
    const file = path.join(dir, `Pulumi.${stack}.yaml`);
    const parsed = YAML.parse(fs.readFileSync(path.join(repoRoot, `Pulumi.${stack}.yaml`), "utf8")) as { config: Record<string, unknown> };
    edit(parsed.config);
    fs.writeFileSync(file, YAML.stringify(parsed));
    return file;
}

function devCopy(name: string, edit: (config: Record<string, unknown>) => void): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fraud-preview-"));
    const file = path.join(dir, `Pulumi.${name}.yaml`);
    const stack = YAML.parse(fs.readFileSync(path.join(repoRoot, "Pulumi.dev.yaml"), "utf8")) as { config: Record<string, unknown> };
    edit(stack.config);
    fs.writeFileSync(file, YAML.stringify(stack));
    return file;
}

describe("offline preview CLI", function () {
    this.timeout(120_000); // a run may still be queued behind the others when its test starts
    // Asked for when mocha loads this file: the CLI runs go on in the background (one at a time) while the
    // in-process tests of the other files run, and each test below awaits its own.
    const threeDayBackups = runPreviewCli(
        "--stack", "production", "--file", stackCopy("production", (config) => { config["fraud-platform:database"] = { backupRetentionDays: 3 }; }), "--json",
    );
    const everyStackFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "fraud-preview-")), "stacks.json");
    // --out without --json: the JSON documents go to the file, the trees and policy reports to stdout.
    const everyStack = runPreviewCli("--out", everyStackFile);
    const broken = runPreviewCli(
        "--stack", "broken", "--file",
        devCopy("broken", (config) => {
            config["fraud-platform:backend"] = "azure";
            config["fraud-platform:database"] = { backupRetentionDays: -1 };
        }),
        "--json",
    );
    // The dev stack as committed plus one secure value (which no key here decrypts): one run serves the JSON
    // document's tests and the stand-in secret's.
    const devJson = runPreviewCli(
        "--stack", "dev", "--file",
        devCopy("dev", (config) => { config["fraud-platform:slackWebhookUrl"] = { secure: "v1:c2VjcmV0:bm90LXJlYWxseQ==" }; }),
        "--json",
    );

    it("enforces the policy pack: a production copy with 3-day backups exits 1 naming rds-backup-retention", async () => {
        const run = await threeDayBackups;
        expect(run.status, run.stderr).to.equal(1);
        const document = JSON.parse(run.stdout) as PreviewDocument;
        const violation = document.policyViolations.find((v) => v.policy === "rds-backup-retention");
        expect(violation, JSON.stringify(document.policyViolations)).to.not.equal(undefined);
        expect(violation!.enforcementLevel).to.equal("mandatory");
        expect(violation!.pack).to.equal("fraud-platform-policies");
        expect(violation!.urn).to.match(/aws:rds\/instance:Instance::fraud-production-db-postgres$/);
        expect(run.stderr).to.include("rds-backup-retention");
    });

    it("previews every committed stack with the pack and no mandatory violation, the JSON into --out", async () => {
        const run = await everyStack;
        expect(run.status, run.stderr).to.equal(0);
        // --out: the documents go to the file (no npm banner can get in the way); stdout keeps the human output.
        expect(run.stdout).to.not.include('"policyViolations"');
        const documents = JSON.parse(fs.readFileSync(everyStackFile, "utf8")) as { stack: string; policyViolations: { enforcementLevel: string }[] }[];
        expect(documents.map((d) => d.stack)).to.deep.equal(["dev", "production", "selfhosted", "staging"]);
        for (const d of documents) expect(d.policyViolations.filter((v) => v.enforcementLevel === "mandatory"), d.stack).to.deep.equal([]);
        // Production's paging key is in no committed file: a placeholder stands in, said in one line with the command to set it.
        const notice = run.stderr.split("\n").filter((line) => line.startsWith("[production] not set: fraud-platform:pagerDutyIntegrationKey"));
        expect(notice, run.stderr).to.have.length(1);
        expect(notice[0]).to.include("a placeholder stands in").and.include("pulumi config set --secret pagerDutyIntegrationKey <value> --stack production");
    });

    it("prints the dev stack as one JSON document: network, both data volumes, six or more containers with health checks", async () => {
        const run = await devJson;
        expect(run.status, run.stderr).to.equal(0);
        const document = JSON.parse(run.stdout) as PreviewDocument;
        expect(document.stack).to.equal("dev");
        expect(document.policyViolations).to.be.an("array");
        const ofType = (type: string) => document.resources.filter((r) => r.type === type);
        expect(ofType("docker:index/network:Network")).to.have.length.at.least(1);
        const volumes = ofType("docker:index/volume:Volume").map((v) => v.name);
        expect(volumes).to.include.members(["fraud-dev-db-data", "fraud-dev-cache-data"]);
        const containers = ofType("docker:index/container:Container");
        expect(containers).to.have.length.at.least(6);
        for (const c of containers) expect((c.inputs.healthcheck as { tests?: string[] } | undefined)?.tests, c.name).to.be.an("array").that.is.not.empty;
        for (const r of document.resources) {
            expect(Object.keys(r)).to.have.members(["urn", "type", "name", "parent", "inputs", "protect", "dependencies"]);
        }
        // Secrets never print: the database password env shows as [secret] or [unknown], not a value.
        const postgres = containers.find((c) => c.name.endsWith("-postgres"))!;
        expect(JSON.stringify(postgres.inputs.envs)).to.not.match(/POSTGRES_PASSWORD=\w/);
    });

    it("prints the resource tree and a count per type", async () => {
        const run = await everyStack;
        expect(run.status, run.stderr).to.equal(0);
        expect(run.stdout).to.match(/^pulumi:pulumi:Stack {2}fraud-platform-dev$/m);
        expect(run.stdout).to.match(/^ {4}fraud-platform:index:Environment {2}fraud-dev$/m);
        // PostgreSQL, its backup job, Redis, api, worker, ml, node-exporter, Alertmanager, Prometheus, Grafana.
        expect(run.stdout).to.match(/^\s+10 {2}docker:index\/container:Container$/m);
    });

    it("exits 1 with every config problem on stderr and nothing on stdout", async () => {
        const run = await broken;
        expect(run.status).to.equal(1);
        expect(run.stdout.trim()).to.equal("");
        expect(run.stderr).to.include("fraud-platform:backend").and.include('"azure"');
        expect(run.stderr).to.include("fraud-platform:database.backupRetentionDays").and.include("got -1");
        // The pack started before the program ran (and failed) ended with the CLI.
        expect(processesOfRun(run.runId)).to.deep.equal([]);
    });

    // Queued like the other runs (started when mocha loads this file), awaited by its test below.
    const killedBySignal = inPreviewQueue(() =>
        Promise.all(
            (["SIGTERM", "SIGKILL"] as const).map(async (signal) => {
                const until = async (condition: () => boolean, ms: number, what: string) => {
                    const deadline = Date.now() + ms;
                    while (!condition()) {
                        if (Date.now() > deadline) throw new Error(`${signal}: timed out waiting for ${what}`);
                        await new Promise((resolve) => setTimeout(resolve, 50));
                    }
                };
                const { child, runId } = startPreview(["--stack", "dev"]);
                const closed = new Promise((resolve) => child.once("close", resolve));
                await until(() => processesOfRun(runId).some((p) => p.args.includes("run-policy-pack")), 60_000, "the preview's policy pack to start");
                child.kill(signal);
                await closed;
                await until(() => processesOfRun(runId).length === 0, 60_000, `the pack to end with the preview (left: ${JSON.stringify(processesOfRun(runId))})`);
            }),
        ),
    );

    it("a preview killed by a signal (SIGTERM, or SIGKILL that no handler sees) leaves none of its policy-pack processes behind", async () => {
        await killedBySignal;
    });

    it("stands a placeholder secret in for each secure value, says so, and prints secrets as [secret]", async () => {
        const run = await devJson;
        expect(run.status, run.stderr).to.equal(0);
        expect(run.stderr).to.include("fraud-platform:slackWebhookUrl").and.include("placeholder");
        const document = JSON.parse(run.stdout) as PreviewDocument;
        const alertmanager = document.resources.find((r) => r.name.endsWith("-alertmanager"))!;
        expect(JSON.stringify(alertmanager.inputs.uploads)).to.include("[secret]").and.not.include("hooks.slack.com");
    });
});
