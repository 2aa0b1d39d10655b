import YAML from "yaml";
import { loadEnvironmentSpec } from "../../config";
import { secretConfigPaths } from "../../config/secrets";
import { dockerRuleInputs } from "../../components/docker/backend";
import { runProgram, wire, type ProgramResult } from "../engine/emulator";
import { readStackConfig } from "../engine/stackFiles";
import { alertRuleTests } from "./ruleTests";
import { loadProgram } from "../engine/program";

/** The generated monitoring files, by path relative to the directory they are written to. */
export type AlertFiles = Record<"prometheus.yml" | "rules/fraud-api.yml" | "rules.test.yml" | "alertmanager.yml", string>;

const project = "fraud-platform";

/**
 * The stack's config with both alert destinations set (their preview stand-ins when the stack file has
 * none), so the generated Alertmanager config carries the PagerDuty and the Slack receiver to check.
 */
export function configWithDestinations(stack: string): { config: Record<string, string>; secretKeys: string[] } {
    const file = readStackConfig(stack);
    const config = { ...file.config };
    const secretKeys = new Set(file.secretKeys);
    // Stand-ins for the secrets a developer sets (the seed is what `pulumi up` on docker needs), so the routes
    // to Slack and PagerDuty are rendered.
    for (const key of ["slackWebhookUrl", "pagerDutyIntegrationKey", "credentialSeed"]) {
        const full = `${project}:${key}`;
        if (config[full] === undefined) config[full] = secretConfigPaths.find((s) => s.path[0] === key)!.placeholder;
        secretKeys.add(full);
    }
    return { config, secretKeys: [...secretKeys] };
}

/** Runs the program (index.ts) for a docker stack against the emulated engine, as an update. */
export async function runDockerStack(stack: string): Promise<ProgramResult> {
    const program = loadProgram();
    const { config, secretKeys } = configWithDestinations(stack);
    return runProgram({ project, stack, config, secretKeys, program, preview: false });
}

/**
 * The files exactly as the program uploads them into the Prometheus and Alertmanager containers (read from
 * the registered resources), plus the promtool unit tests generated from the same catalogue.
 */
export function alertFilesOf(result: ProgramResult, stack: string): AlertFiles {
    const uploads = new Map<string, string>();
    for (const resource of result.resources.filter((r) => r.type === "docker:index/container:Container")) {
        for (const upload of (reveal(resource.inputs) as { uploads?: { file: string; content: string }[] }).uploads ?? []) uploads.set(upload.file, upload.content);
    }
    const take = (file: string) => {
        const content = uploads.get(file);
        if (content === undefined) throw new Error(`the ${stack} stack uploads no ${file}`);
        return content;
    };
    const { config, secretKeys } = configWithDestinations(stack);
    const spec = loadEnvironmentSpec({ project, stack, values: config, secretKeys: new Set(secretKeys) });
    return {
        "prometheus.yml": take("/etc/prometheus/prometheus.yml"),
        "rules/fraud-api.yml": take("/etc/prometheus/rules/fraud-api.yml"),
        "rules.test.yml": alertRuleTests(dockerRuleInputs(spec), "rules/fraud-api.yml"),
        "alertmanager.yml": take("/etc/alertmanager/alertmanager.yml"),
    };
}

/** Removes the wire's secret wrappers: the files are checked, not deployed. */
function reveal(value: unknown): unknown {
    if (Array.isArray(value)) return value.map(reveal);
    if (value !== null && typeof value === "object") {
        const record = value as Record<string, unknown>;
        if (record[wire.sigKey] === wire.secretSig) return reveal(record.value);
        return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, reveal(v)]));
    }
    return value;
}

/** Every alert rule's PromQL expression in a rule file. */
export function ruleExpressions(rules: string): { alert: string; expr: string }[] {
    const parsed = YAML.parse(rules) as { groups: { rules: { alert: string; expr: string }[] }[] };
    return parsed.groups.flatMap((group) => group.rules.map((rule) => ({ alert: rule.alert, expr: rule.expr })));
}
