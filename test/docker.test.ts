import { expect } from "chai";
import type { RecordedResource } from "../tools/engine/emulator";
import { isSecret, plainStrings, previewStack, reveal, updateStack, type Preview } from "./helpers";

const container = "docker:index/container:Container";

interface ContainerInputs {
    name: string;
    envs?: unknown;
    healthcheck?: { tests: string[]; interval: string; retries: number };
    mounts?: { type: string; source: string; target: string }[];
    ports?: { internal: number; external: number; ip: string }[];
    networksAdvanced?: { name: string; aliases?: string[] }[];
    restart?: string;
    uploads?: { file: string; content: unknown }[];
}

const inputsOf = (r: RecordedResource) => reveal(r.inputs) as ContainerInputs;

describe("docker backend (dev stack)", () => {
    let dev: Preview;
    before(async () => {
        dev = await previewStack("dev");
    });

    it("runs PostgreSQL, Redis, api, worker, ml, Prometheus, Alertmanager and Grafana, each with a health check and a restart policy", () => {
        const containers = dev.ofType(container);
        expect(containers.length).to.be.at.least(6);
        const names = containers.map((c) => c.name);
        for (const suffix of ["-postgres", "-db-backup", "-redis", "-api", "-worker", "-ml", "-prometheus", "-grafana", "-alertmanager"]) {
            expect(names.some((n) => n.endsWith(suffix)), suffix).to.equal(true);
        }
        for (const c of containers) {
            const inputs = inputsOf(c);
            expect(inputs.healthcheck?.tests?.length, c.name).to.be.greaterThan(1);
            expect(inputs.restart, c.name).to.equal("unless-stopped");
        }
    });

    it("checks PostgreSQL by logging in over TCP with the app's password and Redis with an authenticated PING", () => {
        const postgres = inputsOf(dev.named("-postgres", container));
        expect(postgres.healthcheck!.tests.join(" ")).to.include('PGPASSWORD="$POSTGRES_PASSWORD" psql -h 127.0.0.1 -U fraud_app -d fraud');
        const redis = inputsOf(dev.named("-redis", container));
        expect(redis.healthcheck!.tests.join(" ")).to.include("ping").and.include("REDIS_PASSWORD");
    });

    it("probes each app service's readiness on its own path and port", () => {
        const api = inputsOf(dev.named("-api", container));
        expect(api.healthcheck!.tests.join(" ")).to.include("http://127.0.0.1:8000/health/ready");
        const ml = inputsOf(dev.named("-ml", container));
        expect(ml.healthcheck!.tests.join(" ")).to.include("http://127.0.0.1:8001/health/ready");
    });

    it("keeps PostgreSQL and Redis data on named volumes that survive a destroy", () => {
        const volumes = dev.ofType("docker:index/volume:Volume");
        for (const [suffix, target] of [["-postgres", "/var/lib/postgresql/data"], ["-redis", "/data"]] as const) {
            const mount = inputsOf(dev.named(suffix, container)).mounts?.find((m) => m.target === target);
            expect(mount?.type, suffix).to.equal("volume");
            const volume = volumes.find((v) => (reveal(v.inputs) as { name: string }).name === mount!.source);
            expect(volume, `${suffix} volume`).to.not.equal(undefined);
            expect(volume!.retainOnDelete, `${suffix} volume retained`).to.equal(true);
        }
    });

    it("dumps the database daily in the backup window to its own retained volume, keeping backupRetentionDays", async () => {
        const custom = await updateStack("dev", { database: { backupRetentionDays: 3, backupWindow: "01:30-02:30" } });
        const backup = custom.named("-db-backup", container);
        const inputs = inputsOf(backup);
        const envs = inputs.envs as unknown as string[];
        expect(envs).to.include.members(["BACKUP_RETENTION_DAYS=3", "BACKUP_WINDOW_START=01:30", "PGHOST=postgres", "PGUSER=fraud_app", "PGDATABASE=fraud"]);
        const password = (backup.inputs.envs as unknown[]).find((e) => String(reveal(e)).startsWith("PGPASSWORD="));
        expect(isSecret(password), "PGPASSWORD is secret").to.equal(true);
        const script = inputs.uploads!.find((u) => u.file === "/usr/local/bin/backup.sh")!.content as string;
        expect(script).to.include("pg_dump --format=custom").and.include('-mtime +"$BACKUP_RETENTION_DAYS" -delete');
        const mount = inputs.mounts!.find((m) => m.target === "/backups")!;
        const volume = custom.ofType("docker:index/volume:Volume").find((v) => (reveal(v.inputs) as { name: string }).name === mount.source);
        expect(volume?.retainOnDelete).to.equal(true);
        expect(inputs.healthcheck!.tests.join(" ")).to.include("-mmin -1500");
        expect(backup.dependencies).to.include(custom.named("-postgres", container).urn);
    });

    it("binds every published host port to loopback only and publishes no data port by default", () => {
        const published = dev.ofType(container).flatMap((c) => (inputsOf(c).ports ?? []).map((p) => ({ name: c.name, ...p })));
        expect(published.map((p) => p.external)).to.include.members([8000, 9090, 3001]);
        for (const port of published) expect(port.ip, port.name).to.equal("127.0.0.1");
        expect(inputsOf(dev.named("-postgres", container)).ports ?? []).to.deep.equal([]);
        expect(inputsOf(dev.named("-redis", container)).ports ?? []).to.deep.equal([]);
    });

    it("refuses a non-loopback host address before registering anything", async () => {
        let message = "";
        try {
            await previewStack("dev", { docker: { hostAddress: "0.0.0.0" } });
        } catch (error) {
            message = String(error);
        }
        expect(message).to.include("fraud-platform:docker.hostAddress").and.include('"0.0.0.0"').and.include("loopback");
    });

    it("puts the data tier on an internal network the app reaches and the host does not", () => {
        const networks = dev.ofType("docker:index/network:Network").map((n) => reveal(n.inputs) as { name: string; internal?: boolean });
        const data = networks.find((n) => n.internal === true);
        expect(data, "internal network").to.not.equal(undefined);
        for (const suffix of ["-postgres", "-redis"]) {
            expect(inputsOf(dev.named(suffix, container)).networksAdvanced!.map((n) => n.name), suffix).to.deep.equal([data!.name]);
        }
        expect(inputsOf(dev.named("-api", container)).networksAdvanced!.map((n) => n.name)).to.include(data!.name);
    });

    it("hands DATABASE_URL and REDIS_URL to the app containers as secrets only", async () => {
        const updated = await updateStack("dev");
        for (const suffix of ["-api", "-worker", "-ml"]) {
            const envs = updated.named(suffix, container).inputs.envs as unknown[];
            const connection = envs.filter((e) => /^(DATABASE_URL|REDIS_URL)=/.test(String(reveal(e))));
            expect(connection.map((e) => String(reveal(e)).split("=")[0]), suffix).to.deep.equal(["DATABASE_URL", "REDIS_URL"]);
            for (const entry of connection) expect(isSecret(entry), `${suffix} ${String(reveal(entry)).split("=")[0]}`).to.equal(true);
            expect(String(reveal(connection[0]))).to.match(/^DATABASE_URL=postgresql:\/\/fraud_app:[^@]+@postgres:5432\/fraud/);
            expect(String(reveal(connection[1]))).to.match(/^REDIS_URL=redis:\/\/:[^@]+@redis:6379/);
        }
        // The generated passwords appear nowhere in plain text, in any resource or stack output.
        for (const password of ["fakefrauddevdbpassword", "fakefrauddevcachepassword"]) {
            for (const resource of updated.resources) {
                expect(plainStrings(resource.inputs).some((s) => s.includes(password)), resource.name).to.equal(false);
                expect(plainStrings(resource.outputs ?? {}).some((s) => s.includes(password)), `${resource.name} outputs`).to.equal(false);
            }
        }
    });

    it("points Prometheus at the api and provisions Grafana's Prometheus data source", () => {
        const prometheus = inputsOf(dev.named("-prometheus", container));
        const config = prometheus.uploads!.find((u) => u.file === "/etc/prometheus/prometheus.yml")!.content as string;
        expect(config).to.include("job_name: api").and.include("api:8000");
        const rules = prometheus.uploads!.find((u) => u.file.startsWith("/etc/prometheus/rules/"))!.content as string;
        expect(rules).to.include("* 100 > 5").and.include("for: 5m").and.include("> 1");
        const grafana = inputsOf(dev.named("-grafana", container));
        const datasource = grafana.uploads!.find((u) => u.file.includes("provisioning/datasources"))!.content as string;
        expect(datasource).to.include("type: prometheus").and.include("http://prometheus:9090");
    });

    it("gives each api replica its own loopback port", async () => {
        const scaled = await previewStack("dev", {
            services: {
                api: { image: "ghcr.io/dygsom/fraud-api:1.4.2", count: 3 },
                worker: { image: "ghcr.io/dygsom/fraud-api:1.4.2", count: 1 },
                ml: { image: "ghcr.io/dygsom/fraud-ml:1.4.2", count: 1 },
            },
        });
        const apis = scaled.ofType(container).filter((c) => /-api-\d$/.test(c.name));
        expect(apis.map((a) => inputsOf(a).ports![0].external)).to.deep.equal([8000, 8001, 8002]);
        const prometheus = inputsOf(scaled.named("-prometheus", container));
        const config = prometheus.uploads!.find((u) => u.file === "/etc/prometheus/prometheus.yml")!.content as string;
        expect(config).to.include("api-1:8000").and.include("api-3:8000");
    });
});
