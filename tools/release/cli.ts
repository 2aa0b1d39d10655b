/**
 * The release command: validates a release tag, releases it to a stack through Pulumi Deployments
 * (following the deployment the tag push started, or starting one through the REST API), and writes
 * seed 003's deployment record.
 *
 *   npm run release -- validate --tag v1.4.2 [--stack production] [--main-ref origin/main] [--rollback] [--fetch]
 *   npm run release -- deploy   --tag v1.4.2 --commit <sha> --stack production --path tag-trigger|api --out <file>
 *   npm run release -- rollout  --tag v1.4.2 --commit <sha> --stack production --path tag-trigger|api --out <file> [--staging-stack staging] [--no-alarms]
 *   npm run release -- stage-config --stack production [--stage prepare|<stage>|rollback|complete|redeploy|hold]   (inside a Deployments run)
 *   npm run release -- record   --tag v1.4.2 --commit <sha> --path tag-trigger|api --stacks staging,production --results-dir <dir> [--policy <preview.json>] --out <file>
 *   npm run release -- settings diff|push --stack production   (deploy/<stack>.settings.yaml ↔ Pulumi Cloud; settingsCli.ts)
 *
 * Mistyped arguments print the usage and exit 2; refusals (a bad tag, an API error) print one line and exit 1.
 * Environment: PULUMI_ACCESS_TOKEN, PULUMI_ORG (or --org), PULUMI_BACKEND_URL (default https://api.pulumi.com).
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { DeploymentsApiError, DeploymentsClient, DeploymentsNetworkError, defaultBackendUrl } from "./deploymentsClient";
import { SettingsFileError } from "./settings";
import { settingsMain, SettingsSetupError, settingsUsage, SettingsUsageError } from "./settingsCli";
import {
    defaultPolling,
    DeploymentTimeoutError,
    isReleasePath,
    releaseStack,
    ReleaseSetupError,
    type ReleasePath,
} from "./deploy";
import { fetchMainAndTags, GitError, isAncestor, listTags, resolveCommit } from "./git";
import { buildDeploymentRecord, policyResultsFromPreview, stackResultSchema, type StackPolicyResult } from "./record";
import { checkRelease, isReleaseTarget, parseReleaseTag, ReleaseTagError, releaseTargets } from "./version";
// Seed 003's staged rollout (issue 15, items 3-5): its commands live in rolloutCli.ts.
// rolloutCli.ts loads the config schema (and with it @pulumi/pulumi): imported only by the commands that need it.
import { checkCommittedImages, ReleaseImageError } from "./images";
import { PromotionError } from "./promotion";
import { StageConfigError } from "./stageConfig";
import { ApprovalError, awaitApproval } from "./approval";
import { systemClock } from "./smoke";

const repoRoot = path.resolve(__dirname, "..", "..");

const usage = `usage:
  npm run release -- validate --tag <vX.Y.Z> [--stack production|staging] [--main-ref origin/main] [--commit <sha>] [--rollback] [--fetch] [--github-output <file>] [--repo <dir>]
  npm run release -- deploy --tag <vX.Y.Z> --commit <sha> --stack <stack> --path tag-trigger|api --out <file> [--rollback] [--org <org>] [--timeout-minutes 60] [--discovery-minutes 15]
  npm run release -- rollout --tag <vX.Y.Z> --commit <sha> --stack <stack> --path tag-trigger|api --out <file> [--org <org>] [--timeout-minutes 60] [--staging-stack staging] [--no-alarms]
  npm run release -- stage-config --stack <stack> [--stage prepare|<stage name>|rollback|complete|redeploy|hold]
  npm run release -- await-approval --tag <vX.Y.Z> --github-repository <owner/repo> [--commit <sha>] [--environment production] [--workflow release.yml] [--timeout-minutes 45] [--poll-seconds 30]
  npm run release -- record --tag <vX.Y.Z> --commit <sha> --path tag-trigger|api --stacks <a,b> --results-dir <dir> [--policy <file>] [--previous <tag>] --out <file>
${settingsUsage}`;

/** A mistake in the arguments: printed with the usage, exit code 2. */
class UsageError extends Error {}

function required(value: string | undefined, flag: string): string {
    if (value === undefined || value === "") throw new UsageError(`--${flag} is required`);
    return value;
}

function releasePathFrom(value: string | undefined): ReleasePath {
    const chosen = value ?? "tag-trigger";
    if (!isReleasePath(chosen)) throw new UsageError(`--path must be tag-trigger or api, not "${chosen}"`);
    return chosen;
}

