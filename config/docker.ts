import { createPrivateKey, X509Certificate, type KeyObject } from "node:crypto";
import { isIP } from "node:net";
import { tlsPlaceholders } from "./secrets";
import { z } from "zod";
import { privateIpv4Block } from "./cidr";
import { imageReference, port, positiveInt } from "./common";

const loopbackAddress = z
    .string()
    .regex(/^(127(\.\d{1,3}){3}|::1)$/, "a loopback address (127.0.0.1 or ::1): the dev stack never listens on other interfaces");

/** Any IPv4 or IPv6 address a port may bind to (0.0.0.0: every interface). */
const bindAddress = z.string().refine((value) => isIP(value) !== 0, "an IPv4 or IPv6 address, e.g. 0.0.0.0, 10.8.0.1 or 127.0.0.1");

/**
 * The Docker engine the stack deploys to, as the provider's `host` takes it (DOCKER_HOST syntax): a local socket,
 * `ssh://user@host[:port]` (the provider runs `docker system dial-stdio` over ssh) or `tcp://host:2376`.
 * Source: kreuzwerker/terraform-provider-docker internal/provider/provider.go (host: DOCKER_HOST, ssh:// via connhelper).
 */
const engineHost = z.string().regex(/^(unix:\/\/\/\S+|ssh:\/\/[^\s/@]+@[^\s/:]+(:\d{1,5})?|tcp:\/\/[^\s/:]+:\d{1,5})$/, "unix:///var/run/docker.sock, ssh://user@host[:port] or tcp://host:port");

/**
 * The nginx load balancer in front of the api replicas (seed 002): TLS termination, HTTP → HTTPS, per-client
 * rate limits. On by default in production.
 */
const loadBalancer = z.strictObject({
    enabled: z.boolean().optional(),
    /** Address 80 and 443 bind to: every interface by default; the only ports published beyond loopback. */
    publicAddress: bindAddress.default("0.0.0.0"),
    httpPort: port.default(80),
    httpsPort: port.default(443),
    /** The name the certificate is for (nginx `server_name`, the self-signed certificate's subject). */
    serverName: z.string().regex(/^(\*\.)?[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/, "a DNS name, e.g. api.example.com").default("localhost"),
    image: imageReference.default("nginx:1.27.4-alpine"),
    /**
     * The network between nginx and the api replicas. Each replica keeps a fixed address in it, so nginx's
     * upstream (resolved once, at start) stays right when `pulumi up` replaces a replica.
     */
    subnet: privateIpv4Block({ min: 16, max: 26, why: "its lower half holds up to 16 api replicas at fixed addresses" }).default("172.30.0.0/24"),
    /** Per client IP: login requests a minute (seed 002: the 11th within a minute gets 429). */
    loginRequestsPerMinute: positiveInt.max(6000).default(10),
    /** Per client IP: requests a second to the rest of the api, and how many above that rate are let through at once. */
    apiRequestsPerSecond: positiveInt.max(10000).default(20),
    apiBurst: z.number().int().min(0).max(100000).default(40),
    /** The login path the login limit applies to. */
    loginPath: z.string().regex(/^\/[\w\-./]*$/, "a URL path starting with /, e.g. /api/auth/login").default("/api/auth/login"),
    /** Failed attempts within `failTimeoutSeconds` after which nginx takes a replica out for that long. */
    maxFails: positiveInt.max(100).default(3),
    failTimeoutSeconds: positiveInt.max(3600).default(10),
});

/** Jaeger all-in-one: OTLP in, traces on a volume for `retentionHours`. On by default in production. */
const tracing = z.strictObject({
    enabled: z.boolean().optional(),
    image: imageReference.default("jaegertracing/all-in-one:1.62.0"),
    /** How long traces are kept (badger's span TTL). */
    retentionHours: positiveInt.max(24 * 90).default(72),
});

/** Scheduled backups of the Redis data and the Grafana volume, next to the pg_dump job. On by default in production. */
const volumeBackups = z.strictObject({
    enabled: z.boolean().optional(),
    /** Days of backups kept; default cache.snapshotRetentionDays. */
    retentionDays: positiveInt.max(365).optional(),
});

/** Settings of the Docker backend: the local `dev` stack and the self-hosted `selfhosted` stack. */
export const dockerSettings = z.strictObject({
    /** The engine to deploy to; unset: the local engine (DOCKER_HOST or the default socket), as before. */
    engineHost: engineHost.optional(),
    /** Host address every published port binds to. */
    hostAddress: loopbackAddress.default("127.0.0.1"),
    apiHostPort: port.default(8000),
    prometheusHostPort: port.default(9090),
    grafanaHostPort: port.default(3001),
    alertmanagerHostPort: port.default(9093),
    /** Publish PostgreSQL and Redis on the host (loopback only) for local tools; off by default. */
    exposeDataPorts: z.boolean().default(false),
    postgresHostPort: port.default(5432),
    redisHostPort: port.default(6379),
    prometheusImage: imageReference.default("prom/prometheus:v2.53.2"),
    grafanaImage: imageReference.default("grafana/grafana:11.2.0"),
    /** Address Prometheus, Grafana, Alertmanager and Jaeger bind to; default hostAddress (loopback): reach them over `ssh -L`. */
    monitoringHostAddress: bindAddress.optional(),
    jaegerHostPort: port.default(16686),
    /** Redis Sentinels when cache.nodeCount > 1 (an odd number, so a majority exists), and the master's name. */
    redisSentinels: z.number().int().min(3).max(7).refine((n) => n % 2 === 1, "an odd number (3, 5 or 7), so the Sentinels can form a majority").default(3),
    redisMasterName: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, "a name of letters, digits, '.', '_' or '-', e.g. mymaster").default("mymaster"),
    loadBalancer: loadBalancer.default(loadBalancer.parse({})),
    tracing: tracing.default(tracing.parse({})),
    volumeBackups: volumeBackups.default(volumeBackups.parse({})),
});

