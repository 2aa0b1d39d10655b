import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import type { CacheSpec } from "../../config";
import type { Scope } from "../backend";
import { healthcheck, logOptions } from "./containers";
import type { DockerContext } from "./context";

export const redisPort = 6379;
export const sentinelPort = 26379;

/** How clients find the Redis master: ask any Sentinel for `masterName`, authenticate with the password. */
export interface SentinelTopology {
    /** The Redis nodes' network aliases; the first is the master until Sentinel says otherwise. */
    nodes: string[];
    /** `host:port` of every Sentinel. */
    sentinels: string[];
    masterName: string;
    /** Secret: the password of Redis and of the Sentinels. */
    password: pulumi.Output<string>;
    image: docker.RemoteImage;
    /** The Redis and Sentinel containers, in creation order. */
    containers: docker.Container[];
}

/**
 * Seed 002's Redis: a master and `cache.nodeCount - 1` replicas, each on its own named volume with AOF and RDB
 * persistence, and `docker.redisSentinels` Sentinels (quorum: a majority) that fail over to a replica when the
 * master is down for 5 s. Everything on the internal data network; clients get the Sentinels, the master name and
 * the password (REDIS_SENTINELS, REDIS_SENTINEL_MASTER, REDIS_PASSWORD) and ask a Sentinel for the master.
 *
 * Every node asks the Sentinels for the current master when it starts, so a node replaced after a failover (a
 * new image, say) rejoins as a replica of the node Sentinel promoted instead of starting a second master. Nodes
 * are created one at a time, each healthy (a master, or a replica whose link to its master is up) before the next.
 */
export function redisWithSentinel(ctx: DockerContext, scope: Scope, spec: CacheSpec, password: pulumi.Output<string>): SentinelTopology {
    const settings = ctx.spec.docker;
    const image = ctx.image(`redis:${spec.engineVersion}-alpine`, scope.parent);
    const masterName = settings.redisMasterName;
    const nodes = Array.from({ length: spec.nodeCount }, (_, i) => `redis-${i + 1}`);
    const sentinelHosts = Array.from({ length: settings.redisSentinels }, (_, i) => `redis-sentinel-${i + 1}`);
    const sentinels = sentinelHosts.map((host) => `${host}:${sentinelPort}`);
    const passwordEnv = pulumi.interpolate`REDIS_PASSWORD=${password}`;

    const containers: docker.Container[] = [];
    let previous: docker.Container | undefined;
    for (const node of nodes) {
        const volume = ctx.volume(`${scope.name}-${node}-data`, scope.parent);
        previous = ctx.dataServer(scope, node, {
            image,
            volume,
            dataPath: "/data",
            port: redisPort,
            hostPort: settings.redisHostPort,
            // Healthy as a master, or as a replica whose replication link is up (a replica that cannot reach its
            // master serves stale reads and could not take over).
            probe: `redis-cli -a "$REDIS_PASSWORD" --no-auth-warning info replication | grep -Eq '^(role:master|master_link_status:up)'`,
            container: {
                entrypoints: ["sh", "-c"],
                command: [redisNodeScript(spec.evictionPolicy)],
                envs: [
                    passwordEnv,
                    `REDIS_NODE=${node}`,
                    `REDIS_INITIAL_MASTER=${nodes[0]}`,
                    `REDIS_SENTINEL_MASTER=${masterName}`,
                    `REDIS_SENTINEL_HOSTS=${sentinelHosts.join(" ")}`,
                ],
                user: "redis",
            },
            dependsOn: previous ? [previous] : [],
        });
        containers.push(previous);
    }

    const quorum = Math.floor(settings.redisSentinels / 2) + 1;
    const nodeContainers = [...containers];
    for (const host of sentinelHosts) {
        const volume = ctx.volume(`${scope.name}-${host}-data`, scope.parent);
        // Started together (not one by one): each is healthy only once a majority of them see each other.
        const sentinel = new docker.Container(`${scope.name}-${host}`, {
            name: `${scope.name}-${host}`,
            image: image.imageId,
            restart: "unless-stopped",
            user: "redis",
            entrypoints: ["sh", "-c"],
            command: [sentinelScript],
            envs: [passwordEnv, `REDIS_SENTINEL_MASTER=${masterName}`],
            uploads: [{ file: sentinelTemplatePath, content: sentinelConfig({ host, masterName, initialMaster: nodes[0], quorum }) }],
            // Sentinel rewrites its configuration as it learns the topology (the current master, epochs): kept on a volume.
            mounts: [{ type: "volume", source: volume.name, target: "/data" }],
            networksAdvanced: [{ name: ctx.dataNetwork.name, aliases: [host] }],
            // CKQUORUM: this Sentinel sees the master and enough Sentinels to authorise a failover.
            healthcheck: healthcheck(
                ["CMD-SHELL", `redis-cli -p ${sentinelPort} -a "$REDIS_PASSWORD" --no-auth-warning sentinel ckquorum "$REDIS_SENTINEL_MASTER" | grep -q '^OK'`],
                { intervalSeconds: 10, timeoutSeconds: 5, unhealthyThreshold: 3, startPeriodSeconds: 30 },
            ),
            wait: true,
            waitTimeout: 120,
            labels: ctx.labels,
            ...logOptions,
        }, ctx.options(scope.parent, { deleteBeforeReplace: true, dependsOn: nodeContainers }));
        containers.push(sentinel);
    }
    return { nodes, sentinels, masterName, password, image, containers };
}

