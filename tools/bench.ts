/**
 * `npm run bench -- [--stack <name>] [--iterations 5]` (default stack: production, else the first stack file)
 *
 * Compares, in one run, the offline preview of a stack with the policy pack against a floor: the same
 * resources registered by a bare program (no components, no policies; each recorded registration replayed
 * as a plain CustomResource with the same type, name and inputs). Each measurement is a fresh process, as
 * `npm run preview` is, so module loading, the pack's start and cold JIT all count; the variants alternate.
 * Prints wall time and peak memory (the process's maximum RSS, plus the policy pack process's for the
 * preview) as medians and as ratios against the floor. Target: at most 1.5x the floor's time.
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import type { RecordedResource } from "./engine/emulator";

type Variant = "preview" | "program" | "floor";

/** What one measured process reports (one JSON line on stdout). */
interface Sample {
    variant: Variant;
    /** From the start of the measured work (before the SDK and the program are loaded) to the end, ms. */
    runMs: number;
    resources: number;
    /** Peak RSS of the process, KiB. */
    maxRssKb: number;
    /** Preview only: peak RSS of the policy pack's process, KiB (Linux), and what the pack found. */
    packMaxRssKb?: number;
    violations?: number;
    mandatory?: number;
    /** Preview only: when the program finished and when the pack was ready, ms from the start. */
    programDoneMs?: number;
    packReadyMs?: number;
}

const repoRoot = path.resolve(__dirname, "..");
const targetRatio = 1.5;

async function main() {
    const { values } = parseArgs({
        options: {
            stack: { type: "string" },
            iterations: { type: "string", default: "5" },
            child: { type: "string" },
            recording: { type: "string" },
        },
    });
    const stack = values.stack ?? (await defaultStack());
    if (values.child) {
        const variant = values.child as Variant;
        const sample = variant === "floor" ? await measureFloor(stack, values.recording!) : await measurePreview(stack, variant === "preview", values.recording);
        process.stdout.write(`${JSON.stringify(sample)}\n`);
        return;
    }
    const iterations = Number(values.iterations);
    if (!Number.isInteger(iterations) || iterations < 1) throw new Error(`--iterations must be a positive integer, got ${values.iterations}`);
    await compare(stack, iterations);
}

/** production when the repository has it, else the first stack file there is. */
async function defaultStack(): Promise<string> {
    const { listStacks } = await import("./engine/stackFiles");
    const stacks = listStacks();
    if (stacks.length === 0) throw new Error("no Pulumi.<stack>.yaml in the repository to benchmark");
    return stacks.includes("production") ? "production" : stacks[0];
}

// ---- The parent: runs the variants alternately, each in its own process, and prints the comparison.

