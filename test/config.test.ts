import * as pulumi from "@pulumi/pulumi";
import { expect } from "chai";
import { ConfigValidationError, loadEnvironmentSpec, stackConfigSchema, type RawStackConfig } from "../config";
import { resourcesRegisteredBefore } from "../tools/engine/emulator";
import { readProjectFile, readStackConfig } from "../tools/engine/stackFiles";
import { deployable, previewStack, refusedProblems } from "./helpers";

const ns = "fraud-platform";

function raw(values: Record<string, unknown>, secretKeys: string[] = []): RawStackConfig {
    const base: Record<string, unknown> = {
        environment: "dev",
        backend: "docker",
        services: {
            api: { image: "ghcr.io/dygsom/fraud-api:1.4.2" },
            worker: { image: "ghcr.io/dygsom/fraud-api:1.4.2" },
            ml: { image: "ghcr.io/dygsom/fraud-ml:1.4.2" },
        },
    };
    const merged = { ...base, ...values };
    const config: Record<string, string> = {};
    for (const [key, value] of Object.entries(merged)) {
        if (value !== undefined) config[`${ns}:${key}`] = typeof value === "string" ? value : JSON.stringify(value);
    }
    return { project: ns, stack: "test", values: config, secretKeys: new Set(secretKeys.map((k) => `${ns}:${k}`)) };
}


