/** Types of migrationHook.mjs, the release's migration runner (shipped as plain JavaScript). */

export type AwsCall = (service: "ecs" | "rds", operation: string, input: Record<string, unknown>) => Promise<Record<string, unknown>>;

export interface HookAnswer {
    hookStatus: "SUCCEEDED" | "FAILED" | "IN_PROGRESS";
    callBackDelay?: number;
}

export interface PreMigrationSnapshot {
    id: string;
    release: string;
    createdAt: string;
}

export function startedByFor(event: Record<string, unknown>): string;
export function snapshotsToDelete(snapshots: PreMigrationSnapshot[], keepReleases: number, currentId: string | undefined): string[];
export function runMigrationHook(event: Record<string, unknown>, call: AwsCall, log?: (line: string) => void, now?: () => number): Promise<HookAnswer>;
export function runMigrationToCompletion(
    event: Record<string, unknown>,
    call: AwsCall,
    log?: (line: string) => void,
    now?: () => number,
    sleep?: (ms: number) => Promise<void>,
    remainingMs?: () => number,
): Promise<{ status: "SUCCEEDED" }>;
export function handler(event: Record<string, unknown>, context?: { getRemainingTimeInMillis?: () => number }): Promise<HookAnswer | { status: "SUCCEEDED" }>;
