import * as pulumi from "@pulumi/pulumi";
import { MockMonitor, type MockCallArgs, type MockResourceArgs, type MockResourceResult } from "@pulumi/pulumi/runtime/mocks";
import type { RegisterResourceRequest } from "@pulumi/pulumi/proto/resource_pb";
import { fakeProviderOutputs } from "./fakes";
import { plannedState } from "./plannedState";
import { checkRegistration, ProviderCheckError } from "./providerRules";
import { wire } from "./wire";

/** What the engine received for one resource registration. */
export interface RecordedResource {
    urn: string;
    type: string;
    name: string;
    /** Parent URN; empty for the stack itself. */
    parent: string;
    custom: boolean;
    /** Inputs as the SDK serialised them (secrets and unknowns keep their wire markers). */
    inputs: Record<string, unknown>;
    protect: boolean;
    dependencies: string[];
    propertyDependencies: Record<string, string[]>;
    /** Provider reference `urn::id`, or empty for the default provider. */
    provider: string;
    aliases: unknown[];
    ignoreChanges: string[];
    replaceOnChanges: string[];
    deleteBeforeReplace: boolean;
    retainOnDelete: boolean;
    additionalSecretOutputs: string[];
    customTimeouts?: { create: string; update: string; delete: string };
    /** The resource's final outputs, for components from `registerOutputs`. */
    outputs?: Record<string, unknown>;
    /**
     * A preview only, custom resources: the state the engine plans for the resource, its inputs plus an
     * unknown for each property the provider computes that the program left unset. The engine sends
     * this, not the inputs, to `AnalyzeStack`.
     */
    planned?: Record<string, unknown>;
}

export { wire } from "./wire";

/** Given a registration, returns the outputs the emulated provider reports (in addition to the inputs). */
export type OutputFaker = (args: MockResourceArgs) => Record<string, unknown>;

export interface ProgramRun {
    project: string;
    stack: string;
    /** Config as the language host receives it: `namespace:key` to string. */
    config: Record<string, string>;
    secretKeys?: string[];
    /** Preview (true) or update (false). In a preview, outputs a provider computes are unknown. */
    preview?: boolean;
    /**
     * A preview of a stack whose resources exist: their outputs are known (faked), as the engine knows them
     * from the state. Used to plan changes against a base (tools/engine/diff.ts). Default false.
     */
    outputsFromState?: boolean;
    program: () => unknown;
    fakeOutputs?: OutputFaker;
    /** Let the SDK capture each registration's source position and stack trace, as it does for the real engine. Default false. */
    sourcePositions?: boolean;
    /**
     * Apply the providers' checks (tools/engine/providerRules.ts) to each custom resource as it registers,
     * as the real engine's provider `Check` does in a preview and an update. Default true; off only to
     * replay a base whose resources already exist (`npm run preview -- --base`).
     */
    providerChecks?: boolean;
    /** Called with each registration as it is recorded: where the engine runs policy packs' `Analyze`. */
    onRegister?: (resource: RecordedResource) => void;
}

export interface ProgramResult {
    resources: RecordedResource[];
    /** Stack outputs, serialised as the engine receives them. */
    outputs: Record<string, unknown>;
}

/** MockMonitor that records every RegisterResourceRequest before the SDK's mock handles it. */
class RecordingMonitor extends MockMonitor {
    readonly recorded = new Map<string, RecordedResource>();
    /**
     * The engine marks a registration's `additionalSecretOutputs` secret in the state it returns;
     * MockMonitor does not. Set just before MockMonitor calls the mocks' newResource (synchronously).
     */
    secretOutputsOfCurrentRegistration: string[] = [];
    onRegister?: (resource: RecordedResource) => void;
    preview = true;
    providerChecks = true;
    /**
     * Set when a provider refused a registration. The real engine then stops the deployment; the program's
     * further registrations are refused, and `runProgram` fails with this error rather than waiting for
     * outputs of the refused resource that will never arrive.
     */
    failure?: ProviderCheckError;
    private failed: (error: ProviderCheckError) => void = () => undefined;
    readonly fatal = new Promise<never>((_, reject) => {
        this.failed = reject;
    });

