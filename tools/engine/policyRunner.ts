import type { ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import * as readline from "node:readline";
import * as grpc from "@grpc/grpc-js";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import { AnalyzerClient } from "@pulumi/pulumi/proto/analyzer_grpc_pb";
import * as analyzer from "@pulumi/pulumi/proto/analyzer_pb";
import type { RecordedResource } from "./emulator";
import { defaultPolicyPackDir, engineAddressPlaceholder, spawnPolicyPack, type StackIdentity } from "./policyProcess";
import {
    parsePolicyPackConfig,
    readPolicyPackConfig,
    reconcilePolicyPackConfig,
    type EnforcementLevel,
    type JsonSchema,
    type PolicyPackConfig,
    type PolicySchemaInfo,
} from "./policyConfig";

/** One policy violation, in the shape `npm run preview -- --json` prints under `policyViolations`. */
export interface PolicyViolation {
    policy: string;
    pack: string;
    enforcementLevel: EnforcementLevel;
    /** The resource the violation is about; the stack's URN for a stack policy that names none. */
    urn: string;
    message: string;
}

export interface PolicyInfo {
    name: string;
    description: string;
    enforcementLevel: EnforcementLevel;
    /** What to change to comply, as published with the pack. */
    remediation: string;
    /** The policy's settings (JSON schema properties with their defaults). */
    configSchema: Record<string, JsonSchema>;
}

export interface PolicyPackInfo {
    name: string;
    version: string;
    /** Policies with the enforcement level in force after configuration. */
    policies: PolicyInfo[];
}


export interface StartPolicyPackOptions {
    /** Directory of the pack (holding PulumiPolicy.yaml). Default: `policies/` of this repository. */
    dir?: string;
    /** `--policy-pack-config`: a JSON file path, or the same JSON as an object. */
    config?: string | Record<string, unknown>;
    stack: StackIdentity;
    /** A preview (true, the default) or an update. */
    dryRun?: boolean;
    /** Receives what the pack prints besides its port (console output of policies, start-up errors). Default: stderr. */
    onOutput?: (line: string) => void;
    /**
     * The pack's process when it was already started by {@link spawnPolicyPack} with the same stack (to
     * overlap its start with loading the program).
     */
    spawned?: ChildProcess;
    /** How long the pack may take to start, ms. The first start type-checks the pack with ts-node. Default 60 s. */
    startTimeoutMs?: number;
}

export interface RunningPolicyPack {
    readonly info: PolicyPackInfo;
    /** The pack's process id (its memory is not this process's). */
    readonly pid: number;
    /**
     * Sends every resource through `Analyze` (in registration order), then the whole stack through
     * `AnalyzeStack`, as the engine does during a preview, and returns the violations in that order.
     */
    analyze(resources: RecordedResource[]): Promise<PolicyViolation[]>;
    /**
     * Sends one resource through `Analyze`, as the engine does when the program registers it. Call it in
     * registration order: a resource's explicit provider must have been sent (or be in a later `analyze`) first.
     */
    analyzeResource(resource: RecordedResource): Promise<PolicyViolation[]>;
    /** Sends the whole stack through `AnalyzeStack`, as the engine does once the program has finished. */
    analyzeStack(resources: RecordedResource[]): Promise<PolicyViolation[]>;
    /**
     * Replaces the policy configuration (validated and reconciled as at start). The CLI configures a pack
     * once; this lets one running pack be checked under several configurations.
     */
    reconfigure(config: string | Record<string, unknown>): Promise<void>;
    /** Stops the pack's process. */
    close(): Promise<void>;
}

/**
 * The wire markers of serialised property values (emulator.ts's `wire`, plus assets and archives). Repeated so that
 * importing the runner does not load the Pulumi SDK: a caller can start the pack first and load the program
 * while the pack boots.
 */
const wire = {
    sigKey: "4dabf18193072939515e22adb298388d",
    secretSig: "1b47061264138c4ac30d75fd1eb44270",
    resourceSig: "5cf8f73096256a8f31e491e813e4eb8e",
    outputSig: "d0e6a833031e9bbcd3f4e8bde6ca49a4",
    assetSig: "c44067f5952c0a294b673a41bacd8c17",
    archiveSig: "0def7320c3a5731c473e5ecbe6d01bc7",
    unknown: "04da6b54-80e4-46f7-96ec-b56ff0331ba9",
} as const;


/**
 * Starts a policy pack the way the Pulumi CLI does (`pulumi-analyzer-policy`): runs `@pulumi/pulumi`'s
 * `run-policy-pack` with node in the pack's directory, with the stack passed in the environment, reads the
 * gRPC port it prints, then configures it over the Analyzer protocol (ConfigureStack, GetAnalyzerInfo, and
 * Configure with the reconciled `--policy-pack-config`).
 */
export async function startPolicyPack(options: StartPolicyPackOptions): Promise<RunningPolicyPack> {
    const dir = path.resolve(options.dir ?? defaultPolicyPackDir);
    if (!fs.existsSync(path.join(dir, "PulumiPolicy.yaml"))) throw new Error(`${dir} is not a policy pack: it has no PulumiPolicy.yaml`);
    // Parse the config before starting anything, so a broken file fails fast.
    const given = readConfig(options.config ?? {});
    const dryRun = options.dryRun ?? true;
    const output = options.onOutput ?? ((line: string) => process.stderr.write(`[policy pack] ${line}\n`));

    const child = options.spawned ?? spawnPolicyPack({ dir, stack: options.stack, dryRun });
    try {
        const port = await readPort(child, output, options.startTimeoutMs ?? 60_000);
        const client = new AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
        const call = promisify(client);

        await handshake(call, dir);
        await call.configureStack(stackConfigureRequest(options.stack, dryRun));
        const analyzerInfo = await call.getAnalyzerInfo(new Empty());
        const info: PolicyPackInfo = { name: analyzerInfo.getName(), version: analyzerInfo.getVersion(), policies: [] };
        const configure = async (config: PolicyPackConfig) => {
            const reconciled = reconcilePolicyPackConfig(policySchemas(analyzerInfo), initialConfig(analyzerInfo), config);
            await call.configure(configureRequest(reconciled));
            info.policies = analyzerInfo.getPoliciesList().map((p) => ({
                name: p.getName(),
                description: p.getDescription(),
                enforcementLevel: reconciled[p.getName()]?.enforcementLevel ?? levelName(p.getEnforcementlevel()),
                remediation: p.getRemediationSteps(),
                configSchema: (p.getConfigschema()?.getProperties()?.toJavaScript() ?? {}) as Record<string, JsonSchema>,
            }));
        };
        await configure(given);
        const stackUrn = `urn:pulumi:${options.stack.name}::${options.stack.project}::pulumi:pulumi:Stack::${options.stack.project}-${options.stack.name}`;
        const providers = new ProviderResolver(options.stack);
        const analyzeStack = (resources: RecordedResource[]) => {
            providers.remember(resources);
            return analyzeWholeStack(call, resources, providers, stackUrn);
        };
        const analyzeResource = (resource: RecordedResource) => {
            providers.remember([resource]);
            return analyzeOne(call, resource, providers);
        };
        return {
            info,
            pid: child.pid ?? 0,
            analyzeResource,
            analyzeStack,
            reconfigure: (config) => configure(readConfig(config)),
            analyze: async (resources) => {
                providers.remember(resources);
                // The engine analyzes each resource as it is registered; the requests are independent, so send them together.
                const perResource = await Promise.all(resources.map((resource) => analyzeOne(call, resource, providers)));
                return [...perResource.flat(), ...(await analyzeStack(resources))];
            },
            close: async () => {
                client.close();
                await stop(child);
            },
        };
    } catch (error) {
        await stop(child);
        throw error;
    }
}

/**
 * Analyzes resources while the program runs, as the engine does: pass `onRegister` to `runProgram`, and each
 * registration goes through `Analyze` as soon as the pack (possibly still starting) is ready; `finish` then
 * waits for those and runs `AnalyzeStack` over the whole stack.
 */
export function analyzeAsRegistered(pack: Promise<RunningPolicyPack>): {
    onRegister(resource: RecordedResource): void;
    finish(resources: RecordedResource[]): Promise<PolicyViolation[]>;
} {
    const pending: Promise<PolicyViolation[]>[] = [];
    return {
        onRegister(resource) {
            const analysis = pack.then((running) => running.analyzeResource(resource));
            analysis.catch(() => undefined); // awaited, and so reported, by finish
            pending.push(analysis);
        },
        async finish(resources) {
            const running = await pack;
            const perResource = (await Promise.all(pending)).flat();
            return [...perResource, ...(await running.analyzeStack(resources))];
        },
    };
}

/** The stack's policy config file, `policies/config/<stack>.json`, when the pack has one. */
export function stackPolicyConfig(stack: string, dir = defaultPolicyPackDir): string | undefined {
    const file = path.join(dir, "config", `${stack}.json`);
    return fs.existsSync(file) ? file : undefined;
}

const readConfig = (config: string | Record<string, unknown>): PolicyPackConfig => (typeof config === "string" ? readPolicyPackConfig(config) : parsePolicyPackConfig(config));


/** Resolves with the port the pack prints first; everything else it prints goes to `output`. */
function readPort(child: ChildProcess, output: (line: string) => void, timeoutMs: number): Promise<number> {
    return new Promise((resolve, reject) => {
        const stderr: string[] = [];
        let port: number | undefined;
        const timer = setTimeout(() => fail(new Error(`the policy pack printed no port within ${timeoutMs} ms`)), timeoutMs);
        const fail = (error: Error) => {
            clearTimeout(timer);
            reject(stderr.length > 0 ? new Error(`${error.message}:\n${stderr.join("\n")}`) : error);
        };
        readline.createInterface({ input: child.stdout! }).on("line", (line) => {
            if (port === undefined && /^\d+$/.test(line.trim())) {
                port = Number(line.trim());
                clearTimeout(timer);
                resolve(port);
            } else {
                output(line);
            }
        });
        readline.createInterface({ input: child.stderr! }).on("line", (line) => {
            if (port === undefined) stderr.push(line);
            output(line);
        });
        child.once("error", fail);
        child.once("exit", (code, signal) => {
            if (port === undefined) fail(new Error(`the policy pack exited (${signal ?? `code ${code}`}) before printing its port`));
        });
    });
}

async function stop(child: ChildProcess): Promise<void> {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    child.kill();
    await exited;
}

// ---- The Analyzer protocol, as promises.

interface AnalyzerCalls {
    handshake(request: analyzer.AnalyzerHandshakeRequest): Promise<analyzer.AnalyzerHandshakeResponse>;
    configureStack(request: analyzer.AnalyzerStackConfigureRequest): Promise<analyzer.AnalyzerStackConfigureResponse>;
    getAnalyzerInfo(request: Empty): Promise<analyzer.AnalyzerInfo>;
    configure(request: analyzer.ConfigureAnalyzerRequest): Promise<Empty>;
    analyze(request: analyzer.AnalyzeRequest): Promise<analyzer.AnalyzeResponse>;
    analyzeStack(request: analyzer.AnalyzeStackRequest): Promise<analyzer.AnalyzeResponse>;
}

function promisify(client: AnalyzerClient): AnalyzerCalls {
    const unary =
        <Req, Res>(method: (request: Req, callback: (error: grpc.ServiceError | null, response: Res) => void) => unknown) =>
        (request: Req) =>
            new Promise<Res>((resolve, reject) => method.call(client, request, (error, response) => (error ? reject(error) : resolve(response))));
    return {
        handshake: unary(client.handshake),
        configureStack: unary(client.configureStack),
        getAnalyzerInfo: unary(client.getAnalyzerInfo),
        configure: unary(client.configure),
        analyze: unary(client.analyze),
        analyzeStack: unary(client.analyzeStack),
    };
}

/** The CLI handshakes first and carries on when the analyzer does not implement it (the Node.js policy SDK does not). */
async function handshake(call: AnalyzerCalls, dir: string): Promise<void> {
    const request = new analyzer.AnalyzerHandshakeRequest();
    request.setEngineAddress(engineAddressPlaceholder);
    request.setRootDirectory(dir);
    request.setProgramDirectory(dir);
    try {
        await call.handshake(request);
    } catch (error) {
        if ((error as grpc.ServiceError).code !== grpc.status.UNIMPLEMENTED) throw error;
    }
}

function stackConfigureRequest(stack: StackIdentity, dryRun: boolean): analyzer.AnalyzerStackConfigureRequest {
    const request = new analyzer.AnalyzerStackConfigureRequest();
    request.setStack(stack.name);
    request.setProject(stack.project);
    request.setOrganization(stack.organization ?? "");
    request.setDryRun(dryRun);
    for (const [key, value] of Object.entries(stack.config ?? {})) request.getConfigMap().set(key, value);
    request.setConfigSecretKeysList(stack.secretKeys ?? []);
    for (const [key, value] of Object.entries(stack.tags ?? {})) request.getTagsMap().set(key, value);
    return request;
}

const levelName = (level: analyzer.EnforcementLevel): EnforcementLevel => {
    const names: Record<number, EnforcementLevel> = {
        [analyzer.EnforcementLevel.ADVISORY]: "advisory",
        [analyzer.EnforcementLevel.MANDATORY]: "mandatory",
        [analyzer.EnforcementLevel.REMEDIATE]: "remediate",
        [analyzer.EnforcementLevel.DISABLED]: "disabled",
    };
    const name = names[level];
    if (!name) throw new Error(`the policy pack sent an unknown enforcement level ${level}`);
    return name;
};

const levelValue = (level: EnforcementLevel): analyzer.EnforcementLevel =>
    ({
        advisory: analyzer.EnforcementLevel.ADVISORY,
        mandatory: analyzer.EnforcementLevel.MANDATORY,
        remediate: analyzer.EnforcementLevel.REMEDIATE,
        disabled: analyzer.EnforcementLevel.DISABLED,
    })[level];

function policySchemas(info: analyzer.AnalyzerInfo): PolicySchemaInfo[] {
    return info.getPoliciesList().map((policy) => {
        const schema = policy.getConfigschema();
        return {
            name: policy.getName(),
            enforcementLevel: levelName(policy.getEnforcementlevel()),
            configSchema: schema && {
                properties: (schema.getProperties()?.toJavaScript() ?? {}) as Record<string, JsonSchema>,
                required: schema.getRequiredList(),
            },
        };
    });
}

function initialConfig(info: analyzer.AnalyzerInfo): PolicyPackConfig {
    const config: PolicyPackConfig = {};
    info.getInitialconfigMap().forEach((entry, name) => {
        config[name] = { enforcementLevel: levelName(entry.getEnforcementlevel()), properties: (entry.getProperties()?.toJavaScript() ?? {}) as Record<string, unknown> };
    });
    return config;
}

function configureRequest(config: Record<string, { enforcementLevel: EnforcementLevel; properties: Record<string, unknown> }>): analyzer.ConfigureAnalyzerRequest {
    const request = new analyzer.ConfigureAnalyzerRequest();
    for (const [name, entry] of Object.entries(config)) {
        const policyConfig = new analyzer.PolicyConfig();
        policyConfig.setEnforcementlevel(levelValue(entry.enforcementLevel));
        // Always a Struct, even an empty one: the SDK's `configure` reads the properties unconditionally.
        policyConfig.setProperties(Struct.fromJavaScript(entry.properties as Record<string, never>));
        request.getPolicyconfigMap().set(name, policyConfig);
    }
    return request;
}

// ---- Resources as the engine sends them.

async function analyzeOne(call: AnalyzerCalls, resource: RecordedResource, providers: ProviderResolver): Promise<PolicyViolation[]> {
    const request = new analyzer.AnalyzeRequest();
    request.setUrn(resource.urn);
    request.setType(resource.type);
    request.setName(resource.name);
    request.setProperties(engineProperties(resource.inputs));
    request.setOptions(resourceOptions(resource));
    const provider = providers.of(resource);
    if (provider) request.setProvider(provider);
    return violationsOf(await call.analyze(request), resource.urn);
}

async function analyzeWholeStack(call: AnalyzerCalls, resources: RecordedResource[], providers: ProviderResolver, stackUrn: string): Promise<PolicyViolation[]> {
    const request = new analyzer.AnalyzeStackRequest();
    // The engine's stack includes the default providers it created for the resources.
    const stackResources = [...resources, ...providers.defaultProviders(resources)];
    request.setResourcesList(
        stackResources.map((resource) => {
            const item = new analyzer.AnalyzerResource();
            item.setUrn(resource.urn);
            item.setType(resource.type);
            item.setName(resource.name);
            // The engine analyzes the stack on its planned state (outputs), not the inputs Analyze saw.
            item.setProperties(engineProperties(resource.planned ?? resource.outputs ?? resource.inputs));
            item.setOptions(resourceOptions(resource));
            const provider = providers.of(resource);
            if (provider) item.setProvider(provider);
            item.setParent(resource.parent);
            item.setDependenciesList(resource.dependencies);
            for (const [key, urns] of Object.entries(resource.propertyDependencies)) {
                // The engine leaves out properties without dependencies.
                if (urns.length === 0) continue;
                const dependencies = new analyzer.AnalyzerPropertyDependencies();
                dependencies.setUrnsList(urns);
                item.getPropertydependenciesMap().set(key, dependencies);
            }
            return item;
        }),
    );
    return violationsOf(await call.analyzeStack(request), stackUrn);
}

function violationsOf(response: analyzer.AnalyzeResponse, defaultUrn: string): PolicyViolation[] {
    return response.getDiagnosticsList().map((d) => ({
        policy: d.getPolicyname(),
        pack: d.getPolicypackname(),
        enforcementLevel: levelName(d.getEnforcementlevel()),
        urn: d.getUrn() || defaultUrn,
        message: d.getMessage(),
    }));
}

/**
 * Converts recorded inputs (the SDK's wire form) to what the engine sends an analyzer: secrets kept as
 * secret objects, unknowns as the unknown-value sentinel, resource references as their id (unknown while
 * the id is) or, for components, their URN, and internal `__` keys left out.
 */
export function engineProperties(inputs: Record<string, unknown>): Struct {
    const properties: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(inputs)) {
        if (key.startsWith("__") || value === undefined) continue;
        properties[key] = engineValue(value);
    }
    return Struct.fromJavaScript(properties as Record<string, never>);
}