function minutes(value: string | undefined, fallback: number, flag: string): number {
    if (value === undefined) return fallback;
    const parsed = Number(value);
    if (!Number.isFinite(parsed) || parsed <= 0) throw new UsageError(`--${flag} must be a positive number of minutes, not "${value}"`);
    return parsed * 60_000;
}

function writeJson(file: string, value: unknown): void {
    fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    fs.writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`);
}

function projectName(): string {
    const project = z.object({ name: z.string().min(1) }).parse(parseYaml(fs.readFileSync(path.join(repoRoot, "Pulumi.yaml"), "utf8")));
    return project.name;
}

const options = {
    tag: { type: "string" },
    stack: { type: "string" },
    commit: { type: "string" },
    "main-ref": { type: "string" },
    rollback: { type: "boolean", default: false },
    fetch: { type: "boolean", default: false },
    "github-output": { type: "string" },
    path: { type: "string" },
    out: { type: "string" },
    org: { type: "string" },
    "timeout-minutes": { type: "string" },
    "discovery-minutes": { type: "string" },
    stacks: { type: "string" },
    "results-dir": { type: "string" },
    policy: { type: "string" },
    previous: { type: "string" },
    repo: { type: "string" },
    stage: { type: "string" },
    "staging-stack": { type: "string" },
    "no-alarms": { type: "boolean", default: false },
    "github-repository": { type: "string" },
    environment: { type: "string" },
    workflow: { type: "string" },
    "poll-seconds": { type: "string" },
    help: { type: "boolean", short: "h", default: false },
} as const;

type Values = ReturnType<typeof parseArgs<{ options: typeof options; allowPositionals: true }>>["values"];

function validate(values: Values): number {
    // An empty tag (a Deployments run not started by a tag) is refused by the tag rules, with the allowed form.
    const tag = values.tag ?? "";
    const target = values.stack ?? "production";
    if (!isReleaseTarget(target)) throw new UsageError(`--stack must be one of ${releaseTargets.join(", ")}, not "${target}"`);
    const repo = values.repo ?? repoRoot;
    const mainRef = values["main-ref"] ?? "origin/main";
    // The tag's form is checked before git is asked anything: a malformed tag gets the clearest message.
    parseReleaseTag(tag, target);
    if (values.fetch) fetchMainAndTags(repo, mainRef.replace(/^origin\//, ""));
    const tagCommit = resolveCommit(repo, tag);
    const commit = values.commit === undefined ? tagCommit : resolveCommit(repo, values.commit);
    // In a Deployments executor (--commit HEAD) the checkout must be the tagged commit, not main's tip.
    if (commit !== tagCommit) throw new ReleaseTagError(`release tag "${tag}" points at ${tagCommit}, but the commit being released is ${commit}`);
    const { release, previous } = checkRelease({
        tag,
        target,
        existingTags: listTags(repo),
        commitIsOnMain: isAncestor(repo, commit, mainRef),
        commit,
        mainRef,
        rollback: values.rollback,
    });
    // A release is a version: the images committed at the tagged commit carry its version (rollbacks redeploy old tags as they were).
    if (!values.rollback) checkCommittedImages(repo, commit, target, tag);
    const facts = { tag, version: release.version.version, commit, previous: previous?.tag ?? "" };
    if (values["github-output"] !== undefined) {
        fs.appendFileSync(values["github-output"], Object.entries(facts).map(([k, v]) => `${k}=${v}\n`).join(""));
    }
    process.stdout.write(
        `release ${tag} (${release.version.version}) at ${commit} may go to ${target}` +
            `${values.rollback ? " as a rollback" : previous ? `; it follows ${previous.tag}` : "; it is the first release"}\n`,
    );
    return 0;
}

/** The Deployments API client for this project: --org or PULUMI_ORG, PULUMI_BACKEND_URL, PULUMI_ACCESS_TOKEN. */
function deploymentsClientFrom(values: Values): DeploymentsClient {
    const organization = values.org ?? process.env.PULUMI_ORG ?? "";
    if (organization === "") throw new UsageError("the Pulumi organization is required: --org or PULUMI_ORG");
    return new DeploymentsClient({
        baseUrl: process.env.PULUMI_BACKEND_URL || defaultBackendUrl,
        token: process.env.PULUMI_ACCESS_TOKEN ?? "",
        organization,
        project: projectName(),
    });
}

async function deploy(values: Values): Promise<number> {
    const tag = required(values.tag, "tag");
    const commit = required(values.commit, "commit");
    const stack = required(values.stack, "stack");
    const out = required(values.out, "out");
    const releasePath = releasePathFrom(values.path);
    const client = deploymentsClientFrom(values);
    const result = await releaseStack({
        client,
        stack,
        tag,
        commit,
        path: releasePath,
        polling: { ...defaultPolling, timeoutMs: minutes(values["timeout-minutes"], 60, "timeout-minutes") },
        discovery: { ...defaultPolling, timeoutMs: minutes(values["discovery-minutes"], 15, "discovery-minutes") },
        rollback: values.rollback,
        log: (line) => process.stdout.write(`${line}\n`),
    });
    writeJson(out, result);
    process.stdout.write(`${stack}: deployment ${result.deploymentId} ${result.status}; result written to ${out}\n`);
    return result.status === "succeeded" ? 0 : 1;
}

async function rollout(values: Values): Promise<number> {
    const tag = required(values.tag, "tag");
    const commit = required(values.commit, "commit");
    const stack = required(values.stack, "stack");
    const out = required(values.out, "out");
    const client = deploymentsClientFrom(values);
    const { rolloutCommand } = await import("./rolloutCli");
    const document = await rolloutCommand({
        client,
        stack,
        tag,
        commit,
        path: releasePathFrom(values.path),
        timeoutMs: minutes(values["timeout-minutes"], 60, "timeout-minutes"),
        stagingStack: values["staging-stack"] ?? "staging",
        checkAlarms: !values["no-alarms"],
        log: (line) => process.stdout.write(`${line}\n`),
    });
    writeJson(out, document);
    process.stdout.write(`${stack}: release ${tag} ${document.status}${document.failure ? ` at ${document.failure.stage}` : ""}; record written to ${out}\n`);
    return document.status === "succeeded" ? 0 : 1;
}

/**
 * The step a Deployments run takes: --stage, else ROLLOUT_STAGE (set by `release rollout` for each stage),
 * else `redeploy` for the rollback runbook's update (RELEASE_ROLLBACK), else `prepare` (a tag push).
 */
export function stageStep(flag: string | undefined, env: NodeJS.ProcessEnv): string {
    const given = (value: string | undefined) => (value === undefined || value === "" ? undefined : value);
    return given(flag) ?? given(env.ROLLOUT_STAGE) ?? (given(env.RELEASE_ROLLBACK) ? "redeploy" : "prepare");
}

async function stageConfig(values: Values): Promise<number> {
    const stack = required(values.stack ?? process.env.PULUMI_CI_STACK, "stack");
    const { stageConfigCommand } = await import("./rolloutCli");
    stageConfigCommand(stack, stageStep(values.stage, process.env), (line) => process.stdout.write(`${line}\n`));
    return 0;
}

/**
 * await-approval (tag-trigger path, in production's pre-run commands): waits until a reviewer of the GitHub
 * environment approves the tag's release.yml run (tools/release/approval.ts). GITHUB_TOKEN: actions read.
 */
async function awaitApprovalCommand(values: Values): Promise<number> {
    const tag = required(values.tag ?? process.env.PULUMI_CI_TAG_NAME, "tag");
    const repository = required(values["github-repository"] ?? process.env.GITHUB_REPOSITORY, "github-repository");
    if (!/^[\w.-]+\/[\w.-]+$/.test(repository)) throw new UsageError(`--github-repository must be owner/repo, not "${repository}"`);
    const token = process.env.GITHUB_TOKEN ?? "";
    if (token === "") throw new ReleaseSetupError("await-approval needs GITHUB_TOKEN (a token with actions: read on the repository, from the stack's ESC environment)");
    const commit = values.commit ?? execFileSync("git", ["rev-parse", "HEAD"], { encoding: "utf8" }).trim();
    const pollSeconds = values["poll-seconds"] === undefined ? 30 : Number(values["poll-seconds"]);
    if (!Number.isFinite(pollSeconds) || pollSeconds <= 0) throw new UsageError(`--poll-seconds must be a positive number, not "${values["poll-seconds"]}"`);
    const approval = await awaitApproval(
        {
            repository,
            workflow: values.workflow ?? "release.yml",
            environment: values.environment ?? "production",
            tag,
            commit,
            token,
            apiUrl: process.env.GITHUB_API_URL ?? "https://api.github.com",
            timeoutMs: minutes(values["timeout-minutes"], 45, "timeout-minutes"),
            pollMs: pollSeconds * 1000,
        },
        systemClock,
        (line) => process.stdout.write(`${line}\n`),
    );
    process.stdout.write(`${tag}: approved by ${approval.approvedBy} (run ${approval.runId})\n`);
    return 0;
}

function record(values: Values): number {
    const tag = required(values.tag, "tag");
    const commit = required(values.commit, "commit");
    const out = required(values.out, "out");
    const resultsDir = required(values["results-dir"], "results-dir");
    const expectedStacks = required(values.stacks, "stacks").split(",").map((s) => s.trim()).filter((s) => s !== "");
    // A stack whose deployment never produced a result file (refused, timed out) is listed as missing: the record says "failed".
    const stacks = expectedStacks
        .map((stack) => path.join(resultsDir, `${stack}.json`))
        .filter((file) => fs.existsSync(file))
        .map((file) => stackResultSchema.parse(JSON.parse(fs.readFileSync(file, "utf8"))));
    const policy: StackPolicyResult[] =
        values.policy !== undefined && fs.existsSync(values.policy)
            ? policyResultsFromPreview(JSON.parse(fs.readFileSync(values.policy, "utf8")))
            : [];
    const { GITHUB_SERVER_URL: server, GITHUB_REPOSITORY: repository, GITHUB_RUN_ID: runId } = process.env;
    const document = buildDeploymentRecord({
        tag,
        commit,
        previousTag: values.previous || null,
        path: releasePathFrom(values.path),
        expectedStacks,
        stacks,
        policy,
        triggeredBy: process.env.GITHUB_ACTOR,
        workflowRunUrl: server && repository && runId ? `${server}/${repository}/actions/runs/${runId}` : undefined,
    });
    writeJson(out, document);
    process.stdout.write(
        `deployment record for ${tag}: ${document.status}; rollback window until ${document.rollback.deadline}; written to ${out}\n`,
    );
    return 0;
}

async function main(argv: string[]): Promise<number> {
    if (argv[0] === "settings") {
        return settingsMain(argv.slice(1), { out: (text) => process.stdout.write(text), env: process.env, repoRoot, project: projectName() });
    }
    let parsed;
    try {
        parsed = parseArgs({ args: argv, options, allowPositionals: true });
    } catch (error) {
        // node:util's own wording (Unknown option '--tga' …), without its stack.
        throw new UsageError(error instanceof Error ? error.message : String(error));
    }
    const { values, positionals } = parsed;
    const command = positionals[0];
    if (values.help) {
        process.stdout.write(usage);
        return 0;
    }
    if (command === undefined) throw new UsageError("a command is required");
    switch (command) {
        case "validate":
            return validate(values);
        case "deploy":
            return deploy(values);
        case "record":
            return record(values);
        case "rollout":
            return rollout(values);
        case "stage-config":
            return stageConfig(values);
        case "await-approval":
            return awaitApprovalCommand(values);
        default:
            throw new UsageError(`unknown command "${command}"`);
    }
}

/** How the command ends on an error: mistyped arguments exit 2 with the usage; refusals one line, exit 1; bugs 2 with the stack. */
export function failureReport(error: unknown): { code: number; text: string } {
    if (error instanceof UsageError || error instanceof SettingsUsageError) return { code: 2, text: `release: ${error.message}\n${usage}` };
    const expected =
        error instanceof SettingsFileError ||
        error instanceof SettingsSetupError ||
        error instanceof DeploymentsNetworkError ||
        error instanceof ReleaseTagError ||
        error instanceof ReleaseSetupError ||
        error instanceof ApprovalError ||
        error instanceof GitError ||
        error instanceof DeploymentTimeoutError ||
        error instanceof DeploymentsApiError ||
        error instanceof ReleaseImageError ||
        error instanceof PromotionError ||
        error instanceof StageConfigError;
    const detail = error instanceof Error ? (expected ? error.message : (error.stack ?? error.message)) : String(error);
    return { code: expected ? 1 : 2, text: `release: ${detail}\n` };
}

export { main };

if (require.main === module) {
    main(process.argv.slice(2)).then(
        (code) => process.exit(code),
        (error: unknown) => {
            const { code, text } = failureReport(error);
            process.stderr.write(text, () => process.exit(code));
        },
    );
}
