import * as fs from "node:fs";
import * as path from "node:path";
import { alertFilesOf, runDockerStack } from "./files";

/**
 * Writes the docker stack's Prometheus config, alert rules, their promtool unit tests and the Alertmanager
 * config, as the program uploads them, for Prometheus's own tools (.ci/run):
 *   tsx tools/alerts/write.ts [--stack dev] [--out out/alerts]
 */
async function main(argv: string[]): Promise<void> {
    const option = (name: string, fallback: string) => {
        const index = argv.indexOf(name);
        return index >= 0 && argv[index + 1] !== undefined ? argv[index + 1] : fallback;
    };
    const stack = option("--stack", "dev");
    const out = path.resolve(option("--out", path.join("out", "alerts")));
    const files = alertFilesOf(await runDockerStack(stack), stack);
    for (const [file, content] of Object.entries(files)) {
        const target = path.join(out, file);
        fs.mkdirSync(path.dirname(target), { recursive: true });
        fs.writeFileSync(target, content);
        console.log(`wrote ${path.relative(process.cwd(), target)}`);
    }
}

main(process.argv.slice(2)).catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(1);
});
