/**
 * `npm run report -- [--stack <name>]... [--json] [--out <dir>] [--no-policies]`
 *
 * Per stack: runs the offline preview with the policy pack (as `npm run preview` does: policy results and
 * outputs for the console, exit 1 on a mandatory violation), then two update runs, the stack as committed
 * and after an image-only release, which the report is built from, and writes <out>/<stack>.{svg,dot,md,json} (default out: docs/stacks). Prints a
 * one-screen summary per stack, or with --json the report document(s) on stdout.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { previewStackFile } from "../engine/offlinePreview";
import { formatPolicyReport, hasMandatoryViolation, stackPolicyConfig } from "../engine/policyRunner";
import { listStacks, repoRoot, standInNotice } from "../engine/stackFiles";
import { renderPng } from "./diagram";
import { reportFiles } from "./files";
import { previewOutputs, releaseRuns } from "./report";
import { renderConsole, type PolicySummary } from "./render";
import { runCliMain } from "../cliMain";

export const defaultOutDir = path.join(repoRoot, "docs", "stacks");

async function main(argv: string[]): Promise<number> {
    const { values } = parseArgs({
        args: argv,
        options: {
            stack: { type: "string", short: "s", multiple: true },
            json: { type: "boolean", default: false },
            out: { type: "string", short: "o" },
            "no-policies": { type: "boolean", default: false },
            help: { type: "boolean", short: "h", default: false },
        },
        allowPositionals: false,
    });
    if (values.help) {
        process.stdout.write("usage: npm run report -- [--stack <name>]... [--json] [--out <dir>] [--no-policies]\n  Writes <out>/<stack>.{svg,dot,md,json}; out defaults to docs/stacks.\n");
        return 0;
    }
    const available = listStacks();
    const stacks = values.stack ?? available;
    const missing = stacks.filter((s) => !available.includes(s));
    if (missing.length) {
        process.stderr.write(`No Pulumi.<stack>.yaml for: ${missing.join(", ")}. Stacks here: ${available.join(", ")}\n`);
        return 1;
    }
    const outDir = path.resolve(values.out ?? defaultOutDir);
    fs.mkdirSync(outDir, { recursive: true });
    let exitCode = 0;
    const documents: unknown[] = [];
    for (const stack of stacks) {
        const outcome = await previewStackFile(stack, {
            onPlaceholder: (key) => process.stderr.write(`[${stack}] ${key} is encrypted (secure:) and cannot be decrypted offline; a placeholder secret stands in for it.\n`),
            onStandIns: (keys) => process.stderr.write(`${standInNotice(stack, keys)}\n`),
            policies: values["no-policies"] ? undefined : { config: stackPolicyConfig(stack) },
        });
        if (outcome.configError) {
            process.stderr.write(`[${stack}] ${outcome.configError}\n`);
            exitCode = 1;
            continue;
        }
        let policy: PolicySummary | undefined;
        if (outcome.policy) {
            const violations = outcome.policy.violations;
            policy = {
                mandatory: violations.filter((v) => v.enforcementLevel === "mandatory").length,
                advisory: violations.filter((v) => v.enforcementLevel !== "mandatory").length,
                lines: violations.filter((v) => v.enforcementLevel === "mandatory").map((v) => `[mandatory] ${v.policy}: ${v.message.split("\n")[0]}`),
            };
            if (values.json && violations.length) process.stderr.write(`${formatPolicyReport(outcome.policy.pack.info, violations)}\n`);
            if (hasMandatoryViolation(violations)) exitCode = 1;
            await outcome.policy.pack.close();
        }
        const runs = await releaseRuns(stack);
        const { report, files } = await reportFiles(stack, runs, outDir);
        const written: string[] = [];
        for (const [name, content] of Object.entries(files)) {
            const file = path.join(outDir, name);
            fs.writeFileSync(file, content);
            written.push(path.relative(repoRoot, file));
        }
        const png = await renderPng(files[`${stack}.svg`]);
        if (png) {
            const file = path.join(outDir, `${stack}.png`);
            fs.writeFileSync(file, png);
            written.push(path.relative(repoRoot, file));
        }
        if (values.json) {
            documents.push(report);
        } else {
            process.stdout.write(`\n${renderConsole(report, previewOutputs(outcome.recorded), policy, written)}`);
        }
    }
    if (values.json) process.stdout.write(`${JSON.stringify(documents.length === 1 && values.stack?.length === 1 ? documents[0] : documents, null, 2)}\n`);
    return exitCode;
}

if (require.main === module) runCliMain(main);
