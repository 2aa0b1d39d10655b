import { spawn, spawnSync } from "node:child_process";
import * as path from "node:path";
import { repoRoot } from "../tools/engine/stackFiles";

export interface CliRun {
    status: number | null;
    stdout: string;
    stderr: string;
}

/**
 * Runs the real offline-preview entry point (`npm run preview -- …`) in a child process. Runs are queued
 * one at a time and start as soon as they are asked for (test files ask when mocha loads them), so the
 * CLI's processes use the second core while the in-process tests use the first; a test awaits its run.
 */
export function runPreviewCli(...args: string[]): Promise<CliRun> {
    const run = queue.then(() => spawnPreview(args));
    queue = run.then(() => undefined, () => undefined);
    return run;
}

let queue: Promise<void> = Promise.resolve();

function spawnPreview(args: string[]): Promise<CliRun> {
    return new Promise((resolve, reject) => {
        const child = spawn(process.execPath, ["--require", "tsx/cjs", path.join(repoRoot, "tools", "preview.ts"), ...args], { cwd: repoRoot, stdio: ["ignore", "pipe", "pipe"] });
        let stdout = "";
        let stderr = "";
        child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
        child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
        const timer = setTimeout(() => child.kill("SIGKILL"), 90_000);
        child.once("error", reject);
        child.once("close", (status) => {
            clearTimeout(timer);
            resolve({ status, stdout, stderr });
        });
    });
}

/**
 * Policy pack processes of this checkout whose parent has gone (re-parented to init): leaks of a finished
 * preview. Only packs started from this repository count, not those of another checkout on the machine.
 */
export function orphanedPolicyPacks(): string[] {
    const ps = spawnSync("ps", ["-eo", "pid=,ppid=,args="], { encoding: "utf8" });
    return ps.stdout
        .split("\n")
        .map((line) => line.trim().split(/\s+/))
        .filter(([, ppid, ...args]) => ppid === "1" && args.join(" ").includes("run-policy-pack") && args.join(" ").includes(repoRoot))
        .map(([pid]) => pid);
}
