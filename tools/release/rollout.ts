import { z } from "zod";
import { rolloutSlots, type RolloutSettings, type RolloutStage } from "../../config/rollout";
import { releaseStack, waitForDeployment, type PollingOptions, type ReleasePath, type StackReleaseResult } from "./deploy";
import type { DeploymentsClient } from "./deploymentsClient";
import type { DigitalOceanApps } from "./digitaloceanApps";
import { healthChecksFrom, type DeploymentStep, type RolloutRecord, type StageRecord } from "./rolloutRecord";
import { describeFailures, runSmokeTests, smokeTargets, type Clock, type SmokeReport } from "./smoke";

/**
 * Seed 003's gradual rollout of one stack, driven from outside the cloud:
 *
 * AWS (two api slots behind one weighted listener rule):
 *   prepare   — the release's update (the tag push's, or one started here): the candidate slot gets the new
 *               images with 0 % of the traffic; backup and migration happen here.
 *   stages    — for each stage (5 %, 50 %, 100 % by default) an update that only re-weights the rule
 *               (ROLLOUT_STAGE=<name>), then the stage is watched for its minutes: smoke tests from outside
 *               and the release's health alarms every `checkIntervalSeconds`.
 *   rollback  — on any failure after traffic moved, an update with ROLLOUT_STAGE=rollback gives the live
 *               slot all traffic back; then the previous revision is smoke-tested.
 * DigitalOcean (App Platform swaps a whole deployment): prepare deploys everything; the one stage is the
 *   last configured one (100 % with its monitoring); a failure rolls the app back to the deployment that
 *   was active before, through the App Platform API.
 *
 * The record is built only from what happened; `succeeded` only after the last stage's watch passed.
 */

/** What the program exports as the `release` stack output (components → index.ts), as the release reads it. */
export const releaseOutputSchema = z.object({
    version: z.string().nullish(),
    images: z.record(z.string(), z.string()).default({}),
    readinessUrl: z.string().optional(),
    /** DigitalOcean: the App Platform app's id. */
    appId: z.string().optional(),
    databaseBackup: z.object({ id: z.string(), location: z.string(), createdAt: z.string().nullish() }).nullish(),
    /** AWS: the CloudWatch alarms that gate each stage (the api slots' rollback alarms). */
    alarmNames: z.array(z.string()).optional(),
    rollout: z
        .object({
            liveSlot: z.enum(rolloutSlots),
            candidateSlot: z.enum(rolloutSlots),
            candidatePercent: z.number(),
            /** Whether the slot that is not live runs (config/rollout.ts candidateState); older stacks do not say. */
            candidateState: z.enum(["stopped", "starting", "running"]).optional(),
            weights: z.record(z.string(), z.number()),
            images: z.record(z.string(), z.string()),
        })
        .nullish(),
});
export type ReleaseOutput = z.infer<typeof releaseOutputSchema>;

/** The stack outputs the release uses: url, healthUrl and `release`; anything malformed counts as not reported. */
export function releaseFactsFrom(outputs: Record<string, unknown>): { url?: string; healthUrl?: string; release: ReleaseOutput } {
    const text = (value: unknown) => (typeof value === "string" && value !== "" ? value : undefined);
    const parsed = releaseOutputSchema.safeParse(outputs.release ?? {});
    return { url: text(outputs.url), healthUrl: text(outputs.healthUrl), release: parsed.success ? parsed.data : { images: {} } };
}

/** Names of the release's health alarms that are firing now (AWS: the api's rollback alarms, named in the release output). */
export type AlarmCheck = (release: ReleaseOutput) => Promise<string[]>;

export interface RolloutInput {
    client: DeploymentsClient;
    stack: string;
    environment: string;
    backend: "aws" | "digitalocean";
    tag: string;
    commit: string;
    /** How the prepare update starts: followed after the tag push, or started through the API. */
    path: ReleasePath;
    settings: RolloutSettings;
    clock: Clock;
    polling: PollingOptions;
    discovery: PollingOptions;
    /** AWS: the release's health alarms; without it only smoke tests gate the stages (and the record says so). */
    alarms?: AlarmCheck;
    /** DigitalOcean: the App Platform API, for the rollback. */
    digitalocean?: DigitalOceanApps;
    triggeredBy?: string;
    workflowRunUrl?: string;
    log?: (line: string) => void;
}

