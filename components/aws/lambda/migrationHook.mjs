// The release's database migration (seed 003: backup -> migrate -> roll out). `pulumi up` invokes it (an
// aws.lambda.Invocation, `mode: "release"`) after the pre-migration snapshot and before any api slot's new
// task definition. It runs the migration as a one-off Fargate task from the new image and follows it to its
// exit code: 0 lets the update go on, anything else fails it, so no slot runs the new revision. The step logic
// keeps the shape of an ECS lifecycle hook (IN_PROGRESS / SUCCEEDED / FAILED), so it can also serve as one
// where a service uses ECS's blue/green, canary or linear strategy.
// Hook contract: https://docs.aws.amazon.com/AmazonECS/latest/developerguide/lambda-lifecycle-hooks.html
//
// Plain JavaScript with no bundling: the Node.js Lambda runtime ships the AWS SDK v3. The logic takes a
// `call(service, operation, input)` function, so tests drive it with stubbed ECS and RDS answers.

const pollSeconds = 15;

/** The hook's settings, from `hookDetails` in the service's lifecycle hook (an object or its JSON). */
function settingsOf(event) {
    const details = typeof event.hookDetails === "string" ? JSON.parse(event.hookDetails) : (event.hookDetails ?? {});
    for (const key of ["cluster", "taskDefinition", "containerName", "subnets", "securityGroups"]) {
        if (details[key] === undefined) throw new Error(`hookDetails.${key} is missing`);
    }
    return details;
}

/** ECS's `startedBy` (at most 36 characters) names the migration task of one deployment, so a re-invocation finds it. */
export function startedByFor(event) {
    const execution = String(event.executionId ?? event.executionDetails?.targetServiceRevisionArn ?? event.targetServiceRevisionArn ?? "manual");
    let hash = 2166136261;
    for (const char of execution) hash = Math.imul(hash ^ char.charCodeAt(0), 16777619) >>> 0;
    const tail = execution.split("/").pop().replace(/[^A-Za-z0-9_-]/g, "").slice(-18);
    return `migrate-${hash.toString(16)}-${tail}`.slice(0, 36);
}

/**
 * Which pre-migration snapshots may go: all but those of the newest `keepReleases` releases, and never the
 * current release's nor the previous one's (the rollback target). `snapshots`: `{ id, release, createdAt }`.
 */
export function snapshotsToDelete(snapshots, keepReleases, currentId) {
    const newestFirst = [...snapshots].sort((a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt));
    const releases = [];
    for (const snapshot of newestFirst) if (!releases.includes(snapshot.release)) releases.push(snapshot.release);
    const current = newestFirst.find((snapshot) => snapshot.id === currentId)?.release ?? releases[0];
    const previous = releases.find((release) => release !== current);
    const kept = new Set([current, previous, ...releases.slice(0, Math.max(2, keepReleases))]);
    return newestFirst.filter((snapshot) => !kept.has(snapshot.release) && snapshot.id !== currentId).map((snapshot) => snapshot.id);
}

async function pruneSnapshots(settings, call, log) {
    if (settings.dbInstanceIdentifier === undefined || settings.snapshotPrefix === undefined) return [];
    const answer = await call("rds", "DescribeDBSnapshots", { DBInstanceIdentifier: settings.dbInstanceIdentifier, SnapshotType: "manual" });
    const tag = (snapshot, key) => (snapshot.TagList ?? []).find((t) => t.Key === key)?.Value;
    const ours = (answer.DBSnapshots ?? [])
        .filter((s) => s.DBSnapshotIdentifier.startsWith(settings.snapshotPrefix) && tag(s, "purpose") === "pre-migration" && s.Status === "available")
        .map((s) => ({ id: s.DBSnapshotIdentifier, release: tag(s, "release") ?? s.DBSnapshotIdentifier, createdAt: String(s.SnapshotCreateTime) }));
    const doomed = snapshotsToDelete(ours, settings.keepReleases ?? 10, settings.snapshotIdentifier);
    for (const id of doomed) {
        await call("rds", "DeleteDBSnapshot", { DBSnapshotIdentifier: id });
        log(`deleted pre-migration snapshot ${id} (older than the last ${settings.keepReleases ?? 10} releases)`);
    }
    return doomed;
}

