import * as fs from "node:fs";
import * as path from "node:path";
import YAML from "yaml";
import { secretConfigPaths } from "../../config/secrets";

export const repoRoot = path.resolve(__dirname, "..", "..");

export interface StackConfigFile {
    project: string;
    stack: string;
    /** `namespace:key` to the string the language host would receive. */
    config: Record<string, string>;
    secretKeys: string[];
    /** Config paths whose `secure:` values were replaced by a placeholder, e.g. `fraud-platform:monitoring.slackWebhookUrl`. */
    placeholders: string[];
}

interface ProjectFile {
    name: string;
    config?: Record<string, { default?: unknown; value?: unknown } | unknown>;
}

export function readProjectFile(dir = repoRoot): ProjectFile {
    return YAML.parse(fs.readFileSync(path.join(dir, "Pulumi.yaml"), "utf8")) as ProjectFile;
}

/** The stacks that have a `Pulumi.<stack>.yaml` in the directory, sorted. */
export function listStacks(dir = repoRoot): string[] {
    return fs
        .readdirSync(dir)
        .map((file) => /^Pulumi\.([^.]+)\.yaml$/.exec(file)?.[1])
        .filter((stack): stack is string => stack !== undefined)
        .sort();
}

/**
 * Reads a stack's config as the CLI hands it to the program: the project's `config:` defaults
 * (and values), overridden by the stack file's keys; objects JSON-encoded; plain strings as is.
 * `secure:` values cannot be decrypted offline, so each becomes a well-formed placeholder secret.
 */
export function readStackConfig(stack: string, dir = repoRoot, stackFile = path.join(dir, `Pulumi.${stack}.yaml`)): StackConfigFile {
    const project = readProjectFile(dir);
    const namespace = `${project.name}:`;
    const qualify = (key: string) => (key.includes(":") ? key : namespace + key);
    const merged = new Map<string, unknown>();

    for (const [key, declaration] of Object.entries(project.config ?? {})) {
        if (isSchemaDeclaration(declaration)) {
            const value = declaration.value ?? declaration.default;
            if (value !== undefined) merged.set(qualify(key), value);
        } else {
            merged.set(qualify(key), declaration);
        }
    }
    const parsed = (YAML.parse(fs.readFileSync(stackFile, "utf8")) ?? {}) as { config?: Record<string, unknown> };
    for (const [key, value] of Object.entries(parsed.config ?? {})) merged.set(qualify(key), value);

    const config: Record<string, string> = {};
    const secretKeys: string[] = [];
    const placeholders: string[] = [];
    for (const [key, value] of merged) {
        const replaced = replaceSecure(value, [key], placeholders);
        if (replaced.secret) secretKeys.push(key);
        config[key] = typeof replaced.value === "string" ? replaced.value : JSON.stringify(replaced.value);
    }
    return { project: project.name, stack, config, secretKeys, placeholders };
}

function isSchemaDeclaration(value: unknown): value is { default?: unknown; value?: unknown } {
    if (value === null || typeof value !== "object" || Array.isArray(value)) return false;
    return ["type", "default", "description", "value", "secret", "items"].some((field) => field in value);
}

function replaceSecure(value: unknown, at: string[], placeholders: string[]): { value: unknown; secret: boolean } {
    if (value !== null && typeof value === "object" && !Array.isArray(value)) {
        const entries = Object.entries(value as Record<string, unknown>);
        if (entries.length === 1 && entries[0][0] === "secure") {
            const configPath = [at[0].slice(at[0].indexOf(":") + 1), ...at.slice(1)];
            const known = secretConfigPaths.find((s) => s.path.join(".") === configPath.join("."));
            placeholders.push([at[0], ...at.slice(1)].join("."));
            return { value: known?.placeholder ?? "preview-placeholder-secret", secret: true };
        }
        let secret = false;
        const out: Record<string, unknown> = {};
        for (const [k, v] of entries) {
            const r = replaceSecure(v, [...at, k], placeholders);
            out[k] = r.value;
            secret ||= r.secret;
        }
        return { value: out, secret };
    }
    if (Array.isArray(value)) {
        let secret = false;
        const out = value.map((v, i) => {
            const r = replaceSecure(v, [...at, String(i)], placeholders);
            secret ||= r.secret;
            return r.value;
        });
        return { value: out, secret };
    }
    return { value, secret: false };
}
