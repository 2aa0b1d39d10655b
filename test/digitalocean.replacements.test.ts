import { expect } from "chai";
import type { RecordedResource } from "../tools/engine/emulator";
import { readStackConfig } from "../tools/engine/stackFiles";
import { reveal, updateStack, type Preview } from "./helpers";

/**
 * What a change of each replaced-on-change setting plans, resource by resource: which property
 * changed, replace or update, and whether the replacement can happen (a new name that lets the new
 * resource exist beside the old one during Pulumi's create-before-delete, or `deleteBeforeReplace`).
 *
 * The properties that force a new resource, from terraform-provider-digitalocean (commit 401992a1):
 * - digitalocean/database/resource_database_connection_pool.go: cluster_id, name, user, mode, size, db_name
 * - digitalocean/database/resource_database_db.go: cluster_id, name
 * - digitalocean/database/resource_database_user.go: cluster_id, name
 * - digitalocean/vpc/resource_vpc.go: region, ip_range
 * - digitalocean/database/resource_database_cluster.go: name, engine, private_network_uuid, project_id
 * - digitalocean/database/resource_database_firewall.go: cluster_id
 * - digitalocean/app/resource_app.go: project_id
 * A replaced resource's id changes, so a property that takes it (a dependent's `clusterId`,
 * `privateNetworkUuid`) changes too: the plan follows those property dependencies.
 */
const forceNew: Record<string, readonly string[]> = {
    "digitalocean:index/databaseConnectionPool:DatabaseConnectionPool": ["clusterId", "name", "user", "mode", "size", "dbName"],
    "digitalocean:index/databaseDb:DatabaseDb": ["clusterId", "name"],
    "digitalocean:index/databaseUser:DatabaseUser": ["clusterId", "name"],
    "digitalocean:index/vpc:Vpc": ["region", "ipRange"],
    "digitalocean:index/databaseCluster:DatabaseCluster": ["name", "engine", "privateNetworkUuid", "projectId"],
    "digitalocean:index/databaseFirewall:DatabaseFirewall": ["clusterId"],
    "digitalocean:index/app:App": ["projectId"],
};

interface Step {
    type: string;
    name: string;
    op: "replace" | "update";
    changed: string[];
    /** For a replacement: the new resource can exist beside the old one (new name) or the old goes first. */
    coexists: boolean;
    deleteBeforeReplace: boolean;
}

/** The plan between two runs of the same stack: updates and replacements, following replaced ids into dependents. */
function plan(before: Preview, after: Preview): Step[] {
    const old = new Map(before.resources.map((r) => [r.urn, r]));
    const steps = new Map<string, Step>();
    const replaced = new Set<string>();
    // Resources are recorded in registration order, so a dependency is planned before its dependents.
    for (const resource of after.resources) {
        const previous = old.get(resource.urn);
        if (!previous || !resource.custom) continue;
        const changed = changedProperties(previous, resource);
        for (const [property, dependencies] of Object.entries(resource.propertyDependencies)) {
            if (dependencies.some((urn) => replaced.has(urn)) && !changed.includes(property)) changed.push(property);
        }
        if (changed.length === 0) continue;
        const replace = changed.some((property) => (forceNew[resource.type] ?? []).includes(property));
        if (replace) replaced.add(resource.urn);
        const name = (r: RecordedResource) => JSON.stringify(reveal(r.inputs.name) ?? null);
        steps.set(resource.urn, {
            type: resource.type.split(":").pop() ?? resource.type,
            name: resource.name,
            op: replace ? "replace" : "update",
            changed: changed.sort(),
            // A resource without a name (a firewall) never collides with its replacement, nor does one whose
            // name is unique only within its cluster when the cluster itself is new.
            coexists: resource.inputs.name === undefined || name(previous) !== name(resource) || changed.includes("clusterId"),
            deleteBeforeReplace: resource.deleteBeforeReplace,
        });
    }
    return [...steps.values()];
}

function changedProperties(before: RecordedResource, after: RecordedResource): string[] {
    const keys = new Set([...Object.keys(before.inputs), ...Object.keys(after.inputs)]);
    return [...keys].filter((key) => JSON.stringify(reveal(before.inputs[key])) !== JSON.stringify(reveal(after.inputs[key])));
}

const digitalocean = () => JSON.parse(readStackConfig("staging").config["fraud-platform:digitalocean"]) as Record<string, unknown>;
const run = (overrides: Record<string, unknown> = {}) => updateStack("staging", overrides);
const replacements = (steps: Step[]) => steps.filter((s) => s.op === "replace");