function engineValue(value: unknown): unknown {
    if (Array.isArray(value)) return value.map((v) => (v === undefined ? null : engineValue(v)));
    if (value === null || typeof value !== "object") return value;
    const object = value as Record<string, unknown>;
    switch (object[wire.sigKey]) {
        case wire.secretSig:
            return { [wire.sigKey]: wire.secretSig, value: engineValue(object.value ?? null) };
        case wire.resourceSig: {
            if (!("id" in object)) return object.urn;
            return object.id === "" || object.id === wire.unknown ? wire.unknown : object.id;
        }
        case wire.outputSig: {
            if (!("value" in object)) return wire.unknown;
            const inner = engineValue(object.value);
            return object.secret === true ? { [wire.sigKey]: wire.secretSig, value: inner } : inner;
        }
        case wire.assetSig:
        case wire.archiveSig:
        case undefined: {
            const converted: Record<string, unknown> = {};
            for (const [key, item] of Object.entries(object)) if (item !== undefined) converted[key] = engineValue(item);
            return converted;
        }
        default:
            throw new Error(`unrecognised property signature ${String(object[wire.sigKey])}`);
    }
}

function resourceOptions(resource: RecordedResource): analyzer.AnalyzerResourceOptions {
    const options = new analyzer.AnalyzerResourceOptions();
    options.setProtect(resource.protect);
    options.setIgnorechangesList(resource.ignoreChanges);
    options.setDeletebeforereplace(resource.deleteBeforeReplace);
    // The recording keeps only the flag's value; an explicit `false` reads as not set, as it does for most programs.
    options.setDeletebeforereplacedefined(resource.deleteBeforeReplace);
    options.setAdditionalsecretoutputsList(resource.additionalSecretOutputs);
    options.setAliasesList(resource.aliases.map((alias) => aliasUrn(alias, resource)));
    const timeouts = new analyzer.AnalyzerResourceOptions.CustomTimeouts();
    timeouts.setCreate(durationSeconds(resource.customTimeouts?.create));
    timeouts.setUpdate(durationSeconds(resource.customTimeouts?.update));
    timeouts.setDelete(durationSeconds(resource.customTimeouts?.delete));
    options.setCustomtimeouts(timeouts);
    options.setParent(resource.parent);
    return options;
}

