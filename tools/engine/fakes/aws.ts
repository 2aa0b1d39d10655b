import type { MockResourceArgs } from "@pulumi/pulumi/runtime/mocks";

export function awsOutputs(args: MockResourceArgs): Record<string, unknown> {
    switch (args.type) {
        default:
            return {};
    }
}
