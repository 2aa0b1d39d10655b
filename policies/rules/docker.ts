import type { PolicyResource } from "@pulumi/policy";
import { resourceRule, settings, stackRule } from "../lib/define";
import { imageReference, runsImage } from "../lib/images";
import { docker } from "../lib/types";
import { UNKNOWN, knownElements, label, peek } from "../lib/values";

/** Go-style duration as Docker takes it (`30s`, `1m30s`, `500ms`) in seconds; undefined when unparsable. */
export function durationSeconds(duration: string): number | undefined {
    const units: Record<string, number> = { h: 3600, m: 60, s: 1, ms: 0.001, us: 0.000001, "µs": 0.000001, ns: 0.000000001 };
    const parts = [...duration.matchAll(/(\d+(?:\.\d+)?)(h|ms|m|s|us|µs|ns)/g)];
    if (parts.length === 0 || parts.map((p) => p[0]).join("") !== duration) return undefined;
    return parts.reduce((total, [, amount, unit]) => total + Number(amount) * units[unit], 0);
}

interface ContainerProps {
    name?: string;
    healthcheck?: { tests?: string[]; interval?: string };
}

export const dockerContainerHealthCheck = resourceRule<{ maxIntervalSeconds: number }, ContainerProps>({
    name: "docker-container-health-check",
    description: "Every Docker container declares a health check, so the engine (and `wait`) knows when it is ready or broken.",
    enforcementLevel: "mandatory",
    severity: "medium",
    remediation: "Set `healthcheck: { tests: [\"CMD\", ...probe], interval, timeout, retries, startPeriod }` on the container.",
    settings: settings(
        { maxIntervalSeconds: 60 },
        { maxIntervalSeconds: { type: "integer", minimum: 1, maximum: 3600, description: "Longest allowed time between health checks, seconds." } },
    ),
    types: [docker.container],
    validate({ props, settings: { maxIntervalSeconds }, violation }) {
        const tests = props.healthcheck?.tests ?? [];
        if (tests.length === 0 || tests[0] === "NONE") {
            violation(`container has ${props.healthcheck ? "a health check without a test" : "no health check"}: it counts as running even when it no longer answers.`);
            return;
        }
        // Docker's default interval is 30 s; the provider sends "0s" for "unset".
        const interval = props.healthcheck?.interval ?? "30s";
        const parsed = durationSeconds(interval);
        const seconds = parsed === 0 ? 30 : parsed;
        if (seconds === undefined) violation(`healthcheck.interval '${interval}' is not a duration such as 10s or 1m.`);
        else if (seconds > maxIntervalSeconds) violation(`healthcheck.interval is ${interval} (at most ${maxIntervalSeconds} s).`);
    },
});

interface NamedVolumeSettings {
    postgresImages: readonly string[];
    postgresDataPath: string;
    redisImages: readonly string[];
    redisDataPath: string;
}

/** Where a path of the container is stored: a named volume, a host directory, tmpfs, or nowhere (the writable layer). */
type Storage = { kind: "named-volume"; name: string } | { kind: "bind"; host: string } | { kind: "tmpfs" } | { kind: "container-layer" };

const covers = (mountTarget: string, path: string) => path === mountTarget || path.startsWith(`${mountTarget.replace(/\/+$/, "")}/`);

/** How the container stores `path`: the deepest mount (or `volumes` entry) that covers it decides. */
export function storageOf(container: PolicyResource, path: string): Storage {
    let best: { depth: number; storage: Storage } | undefined;
    const consider = (target: string | undefined, storage: Storage) => {
        if (target === undefined || !covers(target, path)) return;
        if (!best || target.length > best.depth) best = { depth: target.length, storage };
    };
    for (const mount of knownElements<Record<string, unknown>>(() => container.props.mounts)) {
        const target = peek(() => mount.target);
        const type = peek(() => mount.type);
        const source = peek(() => mount.source);
        if (typeof target !== "string") continue;
        // A source computed from another resource (a docker.Volume's name) is a named volume.
        if (type === "volume") {
            const named = source === UNKNOWN || (typeof source === "string" && source !== "");
            consider(target, named ? { kind: "named-volume", name: typeof source === "string" ? source : "(computed)" } : { kind: "container-layer" });
        } else if (type === "bind") consider(target, { kind: "bind", host: typeof source === "string" ? source : "(computed)" });
        else if (type === "tmpfs") consider(target, { kind: "tmpfs" });
    }
    // `tmpfs` maps a container path to mount options.
    const tmpfs = peek(() => container.props.tmpfs);
    if (tmpfs !== null && typeof tmpfs === "object" && tmpfs !== UNKNOWN) {
        for (const target of Object.keys(tmpfs as Record<string, unknown>)) consider(target, { kind: "tmpfs" });
    }
    for (const volume of knownElements<Record<string, unknown>>(() => container.props.volumes)) {
        const target = peek(() => volume.containerPath);
        const volumeName = peek(() => volume.volumeName);
        const hostPath = peek(() => volume.hostPath);
        if (typeof target !== "string") continue;
        if (volumeName === UNKNOWN || (typeof volumeName === "string" && volumeName !== "")) consider(target, { kind: "named-volume", name: typeof volumeName === "string" ? volumeName : "(computed)" });
        else if (typeof hostPath === "string" && hostPath !== "") consider(target, { kind: "bind", host: hostPath });
    }
    return best?.storage ?? { kind: "container-layer" };
}