/** Seconds in a Go duration string (`5m`, `1h30m`, `90s`), as the engine parses custom timeouts; 0 when empty. */
export function durationSeconds(duration: string | undefined): number {
    if (!duration) return 0;
    const units: Record<string, number> = { h: 3600, m: 60, s: 1, ms: 1e-3, us: 1e-6, "µs": 1e-6, ns: 1e-9 };
    let seconds = 0;
    for (const [, amount, unit] of duration.matchAll(/(\d+(?:\.\d+)?)(h|ms|m|s|us|µs|ns)/g)) seconds += Number(amount) * units[unit];
    return seconds;
}

interface RecordedAlias {
    urn?: string;
    spec?: { name?: string; type?: string; stack?: string; project?: string; parenturn?: string; noparent?: boolean };
}

/** An alias as the engine sends it: a URN, computed from an alias spec with the resource's own values as defaults. */
function aliasUrn(alias: unknown, resource: RecordedResource): string {
    const { urn, spec } = alias as RecordedAlias;
    if (urn) return urn;
    const [, , , ownStack, project] = /^urn:pulumi:(([^:]+)::([^:]+))::/.exec(resource.urn) ?? [];
    const parent = spec?.noparent ? "" : spec?.parenturn || resource.parent;
    const type = spec?.type || resource.type;
    const parentType = parent ? parent.split("::")[2] : "";
    // The engine leaves the root stack's type out of its children's type chains.
    const qualified = parentType && parentType !== "pulumi:pulumi:Stack" ? `${parentType}$${type}` : type;
    return `urn:pulumi:${spec?.stack || ownStack}::${spec?.project || project}::${qualified}::${spec?.name || resource.name}`;
}

