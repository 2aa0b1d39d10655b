import * as docker from "@pulumi/docker";
import type { Scope } from "../backend";
import { healthcheck, logOptions, loopbackPort } from "./containers";
import type { DockerContext } from "./context";

export const jaegerHost = "jaeger";
/** OTLP over gRPC; Jaeger also takes OTLP over HTTP on 4318. */
export const otlpGrpcPort = 4317;
const uiPort = 16686;
/** Jaeger's admin port: `/` answers 200 while the collector and query service are up. */
const adminPort = 14269;
const dataPath = "/badger";
/** The uid the Jaeger images run as since 1.50 (jaegertracing/jaeger#4783). */
const jaegerUid = 10001;

/** Where the api sends its traces. */
export interface TracingEndpoint {
    /** `OTEL_EXPORTER_OTLP_ENDPOINT`. */
    otlpEndpoint: string;
    container: docker.Container;
}

/**
 * Jaeger all-in-one (seed 002): OTLP receivers on the app network, the UI on `monitoringHostAddress`:jaegerHostPort
 * (loopback unless configured), traces in badger on a named volume, kept `docker.tracing.retentionHours`
 * (badger's span TTL).
 *
 * A new named volume is owned by root, and Jaeger runs as uid 10001: a one-shot container hands the volume to that
 * uid first (Jaeger's own guidance, plugin/storage/badger/docs/storage-file-non-root-permission.md, jaegertracing/jaeger#5282).
 */
export function tracing(ctx: DockerContext, scope: Scope, toolImage: docker.RemoteImage): TracingEndpoint {
    const settings = ctx.spec.docker;
    const volume = ctx.volume(`${scope.name}-jaeger-data`, scope.parent);
    const mounts = [{ type: "volume", source: volume.name, target: dataPath }];
    // Runs to completion on create (attach), then stays stopped (mustRun false), so later runs see no change.
    const prepare = new docker.Container(`${scope.name}-jaeger-volume-owner`, {
        name: `${scope.name}-jaeger-volume-owner`,
        image: toolImage.imageId,
        restart: "no",
        attach: true,
        mustRun: false,
        user: "0",
        entrypoints: ["chown"],
        command: ["-R", `${jaegerUid}:${jaegerUid}`, dataPath],
        mounts,
        networkMode: "none",
        labels: ctx.labels,
        ...logOptions,
    }, ctx.options(scope.parent, { deleteBeforeReplace: true }));
    const image = ctx.image(settings.tracing.image, scope.parent);
    const name = `${scope.name}-jaeger`;
    const container = new docker.Container(name, {
        name,
        image: image.imageId,
        restart: "unless-stopped",
        envs: [
            "SPAN_STORAGE_TYPE=badger",
            "BADGER_EPHEMERAL=false",
            `BADGER_DIRECTORY_VALUE=${dataPath}/data`,
            `BADGER_DIRECTORY_KEY=${dataPath}/key`,
            `BADGER_SPAN_STORE_TTL=${settings.tracing.retentionHours}h`,
            "COLLECTOR_OTLP_ENABLED=true",
        ],
        mounts,
        networksAdvanced: [{ name: ctx.appNetwork.name, aliases: [jaegerHost] }],
        ports: [loopbackPort(settings.monitoringHostAddress, uiPort, settings.jaegerHostPort)],
        healthcheck: healthcheck(["CMD", "wget", "-q", "-O", "/dev/null", `http://127.0.0.1:${adminPort}/`], { intervalSeconds: 15, timeoutSeconds: 5, unhealthyThreshold: 3, startPeriodSeconds: 20 }),
        wait: true,
        waitTimeout: 90,
        labels: ctx.labels,
        ...logOptions,
    }, ctx.options(scope.parent, { deleteBeforeReplace: true, dependsOn: [prepare] }));
    return { otlpEndpoint: `http://${jaegerHost}:${otlpGrpcPort}`, container };
}