/**
 * Whether the container runs the data server rather than a client of the same image (a backup job running
 * pg_dump, a psql shell). With the image's own entrypoint it runs the server; with another, only when the
 * entrypoint and command name one of the server's executables. An entrypoint not yet known counts as the server.
 */
function runsServer(container: PolicyResource, executables: readonly string[]): boolean {
    const entrypoints = peek(() => container.props.entrypoints);
    if (entrypoints === undefined || (Array.isArray(entrypoints) && entrypoints.length === 0)) return true;
    if (entrypoints === UNKNOWN) return true;
    const words = (parts: unknown[]) =>
        parts
            .filter((part): part is string => typeof part === "string")
            .flatMap((part) => part.split(/[\s;&|]+/))
            .map((word) => word.split("/").pop() ?? word);
    const entry = words(knownElements<unknown>(() => container.props.entrypoints));
    if (entry.some((word) => executables.includes(word))) return true;
    // An entrypoint override drops the image's CMD, so an unknown command (the provider's planned
    // state in a preview) matters only when the entrypoint is a shell that runs it as a script.
    const command = peek(() => container.props.command);
    if (command === UNKNOWN) return entry.includes("-c");
    return words(knownElements<unknown>(() => container.props.command)).some((word) => executables.includes(word));
}

const postgresServerExecutables = ["postgres", "docker-entrypoint.sh"];
const redisServerExecutables = ["redis-server", "valkey-server", "redis-stack-server", "docker-entrypoint.sh"];

/** The value of an environment variable the container sets in plain text, if any. */
function envValue(container: PolicyResource, key: string): string | undefined {
    const entry = knownElements<unknown>(() => container.props.envs).find((e): e is string => typeof e === "string" && e.startsWith(`${key}=`));
    return entry?.slice(key.length + 1);
}

export const dockerDataOnNamedVolume = stackRule<NamedVolumeSettings>({
    name: "docker-data-on-named-volume",
    description: "Docker PostgreSQL and Redis containers keep their data on a named volume, which survives the container being replaced.",
    enforcementLevel: "mandatory",
    severity: "critical",
    remediation: "Create a `docker.Volume` and mount it: `mounts: [{ type: \"volume\", source: volume.name, target: <data directory> }]` (/var/lib/postgresql/data for PostgreSQL, /data for Redis).",
    settings: settings(
        {
            postgresImages: ["postgres", "postgis/postgis", "timescale/timescaledb", "bitnami/postgresql"],
            postgresDataPath: "/var/lib/postgresql/data",
            redisImages: ["redis", "valkey/valkey", "redis/redis-stack-server", "bitnami/redis", "bitnami/valkey"],
            redisDataPath: "/data",
        },
        {
            postgresImages: { type: "array", items: { type: "string" }, description: "Image repositories (no registry or tag) that run PostgreSQL." },
            postgresDataPath: { type: "string", pattern: "^/", description: "PostgreSQL's data directory in the image, unless the container sets PGDATA." },
            redisImages: { type: "array", items: { type: "string" }, description: "Image repositories (no registry or tag) that run Redis or Valkey." },
            redisDataPath: { type: "string", pattern: "^/", description: "Redis's data directory in the image." },
        },
    ),
    validate({ resources, settings: s, violation }) {
        for (const container of resources.filter((r) => r.type === docker.container)) {
            let engine: string;
            let dataPath: string;
            if (runsImage(container, s.postgresImages) && runsServer(container, postgresServerExecutables)) {
                engine = "PostgreSQL";
                dataPath = envValue(container, "PGDATA") ?? s.postgresDataPath;
            } else if (runsImage(container, s.redisImages) && runsServer(container, redisServerExecutables)) {
                engine = "Redis";
                dataPath = s.redisDataPath;
            } else {
                continue;
            }
            const storage = storageOf(container, dataPath);
            const where = `${label(container)} runs ${engine} (${imageReference(container)}) with its data directory ${dataPath}`;
            switch (storage.kind) {
                case "named-volume":
                    break;
                case "bind":
                    violation(`${where} on a bind mount of ${storage.host}: the data lives outside Docker's volume management, tied to one host path.`, container.urn);
                    break;
                case "tmpfs":
                    violation(`${where} on tmpfs: the data is lost whenever the container stops.`, container.urn);
                    break;
                case "container-layer":
                    violation(`${where} in the container's writable layer (or an anonymous volume): replacing the container loses the data.`, container.urn);
                    break;
            }
        }
    },
});
