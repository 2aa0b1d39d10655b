import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import type { Scope } from "../backend";
import { dailyAtBackupWindow, healthcheck, logOptions } from "./containers";
import type { DockerContext } from "./context";

export const grafanaBackupMount = "/volumes/grafana";

/** What the backup job reads: Redis (through Sentinel when there is one) and the Grafana volume. */
export interface VolumeBackupArgs {
    /** The Redis image (redis-cli, busybox tar, find and date). */
    image: docker.RemoteImage;
    /** Secret. */
    redisPassword: pulumi.Output<string>;
    /** `host:port` of the Sentinels; empty: a single Redis at `redisHost`. */
    sentinels: string[];
    masterName: string;
    redisHost: string;
    grafanaVolume: docker.Volume;
    /** Daily start, UTC `HH:MM`. */
    windowStart: string;
    retentionDays: number;
    dependsOn: pulumi.Resource[];
}

/**
 * Seed 002's data backups, next to the pg_dump job: once at start-up and daily at `windowStart`, an RDB snapshot
 * of the current Redis master (`redis-cli --rdb`, taken over the network from whichever node Sentinel names, so it
 * is consistent and follows failovers) and a tarball of the Grafana volume (mounted read-only), into their own
 * volume, keeping `retentionDays` days. Restores: docs/selfhosted.md.
 */
export function volumeBackups(ctx: DockerContext, scope: Scope, args: VolumeBackupArgs): docker.Container {
    const volume = ctx.volume(`${scope.name}-volume-backups`, scope.parent);
    const name = `${scope.name}-volume-backup`;
    return new docker.Container(name, {
        name,
        image: args.image.imageId,
        restart: "unless-stopped",
        entrypoints: ["/bin/sh"],
        command: ["/usr/local/bin/volume-backup.sh"],
        uploads: [{ file: "/usr/local/bin/volume-backup.sh", content: volumeBackupScript, executable: true }],
        envs: [
            // redis-cli reads the password from REDISCLI_AUTH: it stays out of argv and `ps`.
            pulumi.interpolate`REDISCLI_AUTH=${args.redisPassword}`,
            `REDIS_SENTINELS=${args.sentinels.join(",")}`,
            `REDIS_SENTINEL_MASTER=${args.masterName}`,
            `REDIS_HOST=${args.redisHost}`,
            `BACKUP_RETENTION_DAYS=${args.retentionDays}`,
            `BACKUP_WINDOW_START=${args.windowStart}`,
        ],
        mounts: [
            { type: "volume", source: volume.name, target: "/backups" },
            { type: "volume", source: args.grafanaVolume.name, target: grafanaBackupMount, readOnly: true },
        ],
        networksAdvanced: [{ name: ctx.dataNetwork.name }],
        // Healthy while both a Redis snapshot and a Grafana archive from the last 25 hours exist.
        healthcheck: healthcheck(
            ["CMD-SHELL", "find /backups -name 'redis-*.rdb' -mmin -1500 | grep -q . && find /backups -name 'grafana-*.tar.gz' -mmin -1500 | grep -q ."],
            { intervalSeconds: 30, timeoutSeconds: 10, unhealthyThreshold: 3, startPeriodSeconds: 120 },
        ),
        labels: ctx.labels,
        ...logOptions,
    }, ctx.options(scope.parent, { dependsOn: args.dependsOn }));
}

// Runs in the redis image (busybox sh, date, find, tar); times are UTC. A failed copy leaves the earlier ones.
export const volumeBackupScript = `#!/bin/sh
set -u
current_master() {
    if [ -z "$REDIS_SENTINELS" ]; then echo "$REDIS_HOST"; return; fi
    for sentinel in $(echo "$REDIS_SENTINELS" | tr ',' ' '); do
        master=$(timeout 5 redis-cli -h "\${sentinel%:*}" -p "\${sentinel##*:}" -a "$REDISCLI_AUTH" --no-auth-warning sentinel get-master-addr-by-name "$REDIS_SENTINEL_MASTER" 2>/dev/null | head -n 1)
        if [ -n "$master" ]; then echo "$master"; return; fi
    done
    return 1
}
backup() {
    stamp=$(date -u +%Y%m%dT%H%M%SZ)
    if master=$(current_master) && redis-cli -h "$master" --rdb "/backups/redis-$stamp.rdb.partial" >/dev/null; then
        mv "/backups/redis-$stamp.rdb.partial" "/backups/redis-$stamp.rdb"
        find /backups -name 'redis-*.rdb' -mtime +"$BACKUP_RETENTION_DAYS" -delete
    else
        rm -f "/backups/redis-$stamp.rdb.partial"
        echo "redis backup failed; the previous snapshots are kept" >&2
    fi
    if tar czf "/backups/grafana-$stamp.tar.gz.partial" -C ${grafanaBackupMount} .; then
        mv "/backups/grafana-$stamp.tar.gz.partial" "/backups/grafana-$stamp.tar.gz"
        find /backups -name 'grafana-*.tar.gz' -mtime +"$BACKUP_RETENTION_DAYS" -delete
    else
        rm -f "/backups/grafana-$stamp.tar.gz.partial"
        echo "grafana backup failed; the previous archives are kept" >&2
    fi
}
${dailyAtBackupWindow}`;
