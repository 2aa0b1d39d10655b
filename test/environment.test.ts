import { expect } from "chai";
import { isSecret, plainStrings, previewStack, updateStack, type Preview } from "./helpers";

describe("Environment component", () => {
    let dev: Preview;
    before(async () => {
        dev = await previewStack("dev");
    });

    it("composes app service, database, cache and monitoring under one Environment", () => {
        const environment = dev.named("fraud-dev", "fraud-platform:index:Environment");
        const parts = dev.resources.filter((r) => r.parent === environment.urn && r.type.startsWith("fraud-platform:"));
        expect(parts.map((p) => p.type)).to.have.members([
            "fraud-platform:index:Database",
            "fraud-platform:index:Cache",
            "fraud-platform:index:AppService",
            "fraud-platform:index:Monitoring",
        ]);
        expect(parts.map((p) => p.name)).to.have.members(["fraud-dev-db", "fraud-dev-cache", "fraud-dev-app", "fraud-dev-monitoring"]);
    });

    it("parents every resource inside the environment and names children after their component", () => {
        const stack = dev.named("fraud-platform-dev", "pulumi:pulumi:Stack");
        for (const resource of dev.resources) {
            if (resource.urn === stack.urn) continue;
            if (resource.type === "fraud-platform:index:Environment") {
                expect(resource.parent).to.equal(stack.urn);
                continue;
            }
            const parent = dev.byUrn(resource.parent);
            expect(parent.type, resource.name).to.match(/^fraud-platform:index:/);
            expect(resource.name.startsWith("fraud-dev"), resource.name).to.equal(true);
        }
    });

    it("starts the app only after the database and cache", () => {
        const app = dev.named("fraud-dev-app", "fraud-platform:index:AppService");
        const db = dev.named("fraud-dev-db", "fraud-platform:index:Database");
        const cache = dev.named("fraud-dev-cache", "fraud-platform:index:Cache");
        // The SDK expands a component dependency into the component's resources before the engine sees it.
        const dataTier = dev.resources.filter((r) => r.custom && (r.parent === db.urn || r.parent === cache.urn));
        expect(dataTier.length).to.be.greaterThan(0);
        expect(app.dependencies).to.include.members(dataTier.map((r) => r.urn));
    });

    it("exports connection URLs as secrets and endpoints in plain text", async () => {
        const updated = await updateStack("dev");
        const stack = updated.named("fraud-platform-dev", "pulumi:pulumi:Stack");
        const outputs = stack.outputs ?? {};
        expect(isSecret(outputs.databaseUrl), "databaseUrl").to.equal(true);
        expect(isSecret(outputs.cacheUrl), "cacheUrl").to.equal(true);
        expect(outputs.databaseEndpoint).to.equal("postgres:5432");
        expect(outputs.url).to.equal("http://127.0.0.1:8000");
        expect(outputs.healthUrl).to.equal("http://127.0.0.1:8000/health/ready");
        expect(plainStrings(outputs).some((s) => s.includes("fakefraud"))).to.equal(false);
        for (const component of updated.resources.filter((r) => r.type.startsWith("fraud-platform:index:"))) {
            for (const [key, value] of Object.entries(component.outputs ?? {})) {
                if (/url$/i.test(key) && /^(postgres|redis)/.test(String((value as { value?: unknown })?.value ?? value))) {
                    expect(isSecret(value), `${component.name}.${key}`).to.equal(true);
                }
            }
        }
    });

    it("loads only the selected backend's provider SDK", () => {
        const providers = new Set(dev.resources.filter((r) => r.custom).map((r) => r.type.split(":")[0]));
        expect([...providers].sort()).to.deep.equal(["docker", "random"]);
    });
});
