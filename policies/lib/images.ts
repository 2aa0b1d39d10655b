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

/** The tag of an image reference (`postgres:18-alpine` → `18-alpine`), or undefined for none or a digest only. */
export function tagOf(reference: string): string | undefined {
    const withoutDigest = reference.split("@")[0];
    const last = withoutDigest.split("/").pop() ?? withoutDigest;
    const colon = last.indexOf(":");
    return colon === -1 ? undefined : last.slice(colon + 1);
}

/** Where a data server image keeps its data, and the anonymous volumes its Dockerfile declares. */
export interface DataLayout {
    engine: "PostgreSQL" | "Redis";
    /** The directory holding the data files. */
    dataPath: string;
    /** `VOLUME` paths of the image: Docker puts an anonymous volume there unless the container mounts exactly that path. */
    declaredVolumes: string[];
    /** Mount targets the image's entrypoint refuses, with the reason. */
    refusedMounts: { target: string; why: string }[];
    /** What the layout was read from, for messages: `postgres 18`. */
    described: string;
}

/**
 * The PostgreSQL major version an image tag names: `18-alpine`, `16.4`, `17-3.5` (postgis), `2.17.2-pg17`
 * (timescaledb), `pg18` (pgvector). Undefined for `latest`, other words, or no tag.
 */
export function postgresMajor(tag: string | undefined): number | undefined {
    if (tag === undefined) return undefined;
    const pg = /(?:^|-)pg(\d+)(?:$|[-.])/.exec(tag);
    if (pg) return Number(pg[1]);
    const leading = /^(\d+)(?:$|[-.])/.exec(tag);
    return leading ? Number(leading[1]) : undefined;
}

/**
 * The data layout of a PostgreSQL image. The official image and those built on it (postgis, timescaledb,
 * pgvector): up to 17, `PGDATA=/var/lib/postgresql/data` and `VOLUME /var/lib/postgresql/data`; from 18,
 * `PGDATA=/var/lib/postgresql/<major>/docker` and `VOLUME /var/lib/postgresql`, and the entrypoint refuses to
 * start when /var/lib/postgresql/data is a mount (docker-library/postgres, 18/<variant>/Dockerfile and
 * docker-entrypoint.sh). Bitnami: `/bitnami/postgresql` (bitnami/containers, bitnami/postgresql Dockerfile).
 * A tag without a version (`latest`, a digest) is taken as the newest major.
 */
export function postgresLayout(repository: string, tag: string | undefined, latestMajor: number, pgdata: string | undefined): DataLayout {
    if (repository.startsWith("bitnami/")) {
        return { engine: "PostgreSQL", dataPath: pgdata ?? "/bitnami/postgresql/data", declaredVolumes: ["/bitnami/postgresql"], refusedMounts: [], described: repository };
    }
    const major = postgresMajor(tag) ?? latestMajor;
    const described = `${repository} ${major}${postgresMajor(tag) === undefined ? ` (tag '${tag ?? "latest"}' taken as the newest major)` : ""}`;
    if (major >= 18) {
        return {
            engine: "PostgreSQL",
            dataPath: pgdata ?? `/var/lib/postgresql/${major}/docker`,
            declaredVolumes: ["/var/lib/postgresql"],
            refusedMounts: [{ target: "/var/lib/postgresql/data", why: "PostgreSQL 18+ images keep their data under /var/lib/postgresql/<major>/docker and the entrypoint refuses to start with a mount at the old /var/lib/postgresql/data; mount /var/lib/postgresql" }],
            described,
        };
    }
    return { engine: "PostgreSQL", dataPath: pgdata ?? "/var/lib/postgresql/data", declaredVolumes: ["/var/lib/postgresql/data"], refusedMounts: [], described };
}

/**
 * The data layout of a Redis or Valkey image: `/data` in the official images (`VOLUME /data`, docker-library/redis
 * and valkey-io/valkey-container Dockerfiles), `/bitnami/<name>/data` in Bitnami's.
 */
export function redisLayout(repository: string): DataLayout {
    if (repository.startsWith("bitnami/")) {
        const name = repository.slice("bitnami/".length);
        return { engine: "Redis", dataPath: `/bitnami/${name}/data`, declaredVolumes: [], refusedMounts: [], described: repository };
    }
    return { engine: "Redis", dataPath: "/data", declaredVolumes: ["/data"], refusedMounts: [], described: repository };
}
