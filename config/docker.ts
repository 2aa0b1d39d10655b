import { z } from "zod";
import { imageReference, port } from "./common";

const loopbackAddress = z
    .string()
    .regex(/^(127(\.\d{1,3}){3}|::1)$/, "a loopback address (127.0.0.1 or ::1): the dev stack never listens on other interfaces");

/** Settings of the local Docker backend (the `dev` stack). */
export const dockerSettings = z.strictObject({
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
});

export type DockerSettings = z.infer<typeof dockerSettings>;

/**
 * A sane bound for local replicas: each is a container on the developer's machine (and the api's take
 * consecutive host ports). Far above what a laptop runs, far below what exhausts memory or ports.
 */
export const maxLocalReplicas = 16;

/**
 * Host ports the dev stack publishes must exist and must not collide: Docker refuses a second container
 * on a bound host port ("port is already allocated"), and the api's replicas take apiHostPort,
 * apiHostPort + 1, … (components/docker/backend.ts). Reads the raw input defensively.
 */
export function dockerProblems(input: Record<string, unknown>): { path: (string | number)[]; allowed: string }[] {
    if (input.backend !== "docker") return [];
    const problems: { path: (string | number)[]; allowed: string }[] = [];
    const at = (...path: string[]) => path.reduce<unknown>((node, key) => (node !== null && typeof node === "object" ? (node as Record<string, unknown>)[key] : undefined), input);
    const int = (value: unknown, fallback: number) => (value === undefined ? fallback : typeof value === "number" && Number.isInteger(value) && value >= 1 && value <= 65535 ? value : undefined);

    const count = at("services", "api", "count");
    const replicas = count === undefined ? 3 : typeof count === "number" && Number.isInteger(count) && count >= 1 && count <= maxLocalReplicas ? count : undefined;
    const apiPort = int(at("docker", "apiHostPort"), 8000);
    if (replicas === undefined || apiPort === undefined) return problems; // the schema reports those
    const lastApiPort = apiPort + replicas - 1;
    if (lastApiPort > 65535) {
        problems.push({
            path: ["docker", "apiHostPort"],
            allowed: `with ${replicas} api replicas the host ports run to ${lastApiPort}; ports stop at 65535, so apiHostPort must be ≤ ${65536 - replicas}`,
        });
        return problems;
    }
    const exposeData = at("docker", "exposeDataPorts") === true;
    const others: { key: string; port: number | undefined }[] = [
        { key: "prometheusHostPort", port: int(at("docker", "prometheusHostPort"), 9090) },
        { key: "grafanaHostPort", port: int(at("docker", "grafanaHostPort"), 3001) },
        { key: "alertmanagerHostPort", port: int(at("docker", "alertmanagerHostPort"), 9093) },
        ...(exposeData
            ? [
                  { key: "postgresHostPort", port: int(at("docker", "postgresHostPort"), 5432) },
                  { key: "redisHostPort", port: int(at("docker", "redisHostPort"), 6379) },
              ]
            : []),
    ];
    const taken = new Map<number, string>();
    for (let port = apiPort; port <= lastApiPort; port += 1) taken.set(port, replicas === 1 ? "apiHostPort" : `the api's replica ports ${apiPort}-${lastApiPort}`);
    for (const { key, port } of others) {
        if (port === undefined) continue;
        const holder = taken.get(port);
        if (holder !== undefined) {
            problems.push({ path: ["docker", key], allowed: `host port ${port} is already taken by ${holder.startsWith("the api") ? holder : `docker.${holder}`}; each published service needs its own host port` });
        } else {
            taken.set(port, key);
        }
    }
    return problems;
}