export type DockerSettings = z.infer<typeof dockerSettings>;

/**
 * A sane bound for local replicas: each is a container on the developer's machine (and the api's take
 * consecutive host ports). Far above what a laptop runs, far below what exhausts memory or ports.
 */
export const maxLocalReplicas = 16;

/** Whether an optional feature of the docker backend is on: as configured, else on in production only. */
export function dockerFeatureOn(setting: { enabled?: boolean } | undefined, environment: unknown): boolean {
    return setting?.enabled ?? environment === "production";
}

/** Environment variables the docker backend sets itself when Sentinel or tracing is on: `services.<name>.env` may not. */
export const sentinelEnvNames = ["REDIS_SENTINELS", "REDIS_SENTINEL_MASTER", "REDIS_PASSWORD"] as const;
export const tracingEnvNames = ["OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_PROTOCOL", "OTEL_SERVICE_NAME"] as const;

/**
 * Host ports the stack publishes must exist and must not collide: Docker refuses a second container
 * on a bound host port ("port is already allocated"), and without the load balancer the api's replicas take
 * apiHostPort, apiHostPort + 1, … (components/docker/backend.ts); with it only nginx publishes the api. Reads
 * the raw input defensively (the schema reports a key of the wrong type).
 */
export function dockerProblems(input: Record<string, unknown>): { path: (string | number)[]; allowed: string }[] {
    if (input.backend !== "docker") return [];
    const problems: { path: (string | number)[]; allowed: string }[] = [];
    const at = (...path: string[]) => path.reduce<unknown>((node, key) => (node !== null && typeof node === "object" ? (node as Record<string, unknown>)[key] : undefined), input);
    const int = (value: unknown, fallback: number) => (value === undefined ? fallback : typeof value === "number" && Number.isInteger(value) && value >= 1 && value <= 65535 ? value : undefined);
    const feature = (...path: string[]) => {
        const enabled = at(...path, "enabled");
        return dockerFeatureOn({ enabled: typeof enabled === "boolean" ? enabled : undefined }, input.environment);
    };
    const balanced = feature("docker", "loadBalancer");
    const traced = feature("docker", "tracing");
    const nodeCount = at("cache", "nodeCount");
    const sentinel = typeof nodeCount === "number" ? nodeCount > 1 : nodeCount === undefined;

    problems.push(...certificateProblems(at("tlsCertificate"), at("tlsPrivateKey"), balanced));
    const reserved = [...(sentinel ? sentinelEnvNames : []), ...(traced ? tracingEnvNames : [])] as readonly string[];
    for (const service of ["api", "worker", "ml"]) {
        const env = at("services", service, "env");
        if (env === null || typeof env !== "object") continue;
        for (const key of Object.keys(env).filter((k) => reserved.includes(k))) {
            problems.push({ path: ["services", service, "env", key], allowed: `is set by the docker backend itself (${(sentinelEnvNames as readonly string[]).includes(key) ? "Redis Sentinel, cache.nodeCount > 1" : "tracing, docker.tracing"}); remove it` });
        }
    }

    const count = at("services", "api", "count");
    const replicas = count === undefined ? 3 : typeof count === "number" && Number.isInteger(count) && count >= 1 && count <= maxLocalReplicas ? count : undefined;
    const apiPort = int(at("docker", "apiHostPort"), 8000);
    if (replicas === undefined || apiPort === undefined) return problems; // the schema reports those
    const lastApiPort = apiPort + replicas - 1;
    if (!balanced && lastApiPort > 65535) {
        problems.push({
            path: ["docker", "apiHostPort"],
            allowed: `with ${replicas} api replicas the host ports run to ${lastApiPort}; ports stop at 65535, so apiHostPort must be ≤ ${65536 - replicas}`,
        });
        return problems;
    }
    const exposeData = at("docker", "exposeDataPorts") === true;
    const others: { key: string; port: number | undefined }[] = [
        ...(balanced
            ? [
                  { key: "loadBalancer.httpPort", port: int(at("docker", "loadBalancer", "httpPort"), 80) },
                  { key: "loadBalancer.httpsPort", port: int(at("docker", "loadBalancer", "httpsPort"), 443) },
              ]
            : []),
        { key: "prometheusHostPort", port: int(at("docker", "prometheusHostPort"), 9090) },
        { key: "grafanaHostPort", port: int(at("docker", "grafanaHostPort"), 3001) },
        { key: "alertmanagerHostPort", port: int(at("docker", "alertmanagerHostPort"), 9093) },
        ...(traced ? [{ key: "jaegerHostPort", port: int(at("docker", "jaegerHostPort"), 16686) }] : []),
        ...(exposeData
            ? [
                  { key: "postgresHostPort", port: int(at("docker", "postgresHostPort"), 5432) },
                  { key: "redisHostPort", port: int(at("docker", "redisHostPort"), 6379) },
              ]
            : []),
    ];
    const taken = new Map<number, string>();
    if (!balanced) for (let port = apiPort; port <= lastApiPort; port += 1) taken.set(port, replicas === 1 ? "apiHostPort" : `the api's replica ports ${apiPort}-${lastApiPort}`);
    for (const { key, port } of others) {
        if (port === undefined) continue;
        const holder = taken.get(port);
        if (holder !== undefined) {
            problems.push({ path: ["docker", ...key.split(".")], allowed: `host port ${port} is already taken by ${holder.startsWith("the api") ? holder : `docker.${holder}`}; each published service needs its own host port` });
        } else {
            taken.set(port, key);
        }
    }
    return problems;
}

