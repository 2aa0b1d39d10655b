import { expect } from "chai";
import { ConfigValidationError, loadEnvironmentSpec, type ConfigProblem, type RawStackConfig } from "../config";
import { runProgram, wire, type ProgramResult, type RecordedResource } from "../tools/engine/emulator";
import { readStackConfig } from "../tools/engine/stackFiles";
import { loadProgram } from "../tools/engine/program";

const project = "fraud-platform";

// The program under test, loaded the way the Pulumi CLI loads it.
const program = loadProgram();

export interface Preview extends ProgramResult {
    /** Every resource of a type, e.g. `docker:index/container:Container`. */
    ofType(type: string): RecordedResource[];
    /** The one resource whose name ends with the suffix (and is of the type, when given); throws otherwise. */
    named(suffix: string, type?: string): RecordedResource;
    /** The resource with this URN; throws when absent. */
    byUrn(urn: string): RecordedResource;
}

/** Runs index.ts against the emulated engine with a committed stack file, optionally overriding keys (without namespace). */
export async function previewStack(stack: string, overrides: Record<string, unknown> = {}, secretOverrides: string[] = []): Promise<Preview> {
    return runStack(stack, overrides, secretOverrides, true);
}

/**
 * Like {@link previewStack}, but as an update: provider-computed outputs (generated passwords,
 * endpoints, ARNs) are known, faked by tools/engine/fakes, so what flows from them can be inspected.
 * In a preview they are unknown, and unknown values carry no secret marker on the wire.
 */
export async function updateStack(stack: string, overrides: Record<string, unknown> = {}, secretOverrides: string[] = []): Promise<Preview> {
    return runStack(stack, overrides, secretOverrides, false);
}

/**
 * Runs with the same stack, overrides and kind are shared across test files (the program is deterministic
 * under the emulator): a production run costs a second or more, and several files ask for the same one. The
 * results are frozen, so a test that changed one would fail instead of changing what another test sees.
 */
const sharedRuns = new Map<string, Promise<Preview>>();

function runStack(stack: string, overrides: Record<string, unknown>, secretOverrides: string[], preview: boolean): Promise<Preview> {
    const key = JSON.stringify([stack, overrides, [...secretOverrides].sort(), preview]);
    let run = sharedRuns.get(key);
    if (run === undefined) {
        run = runStackOnce(stack, overrides, secretOverrides, preview).then((result) => deepFreeze(result));
        // A failed run is not kept: the next caller runs it again and sees its own error.
        run.catch(() => sharedRuns.delete(key));
        sharedRuns.set(key, run);
    }
    return run;
}

function deepFreeze<T>(value: T): T {
    if (value !== null && typeof value === "object" && !Object.isFrozen(value)) {
        Object.freeze(value);
        for (const child of Object.values(value as Record<string, unknown>)) deepFreeze(child);
    }
    return value;
}

async function runStackOnce(stack: string, overrides: Record<string, unknown>, secretOverrides: string[], preview: boolean): Promise<Preview> {
    const file = readStackConfig(stack);
    const config = { ...file.config };
    const secretKeys = new Set(file.secretKeys);
    for (const [key, value] of Object.entries(overrides)) {
        const full = `${project}:${key}`;
        if (value === undefined) delete config[full];
        else config[full] = typeof value === "string" ? value : JSON.stringify(value);
    }
    for (const key of secretOverrides) secretKeys.add(`${project}:${key}`);
    // An update run stands for `pulumi up`, which the docker backend refuses without the developer's own
    // credentialSeed (no committed file carries one): give it a test seed unless the test chose one.
    const seed = `${project}:credentialSeed`;
    if (!preview && config[`${project}:backend`] === "docker" && !(seed in config) && !("credentialSeed" in overrides)) {
        config[seed] = "test-seed-0123456789abcdef0123456789abcdef";
        secretKeys.add(seed);
    }
    const result = await runProgram({ project, stack, config, secretKeys: [...secretKeys], program, preview });
    return withLookups(result);
}

/** Runs index.ts against the emulated engine with exactly this config (`namespace:key` to string). */
export async function previewConfig(stack: string, config: Record<string, string>, secretKeys: string[] = []): Promise<Preview> {
    const result = await runProgram({ project, stack, config, secretKeys, program, preview: true });
    return withLookups(result);
}

export function withLookups(result: ProgramResult): Preview {
    const ofType = (type: string) => result.resources.filter((r) => r.type === type);
    return {
        ...result,
        ofType,
        named(suffix, type) {
            const matches = result.resources.filter((r) => r.name.endsWith(suffix) && (type === undefined || r.type === type));
            if (matches.length !== 1) {
                throw new Error(`expected one resource named *${suffix}${type ? ` of type ${type}` : ""}, found ${matches.map((m) => m.name).join(", ") || "none"}`);
            }
            return matches[0];
        },
        byUrn(urn) {
            const found = result.resources.find((r) => r.urn === urn);
            if (!found) throw new Error(`no resource ${urn}`);
            return found;
        },
    };
}

/** True when a serialised value is a secret on the wire. */
export function isSecret(value: unknown): boolean {
    return typeof value === "object" && value !== null && (value as Record<string, unknown>)[wire.sigKey] === wire.secretSig;
}

/** The plain value inside a serialised value, unwrapping secrets (recursively). */
export function reveal(value: unknown): unknown {
    if (isSecret(value)) return reveal((value as { value: unknown }).value);
    if (Array.isArray(value)) return value.map(reveal);
    if (typeof value === "object" && value !== null) {
        return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, reveal(v)]));
    }
    return value;
}

/** Every string inside a serialised value that is not under a secret marker: what would show in plain text. */
export function plainStrings(value: unknown): string[] {
    if (isSecret(value)) return [];
    if (typeof value === "string") return [value];
    if (Array.isArray(value)) return value.flatMap(plainStrings);
    if (typeof value === "object" && value !== null) return Object.values(value).flatMap(plainStrings);
    return [];
}

/**
 * Overrides that turn a committed stack into one `pulumi up` accepts: production's stack file holds
 * documentation stand-ins (an example.com domain, a certificate in account 123456789012) that only a
 * preview takes. Empty for the other stacks.
 */
export function deployable(stack: string): Record<string, unknown> {
    if (stack !== "production") return {};
    const aws = JSON.parse(readStackConfig("production").config[`${project}:aws`] ?? "{}") as Record<string, unknown>;
    return {
        aws: {
            ...aws,
            certificateArn: "arn:aws:acm:us-east-1:210987654321:certificate/5f0c1d2e-3a4b-4c5d-8e6f-7a8b9c0d1e2f",
            domainName: "api.fraud-platform.io",
        },
        // What `stage-config --stage hold` sets for a stack that never ran.
        rollout: { liveSlot: "blue", candidatePercent: 0, candidateState: "stopped" },
    };
}

/** The problems the config edge reports for this config; empty when it is accepted. */
export function configProblems(config: RawStackConfig): ConfigProblem[] {
    try {
        loadEnvironmentSpec(config);
    } catch (error) {
        expect(error).to.be.instanceOf(ConfigValidationError);
        return (error as ConfigValidationError).problems;
    }
    return [];
}

/** {@link configProblems} for a config the edge must refuse: throws when it is accepted. */
export function refusedProblems(config: RawStackConfig): ConfigProblem[] {
    const problems = configProblems(config);
    if (problems.length === 0) throw new Error("expected the config to be refused");
    return problems;
}
