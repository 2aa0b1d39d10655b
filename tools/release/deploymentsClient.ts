import { z } from "zod";

/**
 * A small client for the Pulumi Cloud REST API's Deployments endpoints (docs: Pulumi Cloud REST API →
 * Deployments). Only what the release path needs: create a deployment, read one, list a stack's
 * deployments, read and patch the stack's deployment settings, and read the stack's outputs.
 *
 * Every response is parsed with zod at this edge, so nothing untyped travels further. Network errors
 * (refused or reset connections, DNS failures, requests that time out) and 429/5xx answers are retried a
 * bounded number of times with exponential backoff; what still fails is reported in one line.
 */

export const defaultBackendUrl = "https://api.pulumi.com";

/** Statuses the API reports for a deployment (ListDeploymentSnapshot.status). */
export const terminalStatuses = ["succeeded", "failed", "skipped"] as const;
export type TerminalStatus = (typeof terminalStatuses)[number];

export function isTerminal(status: string): status is TerminalStatus {
    return (terminalStatuses as readonly string[]).includes(status);
}

const jobSchema = z.object({
    status: z.string(),
    started: z.string().optional(),
    lastUpdated: z.string().optional(),
    steps: z.array(z.object({ name: z.string(), status: z.string() })).nullish(),
});

const nestedUpdateSchema = z.object({
    version: z.number().optional(),
    result: z.string().optional(),
    kind: z.string().optional(),
    startTime: z.number().optional(),
    endTime: z.number().optional(),
    environment: z.record(z.string(), z.string()).nullish(),
});

const deploymentSchema = z.object({
    id: z.string().min(1),
    created: z.string(),
    modified: z.string(),
    status: z.string(),
    version: z.number().optional(),
    pulumiOperation: z.string().optional(),
    initiator: z.string().optional(),
    jobs: z.array(jobSchema).nullish(),
    updates: z.array(nestedUpdateSchema).nullish(),
    configuration: z
        .object({
            environmentVariables: z
                .array(z.object({ name: z.string(), value: z.string().optional(), secret: z.boolean().optional() }))
                .nullish(),
            source: z
                .object({
                    git: z.object({ branch: z.string().optional(), commit: z.string().optional(), repoURL: z.string().optional() }).nullish(),
                })
                .nullish(),
        })
        .nullish(),
});

export type Deployment = z.infer<typeof deploymentSchema>;

const listSchema = z.object({ deployments: z.array(deploymentSchema).nullish() });

const createdSchema = z.object({ id: z.string().min(1), consoleUrl: z.string().optional(), version: z.number().optional() });
export type CreatedDeployment = z.infer<typeof createdSchema>;

const vcsSettingsSchema = z.object({
    repository: z.string().optional(),
    deployCommits: z.boolean().optional(),
    deployTags: z.boolean().optional(),
    tagFilters: z.array(z.string()).nullish(),
});

const settingsSchema = z.object({
    gitHub: vcsSettingsSchema.nullish(),
    vcs: vcsSettingsSchema.nullish(),
});

/** The parts of a stack's deployment settings the release path decides on. */
export interface TagTriggerSettings {
    deployTags: boolean;
    tagFilters: string[];
}

// Secret values in Pulumi state carry this signature key/value (sdk: rpc.specialSigKey / specialSecretSig).
const secretSignatureKey = "4dabf18193072939515e22adb298388d";
const secretSignature = "1b47061264138c4ac30d75fd1eb44270";
export const maskedSecret = "[secret]";

const exportSchema = z.object({
    deployment: z.object({
        resources: z
            .array(z.object({ urn: z.string(), type: z.string(), outputs: z.record(z.string(), z.unknown()).nullish() }))
            .nullish(),
    }),
});

/** Replaces every secret value (ciphertext included) with "[secret]", at any depth. */
export function maskSecrets(value: unknown): unknown {
    if (Array.isArray(value)) return value.map(maskSecrets);
    if (value !== null && typeof value === "object") {
        const entries = Object.entries(value);
        if (entries.some(([key, v]) => key === secretSignatureKey && v === secretSignature)) return maskedSecret;
        return Object.fromEntries(entries.map(([key, v]) => [key, maskSecrets(v)]));
    }
    return value;
}

export interface CreateDeploymentRequest {
    operation: "update" | "preview" | "refresh" | "destroy";
    inheritSettings: boolean;
    sourceContext?: { git: { commit?: string; branch?: string } };
    operationContext?: { environmentVariables?: Record<string, string> };
}

/** A non-2xx answer. `retryable` is true for 429 and 5xx, where waiting and asking again makes sense. */
export class DeploymentsApiError extends Error {
    constructor(
        readonly method: string,
        readonly path: string,
        readonly status: number,
        body: string,
    ) {
        super(`Pulumi Cloud answered ${method} ${path} with HTTP ${status}: ${body.slice(0, 300) || "(empty body)"}`);
        this.name = "DeploymentsApiError";
    }

