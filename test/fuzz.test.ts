/**
 * Random mutations of the committed stack files, bounded in time: whatever the file says, the offline
 * preview either runs or refuses it with a message (a StackFileError or a ConfigValidationError, exit 1);
 * nothing else may escape. `FUZZ_SECONDS` (default 3) bounds the in-process run, `FUZZ_CLI_RUNS` (default 0, to keep `npm test` fast)
 * how many mutated files also go through the real entry point, `FUZZ_SEED` replays a failure.
 * `.ci/run` runs a longer round after the tests.
 */
import { expect } from "chai";
import YAML from "yaml";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ConfigValidationError, loadEnvironmentSpec } from "../config";
import { readStackConfig, repoRoot, StackFileError } from "../tools/engine/stackFiles";
import { previewConfig } from "./helpers";

const seconds = Number(process.env.FUZZ_SECONDS ?? 3);
const cliRuns = Number(process.env.FUZZ_CLI_RUNS ?? 0);
const seed = Number(process.env.FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));

/** mulberry32: a small seeded generator, so a failing seed replays. */
function generator(start: number): () => number {
    let state = start >>> 0;
    return () => {
        state = (state + 0x6d2b79f5) >>> 0;
        let t = state;
        t = Math.imul(t ^ (t >>> 15), t | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
}

const fragments = [
    "\t", " ", "\n", ":", ": ", "- ", "[", "]", "{", "}", ",", "&a ", "*a", "!!str ", "!!binary ", "? ", "|", ">", "#", "'", '"', "\\",
    "0", "-1", "1.5", "65536", "4294967296", "70000", "1e400", ".inf", "-.Inf", ".nan", "null", "~", "true", "yes", "0x1F", "0o17",
    "\u200b", "\u00a0", "\ufeff", "\u202e", "é", "x".repeat(300), "secure: v1:eA==", "fraud-platfrom:", "latest", "db.r6g.large",
    "03:00-03:10", "sun:03:00-sun:03:30", "256", "8192", "apps-s-1vcpu-0.5gb",
];

function mutate(text: string, random: () => number): string {
    const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)];
    let out = text;
    const steps = 1 + Math.floor(random() * 4);
    for (let i = 0; i < steps; i += 1) {
        const at = Math.floor(random() * (out.length + 1));
        const lines = out.split("\n");
        switch (Math.floor(random() * 6)) {
            case 0: // insert a fragment
                out = out.slice(0, at) + pick(fragments) + out.slice(at);
                break;
            case 1: // delete a few characters
                out = out.slice(0, at) + out.slice(at + 1 + Math.floor(random() * 8));
                break;
            case 2: { // duplicate a line (duplicate keys)
                const n = Math.floor(random() * lines.length);
                lines.splice(n, 0, lines[n]);
                out = lines.join("\n");
                break;
            }
            case 3: { // replace a value after a colon
                const n = Math.floor(random() * lines.length);
                const colon = lines[n].indexOf(": ");
                if (colon >= 0) lines[n] = `${lines[n].slice(0, colon + 2)}${pick(fragments)}`;
                out = lines.join("\n");
                break;
            }
            case 4: { // re-indent a line
                const n = Math.floor(random() * lines.length);
                lines[n] = " ".repeat(Math.floor(random() * 8)) + lines[n].trimStart();
                out = lines.join("\n");
                break;
            }
            default: { // swap two lines
                const a = Math.floor(random() * lines.length);
                const b = Math.floor(random() * lines.length);
                [lines[a], lines[b]] = [lines[b], lines[a]];
                out = lines.join("\n");
            }
        }
    }
    return out;
}

const values: unknown[] = [
    0, -1, 1, 2, 3, 1.5, 256, 512, 1024, 2048, 4096, 16384, 65535, 65536, 70000, 2 ** 32, Number.MAX_SAFE_INTEGER, 1e300,
    "", " ", "x", "x".repeat(2000), "\u200b", "latest", "ghcr.io/a/b:1", "03:00-03:10", "03:00-04:00", "sun:03:30-sun:04:00", "aws", "docker",
    "digitalocean", "production", "db.r6g.large", "db-s-1vcpu-1gb", "cache.t4g.small", "17", "https://hooks.slack.com/services/T/B/x",
    true, false, null, [], [1, "a"], {}, { secure: "v1:eA==" }, { nested: { deeper: [1, 2, 3] } },
];

