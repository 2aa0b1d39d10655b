import * as fs from "node:fs";
import * as path from "node:path";
import YAML, { LineCounter, isScalar, type Document } from "yaml";
import { missingRequiredSecrets, placeholderFor } from "../../config/secrets";

export const repoRoot = path.resolve(__dirname, "..", "..");

export interface StackConfigFile {
    project: string;
    stack: string;
    /** `namespace:key` to the string the language host would receive. */
    config: Record<string, string>;
    secretKeys: string[];
    /** Config paths whose `secure:` values were replaced by a placeholder, e.g. `fraud-platform:monitoring.slackWebhookUrl`. */
    placeholders: string[];
    /**
     * Required secrets the file does not set (a production paging destination), for which a placeholder
     * secret stands in so the offline tools can still preview the stack, e.g. `fraud-platform:pagerDutyIntegrationKey`.
     */
    standIns: string[];
    /** The stack file read, for messages. */
    file: string;
}

/** A stack or project file that cannot be read as YAML config: names the file, and the line and column when known. */
export class StackFileError extends Error {
    constructor(
        readonly file: string,
        readonly detail: string,
        readonly position?: { line: number; column: number },
    ) {
        super(`${file}${position ? `:${position.line}:${position.column}` : ""}: ${detail}`);
        this.name = "StackFileError";
    }
}

// Bounds that keep a hostile or broken file from exhausting this process. Pulumi hands the whole config to
// the program in one environment variable of at most 128 KiB (see config/load.ts), so a real stack file is
// far below the size bound; the alias bound is the yaml library's own default, made explicit.
const maxFileBytes = 4 * 1024 * 1024;
const maxAliasCount = 100;
const maxNesting = 64;


interface ProjectFile {
    name: string;
    config?: Record<string, { default?: unknown; value?: unknown } | unknown>;
}

export function readProjectFile(dir = repoRoot): ProjectFile {
    const file = path.join(dir, "Pulumi.yaml");
    const parsed = parseYamlFile(file);
    if (!isRecord(parsed) || typeof parsed.name !== "string") throw new StackFileError(displayPath(file), "a Pulumi project file needs a `name:`");
    if (parsed.config !== undefined && parsed.config !== null && !isRecord(parsed.config)) throw new StackFileError(displayPath(file), "`config:` must be a map of keys");
    return parsed as unknown as ProjectFile;
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
 * `secure:` values cannot be decrypted offline, so each becomes a well-formed placeholder secret; a
 * required secret the file does not set gets one too (see `standIns`).
 * Throws {@link StackFileError} (file, line, column) for a file that is not valid YAML config.
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
    const parsed = parseYamlFile(stackFile) ?? {};
    const shown = displayPath(stackFile);
    if (!isRecord(parsed)) throw new StackFileError(shown, "a stack file is a map with a `config:` key; this file's top level is not a map");
    const stackConfig = parsed.config ?? {};
    if (!isRecord(stackConfig)) throw new StackFileError(shown, "`config:` must be a map of `namespace:key` to values");
    for (const [key, value] of Object.entries(stackConfig)) merged.set(qualify(key), value);

    // What the placeholders may depend on (the region an ARN stand-in names): our keys without namespace, plus aws:region.
    const plain: Record<string, unknown> = {};
    for (const [key, value] of merged) plain[key.startsWith(namespace) ? key.slice(namespace.length) : key] = value;

    const config: Record<string, string> = {};
    const secretKeys: string[] = [];
    const placeholders: string[] = [];
    for (const [key, value] of merged) {
        const replaced = replaceSecure(value, [key], placeholders, namespace, plain);
        if (replaced.secret) secretKeys.push(key);
        config[key] = typeof replaced.value === "string" ? replaced.value : JSON.stringify(replaced.value);
    }
    const standIns: string[] = [];
    for (const missing of missingRequiredSecrets(plain)) {
        const key = namespace + missing.path.join(".");
        config[key] = missing.placeholder;
        secretKeys.push(key);
        standIns.push(key);
    }
    return { project: project.name, stack, config, secretKeys, placeholders, standIns, file: shown };
}

