import { execFileSync } from "node:child_process";
import { z } from "zod";
import { loadEnvironmentSpec, serviceNames, type EnvironmentSpec } from "../../config";
import { readStackConfig, repoRoot } from "../engine/stackFiles";
import { defaultPolling, type ReleasePath } from "./deploy";
import type { DeploymentsClient } from "./deploymentsClient";
import { DigitalOceanApps } from "./digitaloceanApps";
import { checkImagesMatchRelease } from "./images";
import { requireStagingDeployed } from "./promotion";
import { releaseFactsFrom, runRollout, type AlarmCheck } from "./rollout";
import type { RolloutRecord } from "./rolloutRecord";
import { notifySlack } from "./slack";
import { systemClock } from "./smoke";
import { StageConfigError, stagePosition } from "./stageConfig";

/**
 * The rollout's commands, kept apart from cli.ts's argument handling:
 *   rollout       — runs seed 003's staged release of one stack and writes its record (GitHub Actions).
 *   stage-config  — inside the Deployments executor, before `pulumi up`: sets the rollout position for the
 *                   step in ROLLOUT_STAGE (prepare when unset, e.g. a tag push) from the stack's outputs.
 */

/** The validated spec of a committed stack file (the same rules and messages as the program's). */
export function stackSpec(stack: string, dir = repoRoot): EnvironmentSpec {
    const file = readStackConfig(stack, dir);
    return loadEnvironmentSpec({ project: file.project, stack, values: file.config, secretKeys: new Set(file.secretKeys), stackFile: file.file });
}

/** The service images a stack file names, keyed by their config key. */
function imagesOf(spec: EnvironmentSpec): Record<string, string> {
    return Object.fromEntries(serviceNames.map((name) => [`${spec.project}:services.${name}.image`, spec.services[name].image]));
}

/** AWS: the release's alarms that are in ALARM, asked through the AWS CLI (the job's OIDC role needs cloudwatch:DescribeAlarms). */
export const awsCliAlarms: AlarmCheck = async (release) => {
    const names = release.alarmNames ?? [];
    if (names.length === 0) return [];
    const out = execFileSync("aws", ["cloudwatch", "describe-alarms", "--alarm-names", ...names, "--state-value", "ALARM", "--query", "MetricAlarms[].AlarmName", "--output", "json"], {
        encoding: "utf8",
        stdio: ["ignore", "pipe", "pipe"],
    });
    return z.array(z.string()).parse(JSON.parse(out));
};

export interface RolloutCommandInput {
    client: DeploymentsClient;
    stack: string;
    tag: string;
    commit: string;
    path: ReleasePath;
    timeoutMs: number;
    stagingStack: string;
    /** Ask CloudWatch for the release's alarms (AWS); off only where no AWS credentials exist (documented). */
    checkAlarms: boolean;
    log: (line: string) => void;
}

export async function rolloutCommand(input: RolloutCommandInput): Promise<RolloutRecord> {
    const spec = stackSpec(input.stack);
    if (spec.backend === "docker") throw new Error(`stack ${input.stack} runs on the local docker backend: it is not released through Pulumi Deployments`);
    checkImagesMatchRelease(input.tag, imagesOf(spec), `Pulumi.${input.stack}.yaml`);
    if (spec.environment === "production") {
        const staged = await requireStagingDeployed(input.client, input.stagingStack, input.tag, input.commit);
        input.log(`${input.stagingStack} deployed ${input.tag} (deployment ${staged}): production may take it`);
    }
    const { GITHUB_SERVER_URL: server, GITHUB_REPOSITORY: repository, GITHUB_RUN_ID: runId } = process.env;
    const doToken = process.env.DIGITALOCEAN_TOKEN ?? "";
    const record = await runRollout({
        client: input.client,
        stack: input.stack,
        environment: spec.environment,
        backend: spec.backend,
        tag: input.tag,
        commit: input.commit,
        path: input.path,
        settings: spec.rollout,
        clock: systemClock,
        polling: { ...defaultPolling, timeoutMs: input.timeoutMs },
        discovery: { ...defaultPolling, timeoutMs: 15 * 60_000 },
        alarms: spec.backend === "aws" && input.checkAlarms ? awsCliAlarms : undefined,
        digitalocean: spec.backend === "digitalocean" && doToken !== "" ? new DigitalOceanApps(doToken) : undefined,
        triggeredBy: process.env.GITHUB_ACTOR,
        workflowRunUrl: server && repository && runId ? `${server}/${repository}/actions/runs/${runId}` : undefined,
        log: input.log,
    });
    await notifySlack(process.env.SLACK_WEBHOOK_URL, record, input.log);
    return record;
}

/**
 * stage-config: reads the stack's `release` output and sets the rollout position for `step` with
 * `pulumi config set --path` (in the executor's throw-away checkout). Needs the Pulumi CLI, so it runs only
 * in a Deployments executor or a logged-in shell (marked in docs/rollout.md as needing a cloud account).
 */
export function stageConfigCommand(stack: string, step: string, log: (line: string) => void): void {
    const spec = stackSpec(stack);
    if (spec.backend !== "aws") {
        log(`${stack}: ${spec.backend} swaps the whole app at once; no rollout position to set`);
        return;
    }
    const pulumi = (args: string[]) => execFileSync("pulumi", [...args, "--stack", process.env.PULUMI_CI_STACK ?? stack, "--non-interactive"], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    // A stack that never ran prints `{}` here. A failure (login, network) must stop the step: read as "no
    // outputs", it would put the new image in the live slot at full traffic.
    let outputs: Record<string, unknown>;
    try {
        outputs = z.record(z.string(), z.unknown()).parse(JSON.parse(pulumi(["stack", "output", "--json"])));
    } catch (error) {
        // execFileSync's error carries the CLI's own words on stderr; its message is only "Command failed: …".
        const stderr = (error as { stderr?: unknown }).stderr;
        const said = typeof stderr === "string" ? stderr.split("\n").find((line) => line.trim() !== "") : undefined;
        const reason = said ?? (error instanceof Error ? error.message.split("\n")[0] : String(error));
        throw new StageConfigError(`${stack}: cannot read the stack's outputs (pulumi stack output --json): ${reason}; the rollout position stays unset`);
    }
    if (Object.keys(outputs).length === 0) log(`${stack}: no stack outputs yet (first deployment)`);
    const position = stagePosition(step, spec.rollout, releaseFactsFrom(outputs).release.rollout, spec.services.api.image);
    pulumi(["config", "set", "--path", "rollout.liveSlot", position.liveSlot]);
    pulumi(["config", "set", "--path", "rollout.candidatePercent", String(position.candidatePercent)]);
    pulumi(["config", "set", "--path", "rollout.candidateState", position.candidateState]);
    if (position.liveImage !== undefined) pulumi(["config", "set", "--path", "rollout.liveImage", position.liveImage]);
    else {
        try {
            pulumi(["config", "rm", "--path", "rollout.liveImage"]);
        } catch {
            // Not set: nothing to remove.
        }
    }
    log(`${stack}: ${step}: live slot ${position.liveSlot} (${position.liveImage ?? spec.services.api.image}), new revision at ${position.candidatePercent} % (${position.candidateState})`);
}