/**
 * The provider the engine names for each custom resource: the explicit provider resource it references
 * (`urn::id`), or the package's default provider, which the engine creates from the stack's config.
 */
class ProviderResolver {
    private readonly registered = new Map<string, RecordedResource>();
    private readonly defaults = new Map<string, { resource: RecordedResource; message: analyzer.AnalyzerProviderResource }>();

    constructor(private readonly stack: StackIdentity) {}

    /** Makes explicit provider resources known, so later references to them resolve. */
    remember(resources: RecordedResource[]): void {
        for (const resource of resources) if (resource.type.startsWith("pulumi:providers:")) this.registered.set(resource.urn, resource);
    }

    of(resource: RecordedResource): analyzer.AnalyzerProviderResource | undefined {
        if (!resource.custom || resource.type.startsWith("pulumi:providers:")) return undefined;
        if (resource.provider) {
            const urn = resource.provider.slice(0, resource.provider.lastIndexOf("::"));
            const provider = this.registered.get(urn);
            if (!provider) throw new Error(`${resource.urn} references provider ${resource.provider}, which was not registered`);
            return providerMessage(provider.urn, provider.type, provider.name, engineProperties(provider.inputs));
        }
        return this.defaultProvider(packageOf(resource)).message;
    }

    /** The default providers these resources use, as the engine adds them to the stack. */
    defaultProviders(resources: RecordedResource[]): RecordedResource[] {
        const packages = new Set(resources.filter((r) => r.custom && !r.provider && !r.type.startsWith("pulumi:providers:")).map(packageOf));
        return [...packages].map((pkg) => this.defaultProvider(pkg).resource);
    }