/** One line: which required secrets the file lacks, that placeholders stand in, and the command that sets each for real. */
export function standInNotice(stack: string, keys: readonly string[]): string {
    const commands = keys.map((key) => `pulumi config set --secret ${key.slice(key.indexOf(":") + 1)} <value> --stack ${stack}`);
    return (
        `[${stack}] not set: ${keys.join(", ")} (required secret${keys.length === 1 ? "" : "s"}); offline, a placeholder stands in, ` +
        `\`pulumi up\` needs the real value: ${commands.join("; ")}`
    );
}

/** A path as a person would type it: relative to the working directory when inside it. */
export function displayPath(file: string): string {
    const relative = path.relative(process.cwd(), file);
    return relative !== "" && !relative.startsWith("..") && !path.isAbsolute(relative) ? relative : file;
}

/**
 * Parses one YAML file into plain values, or throws {@link StackFileError}: syntax errors (a tab used as
 * indentation, a duplicate key) with their line and column, alias bombs, documents nested too deeply for
 * config, and numbers JSON cannot carry (`.inf`, `.nan`), shown as written.
 */
export function parseYamlFile(file: string): unknown {
    const shown = displayPath(file);
    let source: string;
    try {
        const size = fs.statSync(file).size;
        if (size > maxFileBytes) throw new StackFileError(shown, `the file is ${Math.round(size / 1024)} KiB; a stack file larger than ${maxFileBytes / 1024 / 1024} MiB cannot be config`);
        source = fs.readFileSync(file, "utf8");
    } catch (error) {
        if (error instanceof StackFileError) throw error;
        const code = (error as NodeJS.ErrnoException).code;
        throw new StackFileError(shown, code === "ENOENT" ? "no such file" : code === "EISDIR" ? "is a directory, not a file" : `cannot be read (${code ?? String(error)})`);
    }
    return parseYamlText(source, shown);
}

/** {@link parseYamlFile} for text already read; `shown` names the file in messages. */
export function parseYamlText(source: string, shown: string): unknown {
    const lineCounter = new LineCounter();
    const at = (offset: number) => {
        const { line, col } = lineCounter.linePos(offset);
        return { line, column: col };
    };
    // The parser recurses per flow level ([ [ [ …), and a few thousand levels exhaust memory inside it;
    // no config nests deeper than a few levels, so deep flow nesting is refused before parsing.
    const deepFlow = flowNestingBeyond(source, maxNesting);
    if (deepFlow !== undefined) {
        lineCounter.addNewLine(0);
        for (let i = 0; i < source.length; i += 1) if (source[i] === "\n") lineCounter.addNewLine(i + 1);
        throw new StackFileError(shown, `nested more than ${maxNesting} levels deep; config is a few levels of maps and lists`, at(deepFlow));
    }
    let document: Document.Parsed;
    try {
        document = YAML.parseDocument(source, { lineCounter, uniqueKeys: true, prettyErrors: false, strict: true });
    } catch (error) {
        throw new StackFileError(shown, `is not valid YAML (${error instanceof Error ? error.message : String(error)})`);
    }
    const [syntax] = document.errors;
    if (syntax) {
        throw new StackFileError(shown, `is not valid YAML: ${yamlErrorText(syntax.code, syntax.message)}`, at(syntax.pos[0]));
    }
    let problem: StackFileError | undefined;
    YAML.visit(document, {
        Node(_key, node, ancestors) {
            if (problem) return YAML.visit.BREAK;
            const nodeDepth = ancestors.filter((a) => YAML.isCollection(a)).length;
            if (nodeDepth > maxNesting) {
                problem = new StackFileError(shown, `nested more than ${maxNesting} levels deep; config is a few levels of maps and lists`, node.range ? at(node.range[0]) : undefined);
                return YAML.visit.BREAK;
            }
            // `&a { key: *a }` is valid YAML, but its value contains itself: endless as config (and as JSON).
            if (YAML.isAlias(node) && ancestors.includes(node.resolve(document) as never)) {
                problem = new StackFileError(shown, `the alias *${node.source} refers to a node that contains it, which makes the value endless; write the values out`, node.range ? at(node.range[0]) : undefined);
                return YAML.visit.BREAK;
            }
            if (isScalar(node) && typeof node.value === "number" && !Number.isFinite(node.value)) {
                const written = node.range ? source.slice(node.range[0], node.range[1]).trim() : String(node.value);
                problem = new StackFileError(
                    shown,
                    `${written} is not a finite number: Pulumi passes config to the program as JSON, which has no infinity or NaN; write a number (or quote it as text)`,
                    node.range ? at(node.range[0]) : undefined,
                );
                return YAML.visit.BREAK;
            }
            return undefined;
        },
    });
    if (problem) throw problem;
    try {
        return document.toJS({ maxAliasCount });
    } catch (error) {
        const text = error instanceof Error ? error.message : String(error);
        if (/alias/i.test(text)) throw new StackFileError(shown, `expands aliases (*name) more than ${maxAliasCount} times, as an alias bomb does; write the values out`);
        throw new StackFileError(shown, `cannot be read as config (${text})`);
    }
}

