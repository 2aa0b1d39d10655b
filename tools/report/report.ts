/**
 * One stack's report, assembled from program runs: the preview's registered resources (cost, picture,
 * first deploy) and two update runs, before and after an image-only change (what a release touches).
 * Pure given the runs; the CLI (cli.ts) and the staleness test both build reports through here.
 */
import * as path from "node:path";
import { runProgram, type RecordedResource } from "../engine/emulator";
import { displayValue } from "../engine/display";
import { readStackConfig, repoRoot } from "../engine/stackFiles";
import { describeArchitecture, type Architecture } from "./architecture";
import { estimateCost, type CostEstimate, type CostLine } from "./cost";
import { estimateFirstDeploy, type DeployStep } from "./deployTime";
import { releaseChanges, type ResourceChange } from "./releaseDiff";
import { estimateRollout, type RolloutStage } from "./rollout";
import { atSeed001Sizing, seed001Applies } from "./seed001";
import { priceTableDate } from "./prices";
import { toReportResources, type ReportResource } from "./types";
import { loadProgram } from "../engine/program";
import { placeholderFor } from "../../config/secrets";

export interface StackReport {
    stack: string;
    backend: string;
    region: string;
    priceTableDate: string;
    /** Fixed monthly cost of the priced lines (USD); usage lines are in `usageCostUsd`. */
    monthlyCostUsd: number;
    usageCostUsd: number;
    costLines: CostLine[];
    notPriced: CostEstimate["notPriced"];
    /** Production on AWS: the same lines at seed 001's sizing. */
    seed001?: { monthlyCostUsd: number; usageCostUsd: number; costLines: CostLine[] };
    firstDeployMinutes: number;
    criticalPath: DeployStep[];
    slowestResource: DeployStep;
    release: {
        change: string;
        changes: ResourceChange[];
        rolloutMinutes: number;
        stages: RolloutStage[];
        criticalPath: string[];
    };
    /** The SVG, relative to the repository. */
    diagram: string;
    resources: { total: number; byType: [string, number][] };
}

/**
 * The report reads the update run of the committed stack: the same registrations as the preview, with the
 * values providers compute known (faked), so one run serves the cost, the picture, the first deploy and the
 * base of the release diff. The CLI still runs the preview with the policy pack, for the policy results and
 * the outputs it shows on the console.
 */
export interface ProgramRuns {
    /** An update run of the stack as committed, and one with the image-only change. */
    base: RecordedResource[];
    next: RecordedResource[];
    change: string;
    config: Record<string, string>;
}

const project = "fraud-platform";


/**
 * The same stack with every service image moved to the next patch version (1.4.2 → 1.4.3; a tag that is
 * not a version gets `-next`): an image-only release. Returns the changed config and a description.
 */
export function imageOnlyChange(config: Record<string, string>): { config: Record<string, string>; change: string } {
    const key = `${project}:services`;
    const raw = config[key];
    if (!raw) return { config, change: "no services in the stack's config" };
    const services = JSON.parse(raw) as Record<string, { image?: string }>;
    // On AWS the release path keeps the live api slot on the image it serves (docs/rollout.md, prepare step).
    const liveImage = config[`${project}:backend`] === "aws" ? services.api?.image : undefined;
    const moved: string[] = [];
    for (const spec of Object.values(services)) {
        if (!spec.image) continue;
        const at = spec.image.lastIndexOf(":");
        const [repo, tag] = at > spec.image.lastIndexOf("/") ? [spec.image.slice(0, at), spec.image.slice(at + 1)] : [spec.image, "latest"];
        const version = /^(v?)(\d+)\.(\d+)\.(\d+)$/.exec(tag);
        const nextTag = version ? `${version[1]}${version[2]}.${version[3]}.${Number(version[4]) + 1}` : `${tag}-next`;
        const line = `${repo}:${tag} → ${nextTag}`;
        if (!moved.includes(line)) moved.push(line);
        spec.image = `${repo}:${nextTag}`;
    }
    const rolloutKey = `${project}:rollout`;
    const rollout: Record<string, string> = liveImage === undefined ? {} : { [rolloutKey]: JSON.stringify({ ...(JSON.parse(config[rolloutKey] ?? "{}") as Record<string, unknown>), liveImage }) };
    return { config: { ...config, [key]: JSON.stringify(services), ...rollout }, change: `image-only release: ${moved.join("; ")}` };
}

/**
 * `pulumi up` refuses the committed placeholders (the example certificate ARN and domain) and an aws stack
 * without its rollout position, so the update
 * runs behind the release diff use stand-ins for them: the same in both runs, so they never show as a change.
 */
