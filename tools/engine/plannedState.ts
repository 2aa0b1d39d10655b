import * as fs from "node:fs";
import * as path from "node:path";
import { wire } from "./wire";

const cache = new Map<string, readonly string[]>();

/**
 * The properties a provider always reports for a resource type: the SDK declares them as
 * `pulumi.Output<T>` without `| undefined` (output-only attributes such as `arn`, and optional inputs
 * the provider computes when unset, such as a Docker container's `command`). Read from the provider
 * SDK's declaration file; empty when the type's file cannot be found.
 */
export function computedProperties(type: string): readonly string[] {
    const known = cache.get(type);
    if (known) return known;
    const found = readComputedProperties(type);
    cache.set(type, found);
    return found;
}

function readComputedProperties(type: string): string[] {
    // "aws:ecs/taskDefinition:TaskDefinition" → @pulumi/aws/ecs/taskDefinition.d.ts;
    // "docker:index/container:Container" → @pulumi/docker/container.d.ts.
    const match = /^([^:]+):([^:]+):(\w+)$/.exec(type);
    if (!match) return [];
    const [, pkg, module, className] = match;
    const relative = module.startsWith("index/") ? module.slice("index/".length) : module;
    let file: string;
    try {
        file = path.join(path.dirname(require.resolve(`@pulumi/${pkg}/package.json`)), `${relative}.d.ts`);
    } catch {
        return [];
    }
    if (!fs.existsSync(file)) return [];
    const text = fs.readFileSync(file, "utf8");
    const start = text.indexOf(`export declare class ${className} extends`);
    if (start === -1) return [];
    const end = text.indexOf("\n}", start);
    const body = text.slice(start, end === -1 ? undefined : end);
    return [...body.matchAll(/^\s+readonly (\w+): pulumi\.Output<(.+)>;$/gm)]
        .filter(([, , valueType]) => !/\|\s*undefined$/.test(valueType.trim()))
        .map(([, name]) => name);
}

/**
 * What the engine holds for a resource a preview would create: its inputs, with every property the
 * provider computes but the program left unset still unknown. `AnalyzeStack` sees this, not the inputs.
 */
export function plannedState(type: string, inputs: Record<string, unknown>): Record<string, unknown> {
    const planned: Record<string, unknown> = { ...inputs };
    for (const name of computedProperties(type)) {
        if (!(name in planned)) planned[name] = wire.unknown;
    }
    return planned;
}