describe("digitalocean: what a change of each replaced-on-change setting plans", function () {
    this.timeout(60_000);
    let base: Preview;
    const changes: Record<string, Step[]> = {};
    before(async () => {
        base = await run();
        const variants: Record<string, Record<string, unknown>> = {
            poolSize: { digitalocean: { ...digitalocean(), connectionPool: { size: 25, mode: "transaction" } } },
            poolMode: { digitalocean: { ...digitalocean(), connectionPool: { size: 20, mode: "session" } } },
            databaseName: { database: { name: "fraud_v2" } },
            userName: { database: { user: "fraud_api" } },
            vpcIpRange: { digitalocean: { ...digitalocean(), vpcIpRange: "10.118.0.0/20" } },
        };
        // Sequential: the SDK keeps one program's settings in process-wide state.
        for (const [setting, overrides] of Object.entries(variants)) changes[setting] = plan(base, await run(overrides));
    });

    it("plans nothing when nothing changed", async () => {
        expect(plan(base, await run())).to.deep.equal([]);
    });

    for (const [setting, label] of [["poolSize", "connectionPool.size"], ["poolMode", "connectionPool.mode"]] as const) {
        it(`${label}: replaces the pool under a new name beside the old one, and updates the app's bindable variable`, () => {
            const steps = changes[setting];
            expect(replacements(steps).map((s) => [s.type, s.coexists])).to.deep.equal([["DatabaseConnectionPool", true]]);
            const pool = steps.find((s) => s.type === "DatabaseConnectionPool")!;
            expect(pool.changed).to.include.members(["name", setting === "poolSize" ? "size" : "mode"]);
            // The app moves to the new pool in place (a redeploy), then the old pool is deleted.
            expect(steps.find((s) => s.type === "App")).to.include({ op: "update" });
            expect(steps.map((s) => s.type).sort()).to.deep.equal(["App", "DatabaseConnectionPool"]);
        });
    }

    it("database.name: a new database beside the old one (kept: retainOnDelete), a new pool, the app updated", () => {
        const steps = changes.databaseName;
        expect(replacements(steps).map((s) => [s.type, s.changed.join(","), s.coexists])).to.deep.equal([
            ["DatabaseDb", "name", true],
            ["DatabaseConnectionPool", "dbName,name", true],
        ]);
        expect(steps.find((s) => s.type === "App")).to.include({ op: "update" });
        expect(base.named("-db-database").retainOnDelete).to.equal(true);
    });

    it("database.user: a new user beside the old one, a new pool, the app updated", () => {
        const steps = changes.userName;
        expect(replacements(steps).map((s) => [s.type, s.changed.join(","), s.coexists])).to.deep.equal([
            ["DatabaseUser", "name", true],
            ["DatabaseConnectionPool", "name,user", true],
        ]);
        expect(steps.find((s) => s.type === "App")).to.include({ op: "update" });
    });

    it("digitalocean.vpcIpRange: a new VPC under a new name, and both clusters replaced: a migration, not an update", () => {
        const steps = changes.vpcIpRange;
        const vpc = steps.find((s) => s.type === "Vpc")!;
        expect(vpc).to.include({ op: "replace", coexists: true });
        expect(vpc.changed).to.include.members(["ipRange", "name"]);
        // The clusters take the VPC's id (private_network_uuid forces a new cluster). Their names stay, so
        // the new cluster's create fails on the name before anything is deleted, and retainOnDelete would
        // keep the old one anyway: the data is never dropped by a config change (docs/digitalocean.md).
        const clusters = steps.filter((s) => s.type === "DatabaseCluster");
        expect(clusters.map((c) => [c.op, c.changed.join(","), c.coexists, c.deleteBeforeReplace])).to.deep.equal([
            ["replace", "privateNetworkUuid", false, false],
            ["replace", "privateNetworkUuid", false, false],
        ]);
        for (const cluster of base.ofType("digitalocean:index/databaseCluster:DatabaseCluster")) expect(cluster.retainOnDelete).to.equal(true);
    });

    it("replaces nothing with a fixed name that would collide, except the clusters, which must not be replaced", () => {
        for (const [setting, steps] of Object.entries(changes)) {
            for (const step of replacements(steps).filter((s) => s.type !== "DatabaseCluster")) {
                expect(step.coexists || step.deleteBeforeReplace, `${setting}: ${step.type} ${step.name}`).to.equal(true);
            }
        }
    });
});