const sentinelTemplatePath = "/etc/redis/sentinel.template.conf";

/**
 * sentinel.conf of one Sentinel. Hostnames, not addresses: a replaced container gets a new address, its name
 * stays (`resolve-hostnames`, `announce-hostnames`, Redis 6.2+). Quorum: a majority of the Sentinels.
 */
export function sentinelConfig(args: { host: string; masterName: string; initialMaster: string; quorum: number }): string {
    return [
        `port ${sentinelPort}`,
        "dir /data",
        "sentinel resolve-hostnames yes",
        "sentinel announce-hostnames yes",
        `sentinel announce-ip ${args.host}`,
        `sentinel monitor ${args.masterName} ${args.initialMaster} ${redisPort} ${args.quorum}`,
        `sentinel down-after-milliseconds ${args.masterName} 5000`,
        `sentinel failover-timeout ${args.masterName} 60000`,
        `sentinel parallel-syncs ${args.masterName} 1`,
        "",
    ].join("\n");
}

/**
 * Starts a Sentinel. Its configuration file is its state (Sentinel rewrites it with the current master and
 * epochs), so it is rebuilt from the template only when the template or the password changed; the password is
 * appended from the environment, never written into the uploaded template.
 */
const sentinelScript = [
    "set -eu",
    "conf=/data/sentinel.conf",
    `stamp=$( (cat ${sentinelTemplatePath}; printf %s "$REDIS_PASSWORD") | sha256sum | cut -d' ' -f1)`,
    'if [ ! -f "$conf" ] || [ "$(cat /data/template.sha256 2>/dev/null)" != "$stamp" ]; then',
    `    cp ${sentinelTemplatePath} "$conf"`,
    `    printf 'sentinel auth-pass %s %s\\nrequirepass %s\\n' "$REDIS_SENTINEL_MASTER" "$REDIS_PASSWORD" "$REDIS_PASSWORD" >> "$conf"`,
    '    echo "$stamp" > /data/template.sha256',
    "fi",
    'exec redis-server "$conf" --sentinel',
].join("\n");

/**
 * Starts a Redis node: asks the Sentinels for the current master (none answer on the first start) and runs as
 * that master's replica unless it is the master. The password reaches redis-server through the environment.
 */
export function redisNodeScript(evictionPolicy: string): string {
    return [
        "set -eu",
        'master=""',
        "for sentinel in $REDIS_SENTINEL_HOSTS; do",
        `    master=$(timeout 3 redis-cli -h "$sentinel" -p ${sentinelPort} -a "$REDIS_PASSWORD" --no-auth-warning sentinel get-master-addr-by-name "$REDIS_SENTINEL_MASTER" 2>/dev/null | head -n 1) || master=""`,
        '    [ -z "$master" ] || break',
        "done",
        '[ -n "$master" ] || master="$REDIS_INITIAL_MASTER"',
        'role=""',
        `[ "$master" = "$REDIS_NODE" ] || role="--replicaof $master ${redisPort}"`,
        [
            "exec redis-server",
            `--port ${redisPort}`,
            "--appendonly yes --appendfsync everysec",
            "--save 900 1 --save 300 10 --save 60 10000",
            `--maxmemory-policy ${evictionPolicy}`,
            '--requirepass "$REDIS_PASSWORD" --masterauth "$REDIS_PASSWORD"',
            '--replica-announce-ip "$REDIS_NODE"',
            "$role",
        ].join(" "),
    ].join("\n");
}