/** A change to the parsed document: a leaf replaced, a key deleted or added, a value moved up or down a level. */
function mutateStructure(text: string, random: () => number): string {
    const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)];
    const root = YAML.parse(text) as { config: Record<string, unknown> };
    const steps = 1 + Math.floor(random() * 3);
    for (let i = 0; i < steps; i += 1) {
        // Walk down a random path of maps and lists.
        let parent: Record<string, unknown> | unknown[] = root.config;
        for (let depth = 0; depth < 5; depth += 1) {
            const keys = Object.keys(parent);
            if (keys.length === 0) break;
            const key = pick(keys);
            const child = (parent as Record<string, unknown>)[key];
            if (child === null || typeof child !== "object" || random() < 0.3) break;
            parent = child as Record<string, unknown> | unknown[];
        }
        const keys = Object.keys(parent);
        const key = keys.length > 0 && random() < 0.85 ? pick(keys) : pick(["extra", "count", "fraud-platfrom:services", "backupWindow", "Env", "cpu"]);
        const action = random();
        if (action < 0.7) (parent as Record<string, unknown>)[key] = pick(values);
        else if (action < 0.85) delete (parent as Record<string, unknown>)[key];
        else (parent as Record<string, unknown>)[key] = { [pick(["a", "secure", "api", "image"])]: (parent as Record<string, unknown>)[key] };
    }
    return YAML.stringify(root);
}

const stacks = ["dev", "staging", "production"];
const sources = stacks.map((stack) => ({ stack, text: fs.readFileSync(path.join(repoRoot, `Pulumi.${stack}.yaml`), "utf8") }));

describe(`fuzz: mutated stack files are previewed or refused, never crash (seed ${seed})`, function () {
    this.timeout(seconds * 1000 + 60_000);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fraud-fuzz-"));
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    it(`for ${seconds} s in-process: only StackFileError or ConfigValidationError escape, and accepted configs run`, async () => {
        const random = generator(seed);
        const deadline = Date.now() + seconds * 1000;
        const tally = { files: 0, unreadable: 0, refused: 0, ran: 0 };
        while (Date.now() < deadline) {
            const { stack, text } = sources[Math.floor(random() * sources.length)];
            // Half the time text-level damage (what YAML syntax errors look like), half structural (what config mistakes look like).
            const mutated = random() < 0.5 ? mutate(text, random) : mutateStructure(text, random);
            const file = path.join(dir, `Pulumi.${stack}.yaml`);
            fs.writeFileSync(file, mutated);
            tally.files += 1;
            try {
                const read = readStackConfig(stack, repoRoot, file);
                loadEnvironmentSpec({ project: read.project, stack, values: read.config, secretKeys: new Set(read.secretKeys), stackFile: read.file });
                // Accepted: the program itself must run on it (this is where a count of 2^32 used to throw).
                await previewConfig(stack, read.config, read.secretKeys);
                tally.ran += 1;
            } catch (error) {
                if (error instanceof StackFileError) tally.unreadable += 1;
                else if (error instanceof ConfigValidationError) tally.refused += 1;
                else {
                    fs.writeFileSync(path.join(os.tmpdir(), `fraud-fuzz-failure-${seed}.yaml`), mutated);
                    throw new Error(`seed ${seed}: ${stack} mutation crashed (saved in ${os.tmpdir()}/fraud-fuzz-failure-${seed}.yaml): ${error instanceof Error ? error.stack : String(error)}`);
                }
            }
        }
        expect(tally.files).to.be.greaterThan(0);
        if (process.env.FUZZ_SECONDS) console.log(`      ${JSON.stringify(tally)}`);
    });

    it(`through \`npm run preview -- --file\` (${cliRuns} mutated file${cliRuns === 1 ? "" : "s"}): exit 0 or 1, no stack trace`, function () {
        if (cliRuns === 0) this.skip();
        const random = generator(seed + 1);
        for (let run = 0; run < cliRuns; run += 1) {
            const { stack, text } = sources[run % sources.length];
            const file = path.join(dir, `cli-${run}-Pulumi.${stack}.yaml`);
            fs.writeFileSync(file, run % 2 === 0 ? mutate(text, random) : mutateStructure(text, random));
            const result = spawnSync(process.execPath, ["--require", "tsx/cjs", path.join(repoRoot, "tools", "preview.ts"), "--stack", stack, "--file", file, "--no-policies"], {
                cwd: repoRoot,
                encoding: "utf8",
                timeout: 60_000,
            });
            const output = `${result.stdout}\n${result.stderr}`;
            expect([0, 1], `seed ${seed}, run ${run}:\n${fs.readFileSync(file, "utf8")}\n${output}`).to.include(result.status);
            expect(output, `seed ${seed}, run ${run}`).to.not.match(/\n\s+at .+:\d+:\d+\)?\n/);
        }
    });
});
