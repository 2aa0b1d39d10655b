// Preloaded (node --require) into the policy pack's process by tools/engine/policyProcess.ts. The Pulumi CLI
// hands a pack its stack config in the PULUMI_CONFIG environment variable; an environment string over
// 128 KiB cannot cross execve (E2BIG), so the offline preview writes the config to a private file instead
// and this sets the same variables inside the process, before @pulumi/pulumi reads them. The pack itself
// reads its config exactly as under the CLI. Plain JavaScript: it runs before any TypeScript loader.
//
// It also ends the pack with the process that started it. The pack's gRPC server would otherwise keep
// running after a preview killed by a signal (SIGKILL included, which no handler sees): the parent holds
// the write end of the pack's stdin, and the kernel closes it however the parent ends.
"use strict";
if (process.env.FRAUD_PLATFORM_POLICY_PARENT_WATCH === "stdin") {
    delete process.env.FRAUD_PLATFORM_POLICY_PARENT_WATCH;
    process.stdin.on("end", () => process.exit(0));
    process.stdin.on("error", () => process.exit(0));
    process.stdin.resume();
}
const fs = require("node:fs");
const file = process.env.FRAUD_PLATFORM_POLICY_CONFIG_FILE;
if (file) {
    delete process.env.FRAUD_PLATFORM_POLICY_CONFIG_FILE;
    const { config, secretKeys } = JSON.parse(fs.readFileSync(file, "utf8"));
    fs.rmSync(file, { force: true });
    if (config) process.env.PULUMI_CONFIG = JSON.stringify(config);
    if (secretKeys) process.env.PULUMI_CONFIG_SECRET_KEYS = JSON.stringify(secretKeys);
}
