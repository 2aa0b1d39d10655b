import {
    DeploymentsApiError,
    isTerminal,
    type Deployment,
    type DeploymentsClient,
    type TerminalStatus,
} from "./deploymentsClient";
import { tagTriggersDeployment } from "./tagFilters";

/**
 * The two release paths (one per setup, never both for the same tag):
 * - "tag-trigger": Deployments' native tag trigger (VCS integration + deployTags) starts the update when
 *   the tag is pushed; the release workflow finds that deployment and follows it.
 * - "api": no VCS integration (or deployTags off); the release workflow starts the update itself
 *   through the REST API, pinned to the tagged commit.
 * Each path checks the stack's settings first and refuses when the other path would also deploy the tag.
 */
export type ReleasePath = "tag-trigger" | "api";

export const releasePaths: readonly ReleasePath[] = ["tag-trigger", "api"];

export function isReleasePath(value: string): value is ReleasePath {
    return (releasePaths as readonly string[]).includes(value);
}

export interface PollingOptions {
    /** Give up after this long. */
    timeoutMs: number;
    /** First wait between polls; grows by `backoffFactor` up to `maxIntervalMs`. */
    initialIntervalMs: number;
    maxIntervalMs: number;
    backoffFactor: number;
    /** Called with each status seen, for progress logs. */
    onStatus?: (deployment: Deployment) => void;
}

export const defaultPolling: PollingOptions = {
    timeoutMs: 60 * 60_000,
    initialIntervalMs: 5_000,
    maxIntervalMs: 30_000,
    backoffFactor: 1.5,
};

export class DeploymentTimeoutError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "DeploymentTimeoutError";
    }
}

/** The release path cannot work with the stack's settings as they are (or would deploy the tag twice). */
export class ReleaseSetupError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "ReleaseSetupError";
    }
}

function isAbort(error: unknown): boolean {
    return error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError");
}

function describeError(error: unknown): string {
    if (isAbort(error)) return "no answer in time";
    return error instanceof Error ? error.message : String(error);
}