    private defaultProvider(pkg: string) {
        const existing = this.defaults.get(pkg);
        if (existing) return existing;
        const version = packageVersion(pkg);
        const name = version ? `default_${version.replace(/[.+-]/g, "_")}` : "default";
        const type = `pulumi:providers:${pkg}`;
        const urn = `urn:pulumi:${this.stack.name}::${this.stack.project}::${type}::${name}`;
        // The engine configures a default provider from the stack config in the package's namespace.
        const inputs: Record<string, unknown> = {};
        const secretKeys = new Set(this.stack.secretKeys ?? []);
        for (const [key, value] of Object.entries(this.stack.config ?? {})) {
            if (!key.startsWith(`${pkg}:`)) continue;
            inputs[key.slice(pkg.length + 1)] = secretKeys.has(key) ? { [wire.sigKey]: wire.secretSig, value } : value;
        }
        if (version) inputs.version = version;
        const resource: RecordedResource = {
            urn,
            type,
            name,
            parent: "",
            custom: true,
            inputs,
            protect: false,
            dependencies: [],
            propertyDependencies: {},
            provider: "",
            aliases: [],
            ignoreChanges: [],
            replaceOnChanges: [],
            deleteBeforeReplace: false,
            retainOnDelete: false,
            additionalSecretOutputs: [],
        };
        const entry = { resource, message: providerMessage(urn, type, name, engineProperties(inputs)) };
        this.defaults.set(pkg, entry);
        return entry;
    }
}