/**
 * The TLS pair nginx serves: both keys or neither (then a self-signed pair is generated, with a warning), a PEM
 * certificate and a PEM private key that belong together (nginx refuses to start otherwise: "key values mismatch").
 * Stand-ins the offline preview puts in place of encrypted values are taken as they are.
 */
function certificateProblems(certificate: unknown, privateKey: unknown, balanced: boolean): { path: (string | number)[]; allowed: string }[] {
    if (certificate === undefined && privateKey === undefined) return [];
    if (!balanced) return [{ path: [certificate === undefined ? "tlsPrivateKey" : "tlsCertificate"], allowed: "is used only by the load balancer; set docker.loadBalancer.enabled: true or remove it" }];
    if (certificate === undefined) return [{ path: ["tlsCertificate"], allowed: "required with tlsPrivateKey: set both (PEM) or neither (a self-signed pair is generated)" }];
    if (privateKey === undefined) return [{ path: ["tlsPrivateKey"], allowed: "required with tlsCertificate: set both (PEM) or neither (a self-signed pair is generated)" }];
    if (typeof certificate !== "string" || typeof privateKey !== "string") return [];
    if (certificate === tlsPlaceholders.certificate || privateKey === tlsPlaceholders.privateKey) return [];
    let parsed: X509Certificate;
    try {
        parsed = new X509Certificate(certificate);
    } catch {
        return [{ path: ["tlsCertificate"], allowed: "must be a PEM certificate (-----BEGIN CERTIFICATE-----), the server's first, then its chain" }];
    }
    let key: KeyObject;
    try {
        key = createPrivateKey(privateKey);
    } catch {
        return [{ path: ["tlsPrivateKey"], allowed: "must be an unencrypted PEM private key (-----BEGIN PRIVATE KEY----- or RSA/EC PRIVATE KEY)" }];
    }
    if (!parsed.checkPrivateKey(key)) return [{ path: ["tlsPrivateKey"], allowed: "does not belong to tlsCertificate (nginx refuses the pair: key values mismatch)" }];
    return [];
}
