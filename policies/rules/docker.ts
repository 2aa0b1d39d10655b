import type { PolicyResource } from "@pulumi/policy";
import { resourceRule, settings, stackRule } from "../lib/define";
import { imageReference, postgresLayout, redisLayout, repositoryOf, tagOf, type DataLayout } from "../lib/images";
import { probeProblem } from "../lib/probes";
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
    restart?: string;
    attach?: boolean;
    mustRun?: boolean;
    rm?: boolean;
    healthcheck?: { tests?: string[]; interval?: string; retries?: number };
}

/**
 * A container that runs to completion (a migration, a seed job): restart policy "no" and an option only such
 * a container takes, because the provider's defaults (`attach: false`, `mustRun: true`, `rm: false`) are what
 * the engine sends for every container that leaves them unset: `attach: true` (the provider waits for it to
 * exit), `mustRun: false` (a stopped container is not restarted) or `rm: true` (removed once it exits).
 * terraform-provider-docker docs/resources/container.md.
 */
function runsToCompletion(props: ContainerProps): boolean {
    if ((props.restart ?? "no") !== "no") return false;
    return props.attach === true || props.mustRun === false || props.rm === true;
}

export const dockerContainerHealthCheck = resourceRule<{ maxIntervalSeconds: number; maxRetries: number }, ContainerProps>({
    name: "docker-container-health-check",
    description: "Every long-running Docker container declares a health check that can fail, so the engine (and `wait`) knows when it is ready or broken; one-shot containers (restart \"no\") are exempt.",
    enforcementLevel: "mandatory",
    severity: "medium",
    remediation: "Set `healthcheck: { tests: [\"CMD\", ...probe], interval, timeout, retries, startPeriod }` on the container, with a probe that fails when the service does. A one-shot container sets `restart: \"no\"` with `attach: true`, `mustRun: false` or `rm: true`.",
    settings: settings(
        { maxIntervalSeconds: 60, maxRetries: 10 },
        {
            maxIntervalSeconds: { type: "integer", minimum: 1, maximum: 3600, description: "Longest allowed time between health checks, seconds." },
            maxRetries: { type: "integer", minimum: 1, maximum: 100, description: "Most consecutive failures allowed before the container counts as unhealthy." },
        },
    ),
    types: [docker.container],
    validate({ props, settings: { maxIntervalSeconds, maxRetries }, violation }) {
        if (runsToCompletion(props)) return;
        const tests = props.healthcheck?.tests ?? [];
        if (tests.length === 0 || tests[0] === "NONE") {
            violation(`container has ${props.healthcheck ? "a health check without a test" : "no health check"}: it counts as running even when it no longer answers.`);
            return;
        }
        const problems: string[] = [];
        const trivial = probeProblem(tests);
        if (trivial) problems.push(`the health check cannot fail: ${trivial}`);
        // Docker's defaults: interval 30 s, retries 3; the provider sends "0s" and 0 for "unset".
        const interval = props.healthcheck?.interval ?? "30s";
        const parsed = durationSeconds(interval);
        const seconds = parsed === 0 ? 30 : parsed;
        if (seconds === undefined) problems.push(`healthcheck.interval '${interval}' is not a duration such as 10s or 1m`);
        else if (seconds > maxIntervalSeconds) problems.push(`healthcheck.interval is ${interval} (at most ${maxIntervalSeconds} s)`);
        const retries = props.healthcheck?.retries || 3;
        if (retries > maxRetries) problems.push(`healthcheck.retries is ${retries} (at most ${maxRetries})`);
        if (problems.length > 0) violation(`${problems.join("; ")}.`);
    },
});

interface NamedVolumeSettings {
    postgresImages: readonly string[];
    redisImages: readonly string[];
    latestPostgresMajor: number;
}

/** Where a path of the container is stored: a named volume, a host directory, tmpfs, an anonymous volume, or the writable layer. */
type Storage =
    | { kind: "named-volume"; name: string; target: string }
    | { kind: "bind"; host: string; target: string }
    | { kind: "tmpfs"; target: string }
    | { kind: "anonymous-volume"; target: string }
    | { kind: "container-layer" };

const covers = (mountTarget: string, path: string) => path === mountTarget || path.startsWith(`${mountTarget.replace(/\/+$/, "")}/`);