describe("stack config validation", () => {
    it("declares every config key in Pulumi.yaml with a default and a description", () => {
        const declared = readProjectFile().config as Record<string, { type?: string; default?: unknown; description?: string }>;
        const optionalWithoutDefault = ["environment", "protectStatefulResources", "releaseVersion", "slackWebhookUrl", "pagerDutyIntegrationKey", "ghcrCredentials", "dockerHubCredentials", "credentialSeed", "tlsCertificate", "tlsPrivateKey"];
        for (const key of Object.keys(stackConfigSchema.shape)) {
            if (optionalWithoutDefault.includes(key)) continue;
            expect(declared[key], key).to.be.an("object");
            expect(declared[key].description, key).to.be.a("string").with.length.greaterThan(10);
            expect(declared[key], key).to.have.property("default");
        }
        for (const key of Object.keys(declared)) expect(Object.keys(stackConfigSchema.shape), `${key} is a schema key`).to.include(key);
        expect(declared.backend.type).to.equal("string");
        expect(declared.backend.default).to.equal("docker");
    });

    it("accepts every committed stack file", () => {
        for (const stack of ["dev", "staging", "production", "selfhosted"]) {
            const file = readStackConfig(stack);
            const spec = loadEnvironmentSpec({ project: file.project, stack, values: file.config, secretKeys: new Set(file.secretKeys) });
            expect(spec.stack).to.equal(stack);
        }
    });

    it("applies seed 000/001 defaults: 7-day backups in 03:00-04:00, alert thresholds, service sizes", () => {
        const spec = loadEnvironmentSpec(raw({}));
        expect(spec.database.backupRetentionDays).to.equal(7);
        expect(spec.database.backupWindow).to.equal("03:00-04:00");
        expect(spec.monitoring.thresholds).to.deep.equal({
            errorRatePercent: 5, errorRateMinutes: 5, warningErrorRatePercent: 1, warningErrorRateMinutes: 10,
            p95LatencyMs: 1000, latencyMinutes: 5, healthCheckMinutes: 2, databaseConnectionErrorsPerMinute: 0, databaseConnectionErrorMinutes: 1,
            memoryPercent: 85, memoryMinutes: 5, cpuPercent: 85, diskPercent: 80, diskMinutes: 5,
            cacheHitRatePercent: 50, cacheHitRateMinutes: 15, missingMetricMinutes: 10,
        });
        expect([spec.services.api.cpu, spec.services.api.memory, spec.services.api.count]).to.deep.equal([512, 1024, 3]);
        expect([spec.services.worker.cpu, spec.services.worker.memory, spec.services.worker.count]).to.deep.equal([256, 512, 2]);
        expect([spec.services.ml.cpu, spec.services.ml.memory, spec.services.ml.count]).to.deep.equal([1024, 2048, 2]);
        expect(spec.services.api.healthCheck.path).to.equal("/health/ready");
    });

    it("turns on protection and high availability in production only", () => {
        const prod = loadEnvironmentSpec(raw({ environment: "production", backend: "aws", pagerDutyIntegrationKey: "0123456789abcdef0123456789abcdef" }, ["pagerDutyIntegrationKey"]));
        const dev = loadEnvironmentSpec(raw({}));
        expect([prod.protect, prod.database.highAvailability, prod.cache.snapshotRetentionDays]).to.deep.equal([true, true, 7]);
        expect([dev.protect, dev.database.highAvailability, dev.cache.snapshotRetentionDays]).to.deep.equal([false, false, 1]);
    });

    it("keeps alert secrets as secret outputs", async () => {
        const spec = loadEnvironmentSpec(raw({ slackWebhookUrl: "https://hooks.slack.com/services/T/B/x" }, ["slackWebhookUrl"]));
        expect(spec.monitoring.slackWebhookUrl).to.not.equal(undefined);
        expect(await pulumi.isSecret(spec.monitoring.slackWebhookUrl!)).to.equal(true);
    });

    it("reports a wrong type, an unknown backend and a negative count at once, each naming its key and value", () => {
        const problems = refusedProblems(raw({
            backend: "gcp",
            services: {
                api: { image: "ghcr.io/dygsom/fraud-api:1.4.2", count: -2 },
                worker: { image: "ghcr.io/dygsom/fraud-api:1.4.2", memory: "512" },
                ml: { image: "ghcr.io/dygsom/fraud-ml:1.4.2" },
            },
        }));
        expect(problems.map((p) => p.key)).to.have.members([
            `${ns}:backend`,
            `${ns}:services.api.count`,
            `${ns}:services.worker.memory`,
        ]);
        const backend = problems.find((p) => p.key === `${ns}:backend`)!;
        expect(backend.given).to.equal('"gcp"');
        expect(backend.allowed).to.include('"aws"').and.include('"digitalocean"').and.include('"docker"');
        expect(problems.find((p) => p.key === `${ns}:services.api.count`)!.allowed).to.include("≥ 1");
        expect(problems.find((p) => p.key === `${ns}:services.worker.memory`)!.allowed).to.include("number");
    });

    it("names a misspelt key and lists the allowed ones", () => {
        const [problem] = refusedProblems(raw({ database: { backupRetentionDay: 14 } }));
        expect(problem.key).to.equal(`${ns}:database.backupRetentionDay`);
        expect(problem.allowed).to.include("backupRetentionDays");
    });

    it("refuses a missing required secret in production, and a secret given in plain text", () => {
        const missing = refusedProblems(raw({ environment: "production", backend: "aws" }));
        expect(missing.map((p) => p.key)).to.deep.equal([`${ns}:pagerDutyIntegrationKey`]);
        expect(missing[0].given).to.equal(undefined);
        expect(missing[0].allowed).to.include("`pulumi config set --secret pagerDutyIntegrationKey <32-character integration key> --stack test`");

        const plain = refusedProblems(raw({ pagerDutyIntegrationKey: "0123456789abcdef0123456789abcdef" }));
        expect(plain.map((p) => p.key)).to.deep.equal([`${ns}:pagerDutyIntegrationKey`]);
        expect(plain[0].allowed).to.include("must be a secret");
    });

    it("refuses unpinned images in production and malformed windows, versions and images", () => {
        const problems = refusedProblems(raw({
            environment: "production",
            backend: "aws",
            pagerDutyIntegrationKey: "0123456789abcdef0123456789abcdef",
            services: {
                api: { image: "ghcr.io/dygsom/fraud-api:latest" },
                worker: { image: "ghcr.io/dygsom/fraud-api" },
                ml: { image: "ghcr.io/dygsom/fraud-ml:1.4.2" },
            },
            database: { backupWindow: "3am", engineVersion: "14" },
            releaseVersion: "one-point-two",
        }, ["pagerDutyIntegrationKey"]));
        expect(problems.map((p) => p.key)).to.have.members([
            `${ns}:services.api.image`,
            `${ns}:services.worker.image`,
            `${ns}:database.backupWindow`,
            `${ns}:database.engineVersion`,
            `${ns}:releaseVersion`,
        ]);
    });

    it("takes the AWS region from aws:region and refuses a second, different one", () => {
        const base = raw({ environment: "staging", backend: "aws" });
        const fromCli = loadEnvironmentSpec({ ...base, values: { ...base.values, "aws:region": "eu-west-1" } });
        expect(fromCli.aws.region).to.equal("eu-west-1");
        const split = raw({ environment: "staging", backend: "aws", aws: { region: "us-east-1" } });
        const problems = refusedProblems({ ...split, values: { ...split.values, "aws:region": "eu-west-1" } });
        expect(problems.map((p) => p.key)).to.deep.equal([`${ns}:aws.region`]);
        expect(problems[0].allowed).to.include('"eu-west-1"');
    });

    it("refuses env that would override what the backend injects, naming the service and variable", () => {
        const problems = refusedProblems(raw({
            services: {
                api: { image: "ghcr.io/dygsom/fraud-api:1.4.2", env: { DATABASE_URL: "postgresql://me@localhost/db", LOG_LEVEL: "info" } },
                worker: { image: "ghcr.io/dygsom/fraud-api:1.4.2", env: { ML_SERVICE_URL: "http://elsewhere" } },
                ml: { image: "ghcr.io/dygsom/fraud-ml:1.4.2" },
            },
        }));
        expect(problems.map((p) => p.key)).to.deep.equal([`${ns}:services.api.env.DATABASE_URL`, `${ns}:services.worker.env.ML_SERVICE_URL`]);
        expect(problems[0].allowed).to.include("secret");
    });

    it("checks what the aws backend needs of shared keys before any resource: RDS class, node type, Redis version", () => {
        const problems = refusedProblems(raw({
            environment: "staging",
            backend: "aws",
            database: { size: "db-s-1vcpu-2gb" },
            cache: { size: "db-s-1vcpu-1gb", engineVersion: "8" },
        }));
        expect(problems.map((p) => p.key)).to.have.members([`${ns}:database.size`, `${ns}:cache.size`, `${ns}:cache.engineVersion`]);
        expect(problems.find((p) => p.key === `${ns}:database.size`)!.allowed).to.include("db.r6g.large");
        // The same sizes are DigitalOcean slugs, valid there.
        expect(() => loadEnvironmentSpec(raw({ environment: "staging", backend: "digitalocean", database: { size: "db-s-1vcpu-2gb" }, monitoring: { alertEmails: ["a@b.co"] } }))).to.not.throw();
    });

    it("lets a preview show the committed production stand-ins, and refuses them for an update", () => {
        const file = readStackConfig("production");
        const raw = { project: file.project, stack: "production", values: file.config, secretKeys: new Set(file.secretKeys) };
        expect(() => loadEnvironmentSpec(raw)).to.not.throw();
        const problems = refusedProblems({ ...raw, update: true });
        expect(problems.map((p) => p.key)).to.have.members([`${ns}:aws.certificateArn`, `${ns}:aws.domainName`, `${ns}:rollout.liveSlot`]);
        expect(problems[0].allowed).to.include("placeholder");
    });

    // Which api slot serves lives only in the stack's outputs: an update left to the file's defaults could hand all
    // traffic to a stopped standby, so `pulumi up` on aws needs the position that stage-config reads back first.
    it("refuses `pulumi up` on aws until the rollout position is set from the stack (stage-config), naming the command", () => {
        const file = readStackConfig("production");
        const values = { ...file.config, [`${ns}:aws`]: JSON.stringify(deployable("production").aws) };
        const raw = { project: file.project, stack: "production", values, secretKeys: new Set(file.secretKeys), update: true };
        const [problem, ...others] = refusedProblems(raw);
        expect(others).to.deep.equal([]);
        expect(problem.key).to.equal(`${ns}:rollout.liveSlot`);
        expect(problem.allowed).to.include("npm run release -- stage-config --stack <stack> --stage hold");
        const positioned = { ...raw, values: { ...values, [`${ns}:rollout`]: JSON.stringify({ liveSlot: "green", candidatePercent: 0 }) } };
        expect(() => loadEnvironmentSpec(positioned)).to.not.throw();
    });

    it("previews the dev stack without credentialSeed, and refuses `pulumi up` until it is set (a generated one dies with the state)", () => {
        const file = readStackConfig("dev");
        const dev = { project: file.project, stack: "dev", values: file.config, secretKeys: new Set(file.secretKeys) };
        expect(() => loadEnvironmentSpec(dev)).to.not.throw();
        const [problem, ...others] = refusedProblems({ ...dev, update: true });
        expect(others).to.deep.equal([]);
        expect(problem.key).to.equal(`${ns}:credentialSeed`);
        expect(problem.allowed).to.include('pulumi config set --secret credentialSeed "$(openssl rand -hex 32)"');
        const seeded = { ...dev, values: { ...file.config, [`${ns}:credentialSeed`]: "a".repeat(64) }, secretKeys: new Set([...file.secretKeys, `${ns}:credentialSeed`]) };
        expect(() => loadEnvironmentSpec({ ...seeded, update: true })).to.not.throw();
    });

    it("registers no resource when the config is invalid", async () => {
        let error: unknown;
        try {
            await previewStack("dev", { backend: "gcp", database: { storageGb: -5 } });
        } catch (e) {
            error = e;
        }
        expect(error).to.be.instanceOf(ConfigValidationError);
        expect((error as ConfigValidationError).problems).to.have.length(2);
        // Nothing but (at most) the stack itself, which the engine registers before the program runs.
        const ours = resourcesRegisteredBefore(error).filter((r) => r.type !== "pulumi:pulumi:Stack");
        expect(ours.map((r) => r.type)).to.deep.equal([]);
    });
});
