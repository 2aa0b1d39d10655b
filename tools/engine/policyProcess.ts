/**
 * Starting a policy pack's process, apart from talking to it: this module loads nothing but Node's own,
 * so a caller can start the pack (whose start is mostly loading @pulumi/pulumi) before it loads the
 * program and the SDK itself, and the two loads overlap.
 */
import { spawn, type ChildProcess } from "node:child_process";
import * as path from "node:path";

export const defaultPolicyPackDir = path.resolve(__dirname, "..", "..", "policies");

// The address the CLI passes as the engine's. The policy SDK never calls the engine (policies' console output
// goes to stderr), so nothing listens here; it only fills the argument `run-policy-pack` requires.
export const engineAddressPlaceholder = "127.0.0.1:0";

/** The stack being previewed, as the CLI describes it to the analyzer. */
export interface StackIdentity {
    /** Stack name; the pack's production-only rules compare it with their `productionStacks`. */
    name: string;
    project: string;
    organization?: string;
    /** The stack's config (`namespace:key` to string), as the CLI hands it over (PULUMI_CONFIG and ConfigureStack). */
    config?: Record<string, string>;
    secretKeys?: string[];
    tags?: Record<string, string>;
}

/** Starts the pack's analyzer process as `pulumi-analyzer-policy` does, with the stack in its environment. */
export function spawnPolicyPack({ dir = defaultPolicyPackDir, stack, dryRun = true }: { dir?: string; stack: StackIdentity; dryRun?: boolean }): ChildProcess {
    // `pulumi-analyzer-policy` resolves run-policy-pack from the pack's directory, so a pack installed through
    // the root workspace (hoisted node_modules) runs the same way.
    const runPolicyPack = require.resolve("@pulumi/pulumi/cmd/run-policy-pack", { paths: [dir] });
    const env: NodeJS.ProcessEnv = { ...process.env };
    const set = (key: string, value: string | undefined) => {
        if (value) env[key] = value;
    };
    set("PULUMI_CONFIG", stack.config ? JSON.stringify(stack.config) : undefined);
    for (const prefix of ["PULUMI_NODEJS_", "PULUMI_"]) {
        set(`${prefix}ORGANIZATION`, stack.organization);
        set(`${prefix}PROJECT`, stack.project);
        set(`${prefix}STACK`, stack.name);
        set(`${prefix}DRY_RUN`, String(dryRun));
    }
    const child = spawn(process.execPath, [runPolicyPack, engineAddressPlaceholder, "."], { cwd: dir, env, stdio: ["ignore", "pipe", "pipe"] });
    running.add(child);
    child.once("exit", () => running.delete(child));
    return child;
}

// The pack's gRPC server keeps its process alive after ours is gone; whatever way this process ends
// (a crash included), take the packs it started with it.
const running = new Set<ChildProcess>();
process.once("exit", () => {
    for (const child of running) child.kill();
});