    override async registerResource(req: RegisterResourceRequest, callback: (err: unknown, response: unknown) => void) {
        if (this.failure) {
            callback(this.failure, undefined);
            return;
        }
        try {
            const recorded = this.record(req);
            // The provider's Check runs before the engine asks it to create anything: a refused input
            // fails this registration (and so the program) with the provider's message.
            if (this.providerChecks && recorded.custom) {
                const failures = checkRegistration(recorded.urn, recorded.type, recorded.name, recorded.inputs);
                if (failures.length > 0) {
                    this.failure = new ProviderCheckError(failures);
                    this.failed(this.failure);
                    throw this.failure;
                }
            }
        } catch (error) {
            // Answer the SDK, or the program waits for this registration forever.
            callback(error, undefined);
            return;
        }
        this.secretOutputsOfCurrentRegistration = req.getAdditionalsecretoutputsList();
        const registration = super.registerResource(req, callback);
        this.secretOutputsOfCurrentRegistration = [];
        return registration;
    }

    private record(req: RegisterResourceRequest): RecordedResource {
        const urn = urnOf(req.getParent(), req.getType(), req.getName());
        const inputs = (req.getObject()?.toJavaScript() ?? {}) as Record<string, unknown>;
        const timeouts = req.getCustomtimeouts();
        const propertyDependencies: Record<string, string[]> = {};
        req.getPropertydependenciesMap().forEach((deps, key) => {
            propertyDependencies[key] = deps.getUrnsList();
        });
        const recorded: RecordedResource = {
            urn,
            type: req.getType(),
            name: req.getName(),
            parent: req.getParent(),
            custom: req.getCustom(),
            inputs,
            planned: this.preview && req.getCustom() ? plannedState(req.getType(), inputs) : undefined,
            protect: req.getProtect() === true,
            dependencies: req.getDependenciesList(),
            propertyDependencies,
            provider: req.getProvider(),
            aliases: req.getAliasesList().map((alias) => alias.toObject()),
            ignoreChanges: req.getIgnorechangesList(),
            replaceOnChanges: req.getReplaceonchangesList(),
            deleteBeforeReplace: req.getDeletebeforereplace(),
            retainOnDelete: req.getRetainondelete() === true,
            additionalSecretOutputs: req.getAdditionalsecretoutputsList(),
            customTimeouts: timeouts && (timeouts.getCreate() || timeouts.getUpdate() || timeouts.getDelete()) ? { create: timeouts.getCreate(), update: timeouts.getUpdate(), delete: timeouts.getDelete() } : undefined,
        };
        this.recorded.set(urn, recorded);
        this.onRegister?.(recorded);
        return recorded;
    }

    override registerResourceOutputs(req: { getUrn(): string; getOutputs(): { toJavaScript(): unknown } | undefined }, callback: (err: unknown, response: unknown) => void) {
        const recorded = this.recorded.get(req.getUrn());
        if (recorded) recorded.outputs = (req.getOutputs()?.toJavaScript() ?? {}) as Record<string, unknown>;
        return super.registerResourceOutputs(req, callback);
    }
}

// MockMonitor qualifies a child's type with only its parent's own type; the engine uses the parent's
// whole type chain. Give recorded URNs (and so parents) the engine's form.
(RecordingMonitor.prototype as unknown as { newUrn: typeof urnOf }).newUrn = urnOf;

let running = false;
const registeredBeforeFailure = new WeakMap<object, RecordedResource[]>();

/** What a failed program had registered before it threw the error. */
export function resourcesRegisteredBefore(error: unknown): RecordedResource[] {
    return (error !== null && typeof error === "object" && registeredBeforeFailure.get(error)) || [];
}

/**
 * Runs a Pulumi program in this process against an emulated engine: the SDK's own MockMonitor
 * answers every registration, and each request is recorded as the real engine would receive it.
 * Runs are sequential: the SDK keeps its settings in process-wide state.
 */
