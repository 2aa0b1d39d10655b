/**
 * The report's view of a deploy: the engine's first-deploy model (tools/engine/deployTime.ts, with the one
 * creation-time table in tools/engine/creationTimes.ts) in minutes, each step named and with what its time
 * rests on, as the report's JSON and Markdown show it.
 */
import { modelFirstDeploy, type DeployTimeOptions, type DeployTimeModel, type GraphResource } from "../engine/deployTime";

export interface DeployStep {
    urn: string;
    type: string;
    name: string;
    minutes: number;
    startMinute: number;
    basis: string;
}

export interface DeployEstimate {
    totalMinutes: number;
    /** The chain of resources that decides the total, first to last (steps that take no time left out). */
    criticalPath: DeployStep[];
    /** The single slowest resource, for comparison with the total. */
    slowest: DeployStep;
}

const round1 = (n: number) => Math.round(n * 10) / 10;
const nameOf = (urn: string) => urn.split("::").pop() ?? urn;

/** Minutes, rounded to a tenth, and names: the engine's model as the report shows it. */
export function toDeployEstimate(model: DeployTimeModel): DeployEstimate {
    const timed = model.criticalPath.filter((s) => s.finishSeconds > s.startSeconds);
    const steps = timed.length > 0 ? timed : model.criticalPath.slice(-1);
    return {
        totalMinutes: round1(model.totalSeconds / 60),
        criticalPath: steps.map((s) => ({ urn: s.urn, type: s.type, name: nameOf(s.urn), minutes: round1((s.finishSeconds - s.startSeconds) / 60), startMinute: round1(s.startSeconds / 60), basis: s.source })),
        slowest: { urn: model.slowest.urn, type: model.slowest.type, name: nameOf(model.slowest.urn), minutes: round1(model.slowest.seconds / 60), startMinute: round1(((model.finish.get(model.slowest.urn) ?? 0) - model.slowest.seconds) / 60), basis: model.slowest.source },
    };
}

/** The first `pulumi up` of these resources, by the engine's model. */
export function estimateFirstDeploy(resources: GraphResource[], options: DeployTimeOptions = {}): DeployEstimate {
    return toDeployEstimate(modelFirstDeploy(resources, options));
}
