/**
 * `npm run release -- settings diff|push --stack <name> [--org <org>]`: shows and applies a stack's
 * committed deployment settings (deploy/<stack>.settings.yaml) through the Deployments REST API.
 *
 * Environment: PULUMI_ACCESS_TOKEN, PULUMI_ORG (or --org), PULUMI_BACKEND_URL (default https://api.pulumi.com).
 */
import * as path from "node:path";
import { parseArgs } from "node:util";
import { DeploymentsClient, defaultBackendUrl, type RetryPolicy } from "./deploymentsClient";
import { formatChanges, planSettings, pushSettings, readSettingsFile, settingsFilePath } from "./settings";

export const settingsUsage = `  npm run release -- settings diff|push --stack <stack> [--org <org>]
`;

/** A mistake in the arguments: the caller prints it with the usage and exits 2. */
export class SettingsUsageError extends Error {}

/** Something missing around the command (the access token): one line, exit 1. */
export class SettingsSetupError extends Error {}

export interface SettingsIo {
    out: (text: string) => void;
    /** Retries of the API client; the default policy when absent. */
    retry?: RetryPolicy;
    env: NodeJS.ProcessEnv;
    repoRoot: string;
    project: string;
}

export async function settingsMain(argv: string[], io: SettingsIo): Promise<number> {
    let parsed;
    try {
        parsed = parseArgs({ args: argv, options: { stack: { type: "string" }, org: { type: "string" } }, allowPositionals: true, strict: true });
    } catch (error) {
        throw new SettingsUsageError(error instanceof Error ? error.message : String(error));
    }
    const [action, ...extra] = parsed.positionals;
    if (action !== "diff" && action !== "push") throw new SettingsUsageError(`settings takes diff or push, not ${action === undefined ? "nothing" : `"${action}"`}`);
    if (extra.length > 0) throw new SettingsUsageError(`unexpected argument "${extra[0]}"`);
    const stack = parsed.values.stack;
    if (stack === undefined || stack === "") throw new SettingsUsageError("--stack is required");
    const organization = parsed.values.org ?? io.env.PULUMI_ORG ?? "";
    if (organization === "") throw new SettingsUsageError("the Pulumi organization is required: --org or PULUMI_ORG");
    // The file is checked first: a mistake in it needs no token to be found.
    readSettingsFile(stack, io.repoRoot);
    const token = io.env.PULUMI_ACCESS_TOKEN ?? "";
    if (token === "") throw new SettingsSetupError("PULUMI_ACCESS_TOKEN is not set: create a token in Pulumi Cloud (Personal access tokens, or an organization token) and export it");
    const client = new DeploymentsClient({
        baseUrl: io.env.PULUMI_BACKEND_URL || defaultBackendUrl,
        token,
        organization,
        project: io.project,
        retry: io.retry,
    });
    const target = { client, stack, repoRoot: io.repoRoot };
    const file = path.relative(io.repoRoot, settingsFilePath(stack, io.repoRoot));
    const where = `${organization}/${io.project}/${stack}`;
    if (action === "diff") {
        const { changes } = await planSettings(target);
        if (changes.length === 0) {
            io.out(`${where}: no changes; Pulumi Cloud's deployment settings already match ${file}\n`);
        } else {
            io.out(`${where}: pushing ${file} would change ${changes.length} setting${changes.length === 1 ? "" : "s"}:\n${formatChanges(changes)}\n`);
            io.out(`apply with: npm run release -- settings push --stack ${stack}\n`);
        }
        return 0;
    }
    const changes = await pushSettings(target);
    io.out(
        changes.length === 0
            ? `${where}: no changes; nothing sent\n`
            : `${where}: applied ${file} (${changes.length} setting${changes.length === 1 ? "" : "s"} changed):\n${formatChanges(changes)}\n`,
    );
    return 0;
}
