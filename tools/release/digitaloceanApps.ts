import { z } from "zod";
import type { Clock } from "./smoke";

/**
 * The few App Platform endpoints the release needs to roll a failed release back (DigitalOcean API v2,
 * digitalocean/openapi specification/resources/apps):
 * - GET  /v2/apps/{app_id}                               the app, with `active_deployment` (get_app.yml)
 * - POST /v2/apps/{app_id}/rollback                      `{deployment_id, skip_pin}` → a new deployment (apps_create_rollback.yml)
 * - GET  /v2/apps/{app_id}/deployments/{deployment_id}   its `phase` (get_deployment.yml; apps_deployment_phase.yml)
 * App Platform swaps a whole deployment at once, so a rollback is a new deployment of the previous one's spec.
 * `skip_pin: true` commits the rollback at once; a pinned app would refuse the next release's deployment
 * until someone commits or reverts the rollback (apps_rollback_app_request).
 */

export const defaultDigitalOceanApiUrl = "https://api.digitalocean.com";

/** Deployment phases (apps_deployment_phase.yml): ACTIVE is live; ERROR, CANCELED and SUPERSEDED end without being live. */
const phases = ["UNKNOWN", "PENDING_BUILD", "BUILDING", "PENDING_DEPLOY", "DEPLOYING", "ACTIVE", "SUPERSEDED", "ERROR", "CANCELED"] as const;
export type DeploymentPhase = (typeof phases)[number];
const deploymentSchema = z.object({ id: z.string().min(1), phase: z.enum(phases).catch("UNKNOWN") });
const appSchema = z.object({ app: z.object({ id: z.string(), active_deployment: deploymentSchema.nullish(), live_url: z.string().optional() }) });
const deploymentAnswer = z.object({ deployment: deploymentSchema });

export class DigitalOceanApiError extends Error {
    constructor(method: string, path: string, status: number, body: string) {
        super(`DigitalOcean answered ${method} ${path} with HTTP ${status}: ${body.slice(0, 300) || "(empty body)"}`);
        this.name = "DigitalOceanApiError";
    }
}

export class DigitalOceanApps {
    private readonly baseUrl: string;

    constructor(
        private readonly token: string,
        baseUrl: string = defaultDigitalOceanApiUrl,
    ) {
        if (token === "") throw new Error("a DigitalOcean API token is required (DIGITALOCEAN_TOKEN) to roll a staging release back");
        this.baseUrl = baseUrl.replace(/\/+$/, "");
    }

    /** The deployment serving the app now, if any. */
    async activeDeployment(appId: string): Promise<string | undefined> {
        const answer = appSchema.parse(await this.request("GET", `/v2/apps/${encodeURIComponent(appId)}`));
        return answer.app.active_deployment?.id;
    }

    /** Starts a rollback to `deploymentId`, committed at once; returns the rollback's own deployment. */
    async rollback(appId: string, deploymentId: string): Promise<string> {
        const answer = deploymentAnswer.parse(await this.request("POST", `/v2/apps/${encodeURIComponent(appId)}/rollback`, { deployment_id: deploymentId, skip_pin: true }));
        return answer.deployment.id;
    }

    async deploymentPhase(appId: string, deploymentId: string): Promise<DeploymentPhase> {
        const answer = deploymentAnswer.parse(await this.request("GET", `/v2/apps/${encodeURIComponent(appId)}/deployments/${encodeURIComponent(deploymentId)}`));
        return answer.deployment.phase;
    }

    /** Polls a deployment until it is ACTIVE (true) or ends otherwise (false), or the time is up (false). */
    async waitUntilActive(appId: string, deploymentId: string, clock: Clock, timeoutMs: number, intervalMs: number): Promise<{ active: boolean; phase: DeploymentPhase }> {
        const deadline = clock.now() + timeoutMs;
        let phase: DeploymentPhase = "UNKNOWN";
        while (clock.now() < deadline) {
            phase = await this.deploymentPhase(appId, deploymentId);
            if (phase === "ACTIVE") return { active: true, phase };
            if (phase === "ERROR" || phase === "CANCELED" || phase === "SUPERSEDED") return { active: false, phase };
            await clock.sleep(intervalMs);
        }
        return { active: false, phase };
    }

    private async request(method: "GET" | "POST", path: string, body?: unknown): Promise<unknown> {
        const response = await fetch(`${this.baseUrl}${path}`, {
            method,
            headers: { Authorization: `Bearer ${this.token}`, "Content-Type": "application/json", Accept: "application/json" },
            body: body === undefined ? undefined : JSON.stringify(body),
            signal: AbortSignal.timeout(30_000),
        });
        const text = await response.text();
        if (!response.ok) throw new DigitalOceanApiError(method, path, response.status, text);
        return text === "" ? {} : (JSON.parse(text) as unknown);
    }
}
