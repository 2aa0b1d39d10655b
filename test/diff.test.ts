import { expect } from "chai";
import type { RecordedResource } from "../tools/engine/emulator";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { planAgainstBase, planSecondRun, resolveBaseFile, runForPlan } from "../tools/engine/basePlan";
import { indexesIntoSet, planChanges, planDocument, readBack, type Plan } from "../tools/engine/diff";
import { readStackConfig } from "../tools/engine/stackFiles";

function resource(name: string, type: string, inputs: Record<string, unknown>, extra: Partial<RecordedResource> = {}): RecordedResource {
    return {
        urn: `urn:pulumi:s::p::${type}::${name}`, type, name, parent: "", custom: true, inputs, protect: false, dependencies: [], propertyDependencies: {},
        provider: "", aliases: [], ignoreChanges: [], replaceOnChanges: [], deleteBeforeReplace: false, retainOnDelete: false, additionalSecretOutputs: [], ...extra,
    };
}
const ops = (plan: Plan) => plan.changes.map((c) => `${c.op} ${c.urn.split("::").pop()}${c.replaceReasons ? ` (${c.replaceReasons.join(",")})` : ""}`);
const tg = "aws:lb/targetGroup:TargetGroup";

describe("planning changes against a base", () => {
    it("replaces on a replace-on-change property, updates otherwise, and marks dependents of a replacement as changed", () => {
        const base = [resource("tg", tg, { port: 8000, protocol: "HTTP" }), resource("rule", "aws:lb/listenerRule:ListenerRule", { actions: [{ targetGroupArn: "arn:tg" }] })];
        const current = [
            resource("tg", tg, { port: 8080, protocol: "HTTP" }),
            resource("rule", "aws:lb/listenerRule:ListenerRule", { actions: [{ targetGroupArn: "arn:tg" }] }, { propertyDependencies: { actions: [base[0].urn] } }),
        ];
        expect(ops(planChanges(base, current))).to.deep.equal(["replace tg (port)", "update rule"]);
        const updated = planChanges(base, [resource("tg", tg, { port: 8000, protocol: "HTTP", deregistrationDelay: 30 }), base[1]]);
        expect(updated.changes).to.deep.equal([{ urn: base[0].urn, type: tg, op: "update", properties: ["deregistrationDelay"], aliasOf: undefined }]);
    });

    it("moves an ElastiCache group from Redis OSS to Valkey in place, and replaces it on the way back or on a version downgrade", () => {
        const rg = "aws:elasticache/replicationGroup:ReplicationGroup";
        const redis = resource("cache", rg, { engine: "redis", engineVersion: "7.1" }, { protect: true });
        const valkey = resource("cache", rg, { engine: "valkey", engineVersion: "7.2" }, { protect: true });
        expect(ops(planChanges([redis], [valkey]))).to.deep.equal(["update cache"]);
        const back = planChanges([valkey], [redis]);
        expect(ops(back)).to.deep.equal(["replace cache (engine,engineVersion)"]);
        expect(back.errors, "production's protected cache: the engine refuses the replacement").to.have.length(1);
        expect(ops(planChanges([valkey], [resource("cache", rg, { engine: "valkey", engineVersion: "7.10" })]))).to.deep.equal(["update cache"]);
    });

    it("refuses to replace or delete a protected resource, with the engine's error", () => {
        const db = resource("db", "aws:rds/instance:Instance", { username: "a" }, { protect: true });
        const replaced = planChanges([db], [{ ...db, inputs: { username: "b" } }]);
        expect(replaced.errors[0]).to.match(/^unable to replace resource ".*db"\nas it is currently marked for protection/);
        expect(planChanges([db], []).errors[0]).to.match(/cannot be deleted\nbecause it is protected/);
    });

    it("follows aliases: a renamed resource is not deleted and re-created", () => {
        const old = resource("old", tg, { port: 8000 });
        const renamed = resource("new", tg, { port: 8000 }, { aliases: [{ urn: old.urn, spec: undefined }] });
        expect(ops(planChanges([old], [renamed]))).to.deep.equal(["update new"]);
        expect(ops(planChanges([old], [{ ...renamed, aliases: [] }]))).to.deep.equal(["create new", "delete old"]);
    });

    it("honours ignoreChanges, except positional paths into sets (pulumi-terraform-bridge#1756), and compares sets without order", () => {
        const app = "digitalocean:index/app:App";
        const spec = (value: string, order = false) => ({ spec: { services: [{ name: "api", envs: order ? [{ key: "B", value: "b" }, { key: "A", value }] : [{ key: "A", value }, { key: "B", value: "b" }] }] } });
        expect(indexesIntoSet(app, "spec.services[0].envs[0].value")).to.equal(true);
        expect(indexesIntoSet(app, "spec.services[0].name")).to.equal(false);
        expect(ops(planChanges([resource("a", app, spec("x"))], [resource("a", app, spec("x", true))]))).to.deep.equal([]);
        const positional = resource("a", app, spec("y"), { ignoreChanges: ["spec.services[0].envs[0].value"] });
        expect(ops(planChanges([resource("a", app, spec("x"))], [positional]))).to.deep.equal(["update a"]);
        const whole = resource("a", app, spec("y"), { ignoreChanges: ["spec.services"] });
        expect(ops(planChanges([resource("a", app, spec("x"))], [whole]))).to.deep.equal([]);
    });

    it("sees App Platform SECRET values come back encrypted: a change on every run unless ignored without indexing into the env set", () => {
        const app = "digitalocean:index/app:App";
        const envs = [{ key: "DATABASE_URL", type: "SECRET", value: "postgres://x" }, { key: "LOG_LEVEL", type: "GENERAL", value: "info" }];
        const inputs = { spec: { name: "a", services: [{ name: "api", envs }] } };
        const state = readBack([resource("a", app, inputs)]);
        expect(JSON.stringify(state[0].inputs)).to.not.include("postgres://x");
        expect(JSON.stringify(state[0].inputs)).to.include("EV[1:");
        expect(ops(planChanges(state, [resource("a", app, inputs)]))).to.deep.equal(["update a"]);
        expect(ops(planChanges(state, [resource("a", app, inputs, { ignoreChanges: ["spec.services[0].envs[0].value"] })]))).to.deep.equal(["update a"]);
        expect(ops(planChanges(state, [resource("a", app, inputs, { ignoreChanges: ["spec.services[0].envs"] })]))).to.deep.equal([]);
    });

    it("shows what the provider does not read back as a change on every run (DigitalOcean app alert destinations)", () => {
        const inputs = { spec: { name: "a", alerts: [{ rule: "DEPLOYMENT_FAILED", destinations: { emails: ["ops@example.com"] } }] } };
        const app = resource("app", "digitalocean:index/app:App", inputs);
        expect(ops(planChanges(readBack([app]), [app]))).to.deep.equal(["update app"]);
    });
});

