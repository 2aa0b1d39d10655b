import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { Netmask } from "netmask";
import type { Scope } from "../backend";
import { healthcheck, logOptions } from "./containers";
import type { DockerContext } from "./context";
import { internalPort, nginxConfig, nginxLimits, tlsCertificateFile, tlsKeyFile } from "./nginxConfig";
import { tlsMaterial } from "./tls";

const nginxConfDir = "/etc/nginx";
/** The container ports nginx listens on; the host's (80 and 443 by default) map to them. */
const containerHttpPort = 80;
const containerHttpsPort = 443;

/** The network between nginx and the api replicas, and each replica's fixed address in it. */
export interface EdgeNetwork {
    network: docker.Network;
    /** The address of replica `index` (0-based). */
    addressOf(index: number): string;
}

/**
 * The edge network. Its lower half holds the replicas' fixed addresses (the gateway is the first address, the
 * replicas follow); Docker hands out the upper half (`ipRange`) to everything else, nginx included. nginx resolves
 * its upstream servers once, at start: with fixed addresses a replica replaced by `pulumi up` (delete, then
 * create: pulumi-docker marks containers DeleteBeforeReplace, provider/resources.go) is back where nginx sends.
 */
export function edgeNetwork(ctx: DockerContext, scope: Scope): EdgeNetwork {
    const block = new Netmask(ctx.spec.docker.loadBalancer.subnet);
    const upperHalf = new Netmask(block.base, block.bitmask + 1).next(1);
    const network = new docker.Network(`${scope.name}-net-edge`, {
        name: `${scope.name}-net-edge`,
        driver: "bridge",
        // No route out: nginx reaches the api here, the api reaches the world through the app network.
        internal: true,
        ipamConfigs: [{ subnet: block.toString(), gateway: block.first, ipRange: upperHalf.toString() }],
        labels: ctx.labels,
    }, ctx.options(scope.parent));
    const base = ipToNumber(block.base);
    return { network, addressOf: (index) => numberToIp(base + 2 + index) };
}

/**
 * seed 002's load balancer: nginx in front of the api replicas, publishing HTTP (which redirects) and HTTPS on
 * `docker.loadBalancer.publicAddress`, the only ports of the stack beyond loopback. Healthy while it answers and
 * reaches a replica (`/health/live` through its internal listener); created after the replicas and waited for.
 */
export function loadBalancer(
    ctx: DockerContext,
    scope: Scope,
    args: { edge: EdgeNetwork; apiReplicas: docker.Container[]; apiPort: number },
): docker.Container {
    const settings = ctx.spec.docker.loadBalancer;
    const image = ctx.image(settings.image, scope.parent);
    const material = tlsMaterial(ctx, scope);
    const conf = nginxConfig({
        ...nginxLimits(settings),
        upstreams: args.apiReplicas.map((_, i) => `${args.edge.addressOf(i)}:${args.apiPort}`),
        httpPort: containerHttpPort,
        httpsPort: containerHttpsPort,
    });
    const name = `${scope.name}-lb`;
    return new docker.Container(name, {
        name,
        image: image.imageId,
        restart: "unless-stopped",
        uploads: [
            { file: `${nginxConfDir}/nginx.conf`, content: conf },
            { file: `${nginxConfDir}/${tlsCertificateFile}`, content: material.certificate },
            { file: `${nginxConfDir}/${tlsKeyFile}`, content: pulumi.secret(material.privateKey) },
        ],
        networksAdvanced: [
            { name: args.edge.network.name, aliases: ["lb"] },
            // Prometheus scrapes the replicas through nginx's internal listener from the app network.
            { name: ctx.appNetwork.name, aliases: ["lb"] },
        ],
        ports: [
            { internal: containerHttpPort, external: settings.httpPort, ip: settings.publicAddress, protocol: "tcp" },
            { internal: containerHttpsPort, external: settings.httpsPort, ip: settings.publicAddress, protocol: "tcp" },
        ],
        healthcheck: healthcheck(["CMD", "wget", "-q", "-O", "/dev/null", `http://127.0.0.1:${internalPort}/health/live`], {
            intervalSeconds: 10,
            timeoutSeconds: 5,
            unhealthyThreshold: 3,
            startPeriodSeconds: 10,
        }),
        wait: true,
        waitTimeout: 90,
        labels: [...ctx.labels, { label: "com.dygsom.service", value: "lb" }],
        ...logOptions,
    }, ctx.options(scope.parent, { dependsOn: args.apiReplicas }));
}

function ipToNumber(ip: string): number {
    return ip.split(".").reduce((total, octet) => total * 256 + Number(octet), 0);
}

function numberToIp(value: number): string {
    return [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join(".");
}