export async function runProgram(run: ProgramRun): Promise<ProgramResult> {
    if (running) throw new Error("runProgram: a program is already running in this process");
    running = true;
    const preview = run.preview ?? true;
    const fake = run.fakeOutputs ?? fakeProviderOutputs;
    const monitor = new RecordingMonitor({
        newResource(args: MockResourceArgs): MockResourceResult {
            // A preview knows only the inputs; an update also has what the provider computed.
            const state: Record<string, unknown> = preview && !run.outputsFromState ? { ...args.inputs } : { ...args.inputs, ...fake(args) };
            for (const key of monitor.secretOutputsOfCurrentRegistration) {
                if (key in state && state[key] !== undefined) state[key] = { [wire.sigKey]: wire.secretSig, value: state[key] };
            }
            return { id: preview && !run.outputsFromState ? undefined : `${args.name}-id`, state };
        },
        call(args: MockCallArgs) {
            return fakeInvoke(args);
        },
    });
    monitor.onRegister = run.onRegister;
    monitor.preview = preview;
    monitor.providerChecks = run.providerChecks ?? true;
    const restoreStackTraces = run.sourcePositions ? () => undefined : skipSourcePositions();
    // A failing program also rejects promises the SDK does not await (the stack's outputs); the CLI's
    // language host reports such an error once, so collect them here instead of crashing the process.
    const strayRejections: unknown[] = [];
    const collectStray = (reason: unknown) => strayRejections.push(reason);
    process.on("unhandledRejection", collectStray);
    let failure: unknown;
    try {
        pulumi.runtime.setMockOptions(monitor, run.project, run.stack, preview);
        enableEngineFeatures();
        pulumi.runtime.setAllConfig(run.config, run.secretKeys ?? []);
        monitor.fatal.catch(() => undefined);
        const outputs = (await Promise.race([pulumi.runtime.runInPulumiStack(async () => run.program()), monitor.fatal])) as Record<string, unknown> | undefined;
        await Promise.race([sdkInternals.waitForRPCs(), monitor.fatal]);
        await nextMacrotask();
        if (monitor.failure) throw monitor.failure;
        const stray = strayRejections[0];
        if (stray !== undefined) throw stray;
        const stack = [...monitor.recorded.values()].find((r) => r.type === "pulumi:pulumi:Stack");
        return { resources: [...monitor.recorded.values()], outputs: stack?.outputs ?? outputs ?? {} };
    } catch (error) {
        failure = error;
        if (error !== null && typeof error === "object") registeredBeforeFailure.set(error, [...monitor.recorded.values()]);
        throw error;
    } finally {
        if (failure !== undefined) await nextMacrotask();
        process.off("unhandledRejection", collectStray);
        restoreStackTraces();
        const unrelated = strayRejections.filter((reason) => reason !== failure && !(failure instanceof ProviderCheckError && isRejectionOf(reason, failure)));
        if (failure !== undefined && unrelated.length > 0) process.stderr.write(`also rejected while the program failed: ${String(unrelated[0])}\n`);
        pulumi.runtime.setAllConfig({}, []);
        running = false;
    }
}

/**
 * The SDK sends each registration's source position and full stack trace so the engine can point its
 * messages at the program's lines. It captures them with `new Error().stack` at unlimited depth, maps
 * every frame through source maps and turns every path into a file URL: most of a preview's time in a
 * program of nested components. The emulated engine reports nothing against source lines, so unless a
 * run asks for them it tells the SDK there is no stack to capture. The floor of `npm run bench` runs on
 * the same emulator, so the comparison stays like for like.
 */
