import { spawn, type ChildProcessByStdio } from "node:child_process";
import { randomUUID } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import type { Readable } from "node:stream";
import { repoRoot } from "../tools/engine/stackFiles";

export interface CliRun {
    status: number | null;
    stdout: string;
    stderr: string;
    /** Marks every process this run started (its environment carries it): see {@link processesOfRun}. */
    runId: string;
}

/**
 * Runs the real offline-preview entry point (`npm run preview -- …`) in a child process. Runs are queued
 * one at a time and start as soon as they are asked for (test files ask when mocha loads them), so the
 * CLI's processes use the second core while the in-process tests use the first; a test awaits its run.
 */
export function runPreviewCli(...args: string[]): Promise<CliRun> {
    return inPreviewQueue(() => spawnPreview(args));
}

/** Runs a task that starts preview processes in the same queue, so it does not compete with the queued runs for the cores. */
export function inPreviewQueue<T>(task: () => Promise<T>): Promise<T> {
    const run = queue.then(task);
    queue = run.then(() => undefined, () => undefined);
    return run;
}

let queue: Promise<void> = Promise.resolve();

const runMarker = "FRAUD_PLATFORM_TEST_RUN";

/** Starts the preview CLI with a marker of its own in the environment, which its children (policy packs) inherit. */
export function startPreview(args: string[]): { child: ChildProcessByStdio<null, Readable, Readable>; runId: string } {
    const runId = randomUUID();
    const child = spawn(process.execPath, ["--require", "tsx/cjs", path.join(repoRoot, "tools", "preview.ts"), ...args], {
        cwd: repoRoot,
        env: { ...process.env, [runMarker]: runId },
        stdio: ["ignore", "pipe", "pipe"],
    });
    return { child, runId };
}

function spawnPreview(args: string[]): Promise<CliRun> {
    return new Promise((resolve, reject) => {
        const { child, runId } = startPreview(args);
        let stdout = "";
        let stderr = "";
        child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
        child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
        const timer = setTimeout(() => child.kill("SIGKILL"), 90_000);
        child.once("error", reject);
        child.once("close", (status) => {
            clearTimeout(timer);
            resolve({ status, stdout, stderr, runId });
        });
    });
}

/**
 * The live processes a run started, found by the marker in their environment (/proc/<pid>/environ, readable
 * for this user's own processes), with their command lines. Other checkouts' and other tests' processes
 * carry other markers or none, so they never count.
 */
export function processesOfRun(runId: string): { pid: number; args: string }[] {
    const needle = `${runMarker}=${runId}`;
    const found: { pid: number; args: string }[] = [];
    for (const entry of fs.readdirSync("/proc")) {
        if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
        try {
            const environ = fs.readFileSync(`/proc/${entry}/environ`, "utf8").split("\0");
            if (!environ.includes(needle)) continue;
            const stat = fs.readFileSync(`/proc/${entry}/stat`, "utf8");
            if (/^\d+ \(.*\) Z /.test(stat)) continue; // a zombie has ended; only its parent's wait is pending
            found.push({ pid: Number(entry), args: fs.readFileSync(`/proc/${entry}/cmdline`, "utf8").split("\0").join(" ").trim() });
        } catch {
            // gone meanwhile, or not ours to read
        }
    }
    return found;
}
