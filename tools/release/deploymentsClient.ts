import { z } from "zod";

/**
 * A small client for the Pulumi Cloud REST API's Deployments endpoints (docs: Pulumi Cloud REST API →
 * Deployments). Only what the release path needs: create a deployment, read one, list a stack's
 * deployments, read the stack's deployment settings, and read the stack's outputs.
 *
 * Every response is parsed with zod at this edge, so nothing untyped travels further.
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

export interface DeploymentsClientOptions {
    /** PULUMI_BACKEND_URL; https://api.pulumi.com by default. */
    baseUrl?: string;
    /** A Pulumi access token (PULUMI_ACCESS_TOKEN). */
    token: string;
    organization: string;
    project: string;
    /** How long one HTTP request may take before it is abandoned. Default 30 s. */
    requestTimeoutMs?: number;
}

export class DeploymentsClient {
    readonly baseUrl: string;
    readonly organization: string;
    readonly project: string;
    private readonly token: string;
    private readonly requestTimeoutMs: number;

    constructor(options: DeploymentsClientOptions) {
        if (options.token === "") throw new Error("a Pulumi access token is required (PULUMI_ACCESS_TOKEN)");
        this.baseUrl = (options.baseUrl ?? defaultBackendUrl).replace(/\/+$/, "");
        this.token = options.token;
        this.organization = options.organization;
        this.project = options.project;
        this.requestTimeoutMs = options.requestTimeoutMs ?? 30_000;
    }

    stackPath(stack: string): string {
        return `/api/stacks/${encodeURIComponent(this.organization)}/${encodeURIComponent(this.project)}/${encodeURIComponent(stack)}`;
    }

    /** POST /api/stacks/{org}/{project}/{stack}/deployments */
    async createDeployment(stack: string, request: CreateDeploymentRequest, signal?: AbortSignal): Promise<CreatedDeployment> {
        return createdSchema.parse(await this.request("POST", `${this.stackPath(stack)}/deployments`, request, signal));
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

    /** The stack's outputs from GET /api/stacks/{org}/{project}/{stack}/export, with every secret masked. */
    async getStackOutputs(stack: string, signal?: AbortSignal): Promise<Record<string, unknown>> {
        const state = exportSchema.parse(await this.request("GET", `${this.stackPath(stack)}/export`, undefined, signal));
        const root = (state.deployment.resources ?? []).find((resource) => resource.type === "pulumi:pulumi:Stack");
        const masked = maskSecrets(root?.outputs ?? {});
        return masked !== null && typeof masked === "object" && !Array.isArray(masked) ? Object.fromEntries(Object.entries(masked)) : {};
    }

    private async request(method: "GET" | "POST", path: string, body: unknown, outer?: AbortSignal): Promise<unknown> {
        const signals = [AbortSignal.timeout(this.requestTimeoutMs)];
        if (outer !== undefined) signals.push(outer);
        const response = await fetch(`${this.baseUrl}${path}`, {
            method,
            headers: {
                Accept: "application/vnd.pulumi+8",
                "Content-Type": "application/json",
                Authorization: `token ${this.token}`,
            },
            body: body === undefined ? undefined : JSON.stringify(body),
            signal: AbortSignal.any(signals),
        });
        const text = await response.text();
        if (!response.ok) throw new DeploymentsApiError(method, path, response.status, text);
        if (text === "") return {};
        try {
            return JSON.parse(text) as unknown;
        } catch {
            throw new Error(`Pulumi Cloud answered ${method} ${path} with a body that is not JSON: ${text.slice(0, 200)}`);
        }
    }
}
