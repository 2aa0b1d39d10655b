/**
 * Starting a policy pack's process, apart from talking to it: this module loads nothing but Node's own,
 * so a caller can start the pack (whose start is mostly loading @pulumi/pulumi) before it loads the
 * program and the SDK itself, and the two loads overlap.
 */
import { spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
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
    /**
     * The stack's config (`namespace:key` to string), as the CLI hands it over: PULUMI_CONFIG in the pack's
     * environment and ConfigureStack. Here PULUMI_CONFIG is set inside the pack's process (see
     * policyConfigPreload.js), so a config too large for an environment string still reaches the pack.
     */
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
    delete env.PULUMI_CONFIG;
    delete env.PULUMI_CONFIG_SECRET_KEYS;
    // The preload ends the pack when this process's end closes the pack's stdin (policyConfigPreload.js).
    const preload: string[] = ["--require", path.join(__dirname, "policyConfigPreload.js")];
    env.FRAUD_PLATFORM_POLICY_PARENT_WATCH = "stdin";
    if (stack.config) {
        // A private directory and file (0700/0600): the config may hold decrypted secrets under the real CLI.
        const dirForConfig = fs.mkdtempSync(path.join(os.tmpdir(), "fraud-policy-config-"));
        const file = path.join(dirForConfig, "config.json");
        fs.writeFileSync(file, JSON.stringify({ config: stack.config, secretKeys: stack.secretKeys ?? [] }), { mode: 0o600 });
        configFiles.add(dirForConfig);
        env.FRAUD_PLATFORM_POLICY_CONFIG_FILE = file;
    }
    for (const prefix of ["PULUMI_NODEJS_", "PULUMI_"]) {
        set(`${prefix}ORGANIZATION`, stack.organization);
        set(`${prefix}PROJECT`, stack.project);
        set(`${prefix}STACK`, stack.name);
        set(`${prefix}DRY_RUN`, String(dryRun));
    }
    const child = spawn(process.execPath, [...preload, runPolicyPack, engineAddressPlaceholder, "."], { cwd: dir, env, stdio: ["pipe", "pipe", "pipe"] });
    // Nothing is written to it: its end is the signal. Not holding the loop open keeps `exit` reachable.
    child.stdin?.on("error", () => undefined);
    (child.stdin as unknown as { unref?: () => void } | null)?.unref?.();
    running.add(child);
    child.once("exit", () => running.delete(child));
    return child;
}

// The pack's gRPC server keeps its process alive after ours is gone; whatever way this process ends
// (a crash included), take the packs it started with it.
const running = new Set<ChildProcess>();
// The pack deletes its config file once read; a pack that never started leaves it, removed here.
const configFiles = new Set<string>();
function cleanUp(): void {
    for (const child of running) child.kill();
    for (const dir of configFiles) fs.rmSync(dir, { recursive: true, force: true });
}
process.once("exit", cleanUp);
// A signal's default action ends the process without `exit`: clean up, then end by the same signal (its
// exit status stays 128 + signal). SIGKILL cannot be caught; the pack's stdin watch covers it.
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.once(signal, () => {
        cleanUp();
        process.kill(process.pid, signal);
    });
}
