import type { MockResourceArgs } from "@pulumi/pulumi/runtime/mocks";

/**
 * What the DigitalOcean provider computes, for an update run of the emulated engine: hostnames,
 * ports, generated passwords and the DigitalOcean URNs (`do:<kind>:<id>`) projects group by.
 * Ids follow the emulator's `<name>-id`.
 */
export function digitalOceanOutputs(args: MockResourceArgs): Record<string, unknown> {
    const id = `${args.name}-id`;
    const inputs = args.inputs as Record<string, unknown>;
    switch (args.type) {
        case "digitalocean:index/vpc:Vpc":
            return { vpcUrn: `do:vpc:${id}`, default: false, createdAt: fakeTimestamp };
        case "digitalocean:index/databaseCluster:DatabaseCluster": {
            const name = String(inputs.name ?? args.name);
            const postgres = inputs.engine === "pg";
            const host = `${name}-do-user-0000000-0.db.ondigitalocean.com`;
            const port = postgres ? 25060 : 25061;
            const user = postgres ? "doadmin" : "default";
            const password = `fake-${name}-admin-password`;
            const scheme = postgres ? "postgresql" : "rediss";
            const database = postgres ? "defaultdb" : "";
            return {
                clusterUrn: `do:dbaas:${id}`,
                host,
                privateHost: `private-${host}`,
                port,
                user,
                password,
                database,
                uri: `${scheme}://${user}:${password}@${host}:${port}/${database}`,
                privateUri: `${scheme}://${user}:${password}@private-${host}:${port}/${database}`,
                projectId: "default-project-id",
                storageSizeMib: "30720",
                metricsEndpoints: [],
            };
        }
        case "digitalocean:index/databaseUser:DatabaseUser":
            return { password: `fake-${String(inputs.name)}-password-7Hq`, role: "normal" };
        case "digitalocean:index/databaseConnectionPool:DatabaseConnectionPool": {
            const host = `${String(inputs.clusterId)}-do-user-0000000-0.db.ondigitalocean.com`;
            return {
                host,
                privateHost: `private-${host}`,
                port: 25061,
                password: "fake-pool-password",
                uri: `postgresql://pool@${host}:25061/${String(inputs.name)}`,
                privateUri: `postgresql://pool@private-${host}:25061/${String(inputs.name)}`,
            };
        }
        case "digitalocean:index/app:App": {
            const spec = withoutSecretMarker(inputs.spec) as { name?: unknown } | undefined;
            const liveDomain = `${typeof spec?.name === "string" ? spec.name : args.name}-x7k2q.ondigitalocean.app`;
            return {
                appUrn: `do:app:${id}`,
                liveDomain,
                liveUrl: `https://${liveDomain}`,
                defaultIngress: `https://${liveDomain}`,
                activeDeploymentId: "fake-deployment-id",
                projectId: "default-project-id",
                createdAt: fakeTimestamp,
                updatedAt: fakeTimestamp,
            };
        }
        case "digitalocean:index/project:Project":
            return { ownerUuid: "fake-owner-uuid", ownerId: 1, createdAt: fakeTimestamp, updatedAt: fakeTimestamp };
        default:
            return {};
    }
}

const fakeTimestamp = "2025-01-01T00:00:00Z";

/** An input that holds a secret anywhere inside arrives wrapped in the secret marker. */
function withoutSecretMarker(value: unknown): unknown {
    const marked = value as Record<string, unknown> | undefined;
    return marked !== null && typeof marked === "object" && marked[secretSigKey] === secretSig ? marked.value : value;
}

const secretSigKey = "4dabf18193072939515e22adb298388d";
const secretSig = "1b47061264138c4ac30d75fd1eb44270";
