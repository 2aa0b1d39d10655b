// No imports: the offline preview reads stack files with this before it loads anything heavy.

/**
 * Config values that are secrets and must be set with `pulumi config set --secret --path`.
 * `placeholder` is a well-formed stand-in the offline preview uses where it cannot decrypt.
 */
export const secretConfigPaths: readonly { path: readonly string[]; placeholder: string }[] = [
    { path: ["slackWebhookUrl"], placeholder: "https://hooks.slack.com/services/T0000/B0000/previewplaceholder" },
    { path: ["pagerDutyIntegrationKey"], placeholder: "0123456789abcdef0123456789abcdef" },
    { path: ["ghcrCredentials"], placeholder: "preview:placeholder-token" },
    { path: ["dockerHubCredentials"], placeholder: "preview:placeholder-token" },
    { path: ["credentialSeed"], placeholder: "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef" },
    { path: ["tlsPrivateKey"], placeholder: "preview-placeholder-private-key" },
];

/** The stand-ins above for the docker load balancer's TLS pair, which the config edge takes without parsing them. */
export const tlsPlaceholders = { certificate: "preview-placeholder-certificate", privateKey: "preview-placeholder-private-key" } as const;

/**
 * Required secrets a stack file does not set: production pages someone (config/load.ts refuses it without a
 * paging destination; on DigitalOcean through Slack or paging e-mails, config/digitalocean.ts). No committed
 * file may carry them, not even as a `secure:` stand-in that nothing can decrypt, so the offline tools
 * (preview, report, tests) stand a placeholder in for each one and say so; `pulumi up` still refuses.
 * `config` is the stack's config without namespace, as written in the file.
 */
export function missingRequiredSecrets(config: Readonly<Record<string, unknown>>): { path: readonly string[]; placeholder: string }[] {
    if (config.environment !== "production") return [];
    const set = (key: string) => config[key] !== undefined && config[key] !== null && config[key] !== "";
    if (movedSecretPaths.some(({ from }) => valueIn(config, from) !== undefined)) return []; // the edge explains the move instead
    const pick = (key: string) => secretConfigPaths.filter((s) => s.path.length === 1 && s.path[0] === key);
    if (config.backend === "digitalocean") {
        const pagingEmails = valueIn(config, ["digitalocean", "pagingEmails"]);
        return set("slackWebhookUrl") || (Array.isArray(pagingEmails) && pagingEmails.length > 0) ? [] : pick("slackWebhookUrl");
    }
    return set("pagerDutyIntegrationKey") || set("slackWebhookUrl") ? [] : pick("pagerDutyIntegrationKey");
}

function valueIn(config: Readonly<Record<string, unknown>>, path: readonly string[]): unknown {
    let at: unknown = config;
    for (const segment of path) {
        if (at === null || typeof at !== "object" || Array.isArray(at)) return undefined;
        at = (at as Record<string, unknown>)[segment];
    }
    return at;
}

/** Where the secrets lived before each got a top-level key of its own; the edge explains the move. */
export const movedSecretPaths: readonly { from: readonly string[]; to: string }[] = [
    { from: ["monitoring", "slackWebhookUrl"], to: "slackWebhookUrl" },
    { from: ["monitoring", "pagerDutyIntegrationKey"], to: "pagerDutyIntegrationKey" },
    { from: ["digitalocean", "registryCredentials", "ghcr"], to: "ghcrCredentials" },
    { from: ["digitalocean", "registryCredentials", "dockerHub"], to: "dockerHubCredentials" },
];

/**
 * Stand-ins for other keys with a format check, should a stack encrypt them: the offline preview cannot
 * decrypt a `secure:` value, so it puts a value of the right form in its place. `*` matches any one
 * segment (a list index, a map key). A key not listed gets a plain placeholder string.
 */
export const formatPlaceholders: readonly { path: readonly string[]; placeholder: (config: Readonly<Record<string, unknown>>) => string }[] = [
    { path: ["monitoring", "alertEmails", "*"], placeholder: () => "preview-placeholder@example.com" },
    { path: ["services", "*", "image"], placeholder: () => "ghcr.io/preview/placeholder:1.0.0" },
    { path: ["aws", "certificateArn"], placeholder: (config) => `arn:aws:acm:${awsRegionOf(config)}:000000000000:certificate/00000000-0000-0000-0000-000000000000` },
    { path: ["aws", "domainName"], placeholder: () => "preview-placeholder.example.com" },
    { path: ["aws", "bedrockModelArn"], placeholder: (config) => `arn:aws:bedrock:${awsRegionOf(config)}::foundation-model/anthropic.claude-3-haiku-20240307-v1:0` },
    { path: ["aws", "accessLogsBucket"], placeholder: () => "preview-placeholder-logs" },
    { path: ["digitalocean", "domain", "name"], placeholder: () => "preview-placeholder.example.com" },
    { path: ["digitalocean", "domain", "zone"], placeholder: () => "example.com" },
    { path: ["releaseVersion"], placeholder: () => "0.0.0-preview" },
    { path: ["tlsCertificate"], placeholder: () => tlsPlaceholders.certificate },
];

function awsRegionOf(config: Readonly<Record<string, unknown>>): string {
    const aws = config.aws;
    const region = aws !== null && typeof aws === "object" ? (aws as Record<string, unknown>).region : undefined;
    if (typeof region === "string") return region;
    return typeof config["aws:region"] === "string" ? config["aws:region"] : "us-east-1";
}

/** The stand-in for a `secure:` value at a config path (without namespace), given the plain config around it. */
export function placeholderFor(path: readonly string[], config: Readonly<Record<string, unknown>>): string {
    const matches = (pattern: readonly string[]) => pattern.length === path.length && pattern.every((segment, i) => segment === "*" || segment === path[i]);
    const secret = secretConfigPaths.find((s) => matches(s.path));
    if (secret) return secret.placeholder;
    const formatted = formatPlaceholders.find((f) => matches(f.path));
    return formatted ? formatted.placeholder(config) : "preview-placeholder-secret";
}
