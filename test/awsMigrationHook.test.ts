import { expect } from "chai";
import type { AwsCall, HookAnswer } from "../components/aws/lambda/migrationHook.mjs";

type Hook = typeof import("../components/aws/lambda/migrationHook.mjs");

interface FakeSnapshot {
    DBSnapshotIdentifier: string;
    Status: string;
    SnapshotCreateTime: string;
    TagList: { Key: string; Value: string }[];
}

/**
 * ECS and RDS as the hook sees them: RunTask starts a task that stops with `exitCode` after
 * `runsForPolls` DescribeTasks calls; RDS holds manual snapshots. Every call is logged.
 */
class FakeAws {
    readonly calls: { service: string; operation: string; input: Record<string, unknown> }[] = [];
    readonly tasks: { taskArn: string; startedBy: string; polls: number; exitCode: number; lastStatus: string; createdAt: string }[] = [];
    snapshots: FakeSnapshot[] = [];
    constructor(
        private readonly exitCode: number,
        private readonly runsForPolls = 1,
    ) {}

    readonly call: AwsCall = async (service, operation, input) => {
        this.calls.push({ service, operation, input });
        switch (`${service}:${operation}`) {
            case "ecs:ListTasks": {
                const wanted = input.desiredStatus === "STOPPED" ? "STOPPED" : "RUNNING";
                return { taskArns: this.tasks.filter((task) => task.startedBy === input.startedBy && (task.lastStatus === "STOPPED" ? "STOPPED" : "RUNNING") === wanted).map((task) => task.taskArn) };
            }
            case "ecs:RunTask": {
                const task = { taskArn: `arn:aws:ecs:us-east-1:123456789012:task/c/${this.tasks.length + 1}`, startedBy: String(input.startedBy), polls: 0, exitCode: this.exitCode, lastStatus: "PROVISIONING", createdAt: new Date(0).toISOString() };
                this.tasks.push(task);
                return { tasks: [{ taskArn: task.taskArn }], failures: [] };
            }
            case "ecs:DescribeTasks": {
                const task = this.tasks.find((candidate) => (input.tasks as string[]).includes(candidate.taskArn))!;
                task.polls += 1;
                if (task.polls > this.runsForPolls) task.lastStatus = "STOPPED";
                const stopped = task.lastStatus === "STOPPED";
                return {
                    tasks: [{ taskArn: task.taskArn, lastStatus: task.lastStatus, createdAt: task.createdAt, stoppedReason: stopped ? "Essential container in task exited" : undefined, containers: [{ name: "migrate", exitCode: stopped ? task.exitCode : undefined }] }],
                };
            }
            case "ecs:StopTask":
                return {};
            case "rds:DescribeDBSnapshots":
                if (input.DBSnapshotIdentifier !== undefined) return { DBSnapshots: this.snapshots.filter((s) => s.DBSnapshotIdentifier === input.DBSnapshotIdentifier) };
                return { DBSnapshots: this.snapshots };
            case "rds:DeleteDBSnapshot":
                this.snapshots = this.snapshots.filter((s) => s.DBSnapshotIdentifier !== input.DBSnapshotIdentifier);
                return {};
            default:
                throw new Error(`unexpected call ${service}:${operation}`);
        }
    };

    /** What Pulumi's `aws.rds.Snapshot` leaves before a release: an available, tagged pre-migration snapshot. */
    takeSnapshot(release: string, day: number): string {
        const id = `fraud-production-db-pre-v${release.replace(/\./g, "-")}-0a1b2c3d`;
        this.snapshots.push({
            DBSnapshotIdentifier: id,
            Status: "available",
            SnapshotCreateTime: new Date(Date.UTC(2026, 0, day)).toISOString(),
            TagList: [
                { Key: "release", Value: release },
                { Key: "purpose", Value: "pre-migration" },
            ],
        });
        return id;
    }
}

const event = (snapshotIdentifier: string | undefined, executionId = "exec-1", keepReleases = 10) => ({
    executionId,
    lifecycleStage: "PRE_SCALE_UP",
    executionDetails: { targetServiceRevisionArn: `arn:aws:ecs:us-east-1:123456789012:service-revision/c/api/${executionId}` },
    hookDetails: JSON.stringify({
        cluster: "arn:aws:ecs:us-east-1:123456789012:cluster/c",
        taskDefinition: "arn:aws:ecs:us-east-1:123456789012:task-definition/fraud-production-app-migrate:7",
        containerName: "migrate",
        subnets: ["subnet-1"],
        securityGroups: ["sg-1"],
        timeoutMinutes: 30,
        dbInstanceIdentifier: "fraud-production-db-0a1b2c3d",
        snapshotPrefix: "fraud-production-db-pre-v",
        snapshotIdentifier,
        keepReleases,
    }),
});

