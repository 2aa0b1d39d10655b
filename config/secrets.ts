// No imports: the offline preview reads stack files with this before it loads anything heavy.

/**
 * Config values that are secrets and must be set with `pulumi config set --secret --path`.
 * `placeholder` is a well-formed stand-in the offline preview uses where it cannot decrypt.
 */
export const secretConfigPaths: readonly { path: readonly string[]; placeholder: string }[] = [
    { path: ["monitoring", "slackWebhookUrl"], placeholder: "https://hooks.slack.com/services/T0000/B0000/previewplaceholder" },
    { path: ["monitoring", "pagerDutyIntegrationKey"], placeholder: "0123456789abcdef0123456789abcdef" },
    { path: ["digitalocean", "registryCredentials", "ghcr"], placeholder: "preview:placeholder-token" },
    { path: ["digitalocean", "registryCredentials", "dockerHub"], placeholder: "preview:placeholder-token" },
];
