import { expect } from "chai";
import { loadEnvironmentSpec, type RawStackConfig } from "../config";
import { resolveCacheSize, resolveDatabaseSize } from "../config/digitalocean";
import { appInstanceSizes, appPlatformRegionOf, databaseOfferings, nodeCountsFor } from "../config/digitaloceanOfferings";
import { readStackConfig } from "../tools/engine/stackFiles";
import { configProblems } from "./helpers";

const ns = "fraud-platform";

/** The committed staging stack, with some keys (without namespace) replaced. No program runs: the config edge alone. */
function staging(overrides: Record<string, unknown> = {}, secretKeys: string[] = []): RawStackConfig {
    const file = readStackConfig("staging");
    const values = { ...file.config };
    for (const [key, value] of Object.entries(overrides)) {
        if (value === undefined) delete values[`${ns}:${key}`];
        else values[`${ns}:${key}`] = typeof value === "string" ? value : JSON.stringify(value);
    }
    return { project: ns, stack: "staging", values, secretKeys: new Set([...file.secretKeys, ...secretKeys.map((k) => `${ns}:${k}`)]) };
}

const committed = <T>(key: string): T => JSON.parse(readStackConfig("staging").config[`${ns}:${key}`]) as T;


describe("digitalocean config edge: only layouts DigitalOcean sells", () => {
    it("accepts the committed staging stack, with a single-node cache and one PostgreSQL node", () => {
        const spec = loadEnvironmentSpec(staging());
        expect(spec.cache.nodeCount).to.equal(1);
        expect(resolveCacheSize(spec.digitalocean, spec.cache.size, spec.cache.nodeCount)).to.equal("db-s-1vcpu-1gb");
        expect(resolveDatabaseSize(spec.digitalocean, spec.database.size, 1)).to.equal("db-s-1vcpu-2gb");
    });

    it("refuses the old staging cache layout, 3 x db-s-1vcpu-1gb, naming the sizes that take standbys", () => {
        const problems = configProblems(staging({ cache: { nodeCount: 3 } }));
        const cache = problems.find((p) => p.key === `${ns}:digitalocean.cacheSize`);
        expect(cache, JSON.stringify(problems)).to.not.equal(undefined);
        expect(cache!.given).to.equal('"db-s-1vcpu-1gb"');
        expect(cache!.allowed).to.include("db-s-1vcpu-1gb allows only 1 node").and.include("db-s-1vcpu-2gb").and.include("cache.nodeCount");
        expect(cache!.allowed).to.not.match(/db-s-1vcpu-1gb,/);
    });

    it("defaults the cache to the smallest size a layout allows when no size is set", () => {
        const digitalocean = { ...committed<Record<string, unknown>>("digitalocean"), cacheSize: undefined };
        const spec = loadEnvironmentSpec(staging({ digitalocean, cache: { nodeCount: 3 } }));
        expect(resolveCacheSize(spec.digitalocean, undefined, 3)).to.equal("db-s-1vcpu-2gb");
        expect(resolveCacheSize(spec.digitalocean, undefined, 1)).to.equal("db-s-1vcpu-1gb");
    });

    it("refuses PostgreSQL standbys on the single-node-only size, and a size DigitalOcean does not sell", () => {
        const standby = configProblems(staging({ database: { size: "db-s-1vcpu-1gb", highAvailability: true } }));
        expect(standby.map((p) => p.key)).to.include(`${ns}:database.size`);
        const unsold = configProblems(staging({ database: { size: "db-s-3vcpu-3gb" } }));
        expect(unsold.find((p) => p.key === `${ns}:database.size`)?.allowed).to.include("not a pg size DigitalOcean sells").and.include("db-s-1vcpu-1gb");
    });

    it("refuses a region the engine or App Platform is not offered in, naming the valid ones", () => {
        // Valkey is not offered in nyc2; App Platform runs in neither nyc2 nor syd1.
        const nyc2 = configProblems(staging({ digitalocean: { ...committed<Record<string, unknown>>("digitalocean"), region: "nyc2" } }));
        const regionProblems = nyc2.filter((p) => p.key === `${ns}:digitalocean.region`);
        expect(regionProblems.map((p) => p.allowed).join("\n")).to.include("App Platform runs in").and.include("nyc3");
        const syd = configProblems(staging({ digitalocean: { ...committed<Record<string, unknown>>("digitalocean"), region: "syd1" } }));
        expect(syd.filter((p) => p.key === `${ns}:digitalocean.region`)).to.have.length(1);
        expect(appPlatformRegionOf("nyc3")).to.equal("nyc");
        expect(appPlatformRegionOf("fra1")).to.equal("fra");
    });

    it("refuses an App Platform size DigitalOcean does not sell, listing the sizes", () => {
        const digitalocean = committed<{ instanceSizes: Record<string, string> }>("digitalocean");
        const problems = configProblems(staging({ digitalocean: { ...digitalocean, instanceSizes: { ...digitalocean.instanceSizes, api: "apps-s-3vcpu-9gb" } } }));
        const api = problems.find((p) => p.key === `${ns}:digitalocean.instanceSizes.api`);
        expect(api?.allowed).to.include("apps-s-1vcpu-0.5gb").and.include("apps-d-1vcpu-2gb");
    });

    it("refuses more than one instance on a single-instance size, naming the sizes that take more", () => {
        const services = committed<Record<string, Record<string, unknown>>>("services");
        const problems = configProblems(staging({ services: { ...services, api: { ...services.api, count: 2 } } }));
        const count = problems.find((p) => p.key === `${ns}:services.api.count`);
        expect(count?.allowed).to.include("apps-s-1vcpu-0.5gb").and.include("single instance").and.include("apps-s-1vcpu-1gb");
        expect(appInstanceSizes["apps-s-1vcpu-0.5gb"].singleInstanceOnly).to.equal(true);
        expect(appInstanceSizes["apps-s-1vcpu-1gb"].singleInstanceOnly).to.equal(false);
    });

    it("knows per engine which sizes each node count allows (DigitalOcean's published options)", () => {
        expect(nodeCountsFor("valkey", "db-s-1vcpu-1gb")).to.deep.equal([1]);
        expect(nodeCountsFor("valkey", "db-s-1vcpu-2gb")).to.deep.equal([1, 2, 3]);
        expect(nodeCountsFor("pg", "db-s-1vcpu-1gb")).to.deep.equal([1]);
        expect(nodeCountsFor("pg", "gd-2vcpu-8gb")).to.deep.equal([1, 2, 3]);
        expect(databaseOfferings.valkey.regions).to.not.include("nyc2");
        for (const engine of ["pg", "valkey", "redis"] as const) {
            const { layouts } = databaseOfferings[engine];
            // Every size that takes standbys also runs alone.
            for (const size of layouts[2]) expect(layouts[1], `${engine} ${size}`).to.include(size);
        }
    });

    it("pages production through Slack: a PagerDuty key alone is not a destination DigitalOcean reaches", () => {
        const problems = configProblems(staging(
            { environment: "production", digitalocean: { ...committed<Record<string, unknown>>("digitalocean"), databaseNodeCount: 2 }, monitoring: { alertEmails: ["platform@dygsom.com"] }, pagerDutyIntegrationKey: "0123456789abcdef0123456789abcdef" },
            ["pagerDutyIntegrationKey"],
        ));
        const paging = problems.find((p) => p.key === `${ns}:slackWebhookUrl`);
        expect(paging?.allowed).to.include("PagerDuty").and.include("Slack").and.include("digitalocean.pagingEmails");
        // A paging service's e-mail integration is a destination DigitalOcean reaches.
        const byEmail = configProblems(staging(
            {
                environment: "production",
                digitalocean: { ...committed<Record<string, unknown>>("digitalocean"), databaseNodeCount: 2, pagingEmails: ["fraud-api@dygsom.pagerduty.com"] },
                monitoring: { alertEmails: ["platform@dygsom.com"] },
                pagerDutyIntegrationKey: "0123456789abcdef0123456789abcdef",
            },
            ["pagerDutyIntegrationKey"],
        ));
        expect(byEmail).to.deep.equal([]);
    });

    it("takes registry credentials only as secrets, each its own top-level key", () => {
        expect(configProblems(staging({ ghcrCredentials: "dygsom:ghp_token" })).map((p) => p.key)).to.include(`${ns}:ghcrCredentials`);
        expect(configProblems(staging({ ghcrCredentials: "dygsom:ghp_token", dockerHubCredentials: "dygsom:dckr_token" }, ["ghcrCredentials", "dockerHubCredentials"]))).to.deep.equal([]);
        // The old nested place is refused with the command that moves it.
        const digitalocean = { ...committed<Record<string, unknown>>("digitalocean"), registryCredentials: { ghcr: "dygsom:ghp_token" } };
        const moved = configProblems(staging({ digitalocean }, ["digitalocean"])).find((p) => p.key === `${ns}:digitalocean.registryCredentials.ghcr`);
        expect(moved?.allowed).to.include("ghcrCredentials");
    });

    it("no longer takes rolloutSecretEnv: nothing needs a manual switch for secrets to reach the app", () => {
        const digitalocean = { ...committed<Record<string, unknown>>("digitalocean"), rolloutSecretEnv: true };
        expect(configProblems(staging({ digitalocean })).map((p) => p.key)).to.include(`${ns}:digitalocean.rolloutSecretEnv`);
    });
});
