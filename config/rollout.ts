import { z } from "zod";
import { imageReference, urlPath } from "./common";

/**
 * Seed 003's gradual rollout, as stack config (`fraud-platform:rollout`): the stages the release path walks
 * (`npm run release -- rollout`), the smoke tests it runs after each, and where a release stands.
 *
 * Two kinds of keys live here:
 * - settings a reviewer changes in the stack file: `stages`, `checkIntervalSeconds`, `smoke`,
 *   `rollbackWindowMinutes`, `recordRetentionDays`;
 * - the release's position, which the release path sets for each stage's update (`npm run release --
 *   stage-config`): `liveSlot`, `candidatePercent`, `liveImage`. A stack file leaves them unset: then
 *   the blue slot serves everything and both slots run `services.api.image`.
 *
 * On AWS the api runs in two slots (blue and green, each an ECS service with its own target group); the
 * load balancer's rule forwards `100 - candidatePercent` to the live slot and `candidatePercent` to the
 * other one, so each stage is an in-place change of the rule's weights, visible in the preview.
 */

export const rolloutSlots = ["blue", "green"] as const;
export type RolloutSlot = (typeof rolloutSlots)[number];

/** The slot that is not live: stopped between releases, starting in the prepare update, running in the stages. */
export const candidateStates = ["stopped", "starting", "running"] as const;
export type CandidateState = (typeof candidateStates)[number];

export function otherSlot(slot: RolloutSlot): RolloutSlot {
    return slot === "blue" ? "green" : "blue";
}

/** Seed 003: canary 5 % for 5 minutes, progressive 50 % for 10, full 100 % with 15 minutes of monitoring. */
export const defaultRolloutStages: readonly RolloutStage[] = [
    { name: "canary", percent: 5, minutes: 5 },
    { name: "progressive", percent: 50, minutes: 10 },
    { name: "full", percent: 100, minutes: 15 },
];

const stage = z.strictObject({
    /** Named in the record and the logs, e.g. canary. */
    name: z.string().regex(/^[a-z][a-z0-9-]{0,30}$/, "a lower-case stage name, e.g. canary"),
    /**
     * Share of the api's traffic the new revision takes in this stage, percent (whole numbers: the load
     * balancer's weights are integers 0-999, and the two slots' weights add up to 100).
     */
    percent: z.number().int().min(1).max(100),
    /** How long the stage is watched (smoke tests and health alarms) before the next one, minutes. */
    minutes: z.number().min(0).max(1440),
});
export type RolloutStage = z.infer<typeof stage>;

const smoke = z.strictObject({
    /**
     * Paths under the stack's url probed from outside after each stage, besides `healthUrl` and the api's
     * readiness path (seed 000/003: critical endpoints). Each must answer 2xx to a GET.
     */
    endpoints: z.array(urlPath).max(20).default([]),
    /** Attempts after the first failed probe of a URL before the smoke test fails (seed 003: HEALTH_CHECK_RETRIES 5). */
    retries: z.number().int().min(0).max(20).default(5),
    /** Seconds between attempts at one URL (seed 003: HEALTH_CHECK_INTERVAL 10). */
    retryIntervalSeconds: z.number().int().min(1).max(300).default(10),
    /** One smoke test gives up after this many seconds, retries included (seed 003: HEALTH_CHECK_TIMEOUT 300). */
    deadlineSeconds: z.number().int().min(5).max(3600).default(300),
    /** Seconds one request may take. */
    requestTimeoutSeconds: z.number().int().min(1).max(60).default(5),
});

/**
 * Most days a GitHub Actions artifact can be kept (private repositories; public ones at most 90):
 * https://docs.github.com/en/organizations/managing-organization-settings/configuring-the-retention-period-for-github-actions-artifacts-and-logs-in-your-organization
 */
export const maxArtifactRetentionDays = 400;

export const rolloutSettings = z
    .strictObject({
        stages: z.array(stage).min(1).max(10).default(defaultRolloutStages.map((s) => ({ ...s }))),
        /** Seconds between health checks while a stage is watched (seed 003: every 10 seconds). */
        checkIntervalSeconds: z.number().int().min(1).max(300).default(10),
        smoke: smoke.default(smoke.parse({})),
        /** Minutes after the release completes during which it can be rolled back at once (seed 003: 60). */
        rollbackWindowMinutes: z.number().int().min(1).max(1440).default(60),
        /** Days the deployment record is kept (seed 003: 365, audit compliance). */
        recordRetentionDays: z.number().int().min(1).max(maxArtifactRetentionDays).default(365),
        /** Set by the release path: the slot that served all traffic before this release. */
        liveSlot: z.enum(rolloutSlots).default("blue"),
        /** Set by the release path: the new revision's (the other slot's) share of traffic, percent; 0 or a stage's percent. */
        candidatePercent: z.number().int().min(0).max(100).default(0),
        /** Set by the release path: the api image the live slot keeps running. Default: `services.api.image`. */
        liveImage: imageReference.optional(),
        /**
         * Set by the release path: whether the slot that is not live runs. `stopped` between releases (no
         * tasks, its scaler pinned to 0..0: the standby costs nothing), `starting` for the release's prepare update (the
         * new revision starts at `services.api.count` tasks and `pulumi up` waits until they are healthy),
         * `running` while the stages move traffic to it (autoscaled like the live slot).
         */
        candidateState: z.enum(candidateStates).default("stopped"),
    })
    .superRefine((settings, ctx) => {
        const { stages } = settings;
        stages.forEach((current, index) => {
            const before = stages[index - 1];
            if (before !== undefined && current.percent <= before.percent) {
                ctx.addIssue({
                    code: "custom",
                    path: ["stages", index, "percent"],
                    message: `more than the previous stage's ${before.percent} (stages raise the new revision's share step by step)`,
                });
            }
            if (stages.findIndex((other) => other.name === current.name) !== index) {
                ctx.addIssue({ code: "custom", path: ["stages", index, "name"], message: `a name no other stage has ("${current.name}" is used twice)` });
            }
        });
        const last = stages[stages.length - 1];
        if (last !== undefined && last.percent !== 100) {
            ctx.addIssue({ code: "custom", path: ["stages", stages.length - 1, "percent"], message: "100 in the last stage (a release ends with all traffic on the new revision)" });
        }
        const allowed = [0, ...stages.map((s) => s.percent)];
        if (!allowed.includes(settings.candidatePercent)) {
            ctx.addIssue({ code: "custom", path: ["candidatePercent"], message: `0 or one of the stages' percents: ${allowed.join(", ")}` });
        }
        if (settings.candidatePercent > 0 && settings.candidateState !== "running") {
            ctx.addIssue({
                code: "custom",
                path: ["candidateState"],
                message: `"running" while the new revision takes traffic (candidatePercent ${settings.candidatePercent}); a slot that is ${settings.candidateState} has no task to serve it`,
            });
        }
    });

export type RolloutSettings = z.infer<typeof rolloutSettings>;

/** The listener rule's weights for a rollout position: the live slot keeps what the candidate does not take. */
export function slotWeights(liveSlot: RolloutSlot, candidatePercent: number): Record<RolloutSlot, number> {
    const candidate = otherSlot(liveSlot);
    return { [liveSlot]: 100 - candidatePercent, [candidate]: candidatePercent } as Record<RolloutSlot, number>;
}
