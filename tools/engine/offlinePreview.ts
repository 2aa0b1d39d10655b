/**
 * The offline preview: runs index.ts against the emulated engine with a stack's config file, with the
 * policy pack analyzing what registers, as `pulumi preview --policy-pack policies` would. The CLI is
 * tools/preview.ts; `npm run bench` measures this same path.
 */
import { performance } from "node:perf_hooks";
import type { ChildProcess } from "node:child_process";
import { ConfigValidationError } from "../../config";
import { resourcesRegisteredBefore, runProgram, type RecordedResource } from "./emulator";
import { ProviderCheckError } from "./providerRules";
import {
    analyzeAsRegistered,
    startPolicyPack,
    type PolicyViolation,
    type RunningPolicyPack,
} from "./policyRunner";
import { displayValue } from "./display";
import { readStackConfig, repoRoot } from "./stackFiles";
import { loadProgram } from "./program";

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
    /**
     * Set when a provider refused a registration (tools/engine/providerRules.ts): the URN and the
     * provider's message. `recorded` holds what registered before it.
     */
    providerError?: string;
    recorded: RecordedResource[];
    placeholders: string[];
    /** What the policy pack found, when the preview ran with it. */
    policy?: { pack: RunningPolicyPack; violations: PolicyViolation[] };
    /** Milliseconds from the start of the preview: the program finished, the pack was ready, all was analyzed. */
    timings?: { programDoneMs: number; packReadyMs?: number; doneMs: number };
}

export interface PreviewOptions {
    /** Another file laid out like `Pulumi.<stack>.yaml`. */
    stackFile?: string;
    /** Told about each `secure:` value that a placeholder stands in for. */
    onPlaceholder?: (key: string) => void;
    /** Told about the required secrets the file does not set, for which placeholders stand in (stackFiles.ts `standIns`). */
    onStandIns?: (keys: string[]) => void;
    /**
     * Enforce the policy pack (as `pulumi preview --policy-pack policies`), with this `--policy-pack-config`;
     * `spawned` is the pack's process when the caller started it early with `spawnPolicyPack`.
     */
    policies?: { config?: string; spawned?: ChildProcess };
}


/**
 * Previews one stack from its `Pulumi.<stack>.yaml` (or another file with the same layout). With
 * `policies`, the pack starts alongside the program, as the CLI starts it, analyzes each resource as it
 * registers and then the whole stack. The caller closes `outcome.policy.pack`.
 */
export async function previewStackFile(stack: string, options: PreviewOptions = {}): Promise<PreviewOutcome> {
    const started = performance.now();
    const file = readStackConfig(stack, repoRoot, options.stackFile);
    for (const key of file.placeholders) options.onPlaceholder?.(key);
    if (file.standIns.length > 0) options.onStandIns?.(file.standIns);
    let packReadyMs: number | undefined;
    const starting = options.policies
        ? startPolicyPack({
              stack: { name: stack, project: file.project, config: file.config, secretKeys: file.secretKeys },
              config: options.policies.config,
              spawned: options.policies.spawned,
          }).then((pack) => {
              packReadyMs = performance.now() - started;
              return pack;
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
        const programDoneMs = performance.now() - started;
        const violations = analysis ? await analysis.finish(resources) : [];
        const pack = starting ? await starting : undefined;
        return {
            stack,
            recorded: resources,
            placeholders: file.placeholders,
            policy: pack ? { pack, violations } : undefined,
            timings: { programDoneMs, packReadyMs, doneMs: performance.now() - started },
        };
    } catch (error) {
        await starting?.then((pack) => pack.close(), () => undefined);
        if (error instanceof ConfigValidationError) {
            return { stack, configError: error.message, recorded: [], placeholders: file.placeholders };
        }
        if (error instanceof ProviderCheckError) {
            return { stack, providerError: error.message, recorded: resourcesRegisteredBefore(error), placeholders: file.placeholders };
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