/** The yaml library's message without its own position suffix (the caller prints file:line:column). */
function yamlErrorText(code: string, message: string): string {
    const first = message.split("\n")[0].replace(/ at line \d+, column \d+:?$/, "");
    const hints: Record<string, string> = {
        TAB_AS_INDENT: " (indent with spaces)",
        DUPLICATE_KEY: " (a key appears twice in the same map; keep one)",
    };
    return `${first}${hints[code] ?? ""}`;
}

/**
 * The offset of the first `[` or `{` nested deeper than `limit` flow levels. Brackets inside quoted text and
 * comments count too: that keeps the scan simple and never misses real nesting, at the price of refusing a
 * file that writes more than `limit` unmatched brackets into its text, which no config does.
 */
function flowNestingBeyond(source: string, limit: number): number | undefined {
    let depth = 0;
    for (let i = 0; i < source.length; i += 1) {
        const c = source.charCodeAt(i);
        if (c === 0x5b || c === 0x7b) {
            depth += 1;
            if (depth > limit) return i;
        } else if ((c === 0x5d || c === 0x7d) && depth > 0) {
            depth -= 1;
        }
    }
    return undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
    return value !== null && typeof value === "object" && !Array.isArray(value);
}

function isSchemaDeclaration(value: unknown): value is { default?: unknown; value?: unknown } {
    if (value === null || typeof value !== "object" || Array.isArray(value)) return false;
    return ["type", "default", "description", "value", "secret", "items"].some((field) => field in value);
}

function replaceSecure(value: unknown, at: string[], placeholders: string[], namespace: string, plain: Record<string, unknown>): { value: unknown; secret: boolean } {
    if (value !== null && typeof value === "object" && !Array.isArray(value)) {
        const entries = Object.entries(value as Record<string, unknown>);
        if (entries.length === 1 && entries[0][0] === "secure") {
            placeholders.push([at[0], ...at.slice(1)].join("."));
            const ours = at[0].startsWith(namespace);
            const configPath = [ours ? at[0].slice(namespace.length) : at[0], ...at.slice(1)];
            return { value: ours ? placeholderFor(configPath, plain) : "preview-placeholder-secret", secret: true };
        }
        let secret = false;
        const out: Record<string, unknown> = {};
        for (const [k, v] of entries) {
            const r = replaceSecure(v, [...at, k], placeholders, namespace, plain);
            out[k] = r.value;
            secret ||= r.secret;
        }
        return { value: out, secret };
    }
    if (Array.isArray(value)) {
        let secret = false;
        const out = value.map((v, i) => {
            const r = replaceSecure(v, [...at, String(i)], placeholders, namespace, plain);
            secret ||= r.secret;
            return r.value;
        });
        return { value: out, secret };
    }
    return { value, secret: false };
}
