import { expect } from "chai";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ConfigValidationError, loadEnvironmentSpec, type RawStackConfig } from "../config";
import { fargateTaskSizes } from "../config/aws";
import { readStackConfig, repoRoot, StackFileError } from "../tools/engine/stackFiles";
import { refusedProblems } from "./helpers";

const ns = "fraud-platform";
const images = {
    api: { image: "ghcr.io/dygsom/fraud-api:1.4.2" },
    worker: { image: "ghcr.io/dygsom/fraud-api:1.4.2" },
    ml: { image: "ghcr.io/dygsom/fraud-ml:1.4.2" },
};

/** Raw config as the CLI hands it over: top-level strings as written, objects as JSON. */
function raw(values: Record<string, unknown>, secretKeys: string[] = [], extra: Record<string, string> = {}): RawStackConfig {
    const merged: Record<string, unknown> = { environment: "dev", backend: "docker", services: images, ...values };
    const config: Record<string, string> = { ...extra };
    for (const [key, value] of Object.entries(merged)) {
        if (value !== undefined) config[`${ns}:${key}`] = typeof value === "string" ? value : JSON.stringify(value);
    }
    return { project: ns, stack: "edge", values: config, secretKeys: new Set(secretKeys.map((k) => `${ns}:${k}`)) };
}
const aws = (values: Record<string, unknown>) => raw({ environment: "staging", backend: "aws", ...values });
const withService = (name: "api" | "worker" | "ml", settings: Record<string, unknown>) => ({ ...images, [name]: { ...images[name], ...settings } });

const only = (config: RawStackConfig) => {
    const problems = refusedProblems(config);
    expect(problems, JSON.stringify(problems)).to.have.length(1);
    return problems[0];
};

