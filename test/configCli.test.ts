import { expect } from "chai";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { repoRoot } from "../tools/engine/stackFiles";

/** The real entry point, `npm run preview -- …`, without the policy pack (the file is refused before it would start). */
function preview(...args: string[]) {
    const run = spawnSync(process.execPath, ["--require", "tsx/cjs", path.join(repoRoot, "tools", "preview.ts"), ...args], { cwd: repoRoot, encoding: "utf8", timeout: 60_000 });
    return { status: run.status, output: `${run.stdout}${run.stderr}` };
}
const stackTrace = /\n\s+at .+:\d+:\d+\)?\n/;

describe("offline preview CLI: stack files that are not valid YAML", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fraud-yaml-"));
    after(() => fs.rmSync(dir, { recursive: true, force: true }));
    const devWith = (edit: (text: string) => string) => {
        const file = path.join(dir, `Pulumi.dev-${Math.random().toString(36).slice(2)}.yaml`);
        fs.writeFileSync(file, edit(fs.readFileSync(path.join(repoRoot, "Pulumi.dev.yaml"), "utf8")));
        return file;
    };

    it("a tab used as indentation: file, line and column, exit 1, no stack trace", () => {
        const file = devWith((text) => text.replace("\n    api:\n", "\n\tapi:\n"));
        const line = fs.readFileSync(file, "utf8").split("\n").findIndex((l) => l.startsWith("\tapi:")) + 1;
        const run = preview("--stack", "dev", "--file", file, "--no-policies");
        expect(run.status, run.output).to.equal(1);
        expect(run.output).to.include(`${path.basename(file)}:${line}:1: is not valid YAML: Tabs are not allowed as indentation`);
        expect(run.output).to.not.match(stackTrace);
    });

    it("a duplicate key: file, line and column, exit 1, no stack trace", () => {
        const file = devWith((text) => text.replace("  fraud-platform:backend: docker\n", "  fraud-platform:backend: docker\n  fraud-platform:backend: aws\n"));
        const run = preview("--stack", "dev", "--file", file, "--no-policies");
        expect(run.status, run.output).to.equal(1);
        expect(run.output).to.match(/:6:3: is not valid YAML: Map keys must be unique/);
        expect(run.output).to.not.match(stackTrace);
    });
});
