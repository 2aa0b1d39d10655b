import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as http from "node:http";
import * as https from "node:https";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { expect } from "chai";
import { nginxConfig, nginxLimits, securityHeaders } from "../components/docker/nginxConfig";
import { loadEnvironmentSpec, type EnvironmentSpec } from "../config";
import type { RecordedResource } from "../tools/engine/emulator";
import { readStackConfig } from "../tools/engine/stackFiles";
import { nginxConfOf, nginxTest, onPath, prepareCheckDir, writeThrowawayPair } from "../tools/nginx/check";
import { configProblems, isSecret, previewStack, reveal, updateStack, type Preview } from "./helpers";

const container = "docker:index/container:Container";
const nginxReady = onPath("nginx") && onPath("openssl");
const missing = nginxReady ? "" : " (SKIPPED: nginx or openssl is not on the PATH; .ci/run installs Debian's nginx)";

interface ContainerInputs {
    name: string;
    envs?: unknown[];
    command?: string[];
    healthcheck?: { tests: string[]; interval: string; retries: number };
    mounts?: { type: string; source: string; target: string; readOnly?: boolean }[];
    ports?: { internal: number; external: number; ip: string }[];
    networksAdvanced?: { name: string; aliases?: string[]; ipv4Address?: string }[];
    uploads?: { file: string; content: unknown }[];
    wait?: boolean;
    waitTimeout?: number;
}

const inputsOf = (r: RecordedResource) => reveal(r.inputs) as ContainerInputs;
const upload = (r: RecordedResource, file: string) => String(inputsOf(r).uploads?.find((u) => u.file === file)?.content);
const envOf = (r: RecordedResource) => (inputsOf(r).envs ?? []).map(String);

/** The selfhosted stack file's config as the edge reads it, with keys (without namespace) overridden. */
function selfhostedConfig(overrides: Record<string, unknown> = {}, secrets: string[] = []) {
    const file = readStackConfig("selfhosted");
    const values = { ...file.config };
    for (const [key, value] of Object.entries(overrides)) {
        if (value === undefined) delete values[`fraud-platform:${key}`];
        else values[`fraud-platform:${key}`] = typeof value === "string" ? value : JSON.stringify(value);
    }
    return { project: file.project, stack: "selfhosted", values, secretKeys: new Set([...file.secretKeys, ...secrets.map((k) => `fraud-platform:${k}`)]) };
}