// The contract of the committed stacks: run twice with the same config, nothing changes; a release changes
// only what it should. These fail while a committed stack breaks a provider rule (see the report / docs/engine.md).
describe("planning the committed stacks", function () {
    this.timeout(120000);
    const firstRuns = new Map<string, RecordedResource[]>();
    const run = async (stack: string, overrides: Record<string, unknown> = {}) => {
        const file = readStackConfig(stack);
        const config = { ...file.config };
        for (const [key, value] of Object.entries(overrides)) config[`fraud-platform:${key}`] = typeof value === "string" ? value : JSON.stringify(value);
        return runForPlan(stack, { ...file, config });
    };
    const first = async (stack: string) => {
        const known = firstRuns.get(stack);
        if (known) return known;
        const resources = await run(stack);
        firstRuns.set(stack, resources);
        return resources;
    };

    for (const stack of ["dev", "staging", "production", "selfhosted"]) {
        it(`${stack}: a second run with the same config plans no change`, async () => {
            // production and selfhosted keep their first run for the release tests below.
            const plan = stack === "production" || stack === "selfhosted" ? planChanges(readBack(await first(stack)), await run(stack)) : await planSecondRun(stack);
            expect(ops(plan)).to.deep.equal([]);
            expect(plan.warnings).to.deep.equal([]);
        });
    }

    // Seed 003's release on AWS (docs/rollout.md): the prepare step moves only the candidate slot (and the
    // worker, ml and the migration) to the new images; each stage is then an in-place re-weighting of one rule.
    it("production: the release's prepare step replaces only the candidate slot's task definitions; a stage only re-weights the rule in place", async () => {
        const services = JSON.parse(readStackConfig("production").config["fraud-platform:services"]) as Record<string, { image: string }>;
        const liveImage = services.api.image;
        for (const service of Object.values(services)) service.image = service.image.replace(/:[^:]+$/, ":1.4.3");
        const prepare = { services, releaseVersion: "1.4.3", rollout: { liveSlot: "blue", candidatePercent: 0, liveImage, candidateState: "starting" } };
        const prepared = await run("production", prepare);
        const plan = planChanges(readBack(await first("production")), prepared);
        const summary = plan.changes.map((c) => `${c.op} ${c.urn.split("::").pop()!}`).sort();
        expect(summary).to.deep.equal([
            "create fraud-production-db-pre-migration-1-4-3",
            "replace fraud-production-app-api-green-task",
            "replace fraud-production-app-migrate-run",
            "replace fraud-production-app-migrate-task",
            "replace fraud-production-app-ml-task",
            "replace fraud-production-app-worker-task",
            // The standby slot starts: its scaler's range goes from 0..0 to the api's, and its count from 0 to
            // services.api.count (applied in this update, and waited for).
            "update fraud-production-app-api-green-scaling",
            "update fraud-production-app-api-green-service",
            "update fraud-production-app-ml-service",
            "update fraud-production-app-worker-service",
        ]);
        expect(plan.errors).to.deep.equal([]);
        expect(plan.changes.find((c) => c.urn.endsWith("::fraud-production-app-api-green-service"))?.properties).to.include("desiredCount");

        // The canary: 5 % to green. One update, of the rule's actions; no replacement anywhere.
        const canary = planChanges(readBack(prepared), await run("production", { ...prepare, rollout: { ...prepare.rollout, candidatePercent: 5, candidateState: "running" } }));
        expect(canary.changes.map((c) => [c.op, c.urn.split("::").pop()!, c.properties])).to.deep.equal([["update", "fraud-production-app-lb-api", ["actions"]]]);

        // complete (after the full stage): green becomes the live slot and blue stops; traffic does not move.
        const full = await run("production", { ...prepare, rollout: { ...prepare.rollout, candidatePercent: 100, candidateState: "running" } });
        const complete = planChanges(readBack(full), await run("production", { ...prepare, rollout: { liveSlot: "green", candidatePercent: 0, liveImage: services.api.image, candidateState: "stopped" } }));
        const completeSummary = complete.changes.map((c) => `${c.op} ${c.urn.split("::").pop()!}`).sort();
        expect(completeSummary).to.include.members(["update fraud-production-app-api-scaling", "update fraud-production-app-api-service"]);
        expect(completeSummary.some((c) => c.includes("app-lb-api") || c.includes("green"))).to.equal(false);
        expect(complete.errors).to.deep.equal([]);
    });

    it("selfhosted: an api image bump replaces the replicas that run it (each waited for, one after another) and leaves nginx alone", async () => {
        const services = JSON.parse(readStackConfig("selfhosted").config["fraud-platform:services"]) as Record<string, { image: string }>;
        services.api.image = services.api.image.replace(/:[^:]+$/, ":1.4.3");
        const plan = planChanges(readBack(await first("selfhosted")), await run("selfhosted", { services }));
        expect(plan.changes.map((c) => `${c.op} ${c.urn.split("::").pop()!}`).sort()).to.deep.equal([
            "create fraud-production-image-ghcr-io-dygsom-fraud-api-1-4-3",
            "replace fraud-production-app-api-1",
            "replace fraud-production-app-api-2",
            "replace fraud-production-app-api-3",
            // The worker stays on 1.4.2 (its own image key), so that image is kept; the load balancer's upstream names
            // the replicas' fixed addresses, which a replacement keeps, so nginx is not replaced.
        ]);
        expect(plan.errors).to.deep.equal([]);
    });

    // The target groups register ip targets with the port ECS gives each task, so their own port is fixed
    // (components/aws/loadBalancer.ts) and a new api port rolls out with the task definition, with no
    // replacement of the target groups and no listener-rule deadlock (issue 9).
    it("production: an api port change rolls out with the api task definition and leaves the target groups in place", async () => {
        const services = JSON.parse(readStackConfig("production").config["fraud-platform:services"]) as Record<string, Record<string, unknown>>;
        services.api = { ...services.api, port: 8080 };
        const plan = planChanges(readBack(await first("production")), await run("production", { services }));
        const summary = plan.changes.map((c) => `${c.op} ${c.urn.split("::").pop()!}`).sort();
        expect(summary).to.deep.equal([
            "replace fraud-production-app-api-green-task",
            "replace fraud-production-app-api-task",
            "update fraud-production-app-api-green-service",
            "update fraud-production-app-api-service",
            "update fraud-production-sg-alb-out-api",
            "update fraud-production-sg-tasks-in-api",
        ]);
        expect(plan.errors).to.deep.equal([]);
    });

    it("production: a change of a target group's own port replaces it, naming the property", async () => {
        const base = readBack(await first("production"));
        const current = base.map((r) =>
            r.type === "aws:lb/targetGroup:TargetGroup" ? { ...r, inputs: { ...r.inputs, port: 8080 } } : r,
        );
        const targetGroups = planChanges(base, current).changes.filter((c) => c.type === "aws:lb/targetGroup:TargetGroup");
        expect(targetGroups.map((c) => [c.op, c.replaceReasons])).to.deep.equal([["replace", ["port"]], ["replace", ["port"]]]);
    });
});

describe("preview --base", function () {
    this.timeout(60000);
    it("reads the base from a git ref or a file, and plans an image bump of dev as the engine would", async () => {
        expect(fs.readFileSync(resolveBaseFile("dev", "HEAD"), "utf8")).to.include("fraud-platform:");
        expect(() => resolveBaseFile("dev", "no-such-ref-xyz")).to.throw(/--base no-such-ref-xyz: neither a file nor a git ref/);
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "base-test-"));
        const next = path.join(dir, "Pulumi.dev.yaml");
        fs.writeFileSync(next, fs.readFileSync(resolveBaseFile("dev", "HEAD"), "utf8").replace(/fraud-api:1\.4\.2/g, "fraud-api:1.4.3"));
        const document = planDocument("dev", await planAgainstBase("dev", resolveBaseFile("dev", "HEAD"), next));
        const summary = document.changes.map((c) => `${c.op} ${c.type}`).sort();
        expect(summary).to.deep.equal([
            "create docker:index/remoteImage:RemoteImage",
            "delete docker:index/remoteImage:RemoteImage",
            "replace docker:index/container:Container",
            "replace docker:index/container:Container",
        ]);
        expect(document.changes.find((c) => c.op === "replace")?.properties).to.deep.equal(["image"]);
    });
});
