import type { MockResourceArgs } from "@pulumi/pulumi/runtime/mocks";
import { awsOutputs } from "./aws";
import { digitalOceanOutputs } from "./digitalocean";
import { dockerOutputs } from "./docker";

/**
 * Outputs a real provider computes (ids, ARNs, endpoints, generated passwords), faked for an update
 * run of the emulated engine. In a preview the engine leaves them unknown, and so does the emulator.
 */
export function fakeProviderOutputs(args: MockResourceArgs): Record<string, unknown> {
    if (args.type.startsWith("random:")) return randomOutputs(args);
    if (args.type.startsWith("aws:")) return awsOutputs(args);
    if (args.type.startsWith("digitalocean:")) return digitalOceanOutputs(args);
    if (args.type.startsWith("docker:")) return dockerOutputs(args);
    if (args.type.startsWith("tls:")) return tlsOutputs(args);
    return {};
}

/** PEM-shaped stand-ins: the real provider generates the key and signs the certificate. */
function tlsOutputs(args: MockResourceArgs): Record<string, unknown> {
    const pem = (label: string) => `-----BEGIN ${label}-----\nZmFrZS0ke2FyZ3MubmFtZX0=\n-----END ${label}-----\n`;
    switch (args.type) {
        case "tls:index/privateKey:PrivateKey":
            return { privateKeyPem: pem("PRIVATE KEY"), publicKeyPem: pem("PUBLIC KEY"), publicKeyOpenssh: "ecdsa-sha2-nistp256 ZmFrZQ==" };
        case "tls:index/selfSignedCert:SelfSignedCert":
            return { certPem: pem("CERTIFICATE"), readyForRenewal: false, validityStartTime: "2026-01-01T00:00:00Z", validityEndTime: "2027-01-01T00:00:00Z" };
        default:
            return {};
    }
}

function randomOutputs(args: MockResourceArgs): Record<string, unknown> {
    const length = typeof args.inputs.length === "number" ? args.inputs.length : 16;
    switch (args.type) {
        case "random:index/randomPassword:RandomPassword":
        case "random:index/randomString:RandomString":
            return { result: `fake${args.name.replace(/[^A-Za-z0-9]/g, "")}`.padEnd(length, "x").slice(0, length) };
        case "random:index/randomId:RandomId":
            return { hex: "0a1b2c3d", b64Url: "CisLPQ", dec: "169552957" };
        case "random:index/randomPet:RandomPet":
            return { id: `${args.name}-fake-pet` };
        default:
            return {};
    }
}