/** The mount targets the container declares, whatever their kind (mounts, volumes, tmpfs). */
function mountTargets(container: PolicyResource): string[] {
    const targets: string[] = [];
    for (const mount of knownElements<Record<string, unknown>>(() => container.props.mounts)) {
        const target = peek(() => mount.target);
        if (typeof target === "string") targets.push(target);
    }
    for (const volume of knownElements<Record<string, unknown>>(() => container.props.volumes)) {
        const target = peek(() => volume.containerPath);
        if (typeof target === "string") targets.push(target);
    }
    return targets.map((t) => t.replace(/\/+$/, "") || "/");
}

/**
 * How the container stores `path`: the deepest mount (or `volumes` entry) that covers it decides. An image's
 * declared `VOLUME` is an anonymous volume unless the container mounts exactly that path, so a named volume on
 * a parent directory does not hold what is under it.
 */
export function storageOf(container: PolicyResource, path: string, declaredVolumes: readonly string[] = []): Storage {
    let best: { depth: number; storage: Storage } | undefined;
    const consider = (target: string | undefined, storage: Storage) => {
        if (target === undefined || !covers(target, path)) return;
        // At the same depth the container's own mount replaces the image's declared volume.
        if (!best || target.length > best.depth || (target.length === best.depth && storage.kind !== "anonymous-volume")) best = { depth: target.length, storage };
    };
    for (const target of declaredVolumes) consider(target, { kind: "anonymous-volume", target });
    for (const mount of knownElements<Record<string, unknown>>(() => container.props.mounts)) {
        const target = peek(() => mount.target);
        const type = peek(() => mount.type);
        const source = peek(() => mount.source);
        if (typeof target !== "string") continue;
        // A source computed from another resource (a docker.Volume's name) is a named volume.
        if (type === "volume") {
            const named = source === UNKNOWN || (typeof source === "string" && source !== "");
            consider(target, named ? { kind: "named-volume", name: typeof source === "string" ? source : "(computed)", target } : { kind: "anonymous-volume", target });
        } else if (type === "bind") consider(target, { kind: "bind", host: typeof source === "string" ? source : "(computed)", target });
        else if (type === "tmpfs") consider(target, { kind: "tmpfs", target });
    }
    // `tmpfs` maps a container path to mount options.
    const tmpfs = peek(() => container.props.tmpfs);
    if (tmpfs !== null && typeof tmpfs === "object" && tmpfs !== UNKNOWN) {
        for (const target of Object.keys(tmpfs as Record<string, unknown>)) consider(target, { kind: "tmpfs", target });
    }
    for (const volume of knownElements<Record<string, unknown>>(() => container.props.volumes)) {
        const target = peek(() => volume.containerPath);
        const volumeName = peek(() => volume.volumeName);
        const hostPath = peek(() => volume.hostPath);
        if (typeof target !== "string") continue;
        if (volumeName === UNKNOWN || (typeof volumeName === "string" && volumeName !== "")) consider(target, { kind: "named-volume", name: typeof volumeName === "string" ? volumeName : "(computed)", target });
        else if (typeof hostPath === "string" && hostPath !== "") consider(target, { kind: "bind", host: hostPath, target });
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

/** The words of the container's entrypoint and command, with shell scripts (`sh -c "..."`) split as a shell would. */
function commandWords(container: PolicyResource): string[] {
    const parts = [...knownElements<unknown>(() => container.props.entrypoints), ...knownElements<unknown>(() => container.props.command)];
    const words: string[] = [];
    for (const part of parts) {
        if (typeof part !== "string") continue;
        if (!/\s/.test(part)) {
            words.push(part);
            continue;
        }
        for (const match of part.matchAll(/'([^']*)'|"([^"]*)"|(\S+)/g)) words.push(match[1] ?? match[2] ?? match[3]);
    }
    return words;
}

/**
 * Whether Redis/Valkey runs with both persistence modes off: `--save ""` (no RDB snapshots) and AOF not turned
 * on (`--appendonly` defaults to no). Redis's defaults otherwise save RDB snapshots (redis.conf, SNAPSHOTTING).
 */
function redisPersistenceOff(container: PolicyResource): boolean {
    const words = commandWords(container);
    const valueAfter = (flag: string) => {
        const index = words.lastIndexOf(flag);
        return index === -1 ? undefined : (words[index + 1] ?? "");
    };
    const save = valueAfter("--save");
    const rdbOff = save !== undefined && (save === "" || save.startsWith("--"));
    const aofOn = valueAfter("--appendonly") === "yes";
    return rdbOff && !aofOn;
}

export const dockerDataOnNamedVolume = stackRule<NamedVolumeSettings>({
    name: "docker-data-on-named-volume",
    description: "Docker PostgreSQL and Redis/Valkey containers keep their data, where the image version puts it, on a named volume that survives the container being replaced, and Redis persists to it.",
    enforcementLevel: "mandatory",
    severity: "critical",
    remediation: "Create a `docker.Volume` and mount it at the image's data directory: `mounts: [{ type: \"volume\", source: volume.name, target }]` with target /var/lib/postgresql/data for PostgreSQL up to 17, /var/lib/postgresql for 18 and later, /data for Redis and Valkey, /bitnami/<name> for Bitnami images. Keep Redis persistence on (`--appendonly yes` or `--save` rules).",
    settings: settings(
        {
            postgresImages: ["postgres", "postgis/postgis", "timescale/timescaledb", "pgvector/pgvector", "bitnami/postgresql"],
            redisImages: ["redis", "valkey/valkey", "redis/redis-stack-server", "bitnami/redis", "bitnami/valkey"],
            latestPostgresMajor: 18,
        },
        {
            postgresImages: { type: "array", items: { type: "string" }, description: "Image repositories (no registry or tag) that run PostgreSQL with the official image's layout (Bitnami's when under bitnami/)." },
            redisImages: { type: "array", items: { type: "string" }, description: "Image repositories (no registry or tag) that run Redis or Valkey with the official image's layout (Bitnami's when under bitnami/)." },
            latestPostgresMajor: { type: "integer", minimum: 16, maximum: 99, description: "The PostgreSQL major a tag without a version (latest, alpine, a digest) stands for." },
        },
    ),
    validate({ resources, settings: s, violation }) {
        for (const container of resources.filter((r) => r.type === docker.container)) {
            const reference = imageReference(container);
            if (reference === undefined) continue;
            const repository = repositoryOf(reference);
            let layout: DataLayout;
            if (s.postgresImages.includes(repository) && runsServer(container, postgresServerExecutables)) {
                layout = postgresLayout(repository, tagOf(reference), s.latestPostgresMajor, envValue(container, repository.startsWith("bitnami/") ? "POSTGRESQL_DATA_DIR" : "PGDATA"));
            } else if (s.redisImages.includes(repository) && runsServer(container, redisServerExecutables)) {
                layout = redisLayout(repository);
                if (redisPersistenceOff(container)) {
                    violation(`${label(container)} runs Redis (${reference}) with persistence off (--save "" and no --appendonly yes): whatever volume it has, a restart starts it empty.`, container.urn);
                    continue;
                }
            } else {
                continue;
            }
            const targets = mountTargets(container);
            const refused = layout.refusedMounts.find((r) => targets.includes(r.target));
            if (refused) {
                violation(`${label(container)} runs ${layout.described} (${reference}) with a mount at ${refused.target}: ${refused.why}.`, container.urn);
                continue;
            }
            const storage = storageOf(container, layout.dataPath, layout.declaredVolumes);
            const where = `${label(container)} runs ${layout.engine} (${reference}, ${layout.described}) with its data directory ${layout.dataPath}`;
            switch (storage.kind) {
                case "named-volume":
                    break;
                case "bind":
                    violation(`${where} on a bind mount of ${storage.host}: the data lives outside Docker's volume management, tied to one host path.`, container.urn);
                    break;
                case "tmpfs":
                    violation(`${where} on tmpfs: the data is lost whenever the container stops.`, container.urn);
                    break;
                case "anonymous-volume":
                    violation(`${where} on an anonymous volume at ${storage.target}${layout.declaredVolumes.includes(storage.target) ? " (the image's own VOLUME, which hides a named volume mounted at a parent directory)" : ""}: replacing the container leaves the data behind in a volume nothing mounts again.`, container.urn);
                    break;
                case "container-layer":
                    violation(`${where} in the container's writable layer: replacing the container loses the data.`, container.urn);
                    break;
            }
        }
    },
});
