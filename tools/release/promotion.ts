import { deploymentMatchesRelease } from "./deploy";
import type { DeploymentsClient } from "./deploymentsClient";

/**
 * Production takes only what staging ran: before a production release starts, the staging stack's
 * Deployments history (newest first) must hold a succeeded update of the same tag or commit.
 */

export class PromotionError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "PromotionError";
    }
}

/** The id of staging's succeeded deployment of this release; throws when there is none among the last `pageSize`. */
export async function requireStagingDeployed(client: DeploymentsClient, stagingStack: string, tag: string, commit: string, pageSize = 50): Promise<string> {
    const listed = await client.listDeployments(stagingStack, pageSize);
    for (const summary of listed) {
        if (summary.status !== "succeeded") continue;
        // The list may omit the configuration; the deployment itself carries it.
        const deployment = deploymentMatchesRelease(summary, tag, commit) ? summary : await client.getDeployment(stagingStack, summary.id);
        if (deploymentMatchesRelease(deployment, tag, commit)) return deployment.id;
    }
    throw new PromotionError(
        `production refuses ${tag} (${commit}): stack ${stagingStack} has no succeeded deployment of it among its last ${pageSize}; release it to staging first`,
    );
}