class StageFailure extends Error {
    constructor(
        readonly stage: string,
        reason: string,
    ) {
        super(reason);
    }
}

const minutesBetween = (from: number, to: number) => Math.round(((to - from) / 60_000) * 100) / 100;

export async function runRollout(input: RolloutInput): Promise<RolloutRecord> {
    const { client, stack, tag, commit, settings, clock } = input;
    const log = input.log ?? (() => undefined);
    const startedAt = clock.now();
    const deploymentId = `${Math.floor(startedAt / 1000)}-${commit.slice(0, 7)}`;
    const steps: DeploymentStep[] = [];
    const stages: StageRecord[] = [];
    const plannedStages: RolloutStage[] = input.backend === "aws" ? settings.stages : settings.stages.slice(-1);
    for (const stage of plannedStages) {
        stages.push({ stage: stage.name, traffic_percentage: stage.percent, planned_minutes: stage.minutes, duration_minutes: null, status: "not-started", started_at: null, finished_at: null, pulumi_deployment_id: null, checks: 0 });
    }
    const smokeOptions = {
        retries: settings.smoke.retries,
        retryIntervalMs: settings.smoke.retryIntervalSeconds * 1000,
        deadlineMs: settings.smoke.deadlineSeconds * 1000,
        requestTimeoutMs: settings.smoke.requestTimeoutSeconds * 1000,
    };
    let facts: ReturnType<typeof releaseFactsFrom> = { release: { images: {} } };
    let lastSmoke: SmokeReport | undefined;
    let lastFiring: string[] | undefined;
    let failure: RolloutRecord["failure"] = null;
    let rollback: RolloutRecord["rollback"] = null;
    let completedAt: number | undefined;

    const stepOf = (step: string, result: { deploymentId: string; status: string; updateVersion?: number }) =>
        steps.push({ step, pulumi_deployment_id: result.deploymentId, status: result.status, update_version: result.updateVersion ?? null });

    /** One smoke test plus the alarms; throws StageFailure naming what failed. */
    const check = async (stage: string): Promise<void> => {
        const targets = smokeTargets({ url: facts.url, healthUrl: facts.healthUrl, readinessUrl: facts.release.readinessUrl }, settings.smoke.endpoints);
        if (targets.length === 0) throw new StageFailure(stage, "the stack reports no url or healthUrl to smoke-test");
        lastSmoke = await runSmokeTests(targets, smokeOptions, clock);
        if (lastSmoke.status === "failed") throw new StageFailure(stage, `smoke tests failed: ${describeFailures(lastSmoke)}`);
        if (input.alarms !== undefined) {
            lastFiring = await input.alarms(facts.release);
            if (lastFiring.length > 0) throw new StageFailure(stage, `health alarms firing: ${lastFiring.join(", ")}`);
        }
    };

    /** Watches a stage for its minutes: a check at once, then every interval, and one at the end. */
    const watch = async (record: StageRecord, minutes: number): Promise<void> => {
        const end = clock.now() + minutes * 60_000;
        for (;;) {
            record.checks += 1;
            await check(record.stage);
            const remaining = end - clock.now();
            if (remaining <= 0) return;
            await clock.sleep(Math.min(settings.checkIntervalSeconds * 1000, remaining));
        }
    };

    const stageUpdate = async (step: string, percent: number | undefined): Promise<{ deploymentId: string; status: string; updateVersion?: number }> => {
        const created = await client.createDeployment(stack, {
            operation: "update",
            inheritSettings: true,
            sourceContext: { git: { commit } },
            operationContext: {
                environmentVariables: { RELEASE_TAG: tag, RELEASE_COMMIT: commit, ROLLOUT_STAGE: step, ...(percent === undefined ? {} : { ROLLOUT_PERCENT: String(percent) }) },
            },
        });
        log(`${stack}: ${step}: deployment ${created.id} started`);
        const finished = await waitForDeployment(client, stack, created.id, input.polling);
        const updateVersion = (finished.updates ?? []).map((u) => u.version).find((v) => v !== undefined);
        const result = { deploymentId: created.id, status: finished.status, updateVersion };
        stepOf(step, result);
        log(`${stack}: ${step}: deployment ${created.id} ${finished.status}`);
        return result;
    };

    let trafficMoved = false;
    let retireWarning: string | undefined;
    let previousDeployment: string | undefined;
    try {
        if (input.backend === "digitalocean") {
            // Before anything changes: the deployment to go back to.
            const before = releaseFactsFrom(await client.getStackOutputs(stack));
            if (before.release.appId === undefined) log(`${stack}: the stack reports no appId yet (first release): nothing to roll back to`);
            else if (input.digitalocean !== undefined) previousDeployment = await input.digitalocean.activeDeployment(before.release.appId);
        }
        let prepared: StackReleaseResult;
        try {
            prepared = await releaseStack({
                client,
                stack,
                tag,
                commit,
                path: input.path,
                polling: input.polling,
                discovery: input.discovery,
                extraEnvironment: { ROLLOUT_STAGE: "prepare" },
                log,
            });
        } catch (error) {
            throw new StageFailure("prepare", error instanceof Error ? error.message : String(error));
        }
        stepOf("prepare", prepared);
        if (prepared.status !== "succeeded") throw new StageFailure("prepare", `the release's update ${prepared.deploymentId} ${prepared.status}`);
        facts = releaseFactsFrom(prepared.outputs);
        trafficMoved = input.backend === "digitalocean";

        for (const [index, stage] of plannedStages.entries()) {
            const record = stages[index];
            record.started_at = new Date(clock.now()).toISOString();
            const begun = clock.now();
            try {
                if (input.backend === "aws") {
                    const shifted = await stageUpdate(stage.name, stage.percent);
                    record.pulumi_deployment_id = shifted.deploymentId;
                    trafficMoved = true;
                    if (shifted.status !== "succeeded") throw new StageFailure(stage.name, `the update that shifts ${stage.percent} % ${shifted.status}`);
                    facts = releaseFactsFrom(await client.getStackOutputs(stack));
                    // The record states what the stack reports, not what was asked: a deployment whose settings do not
                    // run `stage-config` would leave the weights where they were, and the stage would prove nothing.
                    const observed = facts.release.rollout?.candidatePercent;
                    if (observed !== stage.percent) {
                        throw new StageFailure(
                            stage.name,
                            `after the ${stage.name} update the stack reports ${observed === undefined ? "no rollout position" : `${observed} %`} on the new revision, not ${stage.percent} %; ` +
                                "do the stack's deployment settings run `npm run release -- stage-config` before pulumi up? (docs/rollout.md)",
                        );
                    }
                }
                log(`${stack}: ${stage.name}: ${stage.percent} % on the new revision; watching for ${stage.minutes} min`);
                await watch(record, stage.minutes);
                record.status = "healthy";
            } catch (error) {
                record.status = "failed";
                record.failure = error instanceof Error ? error.message : String(error);
                throw error instanceof StageFailure ? error : new StageFailure(stage.name, record.failure);
            } finally {
                record.finished_at = new Date(clock.now()).toISOString();
                record.duration_minutes = minutesBetween(begun, clock.now());
            }
        }
        completedAt = clock.now();
        if (input.backend === "aws") await retireOldSlot();
    } catch (error) {
        const stageName = error instanceof StageFailure ? error.stage : "prepare";
        const reason = error instanceof Error ? error.message : String(error);
        failure = { stage: stageName, reason };
        log(`${stack}: release ${tag} failed at ${stageName}: ${reason}`);
        if (trafficMoved) rollback = await rollBack();
    }

    /**
     * After the last stage's watch the release has succeeded; this update makes the new revision's slot the
     * live one and stops the old slot, so no standby runs (and is billed) between releases. Rolling back after
     * it is a release of the previous version (docs/rollout.md). Its failure does not undo the release: the
     * old slot keeps running idle, at 0 %, until the next release's prepare step, and the record says so.
     */
    async function retireOldSlot(): Promise<void> {
        try {
            const result = await stageUpdate("complete", undefined);
            if (result.status !== "succeeded") {
                retireWarning = `the complete update ${result.deploymentId} ${result.status}: the old api slot keeps running idle until the next release`;
                return;
            }
            const after = releaseFactsFrom(await client.getStackOutputs(stack)).release.rollout;
            if (after?.candidatePercent !== 0 || after.candidateState !== "stopped") {
                retireWarning = "after the complete update the stack does not report the old slot stopped: do the deployment settings run `npm run release -- stage-config`?";
            }
        } catch (error) {
            retireWarning = `the complete update failed: ${error instanceof Error ? error.message : String(error)}`;
        }
        if (retireWarning !== undefined) log(`${stack}: warning: ${retireWarning}`);
    }

    async function rollBack(): Promise<NonNullable<RolloutRecord["rollback"]>> {
        log(`${stack}: rolling back`);
        try {
            if (input.backend === "aws") {
                const result = await stageUpdate("rollback", 0);
                if (result.status !== "succeeded") return { method: "listener weights to the live slot (Pulumi Deployments)", deployment_id: result.deploymentId, status: "failed", smoke_tests: "not-run" };
                facts = releaseFactsFrom(await client.getStackOutputs(stack));
                const smoke = await smokeAfterRollback();
                return { method: "listener weights to the live slot (Pulumi Deployments)", deployment_id: result.deploymentId, status: "succeeded", smoke_tests: smoke };
            }
            const method = "App Platform rollback to the previous deployment (POST /v2/apps/{app_id}/rollback)";
            const appId = facts.release.appId;
            if (input.digitalocean === undefined || appId === undefined || previousDeployment === undefined) {
                return { method, deployment_id: null, status: "failed", smoke_tests: "not-run", detail: "no previous deployment or no DigitalOcean token: roll back by hand (docs/runbooks/rollback.md)" };
            }
            const rollbackDeployment = await input.digitalocean.rollback(appId, previousDeployment);
            const waited = await input.digitalocean.waitUntilActive(appId, rollbackDeployment, clock, input.polling.timeoutMs, input.polling.initialIntervalMs);
            if (!waited.active) return { method, deployment_id: rollbackDeployment, status: "failed", smoke_tests: "not-run", detail: `rollback deployment ended ${waited.phase}` };
            const smoke = await smokeAfterRollback();
            return { method, deployment_id: rollbackDeployment, status: "succeeded", smoke_tests: smoke, detail: `back on deployment ${previousDeployment}` };
        } catch (error) {
            return { method: input.backend === "aws" ? "listener weights to the live slot" : "App Platform rollback", deployment_id: null, status: "failed", smoke_tests: "not-run", detail: error instanceof Error ? error.message : String(error) };
        }
    }

    async function smokeAfterRollback(): Promise<"passed" | "failed"> {
        try {
            await check("rollback");
            return "passed";
        } catch {
            return "failed";
        }
    }

    const finishedAt = clock.now();
    const succeeded = failure === null && completedAt !== undefined;
    const written = new Date(finishedAt);
    const images = facts.release.images;
    return {
        record_version: 2,
        timestamp: written.toISOString(),
        deployment_id: deploymentId,
        version: tag.replace(/^v/, ""),
        tag,
        environment: input.environment,
        stack,
        backend: input.backend,
        status: succeeded ? "succeeded" : "failed",
        git_sha: commit,
        git_ref: `refs/tags/${tag}`,
        triggered_by: input.triggeredBy ?? null,
        workflow_run_url: input.workflowRunUrl ?? null,
        environment_url: facts.url ?? null,
        services_deployed: Object.entries(images).map(([service, image]) => ({ service, image })),
        database_backup: facts.release.databaseBackup
            ? { backup_id: facts.release.databaseBackup.id, location: facts.release.databaseBackup.location, timestamp: facts.release.databaseBackup.createdAt ?? null }
            : null,
        migrations_applied: null,
        pulumi_deployments: steps,
        rollout_stages: stages,
        health_checks: healthChecksFrom(lastSmoke, lastFiring),
        failure,
        rollback,
        started_at: new Date(startedAt).toISOString(),
        completed_at: succeeded && completedAt !== undefined ? new Date(completedAt).toISOString() : null,
        finished_at: written.toISOString(),
        rollback_available: succeeded,
        rollback_window_minutes: settings.rollbackWindowMinutes,
        rollback_deadline: succeeded && completedAt !== undefined ? new Date(completedAt + settings.rollbackWindowMinutes * 60_000).toISOString() : null,
        retention_days: settings.recordRetentionDays,
        retain_until: new Date(finishedAt + settings.recordRetentionDays * 86_400_000).toISOString(),
        warnings: retireWarning === undefined ? [] : [retireWarning],
    };
}