/** Errors worth waiting out: the API busy or down, the network, or a request that got no answer in time. */
function isTransient(error: unknown): boolean {
    if (error instanceof DeploymentsApiError) return error.retryable;
    // fetch reports an unreachable server as a TypeError ("fetch failed").
    return isAbort(error) || error instanceof TypeError;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Calls `attempt` until it returns a value, with exponential backoff, until the deadline.
 * Transient failures are retried; anything else (401, 404, a malformed answer) ends the wait at once.
 */
async function pollUntil<T>(
    what: string,
    options: PollingOptions,
    attempt: (signal: AbortSignal) => Promise<T | undefined>,
    lastSeen: () => string,
): Promise<T> {
    const deadline = Date.now() + options.timeoutMs;
    let interval = options.initialIntervalMs;
    let lastProblem = "";
    for (;;) {
        const remaining = deadline - Date.now();
        if (remaining <= 0) break;
        try {
            // No request may outlive the deadline: a server that never answers must not hang the release.
            const value = await attempt(AbortSignal.timeout(remaining));
            if (value !== undefined) return value;
            lastProblem = "";
        } catch (error) {
            if (!isTransient(error)) throw error;
            lastProblem = describeError(error);
        }
        const wait = Math.min(interval, deadline - Date.now());
        if (wait <= 0) break;
        await sleep(wait);
        interval = Math.min(interval * options.backoffFactor, options.maxIntervalMs);
    }
    const seconds = Math.round(options.timeoutMs / 1000);
    throw new DeploymentTimeoutError(
        `${what}: no result within ${seconds} s (last seen: ${lastSeen()}${lastProblem ? `; last problem: ${lastProblem}` : ""})`,
    );
}

/** Polls a deployment until it succeeds, fails or is skipped. */
export async function waitForDeployment(
    client: DeploymentsClient,
    stack: string,
    deploymentId: string,
    options: PollingOptions,
): Promise<Deployment & { status: TerminalStatus }> {
    let last = "no answer yet";
    return pollUntil(
        `waiting for deployment ${deploymentId} of stack ${stack}`,
        options,
        async (signal) => {
            const deployment = await client.getDeployment(stack, deploymentId, signal);
            last = `status ${deployment.status}`;
            options.onStatus?.(deployment);
            const status = deployment.status;
            return isTerminal(status) ? { ...deployment, status } : undefined;
        },
        () => last,
    );
}

/**
 * Whether a deployment is the one a push of `tag` (at `commit`) started. Deployments records the tag in
 * PULUMI_CI_TAG_NAME (the api path sets RELEASE_TAG), the commit in the source context, and the update's
 * git metadata once the update runs; any of them identifies it.
 */
export function deploymentMatchesRelease(deployment: Deployment, tag: string, commit: string): boolean {
    if (deployment.pulumiOperation !== undefined && deployment.pulumiOperation !== "update") return false;
    const variables = deployment.configuration?.environmentVariables ?? [];
    // A rollout's stage and rollback updates (docs/rollout.md) carry the tag too; they are not the release's own update.
    if (variables.some((v) => v.name === "ROLLOUT_STAGE" && v.value !== "prepare")) return false;
    if (variables.some((v) => (v.name === "PULUMI_CI_TAG_NAME" || v.name === "RELEASE_TAG") && v.value === tag)) return true;
    if (deployment.configuration?.source?.git?.commit === commit) return true;
    return (deployment.updates ?? []).some((update) => {
        const environment = update.environment ?? {};
        return environment["git.head"] === commit || environment["git.headName"] === `refs/tags/${tag}`;
    });
}

/** Finds the deployment the tag push started; waits for it to appear (the push webhook may take a moment). */
export async function findTagDeployment(
    client: DeploymentsClient,
    stack: string,
    tag: string,
    commit: string,
    options: PollingOptions,
): Promise<Deployment> {
    const notIt = new Set<string>();
    let last = "no deployment listed yet";
    return pollUntil(
        `finding the deployment of stack ${stack} that tag ${tag} started`,
        options,
        async (signal) => {
            const listed = await client.listDeployments(stack, 20, signal);
            last = listed.length === 0 ? "no deployment listed" : `${listed.length} deployments listed, none for ${tag}`;
            for (const summary of listed) {
                if (notIt.has(summary.id)) continue;
                // The list may omit the configuration; the deployment itself carries it.
                const deployment = deploymentMatchesRelease(summary, tag, commit) ? summary : await client.getDeployment(stack, summary.id, signal);
                if (deploymentMatchesRelease(deployment, tag, commit)) return deployment;
                notIt.add(summary.id);
            }
            return undefined;
        },
        () => last,
    );
}

export interface StackReleaseResult {
    stack: string;
    path: ReleasePath;
    deploymentId: string;
    /** The deployment's ordinal for the stack (the console shows it as #N). */
    deploymentVersion?: number;
    consoleUrl?: string;
    status: TerminalStatus;
    /** The stack version the update produced, when it ran. */
    updateVersion?: number;
    startedAt: string;
    finishedAt: string;
    /** Stack outputs after a successful update; secrets masked. */
    outputs: Record<string, unknown>;
}

/** The API reports "2022-10-17 22:12:34.834" (UTC, no zone); ISO strings pass through. */
export function apiTimeToIso(value: string | undefined, fallback: Date): string {
    if (value === undefined || value === "" || value.startsWith("0001-")) return fallback.toISOString();
    const normalized = /[zZ]|[+-]\d\d:?\d\d$/.test(value) ? value : `${value.replace(" ", "T")}Z`;
    const parsed = new Date(normalized);
    return Number.isNaN(parsed.getTime()) ? fallback.toISOString() : parsed.toISOString();
}

export interface ReleaseStackInput {
    client: DeploymentsClient;
    stack: string;
    tag: string;
    commit: string;
    path: ReleasePath;
    /** Polling for the update to finish. */
    polling: PollingOptions;
    /** Polling for a tag-started deployment to appear (tag-trigger path). */
    discovery: PollingOptions;
    /**
     * Redeploy an older release (rollback runbook), api path only. The old tag is not pushed again, so the
     * native tag trigger cannot fire for it: the double-deploy refusal does not apply.
     */
    rollback?: boolean;
    /** More variables for the deployment the api path starts (the rollout's ROLLOUT_STAGE). */
    extraEnvironment?: Record<string, string>;
    log?: (line: string) => void;
}

/** Releases the tagged commit to one stack by the chosen path, waits for the result and collects it. */
export async function releaseStack(input: ReleaseStackInput): Promise<StackReleaseResult> {
    const { client, stack, tag, commit, path } = input;
    const log = input.log ?? (() => undefined);
    if (input.rollback && path !== "api") {
        throw new ReleaseSetupError(`a rollback of ${stack} to ${tag} starts a new deployment: use the api path`);
    }
    const trigger = await client.getTagTrigger(stack);
    const tagDeploysNatively = tagTriggersDeployment(trigger, tag);
    const filters = trigger.tagFilters.length > 0 ? trigger.tagFilters.join(", ") : "(none)";

    let deploymentId: string;
    let consoleUrl: string | undefined;
    if (path === "api") {
        if (tagDeploysNatively && !input.rollback) {
            throw new ReleaseSetupError(
                `stack ${stack} already deploys tag ${tag} on push (deployTags: true, tagFilters: ${filters}); ` +
                    `starting another deployment through the API would deploy the tag twice. ` +
                    `Use the tag-trigger path, or turn deployTags off for ${stack}.`,
            );
        }
        const created = await client.createDeployment(stack, {
            operation: "update",
            inheritSettings: true,
            // Pin the update to the tagged commit, not whatever main points at by the time it runs.
            sourceContext: { git: { commit } },
            operationContext: {
                environmentVariables: {
                    RELEASE_TAG: tag,
                    RELEASE_COMMIT: commit,
                    ...(input.rollback ? { RELEASE_ROLLBACK: "true" } : {}),
                    ...input.extraEnvironment,
                },
            },
        });
        deploymentId = created.id;
        consoleUrl = created.consoleUrl;
        log(`started deployment ${deploymentId} of ${stack} for ${tag}${consoleUrl ? ` (${consoleUrl})` : ""}`);
    } else {
        if (!tagDeploysNatively) {
            throw new ReleaseSetupError(
                `stack ${stack} does not deploy tag ${tag} on push (deployTags: ${String(trigger.deployTags)}, tagFilters: ${filters}); ` +
                    `nothing to follow. Push deploy/${stack}.settings.yaml (npm run release -- settings push --stack ${stack}), or use the api path.`,
            );
        }
        const found = await findTagDeployment(client, stack, tag, commit, input.discovery);
        deploymentId = found.id;
        log(`following deployment ${deploymentId} of ${stack}, started by the push of ${tag}`);
    }

    let lastStatus = "";
    const finished = await waitForDeployment(client, stack, deploymentId, {
        ...input.polling,
        onStatus: (deployment) => {
            if (deployment.status !== lastStatus) log(`${stack}: deployment ${deploymentId} is ${deployment.status}`);
            lastStatus = deployment.status;
        },
    });
    const now = new Date();
    const updateVersion = (finished.updates ?? []).map((update) => update.version).find((version) => version !== undefined);
    return {
        stack,
        path,
        deploymentId,
        deploymentVersion: finished.version,
        consoleUrl,
        status: finished.status,
        updateVersion,
        startedAt: apiTimeToIso(finished.jobs?.[0]?.started ?? finished.created, now),
        finishedAt: apiTimeToIso(finished.modified, now),
        outputs: finished.status === "succeeded" ? await client.getStackOutputs(stack) : {},
    };
}
