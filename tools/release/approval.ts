import { z } from "zod";
import type { Clock } from "./smoke";

/**
 * The production approval on the tag-trigger path. Pulumi Deployments starts production's update as soon as
 * the tag is pushed, and Pulumi Cloud's change gates protect only ESC environments (REST API, ChangeGate:
 * `entityType` "environment", https://www.pulumi.com/docs/reference/cloud-rest-api/schema/changegate/), so
 * the update's pre-run commands wait here until a reviewer of the GitHub environment `production` approves
 * the tag's release.yml run, the approval seed 000 asks for, before the migration or anything else runs.
 *
 * GitHub REST API (https://docs.github.com/en/rest/actions/workflow-runs):
 *   GET /repos/{owner}/{repo}/actions/workflows/{workflow}/runs?head_sha={sha}&event=push  the tag's run
 *   GET /repos/{owner}/{repo}/actions/runs/{run_id}/approvals  reviews of its environment deployments
 * The token (GITHUB_TOKEN in the production ESC environment) needs `actions: read` on the repository.
 */

export class ApprovalError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "ApprovalError";
    }
}

export interface ApprovalQuery {
    /** `owner/repo`. */
    repository: string;
    /** The workflow file whose run holds the approval, e.g. release.yml. */
    workflow: string;
    /** The GitHub environment whose reviewers approve, e.g. production. */
    environment: string;
    tag: string;
    commit: string;
    token: string;
    /** https://api.github.com, or GitHub Enterprise's API (GITHUB_API_URL). */
    apiUrl: string;
    timeoutMs: number;
    pollMs: number;
}

const runsSchema = z.object({
    workflow_runs: z.array(z.object({ id: z.number(), head_sha: z.string(), status: z.string().nullish(), conclusion: z.string().nullish(), html_url: z.string().optional() })),
});
const approvalsSchema = z.array(
    z.object({
        state: z.string(),
        comment: z.string().nullish(),
        user: z.object({ login: z.string() }).nullish(),
        environments: z.array(z.object({ name: z.string() })).default([]),
    }),
);

export interface Approval {
    runId: number;
    approvedBy: string;
}

/** Resolves with who approved; throws ApprovalError when rejected, when the run ends without approval, or at the deadline. */
export async function awaitApproval(query: ApprovalQuery, clock: Clock, log: (line: string) => void): Promise<Approval> {
    const deadline = clock.now() + query.timeoutMs;
    const get = async (url: string): Promise<unknown> => {
        const response = await fetch(url, { headers: { authorization: `Bearer ${query.token}`, accept: "application/vnd.github+json", "x-github-api-version": "2022-11-28" } });
        if (!response.ok) throw new ApprovalError(`GitHub answered ${response.status} to GET ${url.replace(query.apiUrl, "")}: ${(await response.text()).slice(0, 200)}`);
        return response.json();
    };
    const base = `${query.apiUrl.replace(/\/$/, "")}/repos/${query.repository}/actions`;
    let said = false;
    for (;;) {
        const runs = runsSchema.parse(await get(`${base}/workflows/${encodeURIComponent(query.workflow)}/runs?head_sha=${query.commit}&event=push&per_page=20`));
        const run = runs.workflow_runs.find((r) => r.head_sha === query.commit);
        if (run !== undefined) {
            const approvals = approvalsSchema.parse(await get(`${base}/runs/${run.id}/approvals`));
            const forEnvironment = approvals.filter((a) => a.environments.some((e) => e.name === query.environment));
            const rejected = forEnvironment.find((a) => a.state === "rejected");
            if (rejected) {
                throw new ApprovalError(
                    `${query.tag}: ${rejected.user?.login ?? "a reviewer"} rejected the ${query.environment} deployment of ${query.workflow} run ${run.id}${rejected.comment ? ` ("${rejected.comment}")` : ""}; nothing was changed`,
                );
            }
            const approved = forEnvironment.find((a) => a.state === "approved");
            if (approved) return { runId: run.id, approvedBy: approved.user?.login ?? "unknown" };
            if (run.status === "completed") {
                throw new ApprovalError(`${query.tag}: ${query.workflow} run ${run.id} ended (${run.conclusion ?? "no conclusion"}) without an approval of ${query.environment}; nothing was changed`);
            }
            if (!said) log(`${query.tag}: waiting for a reviewer of the ${query.environment} environment to approve ${run.html_url ?? `run ${run.id}`}`);
            said = true;
        } else if (!said) {
            log(`${query.tag}: waiting for the ${query.workflow} run of ${query.commit.slice(0, 12)} to appear`);
            said = true;
        }
        if (clock.now() + query.pollMs > deadline) {
            throw new ApprovalError(
                `${query.tag}: no approval of the ${query.environment} environment within ${Math.round(query.timeoutMs / 60_000)} min; nothing was changed. Approve the release.yml run, then re-run this deployment`,
            );
        }
        await clock.sleep(query.pollMs);
    }
}