    get retryable(): boolean {
        return this.status === 429 || this.status >= 500;
    }
}

/** The API could not be reached (after the retries): one line naming the request, the attempts and the cause. */
export class DeploymentsNetworkError extends Error {
    constructor(
        readonly method: string,
        readonly path: string,
        readonly attempts: number,
        readonly cause: string,
    ) {
        super(`Pulumi Cloud could not be reached: ${method} ${path} failed ${attempts} time${attempts === 1 ? "" : "s"} (${cause})`);
        this.name = "DeploymentsNetworkError";
    }
}

/** How often and how patiently a failed request is asked again. */
export interface RetryPolicy {
    /** Attempts in all, the first included. Default 4. */
    attempts: number;
    /** Wait before the second attempt; doubled before each further one (with jitter). Default 250 ms (then 500 ms, 1 s). */
    baseDelayMs: number;
}

export const defaultRetry: RetryPolicy = { attempts: 4, baseDelayMs: 250 };

// Errors that say the request never reached the server: safe to send again even for a POST that creates.
const notSentCodes = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH"]);

/** The cause of a failed fetch in a few words: undici wraps the socket error in `cause`. */
function networkCause(error: unknown): { text: string; notSent: boolean } {
    if (error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError")) return { text: "no answer before the request timeout", notSent: false };
    const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
    const code = (cause as NodeJS.ErrnoException | undefined)?.code;
    const message = cause instanceof Error ? cause.message : String(cause);
    return { text: message.split("\n")[0] ?? message, notSent: code !== undefined && notSentCodes.has(code) };
}

export interface DeploymentsClientOptions {
    /** PULUMI_BACKEND_URL; https://api.pulumi.com by default. */
    baseUrl?: string;
    /** A Pulumi access token (PULUMI_ACCESS_TOKEN). */
    token: string;
    organization: string;
    project: string;
    /** How long one HTTP request may take before it is abandoned. Default 30 s. */
    requestTimeoutMs?: number;
    /** Retries of network errors and 429/5xx answers. Default {@link defaultRetry}. */
    retry?: RetryPolicy;
}

export class DeploymentsClient {
    readonly baseUrl: string;
    readonly organization: string;
    readonly project: string;
    private readonly token: string;
    private readonly requestTimeoutMs: number;
    private readonly retry: RetryPolicy;

    constructor(options: DeploymentsClientOptions) {
        if (options.token === "") throw new Error("a Pulumi access token is required (PULUMI_ACCESS_TOKEN)");
        this.baseUrl = (options.baseUrl ?? defaultBackendUrl).replace(/\/+$/, "");
        this.token = options.token;
        this.organization = options.organization;
        this.project = options.project;
        this.requestTimeoutMs = options.requestTimeoutMs ?? 30_000;
        this.retry = options.retry ?? defaultRetry;
        if (!Number.isInteger(this.retry.attempts) || this.retry.attempts < 1) throw new Error(`retry.attempts must be a whole number ≥ 1, not ${this.retry.attempts}`);
    }

    stackPath(stack: string): string {
        return `/api/stacks/${encodeURIComponent(this.organization)}/${encodeURIComponent(this.project)}/${encodeURIComponent(stack)}`;
    }

    /** POST /api/stacks/{org}/{project}/{stack}/deployments */
    async createDeployment(stack: string, request: CreateDeploymentRequest, signal?: AbortSignal): Promise<CreatedDeployment> {
        // Not idempotent: sent again only when the first attempt never reached the server.
        return createdSchema.parse(await this.request("POST", `${this.stackPath(stack)}/deployments`, request, signal, false));
    }

    /** GET /api/stacks/{org}/{project}/{stack}/deployments/{id} */
    async getDeployment(stack: string, id: string, signal?: AbortSignal): Promise<Deployment> {
        return deploymentSchema.parse(await this.request("GET", `${this.stackPath(stack)}/deployments/${encodeURIComponent(id)}`, undefined, signal));
    }

    /** GET /api/stacks/{org}/{project}/{stack}/deployments — newest first. */
    async listDeployments(stack: string, pageSize = 20, signal?: AbortSignal): Promise<Deployment[]> {
        const body = await this.request("GET", `${this.stackPath(stack)}/deployments?page=1&pageSize=${pageSize}`, undefined, signal);
        return listSchema.parse(body).deployments ?? [];
    }

    /** GET /api/stacks/{org}/{project}/{stack}/deployments/settings, reduced to the tag trigger. */
    async getTagTrigger(stack: string, signal?: AbortSignal): Promise<TagTriggerSettings> {
        const settings = settingsSchema.parse(await this.request("GET", `${this.stackPath(stack)}/deployments/settings`, undefined, signal));
        const vcs = settings.vcs ?? settings.gitHub;
        return { deployTags: vcs?.deployTags ?? false, tagFilters: vcs?.tagFilters ?? [] };
    }

    /**
     * GET /api/stacks/{org}/{project}/{stack}/deployments/settings, as the API returns it (a JSON object);
     * a stack without settings (404) reads as `{}`.
     */
    async getSettings(stack: string, signal?: AbortSignal): Promise<Record<string, unknown>> {
        try {
            const body = await this.request("GET", `${this.stackPath(stack)}/deployments/settings`, undefined, signal);
            return z.record(z.string(), z.unknown()).parse(body);
        } catch (error) {
            if (error instanceof DeploymentsApiError && error.status === 404) return {};
            throw error;
        }
    }

    /**
     * POST /api/stacks/{org}/{project}/{stack}/deployments/settings ("Patch Settings"): the body is merged
     * into the stack's settings; objects merge key by key, other values (arrays included) are replaced,
     * and `null` removes a key. https://www.pulumi.com/docs/reference/cloud-rest-api/deployments/#patch-settings
     * Sending the same body twice gives the same settings, so it is retried like a GET.
     */
    async patchSettings(stack: string, settings: unknown, signal?: AbortSignal): Promise<void> {
        await this.request("POST", `${this.stackPath(stack)}/deployments/settings`, settings, signal);
    }

    /** The stack's outputs from GET /api/stacks/{org}/{project}/{stack}/export, with every secret masked. */
    async getStackOutputs(stack: string, signal?: AbortSignal): Promise<Record<string, unknown>> {
        const state = exportSchema.parse(await this.request("GET", `${this.stackPath(stack)}/export`, undefined, signal));
        const root = (state.deployment.resources ?? []).find((resource) => resource.type === "pulumi:pulumi:Stack");
        const masked = maskSecrets(root?.outputs ?? {});
        return masked !== null && typeof masked === "object" && !Array.isArray(masked) ? Object.fromEntries(Object.entries(masked)) : {};
    }

    private async request(method: "GET" | "POST", path: string, body: unknown, outer?: AbortSignal, idempotent = true): Promise<unknown> {
        let lastCause = "";
        for (let attempt = 1; attempt <= this.retry.attempts; attempt++) {
            if (attempt > 1) await delay(backoffMs(this.retry.baseDelayMs, attempt - 1), outer);
            let response: Response;
            try {
                response = await this.send(method, path, body, outer);
            } catch (error) {
                if (outer?.aborted) throw error;
                const cause = networkCause(error);
                lastCause = cause.text;
                if (!idempotent && !cause.notSent) throw new DeploymentsNetworkError(method, path, attempt, `${cause.text}; not retried, the request may have been received`);
                continue;
            }
            const text = await response.text();
            if (!response.ok) {
                const failure = new DeploymentsApiError(method, path, response.status, text);
                // A 5xx after a POST that creates may have created: only 429 (refused before any work) is safe to resend.
                const again = failure.retryable && (idempotent || response.status === 429);
                if (again && attempt < this.retry.attempts) {
                    lastCause = `HTTP ${response.status}`;
                    continue;
                }
                throw failure;
            }
            if (text === "") return {};
            try {
                return JSON.parse(text) as unknown;
            } catch {
                throw new Error(`Pulumi Cloud answered ${method} ${path} with a body that is not JSON: ${text.slice(0, 200)}`);
            }
        }
        throw new DeploymentsNetworkError(method, path, this.retry.attempts, lastCause);
    }

    private send(method: "GET" | "POST", path: string, body: unknown, outer?: AbortSignal): Promise<Response> {
        const signals = [AbortSignal.timeout(this.requestTimeoutMs)];
        if (outer !== undefined) signals.push(outer);
        return fetch(`${this.baseUrl}${path}`, {
            method,
            headers: {
                Accept: "application/vnd.pulumi+8",
                "Content-Type": "application/json",
                Authorization: `token ${this.token}`,
            },
            body: body === undefined ? undefined : JSON.stringify(body),
            signal: AbortSignal.any(signals),
        });
    }
}

/** Exponential backoff with up to 20 % jitter, so many clients do not retry in step. */
function backoffMs(baseDelayMs: number, retry: number): number {
    const exponential = baseDelayMs * 2 ** (retry - 1);
    return Math.round(exponential * (1 + Math.random() * 0.2));
}

function delay(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
        if (signal?.aborted) return reject(signal.reason as Error);
        const timer = setTimeout(resolve, ms);
        signal?.addEventListener("abort", () => {
            clearTimeout(timer);
            reject(signal.reason as Error);
        }, { once: true });
    });
}
