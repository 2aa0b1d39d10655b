import type { SmokeReport } from "./smoke";

/**
 * Seed 003's deployment record for one stack's release, written by `npm run release -- rollout` from what
 * the release observed, and nothing else: a value the release could not see (migrations applied, a backup
 * on a backend that takes none) is `null`, never a guess. Field names follow the seed's JSON.
 *
 * `status` is `succeeded` only after the last stage's monitoring passed; the rollback deadline counts from
 * that moment (`completed_at`), and a failed release has none (there is no new release to roll back).
 */

export type StageStatus = "healthy" | "failed" | "not-started";

export interface StageRecord {
    stage: string;
    traffic_percentage: number;
    /** How long the stage was meant to be watched. */
    planned_minutes: number;
    /** How long it ran, from the traffic shift to the end of its watch (or its failure). Null when it never started. */
    duration_minutes: number | null;
    status: StageStatus;
    started_at: string | null;
    finished_at: string | null;
    /** The Pulumi Deployments run that shifted the traffic (AWS), when there was one. */
    pulumi_deployment_id: string | null;
    /** Smoke tests (and alarm checks) run while the stage was watched. */
    checks: number;
    /** Why the stage failed. */
    failure?: string;
}

export interface DeploymentStep {
    /** prepare (the candidate revision, no traffic yet), a stage name, or rollback. */
    step: string;
    pulumi_deployment_id: string;
    status: string;
    update_version: number | null;
}

export interface RolloutRecord {
    record_version: 2;
    /** When the record was written. */
    timestamp: string;
    /** This release's id: `<start, epoch seconds>-<short sha>`, unique per run. */
    deployment_id: string;
    /** The release version without the v (1.4.3); `tag` has it. */
    version: string;
    tag: string;
    environment: string;
    stack: string;
    backend: string;
    status: "succeeded" | "failed";
    git_sha: string;
    git_ref: string;
    triggered_by: string | null;
    workflow_run_url: string | null;
    /** The stack's url, as its outputs report it. */
    environment_url: string | null;
    /** Services and the images they run, from the stack's outputs after the release's update. */
    services_deployed: { service: string; image: string }[];
    database_backup: { backup_id: string; location: string; timestamp: string | null } | null;
    /** Not reported by any backend's outputs yet: null means "not observed", not zero. */
    migrations_applied: number | null;
    pulumi_deployments: DeploymentStep[];
    rollout_stages: StageRecord[];
    /** The last smoke test (after the last stage, or after the rollback), per URL, plus the alarms seen. */
    health_checks: {
        smoke_tests: "passed" | "failed" | "not-run";
        probes: Record<string, "healthy" | "unhealthy">;
        alarms: { checked: boolean; firing: string[] };
    };
    failure: { stage: string; reason: string } | null;
    /** The automatic rollback after a failed stage. */
    rollback: { method: string; deployment_id: string | null; status: "succeeded" | "failed"; smoke_tests: "passed" | "failed" | "not-run"; detail?: string } | null;
    started_at: string;
    /** When the last stage's monitoring passed; null for a failed release. */
    completed_at: string | null;
    finished_at: string;
    rollback_available: boolean;
    rollback_window_minutes: number;
    /** completed_at + the window; null for a failed release. */
    rollback_deadline: string | null;
    retention_days: number;
    /** When the record may be deleted: timestamp + retention_days. */
    retain_until: string;
    /** What went wrong without changing the release's result (e.g. the old api slot could not be stopped). */
    warnings: string[];
}

/** The health-check part of the record from a smoke report. */
export function healthChecksFrom(report: SmokeReport | undefined, firing: string[] | undefined): RolloutRecord["health_checks"] {
    return {
        smoke_tests: report === undefined ? "not-run" : report.status,
        probes: Object.fromEntries((report?.results ?? []).map((r) => [r.name, r.status === "passed" ? "healthy" : "unhealthy"])),
        alarms: { checked: firing !== undefined, firing: firing ?? [] },
    };
}
