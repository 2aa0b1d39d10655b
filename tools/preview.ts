/**
 * Offline preview: runs index.ts against the emulated engine with a stack's config file and shows
 * what `pulumi preview --policy-pack policies` would register and report, with no cloud account and
 * no Pulumi CLI.
 *
 *   npm run preview -- [--stack <name>]... [--json] [--out <file>]
 *   npm run preview -- --stack <name> --file <path/to/Pulumi.<name>.yaml> [--json]
 *   npm run preview -- --stack <name> --base <git ref | stack file> [--json]   (the plan: create/update/replace/delete)
 *
 * This entry loads only light modules before it starts the first stack's policy pack: the pack's start
 * (mostly loading @pulumi/pulumi) then overlaps with this process loading the program and the SDK.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";
import type * as OfflinePreview from "./engine/offlinePreview";
import { PolicyConfigError, readPolicyPackConfig } from "./engine/policyConfig";
import { spawnPolicyPack } from "./engine/policyProcess";
import { displayPath, listStacks, readStackConfig, repoRoot, StackFileError, standInNotice } from "./engine/stackFiles";
import { runCliMain } from "./cliMain";

const usage =
    "usage: npm run preview -- [--stack <name>]... [--file <stack config file>] [--base <git ref | stack file>] [--policy-pack-config <file>] [--no-policies] [--json] [--out <file>]\n" +
    "  Enforces the policy pack in policies/ with policies/config/<stack>.json unless --no-policies.\n" +
    "  --out <file> writes the JSON document to the file (npm prints its own banner on stdout): with --json nothing\n" +
    "  else goes to stdout, without it stdout shows the resource tree and the policy report as usual.\n";

/** A mistake in the arguments: the message and the usage on stderr, exit 2. */
function usageError(message: string): number {
    process.stderr.write(`${message}\n${usage}`);
    return 2;
}

function parseArguments(argv: string[]) {
    return parseArgs({
        args: argv,
        options: {
            stack: { type: "string", short: "s", multiple: true },
            json: { type: "boolean", default: false },
            out: { type: "string", short: "o" },
            file: { type: "string", short: "f" },
            base: { type: "string" },
            "policy-pack-config": { type: "string" },
            "no-policies": { type: "boolean", default: false },
            help: { type: "boolean", short: "h", default: false },
        },
        allowPositionals: false,
    });
}