describe("selfhosted stack (seed 002 on one Docker host)", () => {
    // One update run (provider outputs faked, so secrets and computed values are inspectable), shared with other files.
    let stack: Preview;
    let spec: EnvironmentSpec;
    before(async function () {
        this.timeout(60_000);
        stack = await updateStack("selfhosted");
        spec = loadEnvironmentSpec(selfhostedConfig());
    });
    const named = (suffix: string) => stack.named(suffix, container);

    it("runs three Redis nodes, three Sentinels, three api replicas, nginx, Jaeger and the monitoring containers, each with a health check", () => {
        const names = stack.ofType(container).map((c) => c.name.replace(/^fraud-production-/, ""));
        expect(names).to.include.members([
            "cache-redis-1", "cache-redis-2", "cache-redis-3",
            "cache-redis-sentinel-1", "cache-redis-sentinel-2", "cache-redis-sentinel-3",
            "app-api-1", "app-api-2", "app-api-3", "app-lb", "app-jaeger",
            "monitoring-prometheus", "monitoring-alertmanager", "monitoring-grafana", "monitoring-node-exporter",
            "db-postgres", "db-backup", "monitoring-volume-backup",
        ]);
        for (const c of stack.ofType(container)) {
            if (c.name.endsWith("-jaeger-volume-owner")) continue; // runs once to completion (restart "no", attach)
            expect(inputsOf(c).healthcheck?.tests?.length, c.name).to.be.greaterThan(1);
        }
    });

    it("publishes only 80 and 443 beyond loopback; Prometheus, Grafana, Alertmanager and Jaeger bind to 127.0.0.1", () => {
        const published = stack.ofType(container).flatMap((c) => (inputsOf(c).ports ?? []).map((p) => ({ name: c.name, ...p })));
        const beyondLoopback = published.filter((p) => !p.ip.startsWith("127."));
        expect(beyondLoopback.map((p) => `${p.name.replace(/^fraud-production-/, "")} ${p.ip}:${p.external}`)).to.deep.equal(["app-lb 0.0.0.0:80", "app-lb 0.0.0.0:443"]);
        const loopback = Object.fromEntries(published.filter((p) => p.ip === "127.0.0.1").map((p) => [p.name.replace(/^fraud-production-/, ""), p.external]));
        expect(loopback).to.deep.equal({ "monitoring-prometheus": 9090, "monitoring-grafana": 3001, "monitoring-alertmanager": 9093, "app-jaeger": 16686 });
        expect(inputsOf(named("-app-api-1")).ports).to.deep.equal([]);
    });

    describe("Redis with Sentinel", () => {
        it("starts redis-1 as master and the others as replicas of whatever master the Sentinels name, one node at a time", () => {
            const nodes = [1, 2, 3].map((i) => named(`-cache-redis-${i}`));
            for (const [i, node] of nodes.entries()) {
                const inputs = inputsOf(node);
                const script = inputs.command?.[0] ?? "";
                expect(script).to.contain("sentinel get-master-addr-by-name");
                expect(script).to.contain('--replicaof $master 6379');
                expect(script).to.contain('--requirepass "$REDIS_PASSWORD" --masterauth "$REDIS_PASSWORD"');
                expect(script).to.contain("--appendonly yes");
                expect(envOf(node)).to.include.members([`REDIS_NODE=redis-${i + 1}`, "REDIS_INITIAL_MASTER=redis-1", "REDIS_SENTINEL_MASTER=mymaster"]);
                expect(inputs.mounts).to.deep.equal([{ type: "volume", source: `fraud-production-cache-redis-${i + 1}-data`, target: "/data" }]);
                // Healthy as a master or as a replica whose link to the master is up.
                expect(inputs.healthcheck?.tests[1]).to.match(/info replication \| grep -Eq '\^\(role:master\|master_link_status:up\)'/);
                expect(inputs.wait).to.equal(true);
                if (i > 0) expect(node.dependencies).to.include(nodes[i - 1].urn);
            }
            for (const i of [1, 2, 3]) expect(stack.named(`-cache-redis-${i}-data`, "docker:index/volume:Volume").protect).to.equal(true);
        });

        it("runs three Sentinels with a quorum of two, on hostnames, their state on volumes, healthy when CKQUORUM passes", () => {
            for (const i of [1, 2, 3]) {
                const sentinel = named(`-cache-redis-sentinel-${i}`);
                const conf = upload(sentinel, "/etc/redis/sentinel.template.conf");
                expect(conf).to.contain("sentinel monitor mymaster redis-1 6379 2\n");
                expect(conf).to.contain("sentinel resolve-hostnames yes");
                expect(conf).to.contain(`sentinel announce-ip redis-sentinel-${i}`);
                expect(conf).to.not.match(/auth-pass|requirepass/); // appended from the environment at start
                expect(inputsOf(sentinel).healthcheck?.tests[1]).to.contain("sentinel ckquorum");
                expect(inputsOf(sentinel).networksAdvanced?.[0].aliases).to.deep.equal([`redis-sentinel-${i}`]);
                expect(inputsOf(sentinel).mounts?.[0].target).to.equal("/data");
                for (const node of [1, 2, 3]) expect(sentinel.dependencies).to.include(named(`-cache-redis-${node}`).urn);
            }
        });

        it("hands the app the Sentinels, the master name and the password (secret)", () => {
            for (const service of ["api-1", "worker-1", "ml-1"]) {
                const app = named(`-app-${service}`);
                expect(envOf(app)).to.include.members(["REDIS_SENTINELS=redis-sentinel-1:26379,redis-sentinel-2:26379,redis-sentinel-3:26379", "REDIS_SENTINEL_MASTER=mymaster"]);
                const envs = app.inputs.envs as unknown[];
                const password = envs.find((e) => String((reveal(e) as string)).startsWith("REDIS_PASSWORD="));
                expect(isSecret(password), service).to.equal(true);
                expect(String(reveal(envs.find((e) => String(reveal(e)).startsWith("REDIS_URL="))))).to.match(/^REDIS_URL=redis\+sentinel:\/\/:[0-9a-f]{64}@redis-sentinel-1:26379,redis-sentinel-2:26379,redis-sentinel-3:26379\/mymaster\/0$/);
            }
        });
    });

    describe("nginx", () => {
        let conf: string;
        before(() => {
            conf = nginxConfOf(stack.resources, "selfhosted");
        });

        it("terminates TLS with the certificate and key it uploads (the key as a secret) and redirects HTTP to HTTPS", () => {
            const lb = named("-app-lb");
            expect(conf).to.match(/listen 443 ssl http2 default_server;/);
            expect(conf).to.contain("ssl_certificate tls/fullchain.pem;");
            expect(conf).to.contain("ssl_certificate_key tls/privkey.pem;");
            expect(conf).to.contain("ssl_protocols TLSv1.2 TLSv1.3;");
            expect(conf).to.match(/listen 80 default_server;[\s\S]*?return 301 https:\/\/\$host\$request_uri;/);
            const key = (lb.inputs.uploads as { file: string; content: unknown }[]).find((u) => u.file === "/etc/nginx/tls/privkey.pem");
            expect(isSecret(key?.content)).to.equal(true);
            // No pair in config: the self-signed first-run pair from the tls provider.
            expect(stack.ofType("tls:index/selfSignedCert:SelfSignedCert").map((c) => reveal(c.inputs.dnsNames))).to.deep.equal([["fraud.example.net"]]);
        });

        it("balances over the api replicas at their fixed edge addresses, taking failing ones out and retrying the next", () => {
            const addresses = [1, 2, 3].map((i) => inputsOf(named(`-app-api-${i}`)).networksAdvanced?.find((n) => n.ipv4Address)?.ipv4Address);
            expect(addresses).to.deep.equal(["172.30.0.2", "172.30.0.3", "172.30.0.4"]);
            for (const address of addresses) expect(conf).to.contain(`server ${address}:8000 max_fails=3 fail_timeout=10s;`);
            expect(conf).to.contain("proxy_next_upstream error timeout http_502 http_503 http_504;");
            const edge = stack.named("-net-edge", "docker:index/network:Network");
            expect(reveal(edge.inputs.ipamConfigs)).to.deep.equal([{ subnet: "172.30.0.0/24", gateway: "172.30.0.1", ipRange: "172.30.0.128/25" }]);
            expect(named("-app-lb").dependencies).to.include.members([1, 2, 3].map((i) => named(`-app-api-${i}`).urn));
        });

        it("limits login to 10 a minute per client IP (burst 9, no delay: the 11th gets 429) and sets seed 002's security headers", () => {
            expect(conf).to.contain("limit_req_zone $binary_remote_addr zone=login:10m rate=10r/m;");
            expect(conf).to.match(/location = \/api\/auth\/login \{\s*limit_req zone=login burst=9 nodelay;/);
            expect(conf).to.contain("limit_req_status 429;");
            for (const [name, value] of Object.entries(securityHeaders)) expect(conf).to.contain(`add_header ${name} "${value}" always;`);
            expect(conf).to.match(/location ~ \^\/health\(\/ready\|\/live\)\?\$ \{\s*proxy_pass http:\/\/api;/);
        });

        it(`passes nginx -t${missing}`, function () {
            if (!nginxReady) this.skip();
            const dir = fs.mkdtempSync(path.join(os.tmpdir(), "nginx-t-"));
            const result = nginxTest(prepareCheckDir(conf, dir));
            expect(result.ok, result.output).to.equal(true);
        });

        it(`answers the 11th login of a quick series with 429, redirects HTTP and passes /health through (a running nginx)${missing}`, async function () {
            if (!nginxReady) this.skip();
            this.timeout(20_000);
            const lb = spec.docker.loadBalancer;
            const backend = http.createServer((request, response) => {
                response.writeHead(200, { "content-type": "application/json" });
                response.end(JSON.stringify({ path: request.url }));
            });
            await new Promise<void>((resolve) => backend.listen(0, "127.0.0.1", resolve));
            const [httpPort, httpsPort, internal] = await Promise.all([freePort(), freePort(), freePort()]);
            const dir = fs.mkdtempSync(path.join(os.tmpdir(), "nginx-run-"));
            // The stack's own limits and paths; only the ports and the upstream are local.
            const local = nginxConfig({
                ...nginxLimits(lb),
                upstreams: [`127.0.0.1:${(backend.address() as net.AddressInfo).port}`],
                httpPort,
                httpsPort,
                publicHttpsPort: httpsPort,
                runtimeDir: dir,
                internalListenPort: internal,
            });
            fs.writeFileSync(path.join(dir, "nginx.conf"), local);
            writeThrowawayPair(dir, lb.serverName);
            const log = fs.openSync(path.join(dir, "nginx.log"), "w");
            const nginx = spawn("nginx", ["-p", `${dir}/`, "-c", path.join(dir, "nginx.conf"), "-e", "stderr", "-g", "daemon off;"], { stdio: ["ignore", log, log] });
            try {
                await waitForPort(httpsPort, nginx, path.join(dir, "nginx.log"));
                const statuses: number[] = [];
                for (let i = 0; i < 11; i += 1) statuses.push((await request(httpsPort, "POST", lb.loginPath)).status);
                expect(statuses).to.deep.equal([...Array(10).fill(200), 429]);
                const health = await request(httpsPort, "GET", "/health/ready");
                expect(health.status).to.equal(200);
                expect(health.headers["strict-transport-security"]).to.equal(securityHeaders["Strict-Transport-Security"]);
                const redirect = await request(httpPort, "GET", "/health", false);
                expect(redirect.status).to.equal(301);
                expect(redirect.headers.location).to.equal(`https://localhost:${httpsPort}/health`);
            } finally {
                nginx.kill("SIGTERM");
                fs.closeSync(log);
                await new Promise<void>((resolve) => backend.close(() => resolve()));
            }
        });
    });

    it("sends the api's traces to Jaeger over OTLP and keeps them 72 hours in badger on a volume", () => {
        expect(envOf(named("-app-api-1"))).to.include.members(["OTEL_EXPORTER_OTLP_ENDPOINT=http://jaeger:4317", "OTEL_EXPORTER_OTLP_PROTOCOL=grpc", "OTEL_SERVICE_NAME=api"]);
        const jaeger = named("-app-jaeger");
        expect(envOf(jaeger)).to.include.members(["SPAN_STORAGE_TYPE=badger", "BADGER_EPHEMERAL=false", "BADGER_SPAN_STORE_TTL=72h", "COLLECTOR_OTLP_ENABLED=true"]);
        expect(inputsOf(jaeger).mounts).to.deep.equal([{ type: "volume", source: "fraud-production-app-jaeger-data", target: "/badger" }]);
        expect(jaeger.dependencies).to.include(named("-app-jaeger-volume-owner").urn);
    });

    it("backs up Redis (from the master Sentinel names) and the Grafana volume daily, keeping 7 days, next to pg_dump", () => {
        const backup = named("-monitoring-volume-backup");
        const inputs = inputsOf(backup);
        expect(envOf(backup)).to.include.members([
            "REDIS_SENTINELS=redis-sentinel-1:26379,redis-sentinel-2:26379,redis-sentinel-3:26379",
            "REDIS_SENTINEL_MASTER=mymaster",
            "BACKUP_RETENTION_DAYS=7",
            "BACKUP_WINDOW_START=02:00",
        ]);
        expect(isSecret((backup.inputs.envs as unknown[]).find((e) => String(reveal(e)).startsWith("REDISCLI_AUTH=")))).to.equal(true);
        expect(inputs.mounts).to.deep.equal([
            { type: "volume", source: "fraud-production-monitoring-volume-backups", target: "/backups" },
            { type: "volume", source: "fraud-production-monitoring-grafana-data", target: "/volumes/grafana", readOnly: true },
        ]);
        const script = upload(backup, "/usr/local/bin/volume-backup.sh");
        expect(script).to.contain('redis-cli -h "$master" --rdb');
        expect(script).to.contain("tar czf \"/backups/grafana-$stamp.tar.gz.partial\" -C /volumes/grafana .");
        expect(script).to.contain("-mtime +\"$BACKUP_RETENTION_DAYS\" -delete");
        expect(inputs.healthcheck?.tests[1]).to.contain("redis-*.rdb' -mmin -1500").and.to.contain("grafana-*.tar.gz' -mmin -1500");
        expect(stack.named("-volume-backups", "docker:index/volume:Volume").protect).to.equal(true);
        expect(envOf(named("-db-backup"))).to.include("BACKUP_RETENTION_DAYS=7");
    });

    it("starts Redis, the Sentinels and the backup job with shell scripts that parse (sh -n)", () => {
        const scripts = [
            inputsOf(named("-cache-redis-2")).command?.[0],
            inputsOf(named("-cache-redis-sentinel-1")).command?.[0],
            upload(named("-monitoring-volume-backup"), "/usr/local/bin/volume-backup.sh"),
            ...[1, 2].map((i) => inputsOf(named(`-cache-redis-${i}`)).healthcheck?.tests[1]),
        ];
        for (const script of scripts) {
            expect(script).to.be.a("string");
            const result = spawnSync("sh", ["-n", "-c", String(script)], { encoding: "utf8" });
            expect(result.status, `${result.stderr}\n${String(script)}`).to.equal(0);
        }
    });

    it("starts a node as the replica of the master the Sentinels name, and redis-1 as master only when none answers", () => {
        // The node's own script, with stand-ins for redis-cli (a Sentinel's answer) and redis-server (prints its arguments).
        const bin = fs.mkdtempSync(path.join(os.tmpdir(), "redis-stubs-"));
        fs.writeFileSync(path.join(bin, "redis-cli"), '#!/bin/sh\n[ -n "$FAKE_MASTER" ] || exit 1\necho "$FAKE_MASTER"\necho 6379\n', { mode: 0o755 });
        fs.writeFileSync(path.join(bin, "redis-server"), '#!/bin/sh\necho "$@"\n', { mode: 0o755 });
        const start = (node: number, sentinelAnswer: string) => {
            const inputs = inputsOf(named(`-cache-redis-${node}`));
            const env = Object.fromEntries(envOf(named(`-cache-redis-${node}`)).map((e) => [e.slice(0, e.indexOf("=")), e.slice(e.indexOf("=") + 1)]));
            const result = spawnSync("sh", ["-c", String(inputs.command?.[0])], { encoding: "utf8", env: { ...env, PATH: `${bin}:${process.env.PATH ?? ""}`, FAKE_MASTER: sentinelAnswer } });
            expect(result.status, result.stderr).to.equal(0);
            return result.stdout;
        };
        expect(start(1, "")).to.not.contain("--replicaof");
        expect(start(3, "")).to.contain("--replicaof redis-1 6379");
        // After a failover to redis-2: a replaced redis-1 comes back as redis-2's replica, redis-2 stays master.
        expect(start(1, "redis-2")).to.contain("--replicaof redis-2 6379");
        expect(start(2, "redis-2")).to.not.contain("--replicaof");
        expect(start(1, "redis-2")).to.contain("--replica-announce-ip redis-1");
    });

    it("rolls a new api image out one replica at a time, each waited for until healthy", () => {
        const replicas = [1, 2, 3].map((i) => named(`-app-api-${i}`));
        expect(replicas[1].dependencies).to.include(replicas[0].urn);
        expect(replicas[2].dependencies).to.include(replicas[1].urn);
        for (const replica of replicas) {
            expect(inputsOf(replica).wait).to.equal(true);
            expect(inputsOf(replica).waitTimeout).to.be.greaterThan(30);
        }
    });

    describe("config edge", () => {
        const keysOf = (overrides: Record<string, unknown>, secrets: string[] = []) => configProblems(selfhostedConfig(overrides, secrets)).map((p) => `${p.key}: ${p.allowed}`);
        let pair: { certificate: string; privateKey: string };
        let other: { certificate: string; privateKey: string };
        before(function () {
            if (!onPath("openssl")) this.skip();
            pair = writeThrowawayPair(fs.mkdtempSync(path.join(os.tmpdir(), "pair-")), "fraud.example.net");
            other = writeThrowawayPair(fs.mkdtempSync(path.join(os.tmpdir(), "pair-")), "fraud.example.net");
        });

        it("takes a matching certificate and key, and refuses a mismatched pair or half a pair, naming the key", () => {
            expect(keysOf({ tlsCertificate: pair.certificate, tlsPrivateKey: pair.privateKey }, ["tlsPrivateKey"])).to.deep.equal([]);
            expect(keysOf({ tlsCertificate: pair.certificate, tlsPrivateKey: other.privateKey }, ["tlsPrivateKey"])).to.deep.equal([
                "fraud-platform:tlsPrivateKey: does not belong to tlsCertificate (nginx refuses the pair: key values mismatch)",
            ]);
            expect(keysOf({ tlsCertificate: pair.certificate })[0]).to.match(/^fraud-platform:tlsPrivateKey: required with tlsCertificate/);
            expect(keysOf({ tlsCertificate: "not a certificate", tlsPrivateKey: pair.privateKey }, ["tlsPrivateKey"])[0]).to.match(/^fraud-platform:tlsCertificate: must be a PEM certificate/);
            expect(keysOf({ tlsCertificate: pair.certificate, tlsPrivateKey: pair.privateKey })[0]).to.match(/^fraud-platform:tlsPrivateKey: must be a secret/);
        });
    });

    it("refuses an even Sentinel count, env the backend sets, colliding ports and a non-address bind, naming key, value and what is allowed", () => {
        const docker = JSON.parse(readStackConfig("selfhosted").config["fraud-platform:docker"]) as Record<string, unknown>;
        const services = JSON.parse(readStackConfig("selfhosted").config["fraud-platform:services"]) as Record<string, Record<string, unknown>>;
        const problems = configProblems(selfhostedConfig({
            docker: { ...docker, redisSentinels: 4, prometheusHostPort: 443, monitoringHostAddress: "everywhere", engineHost: "ssh://fraud-01" },
            services: { ...services, api: { ...services.api, env: { REDIS_SENTINELS: "x:1" } } },
        }));
        expect(problems.map((p) => [p.key, p.given, p.allowed])).to.deep.include.members([
            ["fraud-platform:docker.redisSentinels", "4", "must be an odd number (3, 5 or 7), so the Sentinels can form a majority"],
            ["fraud-platform:docker.monitoringHostAddress", '"everywhere"', "must be an IPv4 or IPv6 address, e.g. 0.0.0.0, 10.8.0.1 or 127.0.0.1"],
            ["fraud-platform:docker.engineHost", '"ssh://fraud-01"', "must be unix:///var/run/docker.sock, ssh://user@host[:port] or tcp://host:port"],
            ["fraud-platform:services.api.env.REDIS_SENTINELS", '"x:1"', "is set by the docker backend itself (Redis Sentinel, cache.nodeCount > 1); remove it"],
            ["fraud-platform:docker.prometheusHostPort", "443", "host port 443 is already taken by docker.loadBalancer.httpsPort; each published service needs its own host port"],
        ]);
    });

    it("deploys to the engine docker.engineHost names: one docker provider with that host, used by every docker resource", async function () {
        this.timeout(60_000);
        const docker = JSON.parse(readStackConfig("selfhosted").config["fraud-platform:docker"]) as Record<string, unknown>;
        const remote = await previewStack("selfhosted", { docker: { ...docker, engineHost: "ssh://deploy@fraud-01.example.net" } });
        const providers = remote.ofType("pulumi:providers:docker");
        expect(providers.map((p) => p.inputs.host)).to.deep.equal(["ssh://deploy@fraud-01.example.net"]);
        const dockerResources = remote.resources.filter((r) => r.custom && r.type.startsWith("docker:"));
        expect(dockerResources.length).to.be.greaterThan(40);
        for (const r of dockerResources) expect(r.provider.startsWith(`${providers[0].urn}::`), `${r.name}: ${r.provider}`).to.equal(true);
        // Without it (the committed file), the default provider: the local engine or DOCKER_HOST.
        expect(stack.ofType("pulumi:providers:docker")).to.deep.equal([]);
    });

    it("scales the api with services.api.count: the upstream follows the replicas", () => {
        const conf = nginxConfig({ ...nginxArgs(spec), upstreams: ["172.30.0.2:8000", "172.30.0.3:8000", "172.30.0.4:8000", "172.30.0.5:8000"] });
        expect(conf.match(/^\s+server 172\.30\.0\.\d:8000 /gm)).to.have.length(4);
        expect(loadEnvironmentSpec(selfhostedConfig({ services: { ...JSON.parse(readStackConfig("selfhosted").config["fraud-platform:services"]), api: { image: "ghcr.io/dygsom/fraud-api:1.4.2", count: 5 } } })).services.api.count).to.equal(5);
    });
});

function nginxArgs(spec: EnvironmentSpec) {
    return { ...nginxLimits(spec.docker.loadBalancer), upstreams: [], httpPort: 80, httpsPort: 443 };
}

function freePort(): Promise<number> {
    return new Promise((resolve, reject) => {
        const server = net.createServer();
        server.once("error", reject);
        server.listen(0, "127.0.0.1", () => {
            const { port } = server.address() as net.AddressInfo;
            server.close(() => resolve(port));
        });
    });
}

async function waitForPort(port: number, process: ChildProcess, logFile: string): Promise<void> {
    for (let attempt = 0; attempt < 100; attempt += 1) {
        if (process.exitCode !== null) throw new Error(`nginx exited: ${fs.readFileSync(logFile, "utf8")}`);
        const open = await new Promise<boolean>((resolve) => {
            const socket = net.connect(port, "127.0.0.1", () => {
                socket.end();
                resolve(true);
            });
            socket.once("error", () => resolve(false));
        });
        if (open) return;
        await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`nginx did not listen on ${port}: ${fs.readFileSync(logFile, "utf8")}`);
}

function request(port: number, method: string, requestPath: string, tls = true): Promise<{ status: number; headers: http.IncomingHttpHeaders }> {
    return new Promise((resolve, reject) => {
        const options = { host: "127.0.0.1", port, method, path: requestPath, headers: { host: "localhost" }, rejectUnauthorized: false, agent: false as const };
        const req = (tls ? https : http).request(options, (response) => {
            response.resume();
            response.on("end", () => resolve({ status: response.statusCode ?? 0, headers: response.headers }));
        });
        req.on("error", reject);
        req.end();
    });
}
