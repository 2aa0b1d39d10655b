import { z } from "zod";
import { imageReference, port } from "./common";

const loopbackAddress = z
    .string()
    .regex(/^(127(\.\d{1,3}){3}|::1)$/, "a loopback address (127.0.0.1 or ::1): the dev stack never listens on other interfaces");

/** Settings of the local Docker backend (the `dev` stack). */
export const dockerSettings = z.strictObject({
    /** Host address every published port binds to. */
    hostAddress: loopbackAddress.default("127.0.0.1"),
    apiHostPort: port.default(8000),
    prometheusHostPort: port.default(9090),
    grafanaHostPort: port.default(3001),
    /** Publish PostgreSQL and Redis on the host (loopback only) for local tools; off by default. */
    exposeDataPorts: z.boolean().default(false),
    postgresHostPort: port.default(5432),
    redisHostPort: port.default(6379),
    prometheusImage: imageReference.default("prom/prometheus:v2.53.2"),
    grafanaImage: imageReference.default("grafana/grafana:11.2.0"),
});

export type DockerSettings = z.infer<typeof dockerSettings>;