/** One invocation of the hook: what to tell ECS. */
export async function runMigrationHook(event, call, log = console.log, now = () => Date.now()) {
    const stage = event.lifecycleStage ?? event.executionDetails?.lifecycleStage;
    if (stage !== undefined && stage !== "PRE_SCALE_UP") return { hookStatus: "SUCCEEDED" };
    const settings = settingsOf(event);

    // The backup comes first: no migration without the release's snapshot available.
    if (settings.snapshotIdentifier !== undefined) {
        const found = await call("rds", "DescribeDBSnapshots", { DBSnapshotIdentifier: settings.snapshotIdentifier });
        const status = found.DBSnapshots?.[0]?.Status;
        if (status === "creating") return { hookStatus: "IN_PROGRESS", callBackDelay: pollSeconds };
        if (status !== "available") {
            log(`migration not started: pre-migration snapshot ${settings.snapshotIdentifier} is ${status ?? "missing"}`);
            return { hookStatus: "FAILED" };
        }
    }

    const startedBy = startedByFor(event);
    const listed = async (desiredStatus) => (await call("ecs", "ListTasks", { cluster: settings.cluster, startedBy, desiredStatus })).taskArns ?? [];
    const taskArns = [...(await listed("RUNNING")), ...(await listed("STOPPED"))];
    if (taskArns.length === 0) {
        const started = await call("ecs", "RunTask", {
            cluster: settings.cluster,
            taskDefinition: settings.taskDefinition,
            launchType: "FARGATE",
            count: 1,
            startedBy,
            networkConfiguration: { awsvpcConfiguration: { subnets: settings.subnets, securityGroups: settings.securityGroups, assignPublicIp: "DISABLED" } },
        });
        if ((started.failures ?? []).length > 0 || (started.tasks ?? []).length === 0) {
            log(`migration task could not start: ${JSON.stringify(started.failures ?? [])}`);
            return { hookStatus: "FAILED" };
        }
        log(`migration task ${started.tasks[0].taskArn} started from ${settings.taskDefinition}`);
        return { hookStatus: "IN_PROGRESS", callBackDelay: pollSeconds };
    }

    const task = (await call("ecs", "DescribeTasks", { cluster: settings.cluster, tasks: [taskArns[0]] })).tasks?.[0];
    if (task === undefined) return { hookStatus: "IN_PROGRESS", callBackDelay: pollSeconds };
    if (task.lastStatus !== "STOPPED" && task.healthStatus === "UNHEALTHY") {
        // The container's health check: the migration can no longer reach PostgreSQL, so it would hang.
        await call("ecs", "StopTask", { cluster: settings.cluster, task: task.taskArn, reason: "migration cannot reach the database" });
        log(`migration task ${task.taskArn} stopped: its health check (database reachable) failed; the release is rolled back`);
        return { hookStatus: "FAILED" };
    }
    if (task.lastStatus !== "STOPPED") {
        const startedAt = Date.parse(String(task.createdAt ?? ""));
        const limit = (settings.timeoutMinutes ?? 30) * 60_000;
        if (Number.isFinite(startedAt) && now() - startedAt > limit) {
            await call("ecs", "StopTask", { cluster: settings.cluster, task: task.taskArn, reason: `migration ran longer than ${settings.timeoutMinutes ?? 30} minutes` });
            log(`migration task ${task.taskArn} stopped after ${settings.timeoutMinutes ?? 30} minutes; the release is rolled back`);
            return { hookStatus: "FAILED" };
        }
        return { hookStatus: "IN_PROGRESS", callBackDelay: pollSeconds };
    }
    const container = (task.containers ?? []).find((c) => c.name === settings.containerName);
    const exitCode = container?.exitCode;
    if (exitCode !== 0) {
        log(`migration failed (exit code ${exitCode ?? "none"}, ${task.stoppedReason ?? container?.reason ?? "no reason given"}); ECS rolls the release back. Logs: ${settings.logGroup ?? "the migration log group"}`);
        return { hookStatus: "FAILED" };
    }
    log(`migration task ${task.taskArn} exited 0`);
    try {
        await pruneSnapshots(settings, call, log);
    } catch (error) {
        // Housekeeping must not fail a release whose migration succeeded.
        log(`pruning old pre-migration snapshots failed: ${error}`);
    }
    return { hookStatus: "SUCCEEDED" };
}

let clients;
async function awsCall(service, operation, input) {
    clients ??= {
        ecs: { sdk: await import("@aws-sdk/client-ecs"), client: undefined },
        rds: { sdk: await import("@aws-sdk/client-rds"), client: undefined },
    };
    const entry = clients[service];
    entry.client ??= service === "ecs" ? new entry.sdk.ECSClient({}) : new entry.sdk.RDSClient({});
    return entry.client.send(new entry.sdk[`${operation}Command`](input));
}

/**
 * `pulumi up`'s run (an aws.lambda.Invocation with `mode: "release"`): asks the hook logic again and again
 * until the migration succeeds (returns) or fails (throws, which fails the invocation and the update).
 * Stops asking shortly before `remainingMs()` runs out, with an error that says the task still runs.
 */
export async function runMigrationToCompletion(event, call, log = console.log, now = () => Date.now(), sleep = (ms) => new Promise((r) => setTimeout(r, ms)), remainingMs = () => Infinity) {
    for (;;) {
        const answer = await runMigrationHook(event, call, log, now);
        if (answer.hookStatus === "SUCCEEDED") return { status: "SUCCEEDED" };
        if (answer.hookStatus === "FAILED") throw new Error(`the release's migration failed; see the log group ${settingsOf(event).logGroup ?? "of the migration"}`);
        const delay = (answer.callBackDelay ?? pollSeconds) * 1000;
        if (remainingMs() < delay + 20_000) {
            throw new Error("the migration task is still running as this invocation ends; run the update again to keep following it (the same task is found by its startedBy)");
        }
        await sleep(delay);
    }
}

export const handler = async (event, context) =>
    event.mode === "release"
        ? runMigrationToCompletion(event, awsCall, console.log, () => Date.now(), undefined, () => context?.getRemainingTimeInMillis?.() ?? 900_000)
        : runMigrationHook(event, awsCall);