describe("config edge: values of the right shape that the cloud refuses", () => {
    describe("Fargate CPU and memory pairs (one case per row of the AWS table)", () => {
        for (const row of fargateTaskSizes) {
            it(`${row.cpu} CPU: accepts ${row.memory.from} and ${row.memory.to} MiB, refuses ${row.memory.to + row.memory.step} and an off-step value`, () => {
                for (const memory of [row.memory.from, row.memory.to]) {
                    expect(() => loadEnvironmentSpec(aws({ services: withService("ml", { cpu: row.cpu, memory }) }))).to.not.throw();
                }
                const offStep = row.cpu === 256 ? 1536 : row.memory.from + row.memory.step / 2;
                for (const memory of [row.memory.to + row.memory.step, offStep]) {
                    if (memory > 122880) continue; // beyond the schema's own bound, reported there
                    const problem = only(aws({ services: withService("ml", { cpu: row.cpu, memory }) }));
                    expect(problem.key).to.equal(`${ns}:services.ml.memory`);
                    expect(problem.allowed).to.include(`${row.cpu} CPU units`).and.include(String(row.memory.from));
                }
            });
        }
        it("refuses a CPU value Fargate has no row for, and a default memory that does not fit a new CPU", () => {
            expect(only(aws({ services: withService("api", { cpu: 768 }) })).allowed).to.include("256, 512, 1024");
            // api memory defaults to 1024 MiB, which 2048 CPU units do not allow.
            const problem = only(aws({ services: withService("api", { cpu: 2048 }) }));
            expect(problem.key).to.equal(`${ns}:services.api.cpu`);
            expect(problem.allowed).to.include("memory is 1024 MiB by default");
        });
        it("leaves docker stacks free to size containers as they like", () => {
            expect(() => loadEnvironmentSpec(raw({ services: withService("ml", { cpu: 768, memory: 1500 }) }))).to.not.throw();
        });
    });

    describe("RDS and ElastiCache windows", () => {
        it("refuses an RDS backup window under 30 minutes", () => {
            const problem = only(aws({ database: { backupWindow: "03:00-03:20" } }));
            expect(problem.key).to.equal(`${ns}:database.backupWindow`);
            expect(problem.allowed).to.include("at least 30 minutes").and.include("lasts 20");
        });
        it("refuses an RDS backup window overlapping the maintenance window, also across midnight", () => {
            const problem = only(aws({ database: { backupWindow: "04:00-05:00" } })); // maintenance sun:04:30-sun:05:30
            expect(problem.key).to.equal(`${ns}:database.backupWindow`);
            expect(problem.allowed).to.include("must not overlap").and.include("sun:04:30-sun:05:30");
            expect(only(aws({ database: { backupWindow: "23:30-00:30", maintenanceWindow: "mon:00:00-mon:01:00" } })).allowed).to.include("overlap");
            expect(() => loadEnvironmentSpec(aws({ database: { backupWindow: "23:00-23:45", maintenanceWindow: "mon:00:00-mon:01:00" } }))).to.not.throw();
        });
        it("refuses an ElastiCache snapshot window under 60 minutes", () => {
            const problem = only(aws({ cache: { snapshotWindow: "02:00-02:45" } }));
            expect(problem.key).to.equal(`${ns}:cache.snapshotWindow`);
            expect(problem.allowed).to.include("at least 60 minutes");
        });
        it("refuses an ElastiCache snapshot window overlapping the cache maintenance window", () => {
            const problem = only(aws({ cache: { snapshotWindow: "05:00-06:00" } })); // maintenance sun:05:30-sun:06:30
            expect(problem.key).to.equal(`${ns}:cache.snapshotWindow`);
            expect(problem.allowed).to.include("ElastiCache maintenance window");
            const moved = only(aws({ aws: { cacheMaintenanceWindow: "wed:02:30-wed:03:30" } })); // snapshot 02:00-03:00 by default
            expect(moved.key).to.equal(`${ns}:aws.cacheMaintenanceWindow`);
        });
    });

    it("refuses a load-balancer health-check timeout not below its interval on aws (no silent clamp)", () => {
        const problem = only(aws({ services: withService("api", { healthCheck: { intervalSeconds: 10, timeoutSeconds: 10 } }) }));
        expect(problem.key).to.equal(`${ns}:services.api.healthCheck.timeoutSeconds`);
        expect(problem.allowed).to.include("shorter than its interval");
        expect(() => loadEnvironmentSpec(raw({ services: withService("api", { healthCheck: { intervalSeconds: 10, timeoutSeconds: 10 } }) }))).to.not.throw();
    });

    it("refuses docker host ports past 65535 (api replicas count up) and two services on one host port", () => {
        const beyond = only(raw({ docker: { apiHostPort: 65534 } })); // three api replicas: 65534..65536
        expect(beyond.key).to.equal(`${ns}:docker.apiHostPort`);
        expect(beyond.allowed).to.include("65536").and.include("≤ 65533");
        const clash = only(raw({ docker: { grafanaHostPort: 8001 } })); // the api's second replica
        expect(clash.key).to.equal(`${ns}:docker.grafanaHostPort`);
        expect(clash.allowed).to.include("8000-8002");
        const data = only(raw({ docker: { exposeDataPorts: true, redisHostPort: 5432 } }));
        expect(data.key).to.equal(`${ns}:docker.redisHostPort`);
        expect(data.allowed).to.include("docker.postgresHostPort");
    });

    it("names DigitalOcean's sizes when an RDS class or an ElastiCache type is given there", () => {
        const problems = refusedProblems(raw({ environment: "staging", backend: "digitalocean", monitoring: { alertEmails: ["a@b.co"] }, database: { size: "db.r6g.large" }, cache: { size: "cache.t4g.small" } }));
        expect(problems.map((p) => p.key)).to.deep.equal([`${ns}:database.size`, `${ns}:cache.size`]);
        expect(problems[0].allowed).to.include("RDS instance class").and.include("db-s-1vcpu-2gb").and.include("db-s-2vcpu-4gb");
        expect(problems[1].allowed).to.include("ElastiCache node type");
        // And the other way round: a DigitalOcean slug on aws.
        const onAws = only(aws({ database: { size: "db-s-2vcpu-4gb" } }));
        expect(onAws.allowed).to.include("DigitalOcean size slug").and.include("db.r6g.large");
    });
});

describe("config edge: upper bounds on counts", () => {
    it("bounds counts per backend: ECS 5,000, App Platform 250, Docker 16, with no RangeError at 2^32", () => {
        expect(only(aws({ services: withService("api", { count: 2 ** 32 }) })).allowed).to.include("≤ 5000");
        const doStack = { environment: "staging", backend: "digitalocean", monitoring: { alertEmails: ["a@b.co"] } };
        expect(only(raw({ ...doStack, services: withService("worker", { count: 251 }) })).allowed).to.include("≤ 250");
        const local = only(raw({ services: withService("worker", { count: 70000 }) }));
        expect(local.key).to.equal(`${ns}:services.worker.count`);
        expect(local.allowed).to.include("≤ 16");
        expect(only(raw({ services: withService("worker", { count: 2 ** 32 }) })).allowed).to.include("≤");
        expect(() => loadEnvironmentSpec(aws({ services: withService("worker", { count: 300 }) }))).to.not.throw();
    });
    it("bounds autoscaling, alert e-mails and alarm windows", () => {
        expect(only(aws({ services: withService("api", { autoscaling: { minCount: 2, maxCount: 6000 } }) })).key).to.equal(`${ns}:services.api.autoscaling.maxCount`);
        const emails = Array.from({ length: 26 }, (_, i) => `oncall${i}@dygsom.com`);
        expect(only(raw({ monitoring: { alertEmails: emails } })).allowed).to.include("≤ 25 entries");
        expect(only(raw({ monitoring: { thresholds: { errorRateMinutes: 100000 } } })).key).to.equal(`${ns}:monitoring.thresholds.errorRateMinutes`);
    });
});

