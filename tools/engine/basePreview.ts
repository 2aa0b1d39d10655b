/** The `--base` mode of tools/preview.ts: prints the plan as the CLI would, or as JSON with `--json`. */
import { ConfigValidationError } from "../../config";
import { planAgainstBase, resolveBaseFile } from "./basePlan";
import { formatPlan, planDocument } from "./diff";
import { ProviderCheckError } from "./providerRules";

/** Exit code: 0 when the plan has no error, 1 when the real preview would fail (or the config is invalid). */
export async function previewAgainstBase(stack: string, base: string, options: { json: boolean; file?: string }): Promise<number> {
    let plan;
    try {
        plan = await planAgainstBase(stack, resolveBaseFile(stack, base), options.file);
    } catch (error) {
        if (error instanceof ProviderCheckError || error instanceof ConfigValidationError || (error instanceof Error && error.message.startsWith("--base"))) {
            process.stderr.write(`[${stack}] ${error.message}\n`);
            return 1;
        }
        throw error;
    }
    if (options.json) process.stdout.write(`${JSON.stringify(planDocument(stack, plan), null, 2)}\n`);
    else process.stdout.write(`${formatPlan(stack, plan)}\n`);
    if (options.json) for (const error of plan.errors) process.stderr.write(`error: ${error}\n`);
    return plan.errors.length > 0 ? 1 : 0;
}