async function compare(stack: string, iterations: number) {
    const recording = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "fraud-bench-")), "recorded.json");
    console.log(`Stack ${stack}: ${iterations} measured run(s) of each variant, alternating, after one warm-up run each.`);
    // The warm-up preview records the registrations the floor replays (and fills ts-node's cache and the OS page cache).
    const warm = await runChild("preview", stack, recording);
    await runChild("floor", stack, recording);
    console.log(`  ${warm.sample.resources} resources; the pack reports ${warm.sample.violations} violation(s), ${warm.sample.mandatory} mandatory.`);

    const preview: Measured[] = [];
    const program: Measured[] = [];
    const floor: Measured[] = [];
    for (let i = 0; i < iterations; i++) {
        preview.push(await runChild("preview", stack, recording));
        program.push(await runChild("program", stack, recording));
        floor.push(await runChild("floor", stack, recording));
        process.stdout.write(`  run ${i + 1}: preview ${preview[i].wallMs.toFixed(0)} ms, program alone ${program[i].wallMs.toFixed(0)} ms, floor ${floor[i].wallMs.toFixed(0)} ms\n`);
    }
    fs.rmSync(path.dirname(recording), { recursive: true, force: true });

    const med = (runs: Measured[], pick: (m: Measured) => number) => median(runs.map(pick));
    const wall = (m: Measured) => m.wallMs;
    const run = (m: Measured) => m.sample.runMs;
    const rss = (m: Measured) => m.sample.maxRssKb / 1024;
    const rssWithPack = (m: Measured) => (m.sample.maxRssKb + (m.sample.packMaxRssKb ?? 0)) / 1024;
    const columns = (cells: string[]) => cells.map((cell, i) => (i === 0 ? cell.padEnd(34) : cell.padStart(i % 2 === 1 ? 12 : 9))).join("");
    const row = (label: string, unit: string, p: number, g: number, f: number) =>
        columns([label, `${p.toFixed(0)} ${unit}`, `${(p / f).toFixed(2)}x`, `${g.toFixed(0)} ${unit}`, `${(g / f).toFixed(2)}x`, `${f.toFixed(0)} ${unit}`]);
    console.log("");
    console.log(columns(["median (ratio against the floor)", "preview", "", "no policies", "", "floor"]));
    console.log(row("wall time, whole process", "ms", med(preview, wall), med(program, wall), med(floor, wall)));
    console.log(row("run time (after node/tsx start)", "ms", med(preview, run), med(program, run), med(floor, run)));
    console.log(row("peak RSS, program process", "MiB", med(preview, rss), med(program, rss), med(floor, rss)));
    console.log(row("peak RSS, with the policy pack's", "MiB", med(preview, rssWithPack), med(program, rss), med(floor, rss)));
    const programDone = med(preview, (m) => m.sample.programDoneMs ?? 0);
    const packReady = med(preview, (m) => m.sample.packReadyMs ?? 0);
    console.log(`\npreview breakdown (median ms from the start of the run): program done ${programDone.toFixed(0)}, pack ready ${packReady.toFixed(0)}, all violations ${med(preview, run).toFixed(0)}.`);
    const ratio = med(preview, wall) / med(floor, wall);
    console.log(`${ratio <= targetRatio ? "Within" : "OVER"} the target: the preview with policies takes ${ratio.toFixed(2)}x the floor's wall time (target <= ${targetRatio}x); without policies ${(med(program, wall) / med(floor, wall)).toFixed(2)}x.`);
}

interface Measured {
    wallMs: number;
    sample: Sample;
}

function runChild(variant: Variant, stack: string, recording: string): Promise<Measured> {
    return new Promise((resolve, reject) => {
        const started = performance.now();
        const child = spawn(process.execPath, [...process.execArgv, __filename, "--child", variant, "--stack", stack, "--recording", recording], {
            cwd: repoRoot,
            stdio: ["ignore", "pipe", "inherit"],
        });
        let stdout = "";
        child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
        child.once("error", reject);
        child.once("exit", (code) => {
            const wallMs = performance.now() - started;
            const line = stdout.trim().split("\n").pop() ?? "";
            if (code !== 0 || !line.startsWith("{")) return reject(new Error(`the ${variant} run exited with code ${code}:\n${stdout}`));
            resolve({ wallMs, sample: JSON.parse(line) as Sample });
        });
    });
}