function skipSourcePositions(): () => void {
    const resourceClass = pulumi.Resource as unknown as { stackTrace?: (skip: number) => unknown[] };
    const original = resourceClass.stackTrace;
    if (typeof original === "function") resourceClass.stackTrace = () => [];
    // The SDK also keeps a stack string on every internal promise (for its leak report); with source maps
    // on, formatting each maps every frame. An error the program throws is formatted when first printed,
    // after the run, with source maps back on.
    const sourceMapsWereOn = (process as { sourceMapsEnabled?: boolean }).sourceMapsEnabled === true;
    if (sourceMapsWereOn) process.setSourceMapsEnabled(false);
    // Even unmapped, capturing that stack on each of the tens of thousands of promises a production run makes
    // is half the run's time. The leak report it feeds is printed by a process exiting with promises still
    // pending, which the emulator never is (it awaits every RPC, then returns), so during a run the SDK's
    // wrapper is the identity. The SDK's modules call it through the module object, so the swap reaches them.
    const debuggable = sdkInternals.debuggable;
    const originalDebuggablePromise = debuggable.debuggablePromise;
    debuggable.debuggablePromise = (promise) => promise;
    return () => {
        if (typeof original === "function") resourceClass.stackTrace = original;
        if (sourceMapsWereOn) process.setSourceMapsEnabled(true);
        debuggable.debuggablePromise = originalDebuggablePromise;
    };
}

/** The SDK rewraps a refused registration's error ("failed to register new resource …: <message>"). */
function isRejectionOf(reason: unknown, failure: ProviderCheckError): boolean {
    return reason instanceof Error && reason.message.includes(failure.message);
}

const nextMacrotask = () => new Promise<void>((resolve) => setImmediate(resolve));

// The SDK exports these at run time but marks them internal, so their types are not published.
const sdkInternals = {
    waitForRPCs: (pulumi.runtime as unknown as { waitForRPCs: () => Promise<void> }).waitForRPCs,
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    getStore: (require("@pulumi/pulumi/runtime/state") as { getStore: () => Record<string, unknown> }).getStore,
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    debuggable: require("@pulumi/pulumi/runtime/debuggable") as { debuggablePromise: <T>(promise: Promise<T>, context: unknown) => Promise<T> },
};

/** The URN the engine (and MockMonitor) gives a resource: parent's type chain, then its own type and name. */
export function urnOf(parent: string, type: string, name: string): string {
    const parentType = parent ? parent.split("::")[2] : ""; // [2] is the parent's full type chain
    // Like the engine, leave the root stack's type out of its children's chains.
    const qualifiedType = parentType && parentType !== "pulumi:pulumi:Stack" ? `${parentType}$${type}` : type;
    return `urn:pulumi:${pulumi.getStack()}::${pulumi.getProject()}::${qualifiedType}::${name}`;
}

// The same engine capabilities `setMocks` announces; engine-side transforms stay off, as under mocks.
function enableEngineFeatures() {
    Object.assign(sdkInternals.getStore(), {
        supportsSecrets: true,
        supportsResourceReferences: true,
        supportsOutputValues: false,
        supportsDeletedWith: true,
        supportsAliasSpecs: true,
        supportsTransforms: false,
    });
}

/** Answers the data-source calls the programs make with plausible values for a fictitious account. */
function fakeInvoke(args: MockCallArgs): Record<string, unknown> {
    switch (args.token) {
        case "aws:index/getAvailabilityZones:getAvailabilityZones":
            return { names: ["us-east-1a", "us-east-1b", "us-east-1c"], zoneIds: ["use1-az1", "use1-az2", "use1-az4"], id: "us-east-1" };
        case "aws:index/getCallerIdentity:getCallerIdentity":
            return { accountId: "123456789012", arn: "arn:aws:iam::123456789012:user/preview", userId: "AIDAPREVIEW", id: "123456789012" };
        case "aws:index/getRegion:getRegion":
            return { name: (args.inputs as { name?: string }).name ?? "us-east-1", id: "us-east-1", region: "us-east-1" };
        case "aws:index/getPartition:getPartition":
            return { partition: "aws", dnsSuffix: "amazonaws.com", id: "aws" };
        case "aws:elb/getServiceAccount:getServiceAccount":
            return { arn: "arn:aws:iam::127311923021:root", id: "127311923021" };
        default:
            return {};
    }
}
