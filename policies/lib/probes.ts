/**
 * Health-check commands that cannot fail. Docker (`HEALTHCHECK`, the provider's `healthcheck.tests`) and ECS
 * (`healthCheck.command`) take the same forms: `["CMD", argv...]`, `["CMD-SHELL", script]`, `["NONE"]`.
 * A check passes when the command exits 0 (Docker reference, "HEALTHCHECK"; ECS API reference, HealthCheck).
 */

/** Commands that exit 0 whatever the application does. */
const alwaysSucceeds = new Set(["true", ":", "exit 0", "/bin/true", "/usr/bin/true"]);

/** The last command of a shell script run for its exit status: after the last `;`, `||`, or newline. */
function finalStatusCommand(script: string): { command: string; fallback: boolean } {
    const trimmed = script.trim();
    const orFallback = /\|\|\s*([^|;&\n]+)$/.exec(trimmed);
    if (orFallback) return { command: orFallback[1].trim(), fallback: true };
    const parts = trimmed.split(/;|\n/).map((part) => part.trim()).filter((part) => part !== "");
    return { command: parts[parts.length - 1] ?? "", fallback: false };
}

/** Why a shell script's exit status is always 0, or undefined when it can fail. */
function scriptProblem(script: string): string | undefined {
    const { command, fallback } = finalStatusCommand(script);
    if (alwaysSucceeds.has(command) || /^echo\b/.test(command)) {
        return fallback ? `it ends in \`|| ${command}\`, so a failing probe still exits 0` : `\`${script.trim()}\` exits 0 whatever the application does`;
    }
    return undefined;
}

/**
 * Why the health-check command cannot fail, or undefined when it can. `["NONE"]` and empty commands are the
 * callers' "no health check" case and are not judged here.
 */
export function probeProblem(command: readonly unknown[]): string | undefined {
    const [form, ...rest] = command;
    const words = rest.filter((word): word is string => typeof word === "string");
    if (words.length !== rest.length || words.length === 0) return undefined;
    if (form === "CMD-SHELL") return scriptProblem(words.join(" "));
    if (form !== "CMD") return undefined;
    const executable = words[0].split("/").pop() ?? words[0];
    if (alwaysSucceeds.has(words[0]) || executable === "true") return `\`${words.join(" ")}\` exits 0 whatever the application does`;
    if (executable === "echo") return `\`${words.join(" ")}\` only prints and exits 0`;
    // `sh -c "<script>"` runs a script: judge the script.
    if (["sh", "bash", "ash", "dash"].includes(executable) && words[1] === "-c" && words.length >= 3) return scriptProblem(words[2]);
    return undefined;
}