describe("config edge: mistakes that used to be ignored", () => {
    it("reports a key under a misspelt namespace with the namespace it probably meant, once", () => {
        const config = raw({ services: undefined }, [], { "fraud-platfrom:services": JSON.stringify(images) });
        const problem = only(config);
        expect(problem.key).to.equal("fraud-platfrom:services");
        expect(problem.allowed).to.include("did you mean fraud-platform:services?");
        // Provider namespaces are not ours to judge.
        expect(() => loadEnvironmentSpec(raw({}, [], { "aws:region": "us-east-1", "pulumi:tags": "{}" }))).to.not.throw();
    });
    it("suggests the key an unknown key probably meant", () => {
        const problem = only(raw({ database: { backupRetentonDays: 14 } }));
        expect(problem.allowed).to.include("did you mean backupRetentionDays?");
        expect(only(raw({ cache: { evictionPolicy: "allkeys_lru" } })).allowed).to.include('did you mean "allkeys-lru"?');
    });
    it("moves each alert secret to a top-level key of its own, explaining the old path without echoing it", () => {
        // A plain PagerDuty key next to an encrypted Slack URL: the whole `monitoring` key is secret, so the
        // program could not tell them apart; the old paths are refused with the commands that move them.
        const problems = refusedProblems(raw({ monitoring: { slackWebhookUrl: "https://hooks.slack.com/services/T/B/x", pagerDutyIntegrationKey: "0123456789abcdef0123456789abcdef" } }, ["monitoring"]));
        expect(problems.map((p) => p.key)).to.deep.equal([`${ns}:monitoring.slackWebhookUrl`, `${ns}:monitoring.pagerDutyIntegrationKey`]);
        expect(problems[1].allowed).to.include("pulumi config set --secret pagerDutyIntegrationKey").and.include("pulumi config rm --path monitoring.pagerDutyIntegrationKey");
        expect(problems.map((p) => p.given)).to.deep.equal(["[secret]", "[secret]"]);
        // Plain text in the new key is caught, because the key is the whole top-level key.
        const plain = only(raw({ pagerDutyIntegrationKey: "0123456789abcdef0123456789abcdef" }));
        expect(plain.allowed).to.include("must be a secret");
        expect(plain.given).to.equal("[secret]");
    });
    it("requires the environment when the backend is not docker; docker defaults to dev", () => {
        const problem = only(raw({ environment: undefined, backend: "aws" }));
        expect(problem.key).to.equal(`${ns}:environment`);
        expect(problem.given).to.equal(undefined);
        expect(loadEnvironmentSpec(raw({ environment: undefined })).environment).to.equal("dev");
    });
});

describe("config edge: what `pulumi config set --path` writes is accepted", () => {
    it("takes 17 as a number for database.engineVersion and numbers or booleans as env values", () => {
        // `pulumi config set --path database.engineVersion 17` and `... services.api.env.WORKERS 4` store numbers.
        const spec = loadEnvironmentSpec(raw({ database: { engineVersion: 17 }, cache: { engineVersion: 7 }, services: withService("api", { env: { WORKERS: 4, DEBUG: true, RATIO: 0.5 } }) }));
        expect(spec.database.engineVersion).to.equal("17");
        expect(spec.cache.engineVersion).to.equal("7");
        expect(spec.services.api.env).to.deep.equal({ WORKERS: "4", DEBUG: "true", RATIO: "0.5" });
    });
    it("keeps a top-level text key as written (a PagerDuty key of 32 digits is not a number)", () => {
        const spec = loadEnvironmentSpec(raw({ pagerDutyIntegrationKey: "01234567890123456789012345678901" }, ["pagerDutyIntegrationKey"]));
        expect(spec.monitoring.pagerDutyIntegrationKey).to.not.equal(undefined);
    });
    it("accepts a secure: value offline on keys with a format check (the placeholder has the right form)", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fraud-edge-"));
        const file = path.join(dir, "Pulumi.edge.yaml");
        fs.writeFileSync(
            file,
            [
                "config:",
                "  fraud-platform:environment: production",
                "  fraud-platform:backend: aws",
                "  fraud-platform:services:",
                ...["api", "worker", "ml"].map((s) => `    ${s}:\n      image:\n        secure: v1:aW1hZ2U=`),
                "  fraud-platform:monitoring:",
                "    alertEmails:",
                "      - secure: v1:ZW1haWw=",
                "  fraud-platform:pagerDutyIntegrationKey:",
                "    secure: v1:a2V5",
                "  fraud-platform:aws:",
                "    region: eu-west-1",
                "    certificateArn:",
                "      secure: v1:YXJu",
                "    domainName:",
                "      secure: v1:ZG9t",
                "    bedrockModelArn:",
                "      secure: v1:YmVk",
                "",
            ].join("\n"),
        );
        const read = readStackConfig("edge", repoRoot, file);
        fs.rmSync(dir, { recursive: true, force: true });
        expect(read.placeholders).to.have.length(8);
        expect(() => loadEnvironmentSpec({ project: ns, stack: "edge", values: read.config, secretKeys: new Set(read.secretKeys) })).to.not.throw();
    });
});

