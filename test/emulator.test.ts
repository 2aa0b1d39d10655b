import { expect } from "chai";
import { wire } from "../tools/engine/emulator";
import { computedProperties } from "../tools/engine/plannedState";
import { previewStack, updateStack } from "./helpers";
import { awsOutputs } from "../tools/engine/fakes/aws";

describe("emulated engine", () => {
    it("reads which properties a provider computes from the SDK's declarations", () => {
        const container = computedProperties("docker:index/container:Container");
        expect(container).to.include.members(["command", "entrypoints", "envs", "name"]);
        expect(container).to.not.include.members(["mounts", "ports", "uploads"]);
        expect(computedProperties("aws:ecs/taskDefinition:TaskDefinition")).to.include.members(["arn", "revision"]);
        expect(computedProperties("not-a-provider:index/x:X")).to.deep.equal([]);
    });

    it("plans a created resource's state as AnalyzeStack sees it: inputs, and unknown for what the provider computes", async () => {
        const dev = await previewStack("dev");
        const api = dev.named("-app-api", "docker:index/container:Container");
        // The api runs its image's own command: the program leaves it unset, the provider fills it in.
        expect(api.inputs).to.not.have.property("command");
        expect(api.planned?.command).to.equal(wire.unknown);
        expect(api.planned?.healthcheck).to.deep.equal(api.inputs.healthcheck);
        // Optional and not computed: absent, as in the engine's plan.
        expect(api.planned).to.not.have.property("mounts");
        const worker = dev.named("-app-worker", "docker:index/container:Container");
        expect(worker.planned?.command).to.deep.equal(["python", "-m", "app.worker"]);
        expect(dev.named("fraud-dev", "fraud-platform:index:Environment").planned).to.equal(undefined);
    });

    it("plans nothing in an update, where the provider's outputs are known", async () => {
        const dev = await updateStack("dev");
        expect(dev.named("-app-api", "docker:index/container:Container").planned).to.equal(undefined);
    });

    it("fakes never shorten a name to make it fit: the provider rules refuse it instead", () => {
        const name = "a-load-balancer-name-well-over-thirty-two-characters";
        const outputs = awsOutputs({ type: "aws:lb/loadBalancer:LoadBalancer", name, inputs: {}, provider: "", custom: true } as unknown as Parameters<typeof awsOutputs>[0]);
        expect(String(outputs.name).startsWith(`${name}-`)).to.equal(true);
    });
});
