import { otherSlot, type CandidateState, type RolloutSettings, type RolloutSlot } from "../../config/rollout";
import type { ReleaseOutput } from "./rollout";

/**
 * Where a rollout step puts the stack: the config keys `rollout.liveSlot`, `rollout.candidatePercent` and
 * `rollout.liveImage` for the update a step runs, computed from the stack's `release` output (what the
 * previous update left) and the step. Run inside the Deployments executor before `pulumi up`
 * (`npm run release -- stage-config --stage "${ROLLOUT_STAGE:-prepare}"`): the stack's outputs carry the
 * rollout's position from one update to the next, because the executor's checkout (and any config set in
 * it) is thrown away after each run.
 */

export interface StagePosition {
    liveSlot: RolloutSlot;
    candidatePercent: number;
    /** Unset: the live slot runs `services.api.image` (first deployment, before any slot differs). */
    liveImage?: string;
    candidateState: CandidateState;
}

export class StageConfigError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "StageConfigError";
    }
}

/**
 * - `prepare`: a new release. If the last one finished without its `complete` step (its candidate took
 *   100 %), that slot becomes the live one; otherwise the live slot stays. The candidate starts (at
 *   `services.api.count` tasks) with 0 %.
 * - a stage's name: the candidate's share becomes the stage's percent; the live slot and its image stay.
 * - `rollback`: all traffic back to the live slot, and the candidate stops.
 * - `hold`: an update that is no release step (a config change by hand): the position the stack reports, unchanged.
 * - `redeploy`: the rollback runbook's redeploy of an older release: the live slot runs that release's image
 *   at once, with all traffic, and the other slot stops.
 * - `complete`: after the last stage's watch, the candidate (at 100 %) becomes the live slot and the old one
 *   stops: between releases the standby runs no task.
 */
export function stagePosition(step: string, settings: RolloutSettings, current: ReleaseOutput["rollout"], candidateImage: string): StagePosition {
    // The rollback runbook's redeploy of an older tag (RELEASE_ROLLBACK): no stages, the live slot itself rolls
    // to that tag's image (ECS rolling, circuit breaker) and takes all traffic; a release under way is abandoned.
    // An update that is not a release step (a config change by hand, a refresh of settings): everything stays where
    // the stack says it is. A stack that never ran starts with blue serving and green stopped.
    if (step === "hold") {
        if (current === undefined || current === null) return { liveSlot: "blue", candidatePercent: 0, candidateState: "stopped" };
        const candidateState = current.candidateState ?? (current.candidatePercent > 0 ? "running" : "stopped");
        return { liveSlot: current.liveSlot, candidatePercent: current.candidatePercent, liveImage: current.images[current.liveSlot], candidateState };
    }
    if (step === "redeploy") return { liveSlot: current?.liveSlot ?? "blue", candidatePercent: 0, liveImage: candidateImage, candidateState: "stopped" };
    if (step === "prepare") {
        if (current === undefined || current === null) return { liveSlot: "blue", candidatePercent: 0, candidateState: "starting" };
        const finished = current.candidatePercent === 100;
        const liveSlot = finished ? current.candidateSlot : current.liveSlot;
        return { liveSlot, candidatePercent: 0, liveImage: current.images[liveSlot], candidateState: "starting" };
    }
    if (current === undefined || current === null) {
        throw new StageConfigError(`step "${step}" needs the stack's release output from the prepare step; run the release from prepare (ROLLOUT_STAGE=prepare)`);
    }
    const candidateSlot = otherSlot(current.liveSlot);
    const candidateRuns = current.images[candidateSlot];
    if (candidateRuns !== candidateImage) {
        throw new StageConfigError(
            `step "${step}": the candidate slot ${candidateSlot} runs ${candidateRuns ?? "nothing"}, not this release's ${candidateImage}; run the prepare step for this release first`,
        );
    }
    const liveImage = current.images[current.liveSlot];
    if (step === "rollback") return { liveSlot: current.liveSlot, candidatePercent: 0, liveImage, candidateState: "stopped" };
    if (step === "complete") {
        if (current.candidatePercent !== 100) {
            throw new StageConfigError(`step "complete": the new revision serves ${current.candidatePercent} %, not 100 %; complete follows the last stage`);
        }
        return { liveSlot: candidateSlot, candidatePercent: 0, liveImage: candidateRuns, candidateState: "stopped" };
    }
    const stage = settings.stages.find((s) => s.name === step);
    if (stage === undefined) {
        throw new StageConfigError(`unknown rollout step "${step}": allowed are prepare, ${settings.stages.map((s) => s.name).join(", ")}, rollback, complete, redeploy, hold`);
    }
    return { liveSlot: current.liveSlot, candidatePercent: stage.percent, liveImage, candidateState: "running" };
}