/** Exit codes: 0 the preview passed, 1 the input was refused (stack file, config, mandatory policies), 2 mistyped arguments. */
async function main(argv: string[]): Promise<number> {
    let values: ReturnType<typeof parseArguments>["values"];
    try {
        ({ values } = parseArguments(argv));
    } catch (error) {
        // node:util's own wording (ERR_PARSE_ARGS_UNKNOWN_OPTION …) without its stack.
        return usageError(error instanceof Error ? error.message : String(error));
    }
    if (values.help) {
        process.stdout.write(usage);
        return 0;
    }
    if (values.file && values.stack?.length !== 1) return usageError("--file previews one stack: name it with --stack <name>");
    if (values.out !== undefined && values.base !== undefined) return usageError("--out is for the preview's JSON document, not the --base plan");
    if (values.base !== undefined) {
        if (values.stack?.length !== 1) return usageError("--base plans one stack: name it with --stack <name>");
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const { previewAgainstBase } = require("./engine/basePreview") as typeof import("./engine/basePreview");
        return previewAgainstBase(values.stack[0], values.base, { json: values.json === true, file: values.file ? path.resolve(values.file) : undefined });
    }
    const available = listStacks();
    const stacks = values.stack ?? available;
    const missing = values.file ? [] : stacks.filter((s) => !available.includes(s));
    if (missing.length > 0) {
        return usageError(`No Pulumi.<stack>.yaml for: ${missing.join(", ")}. Stacks here: ${available.join(", ")}`);
    }

    const withPolicies = !values["no-policies"];
    if (withPolicies && values["policy-pack-config"]) {
        // Read once up front (cheap): a missing or broken file is a mistake in the arguments, not a crash.
        try {
            readPolicyPackConfig(path.resolve(values["policy-pack-config"]));
        } catch (error) {
            const code = (error as NodeJS.ErrnoException).code;
            if (!(error instanceof PolicyConfigError) && code === undefined) throw error;
            process.stderr.write(`--policy-pack-config: ${error instanceof PolicyConfigError ? error.message : `${values["policy-pack-config"]}: cannot be read (${code})`}\n`);
            return 1;
        }
    }
    const stackFile = (stack: string) => (values.file ? path.resolve(values.file) : path.join(repoRoot, `Pulumi.${stack}.yaml`));
    // A file that is not valid YAML config is reported before anything heavy loads (reading it is cheap).
    let exitCode = 0;
    const readable = stacks.filter((stack) => {
        try {
            const file = readStackConfig(stack, repoRoot, stackFile(stack));
            if (file.standIns.length > 0) process.stderr.write(`${standInNotice(stack, file.standIns)}\n`);
            return true;
        } catch (error) {
            if (!(error instanceof StackFileError)) throw error;
            process.stderr.write(`[${stack}] ${error.message}\n`);
            exitCode = 1;
            return false;
        }
    });
    if (readable.length === 0) return exitCode;
    const spawnPack = (stack: string) => {
        let file: ReturnType<typeof readStackConfig>;
        try {
            file = readStackConfig(stack, repoRoot, stackFile(stack));
        } catch (error) {
            if (error instanceof StackFileError) return undefined; // reported once, by the preview below
            throw error;
        }
        return spawnPolicyPack({ stack: { name: stack, project: file.project, config: file.config, secretKeys: file.secretKeys } });
    };
    let nextPack = withPolicies && readable.length > 0 ? spawnPack(readable[0]) : undefined;

    // Loaded after the first pack started (see the header).
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { previewStackFile, toJsonDocument } = require("./engine/offlinePreview") as typeof OfflinePreview;
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { formatPolicyReport, hasMandatoryViolation, stackPolicyConfig } = require("./engine/policyRunner") as typeof import("./engine/policyRunner");
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { countByType, renderTree } = require("./engine/display") as typeof import("./engine/display");

    const documents: OfflinePreview.StackPreview[] = [];
    for (const [index, stack] of readable.entries()) {
        const policyConfig = values["policy-pack-config"] ? path.resolve(values["policy-pack-config"]) : stackPolicyConfig(stack);
        const spawned = nextPack;
        let outcome: OfflinePreview.PreviewOutcome;
        try {
            outcome = await previewStackFile(stack, {
                stackFile: stackFile(stack),
                onPlaceholder: (key) =>
                    process.stderr.write(`[${stack}] ${key} is encrypted (secure:) and cannot be decrypted offline; a placeholder secret stands in for it.\n`),
                policies: withPolicies ? { config: policyConfig, spawned } : undefined,
            });
        } catch (error) {
            if (!(error instanceof StackFileError)) throw error;
            spawned?.kill();
            process.stderr.write(`[${stack}] ${error.message}\n`);
            exitCode = 1;
            nextPack = withPolicies && index + 1 < readable.length ? spawnPack(readable[index + 1]) : undefined;
            continue;
        }
        // The next stack's pack starts while this one's report is written.
        nextPack = withPolicies && index + 1 < readable.length ? spawnPack(readable[index + 1]) : undefined;
        if (outcome.configError) {
            // The program names the file the CLI reads; with --file, the file actually read.
            const named = values.file ? outcome.configError.replace(`Pulumi.${stack}.yaml`, displayPath(stackFile(stack))) : outcome.configError;
            process.stderr.write(`[${stack}] ${named}\n`);
            exitCode = 1;
            continue;
        }
        if (outcome.providerError) {
            // What `pulumi preview` reports when a provider's Check refuses an input.
            process.stderr.write(`[${stack}] error: ${outcome.providerError}\n`);
            exitCode = 1;
            continue;
        }
        const violations = outcome.policy?.violations ?? [];
        if (values.json || values.out !== undefined) documents.push(toJsonDocument(outcome, violations));
        if (!values.json) {
            process.stdout.write(`\nStack ${stack}: ${outcome.recorded.length} resources\n\n${renderTree(outcome.recorded)}\n\n`);
            for (const [type, count] of countByType(outcome.recorded)) process.stdout.write(`  ${String(count).padStart(4)}  ${type}\n`);
            if (outcome.policy) process.stdout.write(`\n${formatPolicyReport(outcome.policy.pack.info, violations)}\n`);
        }
        if (outcome.policy && values.json && violations.length > 0) {
            // stdout carries the JSON document; the report still reaches a person on stderr.
            process.stderr.write(`${formatPolicyReport(outcome.policy.pack.info, violations)}\n`);
        }
        await outcome.policy?.pack.close();
        if (hasMandatoryViolation(violations)) {
            process.stderr.write(`[${stack}] mandatory policy violations: the real preview would fail.\n`);
            exitCode = 1;
        }
    }
    if (documents.length > 0) {
        const single = values.stack?.length === 1;
        const text = `${JSON.stringify(single ? documents[0] ?? null : documents, null, 2)}\n`;
        if (values.out === undefined) process.stdout.write(text);
        else {
            fs.mkdirSync(path.dirname(path.resolve(values.out)), { recursive: true });
            fs.writeFileSync(values.out, text);
        }
    }
    return exitCode;
}

if (require.main === module) runCliMain(main);
