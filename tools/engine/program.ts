import * as path from "node:path";
import { repoRoot } from "./stackFiles";

/** The Pulumi program's entry point (what the CLI's language host runs). */
export type ProgramEntry = () => Promise<Record<string, unknown>>;

/**
 * Loads index.ts the way the Pulumi CLI loads it, through the TypeScript loader already registered (tsx
 * here, ts-node under the CLI). Loaded on first use, so a tool can start the policy pack before it.
 */
export function loadProgram(): ProgramEntry {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require(path.join(repoRoot, "index.ts")) as ProgramEntry;
}
