import { runSimulation, type EvaluationResult } from "@cloud-copilot/iam-simulate";
import { expect } from "chai";
import { ConfigValidationError, loadEnvironmentSpec } from "../config";
import { cacheEngineVersion } from "../components/aws/cache";
import { databaseRoles } from "../components/aws/database";
import { interfaceEndpointServices } from "../components/aws/endpoints";
import { credentialsOf, roleStatements } from "../components/aws/lambda/databaseRoles.mjs";
import { wafActions } from "../components/aws/waf";
import type { RecordedResource } from "../tools/engine/emulator";
import { readStackConfig } from "../tools/engine/stackFiles";
import { deployable, reveal, updateStack, type Preview } from "./helpers";

const t = {
    rds: "aws:rds/instance:Instance",
    taskDefinition: "aws:ecs/taskDefinition:TaskDefinition",
    secretVersion: "aws:secretsmanager/secretVersion:SecretVersion",
    rolePolicy: "aws:iam/rolePolicy:RolePolicy",
    role: "aws:iam/role:Role",
    attachment: "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
    targetGroup: "aws:lb/targetGroup:TargetGroup",
    listener: "aws:lb/listener:Listener",
    listenerRule: "aws:lb/listenerRule:ListenerRule",
    loadBalancer: "aws:lb/loadBalancer:LoadBalancer",
    endpoint: "aws:ec2/vpcEndpoint:VpcEndpoint",
    securityGroup: "aws:ec2/securityGroup:SecurityGroup",
    ingress: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
    webAcl: "aws:wafv2/webAcl:WebAcl",
    webAclAssociation: "aws:wafv2/webAclAssociation:WebAclAssociation",
    webAclLogging: "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration",
    logGroup: "aws:cloudwatch/logGroup:LogGroup",
    budget: "aws:budgets/budget:Budget",
    topic: "aws:sns/topic:Topic",
    topicPolicy: "aws:sns/topicPolicy:TopicPolicy",
    flowLog: "aws:ec2/flowLog:FlowLog",
    bucket: "aws:s3/bucket:Bucket",
    bucketLogging: "aws:s3/bucketLogging:BucketLogging",
    redis: "aws:elasticache/replicationGroup:ReplicationGroup",
    cacheParams: "aws:elasticache/parameterGroup:ParameterGroup",
    invocation: "aws:lambda/invocation:Invocation",
} as const;

const account = "123456789012";
const modelArn = "arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0";
const inputsOf = <T>(r: RecordedResource) => reveal(r.inputs) as T;
const idOf = (r: RecordedResource) => `${r.name}-id`;
interface Statement {
    Sid?: string;
    Effect: string;
    Action: string[];
    Resource?: string[];
    Principal?: Record<string, string> | "*";
    Condition?: Record<string, Record<string, string | string[]>>;
}
interface PolicyDocument {
    Version: string;
    Statement: Statement[];
}
const parse = (text: unknown) => JSON.parse(text as string) as PolicyDocument;
const policyOf = (r: RecordedResource) => parse(inputsOf<{ policy: string }>(r).policy);

/** The decision of a real IAM evaluator (not string matching) for one request. */
async function decide(action: string, resource: string, identityPolicy: PolicyDocument, vpcEndpointPolicy?: PolicyDocument): Promise<EvaluationResult> {
    const result = await runSimulation(
        {
            request: { principal: `arn:aws:iam::${account}:role/task`, action, resource: { resource, accountId: account }, contextVariables: {} },
            identityPolicies: [{ name: "inline", policy: identityPolicy }],
            serviceControlPolicies: [],
            resourceControlPolicies: [],
            ...(vpcEndpointPolicy ? { vpcEndpointPolicies: [{ name: "endpoint", policy: vpcEndpointPolicy }] } : {}),
        },
        {},
    );
    if (result.resultType === "error") throw new Error(`simulation of ${action} on ${resource} failed: ${JSON.stringify(result.errors)}`);
    return result.overallResult;
}

