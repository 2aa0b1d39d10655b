// Preloaded (node --require) into the policy pack's process by tools/engine/policyProcess.ts. The Pulumi CLI
// hands a pack its stack config in the PULUMI_CONFIG environment variable; an environment string over
// 128 KiB cannot cross execve (E2BIG), so the offline preview writes the config to a private file instead
// and this sets the same variables inside the process, before @pulumi/pulumi reads them. The pack itself
// reads its config exactly as under the CLI. Plain JavaScript: it runs before any TypeScript loader.
"use strict";
const fs = require("node:fs");
const file = process.env.FRAUD_PLATFORM_POLICY_CONFIG_FILE;
if (file) {
    delete process.env.FRAUD_PLATFORM_POLICY_CONFIG_FILE;
    const { config, secretKeys } = JSON.parse(fs.readFileSync(file, "utf8"));
    fs.rmSync(file, { force: true });
    if (config) process.env.PULUMI_CONFIG = JSON.stringify(config);
    if (secretKeys) process.env.PULUMI_CONFIG_SECRET_KEYS = JSON.stringify(secretKeys);
}
