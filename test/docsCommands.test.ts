import { expect } from "chai";
import * as fs from "node:fs";
import * as path from "node:path";
import { repoRoot } from "../tools/engine/stackFiles";

/**
 * Every command the README and docs/*.md show is either run by the tests (or by .ci/run, the CI entry
 * point) or marked as needing what this machine does not have. Cheap: reads text only.
 *
 * A fenced ```bash / ```sh block is marked by a comment line `# needs a cloud account` (or `a Docker
 * engine`, or `a quiet machine` for measurements that take minutes); a single line by the same comment at
 * its end. An inline `npm run …` span in prose counts as marked when the same command appears in a
 * marked block.
 */
const marker = /#\s*needs (a cloud account|a Docker engine|a quiet machine)\b/;

interface DocCommand {
    file: string;
    line: number;
    command: string;
    marked: boolean;
}

function documents(): string[] {
    const docs = fs.readdirSync(path.join(repoRoot, "docs")).filter((f) => f.endsWith(".md")).map((f) => `docs/${f}`);
    return ["README.md", ...docs];
}

/** Commands of fenced shell blocks (continuation lines joined, comments and blank lines dropped) and inline `npm run` spans. */
function commandsOf(file: string): DocCommand[] {
    const lines = fs.readFileSync(path.join(repoRoot, file), "utf8").split("\n");
    const found: DocCommand[] = [];
    for (let i = 0; i < lines.length; i++) {
        const open = /^\s*```(bash|sh|shell)\s*$/.exec(lines[i] ?? "");
        if (!open) {
            for (const [, span] of (lines[i] ?? "").matchAll(/`(npm run [^`]+)`/g)) found.push({ file, line: i + 1, command: span ?? "", marked: false });
            continue;
        }
        const start = i;
        const body: { text: string; line: number }[] = [];
        for (i++; i < lines.length && !/^\s*```\s*$/.test(lines[i] ?? ""); i++) body.push({ text: lines[i] ?? "", line: i + 1 });
        const blockMarked = body.some((b) => /^\s*#/.test(b.text) && marker.test(b.text));
        let pending = "";
        let pendingLine = start + 1;
        for (const { text, line } of body) {
            if (pending === "") pendingLine = line;
            const trimmed = text.trim();
            if (pending === "" && (trimmed === "" || trimmed.startsWith("#"))) continue;
            if (trimmed.endsWith("\\")) {
                pending += `${trimmed.slice(0, -1)} `;
                continue;
            }
            const full = `${pending}${trimmed}`;
            pending = "";
            found.push({ file, line: pendingLine, command: full, marked: blockMarked || marker.test(full) });
        }
    }
    return found;
}

/** The command without its trailing comment and extra spaces. */
function normalize(command: string): string {
    return command.replace(/\s+#.*$/, "").replace(/\s+/g, " ").trim();
}

const ciRun = fs.readFileSync(path.join(repoRoot, ".ci/run"), "utf8");
const ciCommands = new Set(ciRun.split("\n").map((l) => normalize(l)).filter((l) => l !== "" && !l.startsWith("#")));
const source = (file: string) => fs.readFileSync(path.join(repoRoot, file), "utf8");

/**
 * npm scripts the tests run through their real entry point, with the test file that runs them and the text
 * in it that shows so. A documented flag must exist in the CLI's source, so a mistyped or removed flag fails.
 */
const exercisedScripts: Record<string, { by: string; evidence: string; cli: string }> = {
    preview: { by: "test/cli.ts", evidence: '"tools", "preview.ts"', cli: "tools/preview.ts" },
    release: { by: "test/releaseSettings.test.ts", evidence: '"tools/release/cli.ts"', cli: "tools/release/cli.ts" },
    report: { by: "test/report.test.ts", evidence: "committed reports", cli: "tools/report/cli.ts" },
};

/** Why a command counts as exercised, or undefined when nothing runs it. */
function exercisedBy(command: string): string | undefined {
    const normalized = normalize(command);
    if (ciCommands.has(normalized)) return ".ci/run";
    // `npm ci` is run as `npm ci --loglevel=warn` there: the same command with more output.
    if ([...ciCommands].some((line) => line.startsWith(`${normalized} --`))) return ".ci/run";
    const run = /^npm run (?:--silent )?([\w:-]+)(?: -- (.*))?$/.exec(normalized);
    if (!run) return undefined;
    const [, script = "", args = ""] = run;
    if (ciCommands.has(`npm run ${script}`) && args === "") return ".ci/run";
    const entry = exercisedScripts[script];
    if (!entry || !source(entry.by).includes(entry.evidence)) return undefined;
    // settings, validate… and each --flag must be the CLI's own.
    const cliSource = source(entry.cli) + (script === "release" ? source("tools/release/settingsCli.ts") : "");
    for (const flag of args.match(/--[\w-]+/g) ?? []) if (!cliSource.includes(`"${flag.slice(2)}"`) && !cliSource.includes(`${flag.slice(2)}:`)) return undefined;
    return entry.by;
}

describe("docs: every command is tested or marked", () => {
    const all = documents().flatMap(commandsOf);
    const markedCommands = new Set(all.filter((c) => c.marked).map((c) => normalize(c.command)));

    it("finds the commands (the README's two among them)", () => {
        const readme = all.filter((c) => c.file === "README.md").map((c) => normalize(c.command));
        expect(readme).to.include.members(["npm ci && npm run preview -- --stack dev", "npm test"]);
        expect(all.length).to.be.greaterThan(30);
    });

    it("each is run by a test or .ci/run, or marked as needing a cloud account (or a Docker engine)", () => {
        const unaccounted = all.filter((c) => {
            if (c.marked || markedCommands.has(normalize(c.command))) return false;
            const parts = normalize(c.command).split(/\s*&&\s*/);
            return !parts.every((part) => exercisedBy(part) !== undefined);
        });
        expect(unaccounted.map((c) => `${c.file}:${c.line}: ${c.command}`)).to.deep.equal([]);
    });

    it("the README's first screen fits in 60 lines and links to the docs pages", () => {
        const readme = source("README.md");
        expect(readme.split("\n").length).to.be.at.most(60);
        for (const page of ["stack-guide", "configuration", "releasing", "policies", "operations", "images", "rollout"]) {
            expect(readme, page).to.include(`(docs/${page}.md)`);
            expect(fs.existsSync(path.join(repoRoot, `docs/${page}.md`)), page).to.equal(true);
        }
    });

    it("links between the docs pages point at files that exist", () => {
        for (const file of documents()) {
            const base = path.dirname(path.join(repoRoot, file));
            for (const [, target] of source(file).matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)) {
                if (/^[a-z]+:/.test(target ?? "")) continue;
                expect(fs.existsSync(path.join(base, target ?? "")), `${file} → ${target}`).to.equal(true);
            }
        }
    });

    it("npm installs are not silenced: no .npmrc hides npm ci's errors", () => {
        const npmrc = path.join(repoRoot, ".npmrc");
        const text = fs.existsSync(npmrc) ? fs.readFileSync(npmrc, "utf8") : "";
        expect(text).not.to.match(/^\s*(loglevel\s*=\s*(silent|error)|silent\s*=\s*true)/m);
    });
});
