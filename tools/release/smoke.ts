/**
 * Seed 000/003's smoke tests: after each rollout stage (and after a DigitalOcean deploy) the release probes,
 * from outside, the stack's `healthUrl`, the api's readiness path and the configured critical endpoints.
 * Each URL must answer 2xx to a GET; a failure is retried (`retries`, `retryInterval`) until the smoke
 * test's deadline. Time comes from a {@link Clock}, so tests run the same logic in milliseconds.
 */

export interface Clock {
    /** Milliseconds since the epoch. */
    now(): number;
    sleep(ms: number): Promise<void>;
}

export const systemClock: Clock = {
    now: () => Date.now(),
    sleep: (ms) => new Promise<void>((resolve) => setTimeout(resolve, ms)),
};

export interface SmokeTarget {
    /** What the URL stands for in the record: health, readiness, or the endpoint's path. */
    name: string;
    url: string;
}

export interface SmokeOptions {
    /** Attempts after the first failed one. */
    retries: number;
    retryIntervalMs: number;
    /** The whole smoke test (every URL, retries included) ends by then. */
    deadlineMs: number;
    requestTimeoutMs: number;
}

export interface ProbeResult {
    name: string;
    url: string;
    status: "passed" | "failed";
    attempts: number;
    /** The last HTTP status seen, when there was an answer. */
    httpStatus?: number;
    /** Why the last attempt failed. */
    error?: string;
}

export interface SmokeReport {
    status: "passed" | "failed";
    checkedAt: string;
    results: ProbeResult[];
}

/** One GET: 2xx passes; anything else (an error status, no answer in time, no connection) fails with the reason. */
async function probeOnce(url: string, timeoutMs: number): Promise<{ ok: boolean; httpStatus?: number; error?: string }> {
    try {
        const response = await fetch(url, { method: "GET", redirect: "manual", signal: AbortSignal.timeout(timeoutMs), headers: { "User-Agent": "fraud-platform-release-smoke" } });
        // The body is drained so the connection is released; its content is not judged.
        await response.arrayBuffer().catch(() => undefined);
        if (response.status >= 200 && response.status < 300) return { ok: true, httpStatus: response.status };
        return { ok: false, httpStatus: response.status, error: `HTTP ${response.status}` };
    } catch (error) {
        const name = error instanceof Error ? error.name : "";
        if (name === "TimeoutError" || name === "AbortError") return { ok: false, error: `no answer within ${timeoutMs} ms` };
        const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : "";
        return { ok: false, error: `${error instanceof Error ? error.message : String(error)}${cause}` };
    }
}

/** Probes every target in turn; each failing one is retried until it passes, its retries run out, or the deadline passes. */
export async function runSmokeTests(targets: readonly SmokeTarget[], options: SmokeOptions, clock: Clock): Promise<SmokeReport> {
    const deadline = clock.now() + options.deadlineMs;
    const results: ProbeResult[] = [];
    for (const target of targets) {
        let attempts = 0;
        let last: { ok: boolean; httpStatus?: number; error?: string } = { ok: false, error: "not probed: the smoke test's deadline had passed" };
        for (;;) {
            const remaining = deadline - clock.now();
            if (remaining <= 0) break;
            attempts += 1;
            last = await probeOnce(target.url, Math.min(options.requestTimeoutMs, remaining));
            if (last.ok || attempts > options.retries) break;
            if (deadline - clock.now() <= options.retryIntervalMs) {
                last = { ...last, error: `${last.error ?? "failed"}; deadline reached before the next attempt` };
                break;
            }
            await clock.sleep(options.retryIntervalMs);
        }
        results.push({
            name: target.name,
            url: target.url,
            status: last.ok ? "passed" : "failed",
            attempts,
            ...(last.httpStatus !== undefined ? { httpStatus: last.httpStatus } : {}),
            ...(last.ok || last.error === undefined ? {} : { error: last.error }),
        });
    }
    return { status: results.length > 0 && results.every((r) => r.status === "passed") ? "passed" : "failed", checkedAt: new Date(clock.now()).toISOString(), results };
}

/** The URLs a stack is smoke-tested at: its health URL, the api's readiness URL, and each critical endpoint under its url. */
export function smokeTargets(outputs: { url?: string; healthUrl?: string; readinessUrl?: string }, endpoints: readonly string[]): SmokeTarget[] {
    const targets: SmokeTarget[] = [];
    if (outputs.healthUrl) targets.push({ name: "health", url: outputs.healthUrl });
    if (outputs.readinessUrl && outputs.readinessUrl !== outputs.healthUrl) targets.push({ name: "readiness", url: outputs.readinessUrl });
    const base = (outputs.url ?? "").replace(/\/+$/, "");
    if (base !== "") for (const endpoint of endpoints) targets.push({ name: endpoint, url: `${base}${endpoint}` });
    return targets;
}

/** One line per failed probe, for logs, Slack and the record. */
export function describeFailures(report: SmokeReport): string {
    return report.results
        .filter((r) => r.status === "failed")
        .map((r) => `${r.name} (${r.url}): ${r.error ?? "failed"} after ${r.attempts} attempt${r.attempts === 1 ? "" : "s"}`)
        .join("; ");
}
