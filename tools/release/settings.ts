/**
 * Pulumi Deployments settings as reviewed code: `deploy/<stack>.settings.yaml` holds a stack's settings in
 * the REST API's own shape (DeploymentSettings), validated here, compared with what Pulumi Cloud has
 * (`settings diff`) and sent through the API's Patch Settings (`settings push`).
 *
 * Why a file of our own: Pulumi CLI 3.251.0 removed the per-stack settings file the CLI read and the
 * `pulumi deployment …` commands that read it (pulumi/pulumi#23480), and the pulumiservice provider's
 * DeploymentSettings has no tag trigger. The REST API has all of it:
 *   https://www.pulumi.com/docs/reference/cloud-rest-api/schema/deploymentsettings/
 *   https://www.pulumi.com/docs/reference/cloud-rest-api/deployments/#patch-settings
 * Field by field: docs/releasing.md, "Deployment settings".
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import type { DeploymentsClient } from "./deploymentsClient";

/** SourceContextGit: where Deployments clones the code from. */
const gitSourceSchema = z.strictObject({
    /** The clone URL (https). */
    repoURL: z.url({ protocol: /^https$/ }),
    /** The branch a commit push deploys and a tag's commit must be on: a full ref. */
    branch: z.string().regex(/^refs\/heads\/.+$/, "a full branch ref such as refs/heads/main"),
    /** The folder holding Pulumi.yaml, relative to the repository root. */
    repoDir: z.string().min(1),
});

/** DeploymentSettingsGitHub: what the Pulumi GitHub app does on pushes, pull requests and tags. */
const gitHubSchema = z.strictObject({
    /** owner/repo. */
    repository: z.string().regex(/^[\w.-]+\/[\w.-]+$/, "owner/repo"),
    /** Deploy every push to `branch`. */
    deployCommits: z.boolean(),
    /** Run `pulumi preview` for pull requests. */
    previewPullRequests: z.boolean(),
    /** Use the pull request template for review stacks. */
    pullRequestTemplate: z.boolean(),
    /** Deploy when a tag matching tagFilters is pushed (the tag trigger). */
    deployTags: z.boolean(),
    /** Globs matched against the whole tag name; `!` excludes, and an exclude wins. Empty with deployTags: every tag. */
    tagFilters: z.array(z.string().min(1)).optional(),
    /** Path filters for commit pushes (`!` excludes). */
    paths: z.array(z.string().min(1)).optional(),
});

// Names that hold credentials: they belong in a Pulumi ESC environment the stack imports (docs/releasing.md),
// never in a committed file, and not in settings either (where they would be pasted by hand and drift).
const credentialName = /(TOKEN|SECRET|PASSWORD|ACCESS_KEY|PRIVATE_KEY)/;

/** OperationContext: what runs in the Deployments executor, and with which environment and credentials. */
const operationContextSchema = z.strictObject({
    /** Commands run in order before the operation; any failure stops the deployment before `pulumi up`. */
    preRunCommands: z.array(z.string().min(1)).min(1),
    /** Plain environment variables. `PULUMI_OPTION_<FLAG>` sets a CLI flag of the operation. */
    environmentVariables: z.record(z.string(), z.string()).superRefine((variables, context) => {
        for (const name of Object.keys(variables)) {
            if (!/^[A-Z_][A-Z0-9_]*$/.test(name)) context.addIssue({ code: "custom", path: [name], message: "an environment variable name is A-Z, 0-9 and _" });
            else if (credentialName.test(name)) {
                context.addIssue({
                    code: "custom",
                    path: [name],
                    message: "looks like a credential: keep it in a Pulumi ESC environment the stack imports (`environment:` in Pulumi.<stack>.yaml), not in a committed file",
                });
            }
        }
    }),
    options: z.strictObject({
        /** Skip the executor's own dependency install (a pre-run `npm ci` installs the lock file instead). */
        skipInstallDependencies: z.boolean(),
        /** Skip queued deployments a newer one has overtaken. */
        skipIntermediateDeployments: z.boolean(),
    }),
    /** Short-lived cloud credentials through Pulumi Cloud's OIDC issuer. */
    oidc: z
        .strictObject({
            aws: z.strictObject({
                /** The IAM role Deployments assumes; it trusts api.pulumi.com/oidc for this org and stack. */
                roleArn: z.string().regex(/^arn:aws[\w-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,64}$/, "an IAM role ARN"),
                /** The STS session name (visible in CloudTrail). */
                sessionName: z.string().regex(/^[\w+=,.@-]{2,64}$/, "2-64 characters of [\\w+=,.@-] (STS RoleSessionName)"),
                /** How long the credentials last, a Go duration such as 1h or 45m. */
                duration: z.string().regex(/^\d+(h|m)(\d+m)?$/, "a duration such as 1h or 45m"),
            }),
        })
        .optional(),
});

/** The settings file: the DeploymentSettings fields this project manages, nothing else (unknown keys are refused). */
export const deploymentSettingsSchema = z.strictObject({
    sourceContext: z.strictObject({ git: gitSourceSchema }),
    gitHub: gitHubSchema,
    operationContext: operationContextSchema,
});

export type DeploymentSettingsFile = z.infer<typeof deploymentSettingsSchema>;

export const settingsDir = "deploy";

