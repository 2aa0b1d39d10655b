import { z } from "zod";
import type { ReleasePath, StackReleaseResult } from "./deploy";

/**
 * Seed 003's deployment record: one JSON document per release, published as a workflow artifact,
 * that says what was deployed where, with what result, what the policy pack said, and until when
 * the release can be rolled back (60 minutes after it finished).
 */

export const rollbackWindowMinutes = 60;
export const rollbackRunbook = "docs/runbooks/rollback.md";

/** One policy violation, as the offline preview reports it (`npm run preview -- --json`). */
const violationSchema = z.object({
    policy: z.string(),
    pack: z.string(),
    enforcementLevel: z.string(),
    urn: z.string(),
    message: z.string(),
});

/** The offline preview's JSON: one stack document, or an array of them when several stacks were previewed. */
const stackPreviewSchema = z.object({ stack: z.string(), policyViolations: z.array(violationSchema) });
export const previewDocumentSchema = z.union([stackPreviewSchema, z.array(stackPreviewSchema)]);

export type PolicyViolation = z.infer<typeof violationSchema>;

export interface StackPolicyResult {
    stack: string;
    /** "passed" when no mandatory violation; advisory ones are listed but do not fail. */
    result: "passed" | "failed";
    mandatory: number;
    advisory: number;
    violations: PolicyViolation[];
}

/** Summarises the offline preview's policy findings per stack. */
export function policyResultsFromPreview(document: unknown): StackPolicyResult[] {
    const parsed = previewDocumentSchema.parse(document);
    const stacks = Array.isArray(parsed) ? parsed : [parsed];
    return stacks.map(({ stack, policyViolations }) => {
        const mandatory = policyViolations.filter((v) => v.enforcementLevel === "mandatory").length;
        return {
            stack,
            result: mandatory > 0 ? "failed" : "passed",
            mandatory,
            advisory: policyViolations.filter((v) => v.enforcementLevel === "advisory").length,
            violations: policyViolations,
        };
    });
}

export interface DeploymentRecord {
    recordVersion: 1;
    /** The semantic version released, without the leading v (e.g. 1.4.2). */
    version: string;
    tag: string;
    commit: string;
    /** The release this one replaced, the target of a rollback; null for the first release. */
    previousTag: string | null;
    path: ReleasePath;
    /** "succeeded" only when every expected stack's update succeeded and no mandatory policy failed. */
    status: "succeeded" | "failed";
    triggeredBy: string | null;
    workflowRunUrl: string | null;
    startedAt: string;
    finishedAt: string;
    stacks: StackReleaseResult[];
    /** Stacks the release was meant to reach that have no result (refused, timed out, never started). */
    missingStacks: string[];
    policy: StackPolicyResult[];
    rollback: {
        windowMinutes: number;
        /** finishedAt + 60 minutes. */
        deadline: string;
        /** There is an earlier release to go back to. */
        available: boolean;
        previousTag: string | null;
        runbook: string;
    };
}

export interface RecordInput {
    tag: string;
    commit: string;
    previousTag: string | null;
    path: ReleasePath;
    /** The stacks the release was meant to reach, in order. */
    expectedStacks: readonly string[];
    stacks: StackReleaseResult[];
    policy: StackPolicyResult[];
    triggeredBy?: string;
    workflowRunUrl?: string;
    /** When no stack result exists (the release failed before any deployment), the record is still written at this time. */
    now?: Date;
}

export function buildDeploymentRecord(input: RecordInput): DeploymentRecord {
    if (!/^v\d/.test(input.tag)) throw new Error(`release tag "${input.tag}" does not start with v<major>`);
    const now = input.now ?? new Date();
    const starts = input.stacks.map((s) => Date.parse(s.startedAt));
    const ends = input.stacks.map((s) => Date.parse(s.finishedAt));
    const startedAt = starts.length > 0 ? new Date(Math.min(...starts)) : now;
    const finishedAt = ends.length > 0 ? new Date(Math.max(...ends)) : now;
    const missingStacks = input.expectedStacks.filter((stack) => !input.stacks.some((result) => result.stack === stack));
    const succeeded =
        input.expectedStacks.length > 0 &&
        missingStacks.length === 0 &&
        input.stacks.every((s) => s.status === "succeeded") &&
        input.policy.every((p) => p.result === "passed");
    return {
        recordVersion: 1,
        version: input.tag.slice(1),
        tag: input.tag,
        commit: input.commit,
        previousTag: input.previousTag,
        path: input.path,
        status: succeeded ? "succeeded" : "failed",
        triggeredBy: input.triggeredBy ?? null,
        workflowRunUrl: input.workflowRunUrl ?? null,
        startedAt: startedAt.toISOString(),
        finishedAt: finishedAt.toISOString(),
        stacks: input.stacks,
        missingStacks,
        policy: input.policy,
        rollback: {
            windowMinutes: rollbackWindowMinutes,
            deadline: new Date(finishedAt.getTime() + rollbackWindowMinutes * 60_000).toISOString(),
            available: input.previousTag !== null,
            previousTag: input.previousTag,
            runbook: rollbackRunbook,
        },
    };
}

/** A stack result file as `npm run release -- deploy --out` writes it; read back by `record`. */
export const stackResultSchema = z.object({
    stack: z.string(),
    path: z.enum(["tag-trigger", "api"]),
    deploymentId: z.string(),
    deploymentVersion: z.number().optional(),
    consoleUrl: z.string().optional(),
    status: z.enum(["succeeded", "failed", "skipped"]),
    updateVersion: z.number().optional(),
    startedAt: z.string(),
    finishedAt: z.string(),
    outputs: z.record(z.string(), z.unknown()),
});