describe("config edge: messages", () => {
    it("names the stack file, shows invisible characters escaped and long values shortened, in one message per mistake", () => {
        let error: ConfigValidationError | undefined;
        try {
            loadEnvironmentSpec({ ...raw({ backend: "aws\u200b", services: withService("api", { image: `ghcr.io/${"a".repeat(300)}` }) }), stackFile: "stacks/Pulumi.edge.yaml" });
        } catch (e) {
            error = e as ConfigValidationError;
        }
        expect(error).to.be.instanceOf(ConfigValidationError);
        expect(error!.message).to.include("stacks/Pulumi.edge.yaml");
        const backend = error!.problems.find((p) => p.key === `${ns}:backend`)!;
        expect(backend.given).to.equal('"aws\\u200b"');
        const image = error!.problems.find((p) => p.key === `${ns}:services.api.image`)!;
        expect(image.given!.length).to.be.below(120);
        expect(image.given).to.include("…").and.include("characters");
        expect(error!.problems).to.have.length(2);
    });
    it("uses no library wording", () => {
        const problems = refusedProblems(raw({ services: withService("api", { count: 1.5, env: { "lower-case": "x" } }), database: { storageGb: "big" } }));
        const text = problems.map((p) => p.allowed).join("\n");
        expect(text).to.not.match(/expected a int|Invalid key in record|Invalid input|expected string/);
        expect(text).to.include("a whole number").and.include("UPPER_SNAKE_CASE").and.include("a number");
        expect(problems.find((p) => p.key === `${ns}:services.api.env.lower-case`)).to.not.equal(undefined);
    });
    it("refuses a config too large for the environment variable that carries it, naming the key", () => {
        const problem = only(raw({ services: withService("api", { env: { BLOB: "x".repeat(130 * 1024) } }) }));
        expect(problem.key).to.equal(`${ns}:services.api.env.BLOB`);
        expect(problem.allowed).to.include("E2BIG");
    });
});

describe("config edge: stack files that are not valid YAML config", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fraud-edge-"));
    after(() => fs.rmSync(dir, { recursive: true, force: true }));
    const write = (text: string) => {
        const file = path.join(dir, "Pulumi.edge.yaml");
        fs.writeFileSync(file, text);
        return file;
    };
    const refusal = (text: string) => {
        try {
            readStackConfig("edge", repoRoot, write(text));
        } catch (error) {
            expect(error).to.be.instanceOf(StackFileError);
            return error as StackFileError;
        }
        throw new Error("expected the file to be refused");
    };
    it("refuses an alias bomb, very deep documents and .inf / .nan, naming file, line and column", () => {
        const bomb = refusal(["config:", "  a: &a [x, x, x, x, x, x, x, x, x]", "  b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]", "  c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]", "  d: [*c, *c, *c, *c, *c, *c, *c, *c, *c]", ""].join("\n"));
        expect(bomb.message).to.include("alias");
        const deep = refusal(`config:\n  fraud-platform:services: ${"[".repeat(100000)}${"]".repeat(100000)}\n`);
        expect(deep.position).to.deep.equal({ line: 2, column: 92 }); // the 65th bracket
        const deepBlock = refusal(`config:\n${Array.from({ length: 200 }, (_, i) => `${" ".repeat(2 * i + 2)}k${i}:`).join("\n")} 1\n`);
        expect(deepBlock.message).to.include("nested more than");
        const inf = refusal("config:\n  fraud-platform:services:\n    api:\n      count: .inf\n");
        expect(inf.position).to.deep.equal({ line: 4, column: 14 });
        expect(inf.message).to.include(".inf is not a finite number");
        expect(refusal("config:\n  fraud-platform:cache: {nodeCount: .NaN}\n").message).to.include(".NaN is not a finite number");
        // Found by the fuzz round in CI: an alias inside the node it names is valid YAML whose value contains itself.
        const endless = refusal("config:\n  fraud-platform:database: &a1\n    backupWindow: *a1\n");
        expect(endless.message).to.include("the alias *a1 refers to a node that contains it");
        expect(endless.position).to.deep.equal({ line: 3, column: 19 });
    });
    it("refuses a top level or a config: that is not a map", () => {
        expect(refusal("- a\n- b\n").message).to.include("top level is not a map");
        expect(refusal("config: 3\n").message).to.include("`config:` must be a map");
    });
});