export function settingsFilePath(stack: string, repoRoot: string): string {
    return path.join(repoRoot, settingsDir, `${stack}.settings.yaml`);
}

/** A settings file that is missing or refused: one message naming the file, each key and what is allowed. */
export class SettingsFileError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "SettingsFileError";
    }
}

/**
 * Reads and validates `deploy/<stack>.settings.yaml`, then checks what ties it to this repository: the
 * policy pack the real `pulumi up` runs (PULUMI_OPTION_POLICY_PACK, PULUMI_OPTION_POLICY_PACK_CONFIG)
 * exists, and a tag trigger names its tags (no filter would deploy every tag).
 */
export function readSettingsFile(stack: string, repoRoot: string): DeploymentSettingsFile {
    const file = settingsFilePath(stack, repoRoot);
    const shown = path.relative(repoRoot, file);
    if (!fs.existsSync(file)) {
        const known = fs.existsSync(path.join(repoRoot, settingsDir))
            ? fs.readdirSync(path.join(repoRoot, settingsDir)).filter((f) => f.endsWith(".settings.yaml")).map((f) => f.replace(/\.settings\.yaml$/, ""))
            : [];
        throw new SettingsFileError(`${shown} does not exist; stacks with deployment settings: ${known.join(", ") || "none"}`);
    }
    const parsed = deploymentSettingsSchema.safeParse(parseYaml(fs.readFileSync(file, "utf8")));
    if (!parsed.success) {
        const problems = parsed.error.issues.map((issue) => `${issue.path.join(".") || "(top level)"}: ${issue.message}`);
        throw new SettingsFileError(`${shown}: ${problems.join("; ")}`);
    }
    const settings = parsed.data;
    const problems: string[] = [];
    const env = settings.operationContext.environmentVariables;
    const pack = env.PULUMI_OPTION_POLICY_PACK;
    if (pack === undefined) problems.push("operationContext.environmentVariables.PULUMI_OPTION_POLICY_PACK is required: without it the real `pulumi up` runs no policy pack");
    else if (!fs.existsSync(path.join(repoRoot, pack, "PulumiPolicy.yaml"))) problems.push(`PULUMI_OPTION_POLICY_PACK: ${pack} has no PulumiPolicy.yaml`);
    const packConfig = env.PULUMI_OPTION_POLICY_PACK_CONFIG;
    if (packConfig === undefined) problems.push(`operationContext.environmentVariables.PULUMI_OPTION_POLICY_PACK_CONFIG is required (policies/config/${stack}.json): without it the pack judges by its looser defaults`);
    else if (!fs.existsSync(path.join(repoRoot, packConfig))) problems.push(`PULUMI_OPTION_POLICY_PACK_CONFIG: ${packConfig} does not exist`);
    if (settings.gitHub.deployTags && (settings.gitHub.tagFilters ?? []).filter((f) => !f.startsWith("!")).length === 0) {
        problems.push('gitHub.tagFilters needs an include filter such as "v*.*.*" when deployTags is on: with none, every tag pushed deploys');
    }
    if (problems.length > 0) throw new SettingsFileError(`${shown}: ${problems.join("; ")}`);
    return settings;
}

export interface SettingsChange {
    /** Dotted path, e.g. `gitHub.tagFilters`. */
    path: string;
    /** What Pulumi Cloud has; undefined when it has nothing there. */
    current: unknown;
    desired: unknown;
}

function isRecord(value: unknown): value is Record<string, unknown> {
    return value !== null && typeof value === "object" && !Array.isArray(value);
}

/**
 * What pushing `desired` would change in `current`. Patch Settings merges objects key by key and replaces
 * everything else, so the comparison walks the file's objects down to their leaves (arrays are leaves);
 * keys Pulumi Cloud has that the file does not mention stay as they are and are not changes.
 */
export function diffSettings(current: unknown, desired: unknown, at: string[] = []): SettingsChange[] {
    if (isRecord(desired)) {
        const here = isRecord(current) ? current : {};
        return Object.entries(desired).flatMap(([key, value]) => diffSettings(here[key], value, [...at, key]));
    }
    return JSON.stringify(current) === JSON.stringify(desired) ? [] : [{ path: at.join("."), current, desired }];
}

export function formatChanges(changes: readonly SettingsChange[]): string {
    return changes
        .map((change) =>
            change.current === undefined || change.current === null
                ? `  + ${change.path}: ${JSON.stringify(change.desired)}`
                : `  ~ ${change.path}: ${JSON.stringify(change.current)} → ${JSON.stringify(change.desired)}`,
        )
        .join("\n");
}

export interface SettingsTarget {
    client: DeploymentsClient;
    stack: string;
    repoRoot: string;
}

/** The file's settings and what pushing them would change. */
export async function planSettings(target: SettingsTarget): Promise<{ settings: DeploymentSettingsFile; changes: SettingsChange[] }> {
    const settings = readSettingsFile(target.stack, target.repoRoot);
    const current = await target.client.getSettings(target.stack);
    return { settings, changes: diffSettings(current, settings) };
}

/** Sends the file's settings when they differ from Pulumi Cloud's, and returns what changed. */
export async function pushSettings(target: SettingsTarget): Promise<SettingsChange[]> {
    const { settings, changes } = await planSettings(target);
    if (changes.length > 0) await target.client.patchSettings(target.stack, settings);
    return changes;
}
