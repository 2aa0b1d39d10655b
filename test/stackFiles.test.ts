import { expect } from "chai";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import YAML from "yaml";
import { listStacks, readStackConfig, repoRoot } from "../tools/engine/stackFiles";

/** Every `secure:` value in a parsed YAML document, with its dotted path. */
function secureValues(value: unknown, at: string[] = []): { path: string; ciphertext: unknown }[] {
    if (Array.isArray(value)) return value.flatMap((v, i) => secureValues(v, [...at, String(i)]));
    if (value === null || typeof value !== "object") return [];
    const entries = Object.entries(value);
    if (entries.length === 1 && entries[0]?.[0] === "secure") return [{ path: at.join("."), ciphertext: entries[0][1] }];
    return entries.flatMap(([k, v]) => secureValues(v, [...at, k]));
}

const base64 = /^[A-Za-z0-9+/]+={0,2}$/;
const printable = (bytes: Buffer) => bytes.length > 0 && [...bytes].every((b) => b >= 0x20 && b < 0x7f);

/**
 * Whether a committed `secure:` value can be real ciphertext for the file's secrets provider. The passphrase
 * provider writes `v1:<nonce>:<ciphertext>` (AES-256-GCM: a 12-byte nonce, the text plus a 16-byte tag) and
 * needs the file's `encryptionsalt:`; Pulumi Cloud and the KMS providers write one base64 blob. Either way the
 * bytes are not readable text: a stand-in such as `v1:` + base64("replace-with-your-own") decrypts nowhere.
 */
function realCiphertextProblem(ciphertext: unknown, file: Record<string, unknown>): string | undefined {
    if (typeof ciphertext !== "string") return "is not a string";
    const parts = ciphertext.split(":");
    if (parts[0] === "v1" && parts.length === 3) {
        if (typeof file.encryptionsalt !== "string") return "is passphrase ciphertext (v1:…) but the file has no encryptionsalt: nothing can decrypt it";
        const [nonce, sealed] = [Buffer.from(parts[1] ?? "", "base64"), Buffer.from(parts[2] ?? "", "base64")];
        if (!base64.test(parts[1] ?? "") || !base64.test(parts[2] ?? "") || nonce.length !== 12 || sealed.length < 17) return "is not AES-GCM ciphertext (a 12-byte nonce, then the text and a 16-byte tag)";
        if (printable(sealed)) return "decodes to readable text: a stand-in, not ciphertext";
        return undefined;
    }
    if (!base64.test(ciphertext)) return "is neither v1:<nonce>:<ciphertext> nor base64";
    const bytes = Buffer.from(ciphertext, "base64");
    if (bytes.length < 17 || printable(bytes)) return "decodes to readable text or too few bytes: a stand-in, not ciphertext";
    return undefined;
}

describe("committed stack files", () => {
    it("hold no secure: value that is not real ciphertext", () => {
        const files = fs.readdirSync(repoRoot).filter((f) => /^Pulumi\.[^.]+\.yaml$/.test(f));
        expect(files).to.include.members(["Pulumi.production.yaml", "Pulumi.staging.yaml", "Pulumi.dev.yaml"]);
        for (const name of files) {
            const file = YAML.parse(fs.readFileSync(path.join(repoRoot, name), "utf8")) as Record<string, unknown>;
            for (const { path: at, ciphertext } of secureValues(file.config)) {
                expect(realCiphertextProblem(ciphertext, file), `${name}: ${at}`).to.equal(undefined);
            }
        }
        // The check itself tells a stand-in from ciphertext.
        const standIn = "v1:Zm9yLXByZXZpZXc6cmVwbGFjZS13aXRoLXlvdXItb3duLWtleQ==";
        expect(realCiphertextProblem(standIn, {})).to.be.a("string");
        expect(realCiphertextProblem(standIn, { encryptionsalt: "v1:abc" })).to.be.a("string");
        expect(realCiphertextProblem("v1:AAECAwQFBgcICQoL:3q2+7wABAgMEBQYHCAkKCwwNDg8Q", { encryptionsalt: "v1:abc" })).to.equal(undefined);
    });

    it("production lacks its paging secret: the offline tools stand a placeholder in for it, and only where it is missing", () => {
        expect(listStacks()).to.include("production");
        const production = readStackConfig("production");
        expect(production.standIns).to.deep.equal(["fraud-platform:pagerDutyIntegrationKey"]);
        expect(production.secretKeys).to.include("fraud-platform:pagerDutyIntegrationKey");
        expect(readStackConfig("staging").standIns).to.deep.equal([]); // DigitalOcean staging pages nobody
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fraud-standin-"));
        try {
            const text = fs.readFileSync(path.join(repoRoot, "Pulumi.production.yaml"), "utf8");
            const withKey = path.join(dir, "Pulumi.production.yaml");
            fs.writeFileSync(withKey, text.replace("config:\n", "config:\n  fraud-platform:slackWebhookUrl:\n    secure: v1:AAECAwQFBgcICQoL:3q2+7wABAgMEBQYHCAkKCwwNDg8Q\n"));
            expect(readStackConfig("production", repoRoot, withKey).standIns).to.deep.equal([]);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});
