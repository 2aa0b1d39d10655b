import type * as pulumi from "@pulumi/pulumi";

/** One App Platform env var. Images are prebuilt, so every var is needed at run time only. */
export interface AppEnvVar {
    key: string;
    value: pulumi.Input<string>;
    type: "GENERAL" | "SECRET";
    scope: "RUN_TIME";
}

/**
 * A component's env vars in a fixed order: the SECRET ones first, then the GENERAL ones, each group
 * sorted by key. App Platform and the provider do not keep the order they were given in, and a
 * reordered list shows as a change of every entry (pulumi/pulumi-digitalocean#308, #624); sorting
 * makes the list the same on every run whatever order config and code produce it in. Secrets come
 * first so their positions, which {@link secretValuePaths} names, do not move when a GENERAL var is
 * added or removed.
 */
export function componentEnv(general: Readonly<Record<string, string>>, secrets: Readonly<Record<string, pulumi.Input<string>>>): AppEnvVar[] {
    const byKey = ([a]: [string, unknown], [b]: [string, unknown]) => (a < b ? -1 : a > b ? 1 : 0);
    const secretKeys = new Set(Object.keys(secrets));
    const clash = Object.keys(general).find((key) => secretKeys.has(key));
    if (clash !== undefined) {
        throw new Error(`env var ${clash} is set by the platform as a SECRET and cannot also be set in a service's env`);
    }
    return [
        ...Object.entries(secrets).sort(byKey).map(([key, value]): AppEnvVar => ({ key, value, type: "SECRET", scope: "RUN_TIME" })),
        ...Object.entries(general).sort(byKey).map(([key, value]): AppEnvVar => ({ key, value, type: "GENERAL", scope: "RUN_TIME" })),
    ];
}

/**
 * Property paths of the SECRET values in a component's env list, e.g. `spec.services[0].envs[1].value`.
 * App Platform stores SECRET values encrypted (`EV[1:…]`) and the provider reads that ciphertext back
 * into state, so plaintext and state never compare equal and every update would redeploy the app
 * (digitalocean/terraform-provider-digitalocean#514, #782, #869, #1603). Ignoring changes to exactly
 * these values is the accepted workaround: it keeps the stored value, the same thing the maintainers'
 * workaround (feeding the `EV[…]` value back, PR #1030) achieves, and leaves every other field,
 * GENERAL values included, diffed as usual.
 */
export function secretValuePaths(componentPath: string, env: readonly AppEnvVar[]): string[] {
    return env.flatMap((entry, index) => (entry.type === "SECRET" ? [`${componentPath}.envs[${index}].value`] : []));
}
