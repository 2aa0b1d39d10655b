/**
 * Offline preview: runs index.ts against the emulated engine with a stack's config file and shows
 * what `pulumi preview` would register, with no cloud account and no Pulumi CLI.
 *
 *   npm run preview -- [--stack <name>]... [--json]
 *   npm run preview -- --stack <name> --file <path/to/Pulumi.<name>.yaml> [--json]
 */
import * as path from "node:path";
import { parseArgs } from "node:util";
import { ConfigValidationError } from "../config";
import { runProgram, type RecordedResource } from "./engine/emulator";
import {
    analyzeAsRegistered,
    formatPolicyReport,
    hasMandatoryViolation,
    stackPolicyConfig,
    startPolicyPack,
    type PolicyViolation,
    type RunningPolicyPack,
} from "./engine/policyRunner";
import { countByType, displayValue, renderTree } from "./engine/display";
import { listStacks, readStackConfig, repoRoot } from "./engine/stackFiles";

export type PolicyViolationRecord = PolicyViolation;

export interface StackPreview {
    stack: string;
    resources: {
        urn: string;
        type: string;
        name: string;
        parent: string;
        inputs: unknown;
        protect: boolean;
        dependencies: string[];
    }[];
    policyViolations: PolicyViolationRecord[];
}

export interface PreviewOutcome {
    stack: string;
    /** Set when the stack's config is invalid: no resource was registered. */
    configError?: string;
    recorded: RecordedResource[];
    placeholders: string[];
    /** What the policy pack found, when the preview ran with it. */
    policy?: { pack: RunningPolicyPack; violations: PolicyViolation[] };
}

export interface PreviewOptions {
    /** Another file laid out like `Pulumi.<stack>.yaml`. */
    stackFile?: string;
    /** Told about each `secure:` value that a placeholder stands in for. */
    onPlaceholder?: (key: string) => void;
    /** Enforce the policy pack (as `pulumi preview --policy-pack policies`), with this `--policy-pack-config`. */
    policies?: { config?: string };
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
const loadProgram = () => require(path.join(repoRoot, "index.ts")) as () => Promise<Record<string, unknown>>;

/**
 * Previews one stack from its `Pulumi.<stack>.yaml` (or another file with the same layout). With
 * `policies`, the pack starts alongside the program, as the CLI starts it, analyzes each resource as it
 * registers and then the whole stack. The caller closes `outcome.policy.pack`.
 */
export async function previewStackFile(stack: string, options: PreviewOptions = {}): Promise<PreviewOutcome> {
    const file = readStackConfig(stack, repoRoot, options.stackFile);
    for (const key of file.placeholders) options.onPlaceholder?.(key);
    const starting = options.policies
        ? startPolicyPack({
              stack: { name: stack, project: file.project, config: file.config, secretKeys: file.secretKeys },
              config: options.policies.config,
          })
        : undefined;
    const analysis = starting ? analyzeAsRegistered(starting) : undefined;
    try {
        const { resources } = await runProgram({
            project: file.project,
            stack,
            config: file.config,
            secretKeys: file.secretKeys,
            preview: true,
            program: loadProgram(),
            onRegister: analysis?.onRegister,
        });
        const violations = analysis ? await analysis.finish(resources) : [];
        const pack = starting ? await starting : undefined;
        return { stack, recorded: resources, placeholders: file.placeholders, policy: pack ? { pack, violations } : undefined };
    } catch (error) {
        await starting?.then((pack) => pack.close(), () => undefined);
        if (error instanceof ConfigValidationError) {
            return { stack, configError: error.message, recorded: [], placeholders: file.placeholders };
        }
        throw error;
    }
}

export function toJsonDocument(outcome: PreviewOutcome, policyViolations: PolicyViolationRecord[]): StackPreview {
    return {
        stack: outcome.stack,
        resources: outcome.recorded.map((r) => ({
            urn: r.urn,
            type: r.type,
            name: r.name,
            parent: r.parent,
            inputs: displayValue(r.inputs),
            protect: r.protect,
            dependencies: r.dependencies,
        })),
        policyViolations,
    };
}

async function main(argv: string[]): Promise<number> {
    const { values } = parseArgs({
        args: argv,
        options: {
            stack: { type: "string", short: "s", multiple: true },
            json: { type: "boolean", default: false },
            file: { type: "string", short: "f" },
            "policy-pack-config": { type: "string" },
            "no-policies": { type: "boolean", default: false },
            help: { type: "boolean", short: "h", default: false },
        },
        allowPositionals: false,
    });
    if (values.help) {
        process.stdout.write(
            "usage: npm run preview -- [--stack <name>]... [--file <stack config file>] [--policy-pack-config <file>] [--no-policies] [--json]\n" +
                "  Enforces the policy pack in policies/ with policies/config/<stack>.json unless --no-policies.\n",
        );
        return 0;
    }
    if (values.file && values.stack?.length !== 1) {
        process.stderr.write("--file previews one stack: name it with --stack <name>\n");
        return 1;
    }
    const available = listStacks();
    const stacks = values.stack ?? available;
    const missing = values.file ? [] : stacks.filter((s) => !available.includes(s));
    if (missing.length > 0) {
        process.stderr.write(`No Pulumi.<stack>.yaml for: ${missing.join(", ")}. Stacks here: ${available.join(", ")}\n`);
        return 1;
    }

    let exitCode = 0;
    const documents: StackPreview[] = [];
    for (const stack of stacks) {
        const policyConfig = values["policy-pack-config"] ? path.resolve(values["policy-pack-config"]) : stackPolicyConfig(stack);
        const outcome = await previewStackFile(stack, {
            stackFile: values.file ? path.resolve(values.file) : undefined,
            onPlaceholder: (key) =>
                process.stderr.write(`[${stack}] ${key} is encrypted (secure:) and cannot be decrypted offline; a placeholder secret stands in for it.\n`),
            policies: values["no-policies"] ? undefined : { config: policyConfig },
        });
        if (outcome.configError) {
            process.stderr.write(`[${stack}] ${outcome.configError}\n`);
            exitCode = 1;
            continue;
        }
        const violations = outcome.policy?.violations ?? [];
        if (values.json) {
            documents.push(toJsonDocument(outcome, violations));
        } else {
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
    if (values.json && documents.length > 0) {
        const single = values.stack?.length === 1;
        process.stdout.write(`${JSON.stringify(single ? documents[0] ?? null : documents, null, 2)}\n`);
    }
    return exitCode;
}

if (require.main === module) {
    main(process.argv.slice(2)).then(
        (code) => process.exit(code),
        (error: unknown) => {
            process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
            process.exit(2);
        },
    );
}
