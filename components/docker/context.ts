import type * as docker from "@pulumi/docker";
import type * as pulumi from "@pulumi/pulumi";
import type { EnvironmentSpec } from "../../config";
import type { Scope } from "../backend";

/** A data server's container: its data on a named volume, on the internal network, healthy before its clients start. */
export interface DataServerArgs {
    image: docker.RemoteImage;
    volume: docker.Volume;
    dataPath: string;
    port: number;
    hostPort: number;
    probe: string;
    container: Pick<docker.ContainerArgs, "envs" | "entrypoints" | "command" | "user" | "uploads">;
    /** Created after these (one Redis node at a time, say). */
    dependsOn?: pulumi.Resource[];
}

/**
 * What the parts of the docker backend (Redis Sentinel, the load balancer, tracing, the volume backups) share:
 * the networks, the labels, image and volume registration, and the resource options that carry the engine's
 * provider. One file per part; this is their common ground.
 */
export interface DockerContext {
    readonly spec: EnvironmentSpec;
    readonly labels: docker.types.input.ContainerLabel[];
    /** Internal network of the data tier. */
    readonly dataNetwork: docker.Network;
    /** The app and monitoring network. */
    readonly appNetwork: docker.Network;
    image(reference: string, parent: pulumi.Resource): docker.RemoteImage;
    volume(name: string, parent: pulumi.Resource): docker.Volume;
    /** `parent`, the engine's provider when `docker.engineHost` is set, and `extra`. */
    options(parent: pulumi.Resource, extra?: pulumi.CustomResourceOptions): pulumi.CustomResourceOptions;
    dataServer(scope: Scope, host: string, server: DataServerArgs): docker.Container;
    stableSecret(purpose: string): pulumi.Output<string>;
}