/** Invokes the hook the way ECS does: again after each IN_PROGRESS, until it answers otherwise. */
async function runUntilDecided(hook: Hook, fake: FakeAws, input: Record<string, unknown>): Promise<{ answer: HookAnswer; invocations: number; log: string[] }> {
    const log: string[] = [];
    for (let invocations = 1; invocations <= 20; invocations++) {
        const answer = await hook.runMigrationHook(input, fake.call, (line) => log.push(line), () => 0);
        if (answer.hookStatus !== "IN_PROGRESS") return { answer, invocations, log };
    }
    throw new Error("the hook never decided");
}

describe("aws migration step (the release's migration runner, hook-shaped)", () => {
    let hook: Hook;
    before(async () => {
        hook = await import("../components/aws/lambda/migrationHook.mjs");
    });

    it("run by pulumi up (mode release): follows the task to exit 0, throws on a failed migration, and stops before Lambda's time runs out", async () => {
        const releaseEvent = (executionId: string) => ({ mode: "release", executionId, hookDetails: JSON.parse(event(undefined).hookDetails) as Record<string, unknown> });
        let slept = 0;
        const sleep = async (ms: number) => {
            slept += ms;
        };
        const good = new FakeAws(0, 3);
        expect(await hook.runMigrationToCompletion(releaseEvent("td:7"), good.call, () => undefined, () => 0, sleep)).to.deep.equal({ status: "SUCCEEDED" });
        expect(good.calls.filter((c) => c.operation === "RunTask")).to.have.length(1);
        expect(slept).to.be.greaterThan(0);

        const bad = new FakeAws(1);
        const failure = await hook.runMigrationToCompletion(releaseEvent("td:8"), bad.call, () => undefined, () => 0, sleep).catch((e: unknown) => e);
        expect((failure as Error).message).to.include("migration failed");

        const slow = new FakeAws(0, 1000);
        const timedOut = await hook.runMigrationToCompletion(releaseEvent("td:9"), slow.call, () => undefined, () => 0, sleep, () => 25_000).catch((e: unknown) => e);
        expect((timedOut as Error).message).to.include("still running").and.to.include("run the update again");
    });

    it("runs the migration once from the release's task definition and lets the rollout continue when it exits 0", async () => {
        const fake = new FakeAws(0, 2);
        const snapshot = fake.takeSnapshot("1.4.2", 1);
        const { answer, invocations } = await runUntilDecided(hook, fake, event(snapshot));
        expect(answer.hookStatus).to.equal("SUCCEEDED");
        expect(invocations).to.be.greaterThan(1);
        const runs = fake.calls.filter((c) => c.operation === "RunTask");
        expect(runs).to.have.length(1);
        expect(runs[0].input).to.include({ taskDefinition: "arn:aws:ecs:us-east-1:123456789012:task-definition/fraud-production-app-migrate:7", launchType: "FARGATE" });
        expect(runs[0].input.networkConfiguration).to.deep.equal({ awsvpcConfiguration: { subnets: ["subnet-1"], securityGroups: ["sg-1"], assignPublicIp: "DISABLED" } });
    });

    it("fails the hook when the migration exits non-zero, so ECS rolls the deployment back before any new task starts", async () => {
        const fake = new FakeAws(3);
        const { answer, log } = await runUntilDecided(hook, fake, event(fake.takeSnapshot("1.4.2", 1)));
        expect(answer.hookStatus).to.equal("FAILED");
        expect(log.join("\n")).to.include("exit code 3");
        // Nothing else happened: no snapshot pruned, no second attempt.
        expect(fake.calls.filter((c) => c.operation === "RunTask")).to.have.length(1);
        expect(fake.calls.filter((c) => c.operation === "DeleteDBSnapshot")).to.deep.equal([]);
    });

    it("does not migrate before the backup: waits while the snapshot is being created, fails when it is missing", async () => {
        const fake = new FakeAws(0);
        const id = fake.takeSnapshot("1.4.2", 1);
        fake.snapshots[0].Status = "creating";
        expect((await hook.runMigrationHook(event(id), fake.call, () => undefined)).hookStatus).to.equal("IN_PROGRESS");
        expect(fake.calls.some((c) => c.operation === "RunTask")).to.equal(false);
        expect((await hook.runMigrationHook(event("fraud-production-db-pre-v9-9-9-0a1b2c3d"), fake.call, () => undefined)).hookStatus).to.equal("FAILED");
    });

    it("stops a migration that runs past its timeout and fails the release", async () => {
        const fake = new FakeAws(0, 1000);
        const input = event(fake.takeSnapshot("1.4.2", 1));
        expect((await hook.runMigrationHook(input, fake.call, () => undefined, () => 0)).hookStatus).to.equal("IN_PROGRESS");
        const answer = await hook.runMigrationHook(input, fake.call, () => undefined, () => 31 * 60_000);
        expect(answer.hookStatus).to.equal("FAILED");
        expect(fake.calls.some((c) => c.operation === "StopTask")).to.equal(true);
    });

    it("stops a migration that can no longer reach the database (its health check) and fails the release", async () => {
        const fake = new FakeAws(0, 1000);
        const input = event(fake.takeSnapshot("1.4.2", 1));
        await hook.runMigrationHook(input, fake.call, () => undefined, () => 0);
        const describe = fake.call;
        const unhealthy: AwsCall = async (service, operation, request) => {
            const answer = await describe(service, operation, request);
            if (operation !== "DescribeTasks") return answer;
            const [task] = (answer as { tasks: Record<string, unknown>[] }).tasks;
            return { tasks: [{ ...task, healthStatus: "UNHEALTHY" }] };
        };
        expect((await hook.runMigrationHook(input, unhealthy, () => undefined, () => 60_000)).hookStatus).to.equal("FAILED");
        expect(fake.calls.filter((c) => c.operation === "StopTask").map((c) => c.input.reason)).to.deep.equal(["migration cannot reach the database"]);
    });

    it("answers other lifecycle stages without doing anything", async () => {
        const fake = new FakeAws(0);
        expect(await hook.runMigrationHook({ lifecycleStage: "POST_SCALE_UP" }, fake.call)).to.deep.equal({ hookStatus: "SUCCEEDED" });
        expect(fake.calls).to.deep.equal([]);
    });

    it("keeps the pre-migration snapshots of the last 10 releases across many releases, never the current or the previous one", async () => {
        const fake = new FakeAws(0);
        const releases = Array.from({ length: 15 }, (_, index) => `1.${index}.0`);
        for (const [index, release] of releases.entries()) {
            const current = fake.takeSnapshot(release, index + 1);
            const { answer } = await runUntilDecided(hook, fake, event(current, `exec-${release}`));
            expect(answer.hookStatus, release).to.equal("SUCCEEDED");
            const kept = fake.snapshots.map((s) => s.TagList.find((tag) => tag.Key === "release")!.Value);
            expect(kept.length, release).to.equal(Math.min(index + 1, 10));
            expect(kept, release).to.include(release);
            if (index > 0) expect(kept, release).to.include(releases[index - 1]);
        }
        expect(fake.snapshots.map((s) => s.TagList[0].Value)).to.deep.equal(releases.slice(5));
    });

    it("never prunes a snapshot that is not this database's pre-migration backup, and keeps current and previous even at keep 2", () => {
        const snapshots = [
            { id: "a", release: "1.0.0", createdAt: "2026-01-01T00:00:00Z" },
            { id: "b", release: "1.1.0", createdAt: "2026-01-02T00:00:00Z" },
            { id: "c", release: "1.2.0", createdAt: "2026-01-03T00:00:00Z" },
        ];
        expect(hook.snapshotsToDelete(snapshots, 2, "c")).to.deep.equal(["a"]);
        // Rolling back to an older release (current b, c was running before it): b and c stay.
        expect(hook.snapshotsToDelete(snapshots, 2, "b").sort()).to.deep.equal(["a"]);
        const fake = new FakeAws(0);
        fake.snapshots.push({ DBSnapshotIdentifier: "manual-before-upgrade", Status: "available", SnapshotCreateTime: "2020-01-01T00:00:00Z", TagList: [] });
        return (async () => {
            for (let release = 0; release < 12; release++) await runUntilDecided(hook, fake, event(fake.takeSnapshot(`2.${release}.0`, release + 1), `e${release}`));
            expect(fake.snapshots.some((s) => s.DBSnapshotIdentifier === "manual-before-upgrade")).to.equal(true);
        })();
    });
});