export function withStandIns(config: Record<string, string>): Record<string, string> {
    const out = { ...config };
    for (const key of [`${project}:aws`, `${project}:digitalocean`]) {
        if (!out[key]) continue;
        const settings = JSON.parse(out[key]) as Record<string, unknown>;
        const swap = (value: unknown) =>
            typeof value === "string"
                ? value
                      .replace(":123456789012:", ":210987654321:")
                      .replace(/\/0{8}-0{4}-0{4}-0{4}-0{12}$/, "/5a1e7e57-0000-4000-8000-000000000001")
                      .replace(/(^|\.)example\.(com|org|net)$/, "$1example-stand-in.dev")
                : value;
        settings.certificateArn = swap(settings.certificateArn);
        settings.domainName = swap(settings.domainName);
        const domain = settings.domain as Record<string, unknown> | undefined;
        if (domain && typeof domain === "object") domain.name = swap(domain.name);
        for (const k of Object.keys(settings)) if (settings[k] === undefined) delete settings[k];
        out[key] = JSON.stringify(settings);
    }
    // `pulumi up` on aws also needs the rollout position read back from the stack; a report's stack never ran,
    // so it stands at what `stage-config --stage hold` sets then: blue serving.
    const rolloutKey = `${project}:rollout`;
    if (out[`${project}:backend`] === "aws") {
        const rollout = JSON.parse(out[rolloutKey] ?? "{}") as Record<string, unknown>;
        if (rollout.liveSlot === undefined) out[rolloutKey] = JSON.stringify({ ...rollout, liveSlot: "blue" });
    }
    return out;
}

/** Runs the stack as an update (provider outputs faked, so values that flow between resources are known). */
async function updateRun(stack: string, config: Record<string, string>, secretKeys: string[]) {
    const seed = `${project}:credentialSeed`;
    // `pulumi up` on docker needs the developer's own credentialSeed, which no committed file carries.
    const withSeed: Record<string, string> = config[`${project}:backend`] === "docker" && config[seed] === undefined ? { [seed]: placeholderFor(["credentialSeed"], {}) } : {};
    return runProgram({
        project,
        stack,
        config: { ...withStandIns(config), ...withSeed },
        secretKeys: [...secretKeys, ...Object.keys(withSeed)],
        preview: false,
        program: loadProgram(),
    });
}

/** The two update runs the report reads: the stack as committed and after an image-only release. */
export async function releaseRuns(stack: string, stackFile?: string): Promise<ProgramRuns> {
    const file = readStackConfig(stack, repoRoot, stackFile);
    const base = await updateRun(stack, file.config, file.secretKeys);
    const { config, change } = imageOnlyChange(file.config);
    const next = await updateRun(stack, config, file.secretKeys);
    return { base: base.resources, next: next.resources, change, config: file.config };
}

export function diagramPath(stack: string, outDir: string): string {
    return path.relative(repoRoot, path.join(outDir, `${stack}.svg`));
}

export function buildStackReport(stack: string, runs: ProgramRuns, outDir: string): { report: StackReport; architecture: Architecture } {
    const resources: ReportResource[] = toReportResources(runs.base);
    const cost = estimateCost(resources, runs.config);
    const architecture = describeArchitecture(resources);
    const deploy = estimateFirstDeploy(resources);
    const changes = releaseChanges(runs.base, runs.next);
    const rollout = estimateRollout(changes, toReportResources(runs.next));
    const counts = new Map<string, number>();
    for (const r of resources) counts.set(r.type, (counts.get(r.type) ?? 0) + 1);
    const seed = stack === "production" && seed001Applies(resources) ? estimateCost(atSeed001Sizing(resources), runs.config) : undefined;
    const report: StackReport = {
        stack,
        backend: architecture.backend,
        region: cost.region,
        priceTableDate,
        monthlyCostUsd: cost.monthlyCostUsd,
        usageCostUsd: cost.usageCostUsd,
        costLines: cost.lines,
        notPriced: cost.notPriced,
        ...(seed ? { seed001: { monthlyCostUsd: seed.monthlyCostUsd, usageCostUsd: seed.usageCostUsd, costLines: seed.lines } } : {}),
        firstDeployMinutes: deploy.totalMinutes,
        criticalPath: deploy.criticalPath,
        slowestResource: deploy.slowest,
        release: { change: runs.change, changes, rolloutMinutes: rollout.rolloutMinutes, stages: rollout.stages, criticalPath: rollout.criticalPath },
        diagram: diagramPath(stack, outDir).split(path.sep).join("/"),
        resources: { total: resources.length, byType: [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])) },
    };
    return { report, architecture };
}

/** The stack's outputs as `pulumi preview` shows them: what providers compute is unknown until the update. */
export function previewOutputs(preview: RecordedResource[]): Record<string, unknown> {
    return displayValue(preview.find((r) => r.type === "pulumi:pulumi:Stack")?.outputs ?? {}) as Record<string, unknown>;
}
