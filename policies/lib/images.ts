import type { PolicyResource } from "@pulumi/policy";
import { docker } from "./types";
import { knownString } from "./values";

const builtImage = "docker:index/image:Image";

/**
 * The image reference a container runs, e.g. `postgres:16-alpine`. A container usually takes its `image` from
 * a `RemoteImage`'s `imageId`, unknown until the image is pulled; the reference is then read from the
 * `RemoteImage` (or built `Image`) the `image` input depends on.
 */
export function imageReference(container: PolicyResource): string | undefined {
    const image = knownString(() => container.props.image);
    if (image !== undefined && !image.startsWith("sha256:")) return image;
    for (const source of container.propertyDependencies.image ?? []) {
        if (source.type === docker.remoteImage) return knownString(() => source.props.name);
        if (source.type === builtImage) return knownString(() => source.props.imageName);
    }
    return undefined;
}

/**
 * The repository of an image reference without registry, tag or digest, and without Docker Hub's `library/`:
 * `docker.io/library/postgres:16@sha256:…` → `postgres`, `ghcr.io/acme/api:1.2` → `acme/api`.
 */
export function repositoryOf(reference: string): string {
    const withoutDigest = reference.split("@")[0];
    const parts = withoutDigest.split("/");
    // A first part with a dot or a port, or `localhost`, is a registry host.
    if (parts.length > 1 && (/[.:]/.test(parts[0]) || parts[0] === "localhost")) parts.shift();
    const last = parts.length - 1;
    parts[last] = parts[last].split(":")[0];
    if (parts.length === 2 && parts[0] === "library") parts.shift();
    return parts.join("/");
}

/** Whether the container runs one of the listed repositories (compared without registry, tag or digest). */
export function runsImage(container: PolicyResource, repositories: readonly string[]): boolean {
    const reference = imageReference(container);
    return reference !== undefined && repositories.includes(repositoryOf(reference));
}