const packageOf = (resource: RecordedResource) => resource.type.split(":")[0];

function providerMessage(urn: string, type: string, name: string, properties: Struct): analyzer.AnalyzerProviderResource {
    const provider = new analyzer.AnalyzerProviderResource();
    provider.setUrn(urn);
    provider.setType(type);
    provider.setName(name);
    provider.setProperties(properties);
    return provider;
}

/** The installed version of a provider SDK (`@pulumi/<pkg>`), which the SDK sends with each registration. */
function packageVersion(pkg: string): string | undefined {
    try {
        const file = require.resolve(`@pulumi/${pkg}/package.json`);
        return (JSON.parse(fs.readFileSync(file, "utf8")) as { version?: string }).version;
    } catch {
        return undefined;
    }
}

// ---- Reporting, as `pulumi preview` does.

/** Whether any violation stops the deployment. */
export function hasMandatoryViolation(violations: PolicyViolation[]): boolean {
    return violations.some((v) => v.enforcementLevel === "mandatory");
}

/**
 * The "Policies" section `pulumi preview` prints: the pack with a pass/fail mark, then each violation with its
 * level, policy, resource and message.
 */
export function formatPolicyReport(info: PolicyPackInfo, violations: PolicyViolation[], source = "local: policies"): string {
    const mark = hasMandatoryViolation(violations) ? "❌" : violations.length > 0 ? "⚠️" : "✅";
    const lines = ["Policies:", `    ${mark} ${info.name}@v${info.version} (${source})`];
    for (const violation of violations) {
        const parts = violation.urn.split("::");
        const type = (parts[2] ?? "").split("$").pop();
        lines.push(`        - [${violation.enforcementLevel}]  ${violation.policy}  (${type}: ${parts[3] ?? violation.urn})`);
        for (const line of violation.message.split("\n")) lines.push(`          ${line}`);
    }
    return lines.join("\n");
}

export { defaultPolicyPackDir, spawnPolicyPack, type StackIdentity };
