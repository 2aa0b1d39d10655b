import type { MockResourceArgs } from "@pulumi/pulumi/runtime/mocks";

export function dockerOutputs(args: MockResourceArgs): Record<string, unknown> {
    switch (args.type) {
        case "docker:index/remoteImage:RemoteImage":
            return { imageId: `sha256:${"0".repeat(64)}`, repoDigest: `${String(args.inputs.name).split(":")[0]}@sha256:${"0".repeat(64)}` };
        case "docker:index/network:Network":
            return { id: `${args.name}-network-id` };
        default:
            return {};
    }
}