const productionConfig = readStackConfig("production");
const productionAws = JSON.parse(productionConfig.config["fraud-platform:aws"]) as Record<string, unknown>;
/** The committed production config with some top-level keys replaced (values as the CLI hands them over). */
const loadProduction = (replaced: Record<string, unknown>) =>
    loadEnvironmentSpec({
        project: productionConfig.project,
        stack: "production",
        values: { ...productionConfig.config, ...Object.fromEntries(Object.entries(replaced).map(([key, value]) => [`fraud-platform:${key}`, JSON.stringify(value)])) },
        secretKeys: new Set(productionConfig.secretKeys),
    });

describe("aws production: least privilege, verified TLS, edge and audit (issue 10)", () => {
    let production: Preview;
    before(async () => {
        production = await updateStack("production", { ...deployable("production"), releaseVersion: "v1.4.2" });
    });

    const secretValueOf = (arn: string) => {
        const secret = production.ofType("aws:secretsmanager/secret:Secret").find((s) => arn.includes(`:secret:${s.name}-`));
        const version = production.ofType(t.secretVersion).find((v) => v.parent === secret?.urn);
        return reveal(version?.inputs.secretString) as string;
    };
    const containerSecrets = (definition: RecordedResource) =>
        (JSON.parse(inputsOf<{ containerDefinitions: string }>(definition).containerDefinitions) as { secrets: { name: string; valueFrom: string }[]; environment: { name: string; value: string }[] }[])[0];

    describe("database roles and verified TLS", () => {
        it("lets RDS manage the master password, so it is neither in the program's state nor in any container", () => {
            const instance = inputsOf<{ manageMasterUserPassword?: boolean; password?: string; username: string; caCertIdentifier: string }>(production.named("-db-postgres", t.rds));
            expect(instance.manageMasterUserPassword).to.equal(true);
            expect(instance.password).to.equal(undefined);
            const master = instance.username;
            for (const definition of production.ofType(t.taskDefinition)) {
                for (const secret of containerSecrets(definition).secrets) {
                    const value = secretValueOf(secret.valueFrom);
                    expect(value, `${definition.name} ${secret.name}`).to.be.a("string");
                    expect(value.startsWith(`postgresql://${master}:`), `${definition.name} ${secret.name} logs in as the master user`).to.equal(false);
                }
            }
            // No role a container runs with may read an RDS-managed (rds!…) secret.
            for (const name of ["-app-execution", "-app-task"]) {
                const resources = policyOf(production.named(name, t.rolePolicy)).Statement.flatMap((s) => s.Resource ?? []);
                expect(resources.some((r) => r.includes(":secret:rds!")), name).to.equal(false);
            }
        });

        it("gives the app a read/write role and the migration the schema owner, both over verify-full TLS against the pinned RDS CA", () => {
            const instance = inputsOf<{ username: string; dbName: string; caCertIdentifier: string }>(production.named("-db-postgres", t.rds));
            expect(instance.caCertIdentifier).to.equal("rds-ca-rsa2048-g1");
            const roles = databaseRoles(instance.dbName, instance.username, 0);
            expect(roles).to.deep.include({ migrator: "fraud_migrator", app: "fraud_rw", activeLogin: "fraud_app_1" });
            const api = production.ofType(t.taskDefinition).find((d) => d.name.endsWith("-app-api-task"))!;
            const migrate = production.ofType(t.taskDefinition).find((d) => d.name.endsWith("-app-migrate-task"))!;
            const urlOf = (definition: RecordedResource) => new URL(secretValueOf(containerSecrets(definition).secrets.find((s) => s.name === "DATABASE_URL")!.valueFrom));
            for (const [definition, user] of [[api, roles.activeLogin], [migrate, roles.migrator]] as const) {
                const url = urlOf(definition);
                expect(url.username, definition.name).to.equal(user);
                expect(url.searchParams.get("sslmode")).to.equal("verify-full");
                expect(url.searchParams.get("sslrootcert")).to.equal("/etc/ssl/certs/rds-global-bundle.pem");
            }
            // The role setup runs as the program's step, reading the URLs' passwords and the RDS-managed master secret.
            const invocation = inputsOf<{ input: string }>(production.named("-app-db-roles-run", t.invocation));
            expect(JSON.parse(invocation.input)).to.include({ appRole: roles.app, schema: "public" });
            const setup = policyOf(production.named("-app-db-roles-fn", t.rolePolicy));
            const master = setup.Statement.find((s) => s.Sid === "ReadMasterSecret")!;
            expect(master.Condition?.StringEquals["secretsmanager:ResourceTag/aws:rds:primaryDBInstanceArn"]).to.match(/^arn:aws:rds:us-east-1:\d{12}:db:/);
        });

        it("grants the app role reads and writes and the migrator the schema, idempotently", () => {
            const sql = roleStatements({ schema: "public", migratorRole: "fraud_migrator", migratorPassword: "m'1", appRole: "fraud_app", appLogin: "fraud_app_1", appPassword: "a1" }).join(";\n");
            expect(sql).to.include(`ALTER SCHEMA "public" OWNER TO "fraud_migrator"`);
            expect(sql).to.include(`GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA "public" TO "fraud_app"`);
            expect(sql).to.include(`ALTER DEFAULT PRIVILEGES FOR ROLE "fraud_migrator" IN SCHEMA "public" GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO "fraud_app"`);
            expect(sql).to.include(`GRANT "fraud_app" TO "fraud_app_1"`);
            // A quote in a password cannot end the literal; the app's group role never logs in.
            expect(sql).to.include(`PASSWORD 'm''1'`);
            expect(sql).to.match(/CREATE ROLE "fraud_app" NOLOGIN/);
            expect(sql).to.not.match(/GRANT [^;]*(CREATE|TRUNCATE|ALL PRIVILEGES)[^;]*TO "fraud_app"/);
            expect(credentialsOf("postgresql://fraud_app_2:p-._~@db.example:5432/fraud?sslmode=verify-full")).to.deep.equal({ user: "fraud_app_2", password: "p-._~" });
        });

        it("rotates the app's password by config: the app moves to its other login, so running tasks keep theirs until the release", () => {
            const specAt = (rotation: unknown) => loadProduction({ aws: { ...productionAws, databasePasswordRotation: rotation } });
            expect(specAt(1).aws.databasePasswordRotation).to.equal(1);
            const logins = [0, 1, 2].map((n) => databaseRoles("fraud", "fraud_admin", specAt(n).aws.databasePasswordRotation).activeLogin);
            expect(logins).to.deep.equal(["fraud_app_1", "fraud_app_2", "fraud_app_1"]);
            // The login is in every container's environment: a rotation changes the task definitions, and the release replaces every task.
            for (const definition of production.ofType(t.taskDefinition).filter((d) => !d.name.endsWith("-migrate-task"))) {
                expect(containerSecrets(definition).environment, definition.name).to.deep.include({ name: "DATABASE_LOGIN", value: "fraud_app_1" });
            }
            expect(() => specAt(-1)).to.throw(ConfigValidationError, /databasePasswordRotation/);
            expect(() => databaseRoles("fraud", "fraud_rw", 0)).to.throw(/database\.user fraud_rw/);
        });

        it("has the cache client verify ElastiCache's certificate and host name", () => {
            const url = new URL(reveal(production.outputs.cacheUrl) as string);
            expect(url.protocol).to.equal("rediss:");
            expect(url.searchParams.get("ssl_cert_reqs")).to.equal("required");
            expect(url.searchParams.get("ssl_check_hostname")).to.equal("true");
        });
    });

    describe("IAM", () => {
        it("gives no role the right to re-weight the load balancer: only the stack (the release path) moves api traffic", () => {
            // ECS deploys the api slots ROLLING and only registers tasks in their own groups, which needs no role of ours.
            for (const rolePolicy of production.ofType(t.rolePolicy)) {
                const actions = policyOf(rolePolicy).Statement.flatMap((statement) => statement.Action);
                expect(actions, rolePolicy.name).to.not.include.members(["elasticloadbalancing:ModifyRule"]);
                expect(actions, rolePolicy.name).to.not.include.members(["elasticloadbalancing:ModifyListener"]);
            }
            expect(production.ofType(t.role).map((r) => r.name).filter((name) => name.includes("lb-infrastructure"))).to.deep.equal([]);
        });

        it("lets the task role read the models bucket and invoke the configured model, and nothing else (IAM simulation)", async () => {
            const task = policyOf(production.named("-app-task", t.rolePolicy));
            const models = production.ofType(t.bucket).find((b) => b.name.endsWith("-app-models"))!;
            const modelsName = inputsOf<{ bucket?: string }>(models).bucket ?? (reveal(production.outputs.modelsBucket) as string | undefined);
            const modelsBucket = task.Statement[0].Resource![0].replace(/^arn:aws:s3:::/, "").replace(/\/\*$/, "");
            if (modelsName !== undefined) expect(modelsBucket).to.equal(modelsName);
            const bedrockEndpoint = policyOf(production.ofType(t.endpoint).find((e) => e.name.endsWith("-bedrock-runtime"))!);
            const databaseSecret = production.ofType("aws:secretsmanager/secret:Secret").find((s) => s.name.endsWith("-app-database-url"))!;

            expect(await decide("s3:GetObject", `arn:aws:s3:::${modelsBucket}/fraud/v3.onnx`, task)).to.equal("Allowed");
            expect(await decide("bedrock:InvokeModel", modelArn, task, bedrockEndpoint)).to.equal("Allowed");

            expect(await decide("s3:GetObject", "arn:aws:s3:::someone-elses-bucket/secrets.csv", task)).to.equal("ImplicitlyDenied");
            expect(await decide("s3:PutObject", `arn:aws:s3:::${modelsBucket}/fraud/v3.onnx`, task)).to.equal("ImplicitlyDenied");
            expect(await decide("bedrock:InvokeModel", "arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-opus-20240229-v1:0", task)).to.equal("ImplicitlyDenied");
            expect(await decide("secretsmanager:GetSecretValue", `arn:aws:secretsmanager:us-east-1:${account}:secret:${databaseSecret.name}-AbCdEf`, task)).to.equal("ImplicitlyDenied");
            expect(await decide("secretsmanager:GetSecretValue", `arn:aws:secretsmanager:us-east-1:${account}:secret:rds!db-0c5c8a3e-1d2f-4b7a-9e1f-2a3b4c5d6e7f-AbCdEf`, task)).to.equal("ImplicitlyDenied");
            // Even a broader identity grant gets no other model through the VPC endpoint.
            const anyModel: PolicyDocument = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: ["bedrock:InvokeModel"], Resource: ["*"] }] };
            const otherModel = "arn:aws:bedrock:us-east-1::foundation-model/amazon.titan-text-express-v1";
            expect(await decide("bedrock:InvokeModel", otherModel, anyModel, bedrockEndpoint)).to.not.equal("Allowed");
        });
    });

    describe("network", () => {
        it("reaches Bedrock through an interface endpoint in the private subnets, with its own group and an InvokeModel-only policy", () => {
            const endpoint = production.ofType(t.endpoint).find((e) => e.name.endsWith("-bedrock-runtime"))!;
            const inputs = inputsOf<{ serviceName: string; vpcEndpointType: string; subnetIds: string[]; securityGroupIds: string[]; privateDnsEnabled: boolean }>(endpoint);
            expect(inputs).to.include({ serviceName: "com.amazonaws.us-east-1.bedrock-runtime", vpcEndpointType: "Interface", privateDnsEnabled: true });
            const privateSubnets = production.ofType("aws:ec2/subnet:Subnet").filter((s) => s.name.includes("-private-")).map(idOf);
            expect(inputs.subnetIds).to.have.members(privateSubnets);
            const group = production.named("-sg-bedrock", t.securityGroup);
            expect(inputs.securityGroupIds).to.deep.equal([idOf(group)]);
            const ingress = production.ofType(t.ingress).map((r) => inputsOf<{ securityGroupId: string; fromPort: number; referencedSecurityGroupId?: string; cidrIpv4?: string }>(r)).filter((r) => r.securityGroupId === idOf(group));
            expect(ingress.map((r) => [r.fromPort, r.referencedSecurityGroupId, r.cidrIpv4])).to.deep.equal([[443, idOf(production.named("-sg-tasks", t.securityGroup)), undefined]]);
            expect(policyOf(endpoint).Statement).to.deep.equal([{ Sid: "InvokeConfiguredModel", Effect: "Allow", Principal: "*", Action: ["bedrock:InvokeModel"], Resource: [modelArn] }]);
            const api = production.ofType(t.taskDefinition).find((d) => d.name.endsWith("-app-api-task"))!;
            expect(containerSecrets(api).environment).to.deep.include({ name: "BEDROCK_ENDPOINT_URL", value: "https://bedrock-runtime.us-east-1.amazonaws.com" });
        });

        it("keeps interface endpoints to what the stack uses (no ECR while images come from ghcr.io; logs and secrets by config) and limits the S3 gateway to the stack's buckets", () => {
            const services = production.ofType(t.endpoint).map((e) => inputsOf<{ serviceName: string }>(e).serviceName.replace("com.amazonaws.us-east-1.", ""));
            expect(services).to.have.members(["s3", "bedrock-runtime"]);
            expect(interfaceEndpointServices(["123456789012.dkr.ecr.us-east-1.amazonaws.com/fraud-api:1.4.2", "ghcr.io/dygsom/fraud-ml:1"], false)).to.deep.equal(["ecr.api", "ecr.dkr"]);
            expect(interfaceEndpointServices(["ghcr.io/dygsom/fraud-ml:1"], true)).to.deep.equal(["logs", "secretsmanager"]);

            const s3 = policyOf(production.ofType(t.endpoint).find((e) => e.name.endsWith("-s3"))!);
            const resources = s3.Statement.flatMap((s) => s.Resource ?? []);
            expect(resources.every((r) => /^arn:aws:s3:::(fraud-production-app-models-[0-9a-f]+|prod-us-east-1-starport-layer-bucket)(\/\*)?$/.test(r)), resources.join(", ")).to.equal(true);
        });

        it("logs every flow in the VPC, kept 90 days", () => {
            const [flowLog] = production.ofType(t.flowLog);
            const inputs = inputsOf<{ trafficType: string; logDestinationType: string; logDestination: string }>(flowLog);
            expect(inputs).to.include({ trafficType: "ALL", logDestinationType: "cloud-watch-logs" });
            const group = production.ofType(t.logGroup).find((g) => inputsOf<{ name?: string }>(g).name === "/vpc/fraud-platform-production/flow-logs")!;
            expect(inputsOf<{ retentionInDays: number }>(group).retentionInDays).to.equal(90);
        });
    });

    describe("edge, audit and cost", () => {
        it("puts a WAF web ACL on the load balancer: managed rule groups, a per-IP limit and seed 002's 10 logins a minute", () => {
            const acl = production.named("-app-edge-acl", t.webAcl);
            interface Rule {
                name: string;
                action?: Record<string, object>;
                overrideAction?: Record<string, object>;
                statement: {
                    rateBasedStatement?: { limit: number; evaluationWindowSec: number; aggregateKeyType: string; scopeDownStatement?: { byteMatchStatement: { searchString: string } } };
                    managedRuleGroupStatement?: { name: string };
                };
            }
            const { rules, scope } = inputsOf<{ rules: Rule[]; scope: string }>(acl);
            expect(scope).to.equal("REGIONAL");
            const rule = (name: string) => rules.find((r) => r.name === name)!;
            expect(rule("rate-per-ip").statement.rateBasedStatement).to.deep.include({ limit: 2000, evaluationWindowSec: 300, aggregateKeyType: "IP" });
            const login = rule("login-rate-per-ip").statement.rateBasedStatement!;
            expect(login).to.deep.include({ limit: 10, evaluationWindowSec: 60, aggregateKeyType: "IP" });
            expect(login.scopeDownStatement?.byteMatchStatement.searchString).to.equal("/api/auth/login");
            expect(rules.map((r) => r.statement.managedRuleGroupStatement?.name).filter(Boolean)).to.have.members(["AWSManagedRulesCommonRuleSet", "AWSManagedRulesKnownBadInputsRuleSet"]);
            expect(rule("rate-per-ip").action).to.deep.equal({ block: {} });

            const association = inputsOf<{ resourceArn: string; webAclArn: string }>(production.ofType(t.webAclAssociation)[0]);
            expect(association.resourceArn).to.match(/^arn:aws:elasticloadbalancing:us-east-1:\d{12}:loadbalancer\/app\//);
            const logging = inputsOf<{ logDestinationConfigs: string[] }>(production.ofType(t.webAclLogging)[0]);
            const wafLogs = production.ofType(t.logGroup).find((g) => (inputsOf<{ name?: string }>(g).name ?? "").startsWith("aws-waf-logs-"))!;
            expect(inputsOf<{ retentionInDays: number }>(wafLogs).retentionInDays).to.equal(90);
            expect(logging.logDestinationConfigs).to.have.length(1);

            // count mode for a first rollout: nothing blocked, everything counted.
            expect(wafActions("count")).to.deep.equal({ action: { count: {} }, overrideAction: { count: {} } });
            expect(wafActions("block")).to.deep.equal({ action: { block: {} }, overrideAction: { none: {} } });
        });

        it("does not serve /metrics from the internet", () => {
            const rule = production.named("-app-lb-no-metrics", t.listenerRule);
            const inputs = inputsOf<{ priority: number; conditions: { pathPattern: { values: string[] } }[]; actions: { type: string; fixedResponse: { statusCode: string } }[] }>(rule);
            const apiRule = inputsOf<{ priority: number }>(production.named("-app-lb-api", t.listenerRule));
            expect(inputs.priority).to.be.lessThan(apiRule.priority);
            expect(inputs.conditions[0].pathPattern.values).to.include("/metrics");
            expect(inputs.actions[0]).to.deep.include({ type: "fixed-response" });
            expect(inputs.actions[0].fixedResponse.statusCode).to.equal("404");
        });

        it("logs access to the models bucket into a bucket of its own", () => {
            const models = production.ofType(t.bucket).find((b) => b.name.endsWith("-app-models"))!;
            const logs = production.ofType(t.bucket).find((b) => b.name.endsWith("-app-models-access-logs"))!;
            const logging = production.ofType(t.bucketLogging).find((l) => l.parent === production.byUrn(models.parent!).urn)!;
            expect(inputsOf<{ bucket: string; targetBucket: string; targetPrefix: string }>(logging)).to.deep.include({ bucket: idOf(models), targetBucket: idOf(logs), targetPrefix: "models/" });
        });

        it("alerts at 80 % and 100 % of the monthly budget through the alert topic, which lets AWS Budgets publish", () => {
            const budget = inputsOf<{ limitAmount: string; timeUnit: string; notifications: { threshold: number; notificationType: string; subscriberSnsTopicArns: string[] }[] }>(production.ofType(t.budget)[0]);
            expect(budget).to.include({ limitAmount: "1000.00", timeUnit: "MONTHLY" });
            expect(budget.notifications.map((n) => [n.threshold, n.notificationType])).to.have.deep.members([[80, "ACTUAL"], [80, "FORECASTED"], [100, "ACTUAL"]]);
            const topicArn = budget.notifications[0].subscriberSnsTopicArns[0];
            const topicPolicy = production.ofType(t.topicPolicy).find((p) => inputsOf<{ arn: string }>(p).arn === topicArn)!;
            expect(policyOf(topicPolicy).Statement.some((s) => s.Principal !== "*" && s.Principal?.Service === "budgets.amazonaws.com")).to.equal(true);
        });

        it("runs the cache on Valkey 7.2 by default, and on Redis OSS by config", () => {
            const group = inputsOf<{ engine: string; engineVersion: string; numCacheClusters: number }>(production.ofType(t.redis)[0]);
            expect(group).to.include({ engine: "valkey", engineVersion: "7.2", numCacheClusters: 3 });
            expect(inputsOf<{ family: string }>(production.ofType(t.cacheParams)[0]).family).to.equal("valkey7");
            expect(cacheEngineVersion("redis", "7")).to.deep.equal({ engine: "redis", version: "7.1", family: "redis7" });
            const problems = (replaced: Record<string, unknown>) => {
                try {
                    loadProduction(replaced);
                    return "";
                } catch (error) {
                    if (error instanceof ConfigValidationError) return error.message;
                    throw error;
                }
            };
            expect(problems({ cache: { engineVersion: "6.2" } })).to.match(/cache\.engineVersion[\s\S]*aws\.cacheEngine/);
            expect(loadProduction({ cache: { engineVersion: "6.2" }, aws: { ...productionAws, cacheEngine: "redis" } }).aws.cacheEngine).to.equal("redis");
        });
    });
});
