import type * as pulumi from "@pulumi/pulumi";

/** One App Platform env var. Images are prebuilt, so every var is needed at run time only. */
export interface AppEnvVar {
    key: string;
    value: pulumi.Input<string>;
    type: "GENERAL" | "SECRET";
    scope: "RUN_TIME";
}

/**
 * A bindable variable: App Platform replaces `${<component>.<name>}` with the value when it deploys, e.g.
 * `${fraud-db.DATABASE_URL}` with the connection URL of the `fraud-db` database component. The spec holds
 * only the reference, so nothing secret travels through it and the value reads back as it was sent.
 * https://docs.digitalocean.com/products/app-platform/how-to/use-environment-variables/
 */
export function bindable(...path: string[]): string {
    return `\${${path.join(".")}}`;
}

/**
 * A component's env vars, GENERAL ones sorted by key, then SECRET ones. The provider keeps `env` as a set
 * (terraform-provider-digitalocean, digitalocean/app/app_spec.go: `"env": {Type: schema.TypeSet}`), so the
 * order does not change the plan; sorting keeps the program's own inputs, and so the engine's input diff,
 * the same on every run whatever order config and code produce them in.
 */
export function componentEnv(general: Readonly<Record<string, pulumi.Input<string>>>, secrets: Readonly<Record<string, pulumi.Input<string>>> = {}): AppEnvVar[] {
    const byKey = ([a]: [string, unknown], [b]: [string, unknown]) => (a < b ? -1 : a > b ? 1 : 0);
    const secretKeys = new Set(Object.keys(secrets));
    const clash = Object.keys(general).find((key) => secretKeys.has(key));
    if (clash !== undefined) {
        throw new Error(`env var ${clash} is set by the platform as a SECRET and cannot also be set in a service's env`);
    }
    return [
        ...Object.entries(general).sort(byKey).map(([key, value]): AppEnvVar => ({ key, value, type: "GENERAL", scope: "RUN_TIME" })),
        ...Object.entries(secrets).sort(byKey).map(([key, value]): AppEnvVar => ({ key, value, type: "SECRET", scope: "RUN_TIME" })),
    ];
}
