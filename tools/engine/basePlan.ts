/**
 * `npm run preview -- --stack <name> --base <ref-or-file>`: what a real `pulumi preview` would show for
 * moving a stack from a base config to the current one. Both configs run through the CURRENT program
 * (index.ts as it is in the work tree): `--base main` compares the stack file at `main` with the one here,
 * so it shows what a config change does, not what a code change does.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { runProgram, type RecordedResource } from "./emulator";
import { planChanges, readBack, type Plan } from "./diff";
import { readStackConfig, repoRoot, type StackConfigFile } from "./stackFiles";
import { loadProgram } from "./program";


/** The stack file a `--base` names: a path, or the stack's file at a git ref. */
export function resolveBaseFile(stack: string, base: string, dir = repoRoot): string {
    const asPath = path.resolve(base);
    if (fs.existsSync(asPath) && fs.statSync(asPath).isFile()) return asPath;
    let text: string;
    try {
        text = execFileSync("git", ["show", `${base}:Pulumi.${stack}.yaml`], { cwd: dir, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    } catch (error) {
        const detail = error instanceof Error && "stderr" in error ? String((error as { stderr: unknown }).stderr).trim() : String(error);
        throw new Error(`--base ${base}: neither a file nor a git ref with Pulumi.${stack}.yaml (${detail})`);
    }
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "preview-base-")), `Pulumi.${stack}.yaml`);
    fs.writeFileSync(file, text);
    return file;
}

/** One run of the program for a plan: a preview whose existing resources' outputs are known, as from the state. */
export async function runForPlan(stack: string, file: Pick<StackConfigFile, "project" | "config" | "secretKeys">, options: { providerChecks?: boolean } = {}): Promise<RecordedResource[]> {
    const { resources } = await runProgram({
        project: file.project,
        stack,
        config: file.config,
        secretKeys: file.secretKeys,
        preview: true,
        outputsFromState: true,
        providerChecks: options.providerChecks,
        program: loadProgram(),
    });
    return resources;
}

/**
 * Plans base → current. The base's resources exist already, so the providers' checks do not run on it;
 * the current run is checked, as a real preview checks it.
 */
export async function planAgainstBase(stack: string, baseFile: string, currentFile?: string): Promise<Plan> {
    const base = readBack(await runForPlan(stack, readStackConfig(stack, repoRoot, baseFile), { providerChecks: false }));
    const current = await runForPlan(stack, readStackConfig(stack, repoRoot, currentFile));
    return planChanges(base, current);
}

/**
 * "Run twice": runs a stack's config (the committed file, or `config` as the language host receives it)
 * once as the state a `pulumi up` leaves, then again, and plans the second run. Empty for a stable stack.
 */
export async function planSecondRun(stack: string, config?: Pick<StackConfigFile, "project" | "config" | "secretKeys">): Promise<Plan> {
    const file = config ?? readStackConfig(stack);
    const state = readBack(await runForPlan(stack, file));
    return planChanges(state, await runForPlan(stack, file));
}
