/**
 * How long a release's `pulumi up` takes: the changed resources, scheduled along their dependencies as in the
 * first-deploy model, each taking its update or replacement time. A service's update time is its rollout,
 * stage by stage (migration job, canary, bakes, draining), read from the inputs the backends register.
 */
import { creationTime } from "../engine/creationTimes";
import { estimateFirstDeploy } from "./deployTime";
import type { ResourceChange } from "./releaseDiff";
import { arrayInput, numberInput, recordInput, stringInput, type ReportResource } from "./types";

export interface RolloutStage {
    resource: string;
    stage: string;
    minutes: number;
    basis: string;
}

export interface RolloutEstimate {
    rolloutMinutes: number;
    /** Stages of every changed resource that takes time, in plan order. */
    stages: RolloutStage[];
    /** The chain of changes that decides the total. */
    criticalPath: string[];
}

const taskStartMinutes = 2;
const taskStartBasis = "estimate: ~2 min to pull the image and start a task";

function ecsServiceStages(service: ReportResource, resources: ReportResource[]): RolloutStage[] {
    const name = service.name;
    const grace = (numberInput(service.inputs.healthCheckGracePeriodSeconds) ?? 0) / 60;
    const config = recordInput(service.inputs.deploymentConfiguration) ?? {};
    const strategy = stringInput(config.strategy) ?? "ROLLING";
    const start = (what: string): RolloutStage => ({ resource: name, stage: what, minutes: taskStartMinutes + grace, basis: `${taskStartBasis}, plus the ${Math.round(grace * 60)} s health-check grace period` });
    const targetGroups = resources.filter((r) => r.type === "aws:lb/targetGroup:TargetGroup" && service.dependencies.includes(r.urn));
    const drainSeconds = Math.max(0, ...targetGroups.map((t) => numberInput(t.inputs.deregistrationDelay) ?? 300));
    const drain: RolloutStage = targetGroups.length
        ? { resource: name, stage: "drain the old tasks from the target group", minutes: drainSeconds / 60, basis: `target group deregistration delay ${drainSeconds} s` }
        : { resource: name, stage: "stop the old tasks", minutes: 0.5, basis: "container stop timeout (30 s)" };
    if (strategy === "CANARY") {
        const canary = recordInput(config.canaryConfiguration) ?? {};
        const percent = numberInput(canary.canaryPercent) ?? 0;
        const canaryBake = numberInput(canary.canaryBakeTimeInMinutes) ?? 0;
        const bake = numberInput(config.bakeTimeInMinutes) ?? 0;
        return [
            start(`start the new revision's tasks, shift ${percent} % of traffic`),
            { resource: name, stage: `canary bake (${percent} %)`, minutes: canaryBake, basis: "deploymentConfiguration.canaryConfiguration.canaryBakeTimeInMinutes" },
            { resource: name, stage: "shift the remaining traffic", minutes: 0.5, basis: "estimate: a listener rule update" },
            { resource: name, stage: "bake before the old revision stops", minutes: bake, basis: "deploymentConfiguration.bakeTimeInMinutes" },
            drain,
        ];
    }
    return [start("start the new revision's tasks (rolling, 100 % minimum healthy)"), drain];
}

function appStages(app: ReportResource): RolloutStage[] {
    const spec = recordInput(app.inputs.spec) ?? {};
    const stages: RolloutStage[] = [];
    for (const job of arrayInput(spec.jobs)) {
        const j = recordInput(job) ?? {};
        if (stringInput(j.kind) !== "PRE_DEPLOY") continue;
        stages.push({ resource: app.name, stage: `pre-deploy job ${stringInput(j.name) ?? ""} (e.g. migrations)`.replace("  ", " "), minutes: 1.5, basis: "estimate: start a job container and run it to completion" });
    }
    let checkSeconds = 0;
    for (const s of arrayInput(spec.services)) {
        const check = recordInput(recordInput(s)?.healthCheck) ?? {};
        const seconds = (numberInput(check.initialDelaySeconds) ?? 0) + (numberInput(check.periodSeconds) ?? 10) * (numberInput(check.successThreshold) ?? 1);
        checkSeconds = Math.max(checkSeconds, seconds);
    }
    stages.push({ resource: app.name, stage: "deploy the new images and pass the health checks", minutes: 3 + checkSeconds / 60, basis: `estimate: ~3 min to pull and start, plus the readiness check (${checkSeconds} s)` });
    stages.push({ resource: app.name, stage: "route traffic and stop the old instances", minutes: 0.5, basis: "estimate" });
    return stages;
}

function stagesOf(resource: ReportResource, change: ResourceChange, resources: ReportResource[]): RolloutStage[] {
    if (resource.type === "aws:ecs/service:Service" && change.properties.includes("taskDefinition")) return ecsServiceStages(resource, resources);
    if (resource.type === "digitalocean:index/app:App" && change.properties.includes("spec")) return appStages(resource);
    const time = change.op === "update" ? { seconds: 6, source: "API call" } : creationTime(resource);
    return [{ resource: resource.name, stage: change.op === "create" ? "create" : change.op === "replace" ? "replace (create the new one)" : change.op, minutes: time.seconds / 60, basis: time.source }];
}

export function estimateRollout(changes: ResourceChange[], resources: ReportResource[]): RolloutEstimate {
    const byUrn = new Map(resources.map((r) => [r.urn, r]));
    const changed = new Map(changes.filter((c) => c.op !== "delete").map((c) => [c.urn, c]));
    const stagesByUrn = new Map<string, RolloutStage[]>();
    for (const c of changed.values()) {
        const r = byUrn.get(c.urn);
        if (r) stagesByUrn.set(c.urn, stagesOf(r, c, resources));
    }
    // The engine's deploy model, each changed resource timed by its stages; unchanged resources take no
    // time but still carry the ordering between changed ones.
    const estimate = estimateFirstDeploy(resources, {
        timeOf: (r) => {
            const stages = stagesByUrn.get(r.urn);
            return stages ? { seconds: stages.reduce((t, s) => t + s.minutes * 60, 0), source: "rollout stages" } : { seconds: 0, source: "unchanged" };
        },
    });
    const round1 = (n: number) => Math.round(n * 10) / 10;
    return {
        rolloutMinutes: estimate.totalMinutes,
        stages: [...stagesByUrn.values()].flat().filter((s) => s.minutes > 0).map((s) => ({ ...s, minutes: round1(s.minutes) })),
        criticalPath: estimate.criticalPath.filter((s) => s.minutes > 0).map((s) => s.name),
    };
}