function median(values: number[]): number {
    const sorted = [...values].sort((a, b) => a - b);
    const middle = Math.floor(sorted.length / 2);
    return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

// ---- The measured processes. Modules are loaded inside the measured window: loading is part of the cost.

/**
 * The offline preview of the stack: the program with its components against the emulated engine. With
 * policies, the pack starts first (it boots in parallel on the other core), then the program runs, then the analysis.
 */
async function measurePreview(stack: string, withPolicies: boolean, recording: string | undefined): Promise<Sample> {
    const started = performance.now();
    // As `npm run preview` does: start the pack before loading the program and the SDK, so the two overlap.
    const { spawnPolicyPack } = await import("./engine/policyProcess");
    const { readStackConfig } = await import("./engine/stackFiles");
    const file = readStackConfig(stack);
    const spawned = withPolicies ? spawnPolicyPack({ stack: { name: stack, project: file.project, config: file.config, secretKeys: file.secretKeys } }) : undefined;
    const { previewStackFile } = await import("./engine/offlinePreview");
    const { stackPolicyConfig } = await import("./engine/policyRunner");
    const outcome = await previewStackFile(stack, { policies: withPolicies ? { config: stackPolicyConfig(stack), spawned } : undefined });
    if (outcome.configError) throw new Error(outcome.configError);
    if (outcome.providerError) throw new Error(outcome.providerError);
    const runMs = performance.now() - started;
    const offset = runMs - (outcome.timings?.doneMs ?? runMs); // module loading before the preview started
    if (recording && withPolicies) fs.writeFileSync(recording, JSON.stringify(outcome.recorded));
    const resources = outcome.recorded.length;
    if (!outcome.policy) return { variant: "program", runMs, resources, maxRssKb: process.resourceUsage().maxRSS };

    const { pack, violations } = outcome.policy;
    const packMaxRssKb = peakRssOf(pack.pid);
    await pack.close();
    return {
        variant: "preview",
        runMs,
        resources,
        maxRssKb: process.resourceUsage().maxRSS,
        packMaxRssKb,
        violations: violations.length,
        mandatory: violations.filter((v) => v.enforcementLevel === "mandatory").length,
        programDoneMs: offset + (outcome.timings?.programDoneMs ?? 0),
        packReadyMs: offset + (outcome.timings?.packReadyMs ?? 0),
    };
}

/** The floor: every recorded custom resource registered again as a bare CustomResource, flat, with the same inputs. */
async function measureFloor(stack: string, recording: string): Promise<Sample> {
    const recorded = JSON.parse(fs.readFileSync(recording, "utf8")) as RecordedResource[];
    const started = performance.now();
    const pulumi = await import("@pulumi/pulumi");
    const { runProgram, wire } = await import("./engine/emulator");
    const { readStackConfig } = await import("./engine/stackFiles");
    const file = readStackConfig(stack);

    // Wire secrets become secret outputs again; unknown markers stay strings (the floor only needs the same payload).
    const fromWire = (value: unknown): unknown => {
        if (Array.isArray(value)) return value.map(fromWire);
        if (value === null || typeof value !== "object") return value;
        const object = value as Record<string, unknown>;
        if (object[wire.sigKey] === wire.secretSig) return pulumi.secret(fromWire(object.value));
        return Object.fromEntries(Object.entries(object).map(([key, item]) => [key, fromWire(item)]));
    };
    class Replayed extends pulumi.CustomResource {}
    const bareProgram = () => {
        const names = new Set<string>();
        for (const resource of recorded) {
            if (!resource.custom || resource.type.startsWith("pulumi:providers:")) continue;
            // Flattened, two children of different components may share a type and name; keep URNs unique.
            let name = resource.name;
            while (names.has(`${resource.type}::${name}`)) name = `${name}-again`;
            names.add(`${resource.type}::${name}`);
            new Replayed(resource.type, name, fromWire(resource.inputs) as Record<string, unknown>);
        }
    };
    const { resources } = await runProgram({ project: file.project, stack, config: file.config, secretKeys: file.secretKeys, preview: true, program: bareProgram });
    return { variant: "floor", runMs: performance.now() - started, resources: resources.length, maxRssKb: process.resourceUsage().maxRSS };
}

/** Peak resident memory of another process, KiB (VmHWM from /proc; 0 where there is no /proc). */
function peakRssOf(pid: number): number {
    try {
        const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
        return Number(/^VmHWM:\s+(\d+)\s+kB/m.exec(status)?.[1] ?? 0);
    } catch {
        return 0;
    }
}

main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.stack : error);
    process.exit(1);
});
