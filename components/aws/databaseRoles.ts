import * as fs from "node:fs";
import * as path from "node:path";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { assumeRolePolicy, awsOptions, policyDocument, type AwsContext } from "./context";
import type { DatabaseRoles } from "./database";

export interface DatabaseRoleSetupArgs {
    /** The instance: its identifier (to ask RDS for its master secret) and ARN (which scopes that secret). */
    instance: aws.rds.Instance;
    roles: DatabaseRoles;
    /** The secrets holding the app's and the migration step's URLs: the passwords the roles are given. */
    appUrlSecret: { arn: pulumi.Input<string>; version: aws.secretsmanager.SecretVersion };
    migrationUrlSecret: { arn: pulumi.Input<string>; version: aws.secretsmanager.SecretVersion };
    subnetIds: pulumi.Input<string>[];
    securityGroupId: pulumi.Input<string>;
}

/**
 * The packages a package needs at run time (its `dependencies`, recursively), read from node_modules: the
 * role function ships `pg` and what it requires.
 */
export function runtimeClosure(root: string, name: string, seen = new Set<string>()): Set<string> {
    if (seen.has(name)) return seen;
    seen.add(name);
    const manifest = JSON.parse(fs.readFileSync(path.join(root, "node_modules", name, "package.json"), "utf8")) as { dependencies?: Record<string, string> };
    for (const dependency of Object.keys(manifest.dependencies ?? {})) runtimeClosure(root, dependency, seen);
    return seen;
}

/**
 * Creates the app's PostgreSQL roles (components/aws/lambda/databaseRoles.mjs) as the master user, from a
 * function in the private subnets, run by the program whenever a role's password changes. Only this
 * function may read the master secret RDS manages; no container ever receives it.
 */
export class DatabaseRoleSetup extends pulumi.ComponentResource {
    readonly invocation: aws.lambda.Invocation;
    readonly role: aws.iam.Role;

    constructor(name: string, ctx: AwsContext, args: DatabaseRoleSetupArgs, opts: pulumi.ComponentResourceOptions) {
        super("fraud-platform:aws:DatabaseRoleSetup", name, {}, opts);
        const options = (extra: pulumi.CustomResourceOptions = {}) => awsOptions(ctx, this, extra);

        const logs = new aws.cloudwatch.LogGroup(`${name}-logs`, { retentionInDays: ctx.spec.aws.logRetentionDays }, options());
        this.role = new aws.iam.Role(
            `${name}-fn`,
            { description: "Creates the app's PostgreSQL roles as the RDS master user", assumeRolePolicy: assumeRolePolicy(ctx, "lambda.amazonaws.com") },
            options(),
        );
        const masterSecrets = pulumi.interpolate`arn:${ctx.partition}:secretsmanager:${ctx.region}:${ctx.accountId}:secret:rds!db-*`;
        const policy = new aws.iam.RolePolicy(
            `${name}-fn`,
            {
                role: this.role.id,
                policy: policyDocument([
                    { Sid: "FindMasterSecret", Effect: "Allow", Action: ["rds:DescribeDBInstances"], Resource: [args.instance.arn] },
                    {
                        // RDS names its managed secrets rds!db-<uuid> and tags them with the instance they belong to
                        // (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/rds-secrets-manager.html): this
                        // instance's master secret, and no other.
                        Sid: "ReadMasterSecret",
                        Effect: "Allow",
                        Action: ["secretsmanager:GetSecretValue"],
                        Resource: [masterSecrets],
                        Condition: { StringEquals: { "secretsmanager:ResourceTag/aws:rds:primaryDBInstanceArn": args.instance.arn } },
                    },
                    { Sid: "ReadRolePasswords", Effect: "Allow", Action: ["secretsmanager:GetSecretValue"], Resource: [args.appUrlSecret.arn, args.migrationUrlSecret.arn] },
                    { Sid: "WriteLogs", Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: [pulumi.interpolate`${logs.arn}:log-stream:*`] },
                    {
                        // What a function in a VPC needs for its network interfaces (AWSLambdaVPCAccessExecutionRole's
                        // actions); Lambda creates them before it knows their ids, so they cannot be named.
                        Sid: "AttachToVpc",
                        Effect: "Allow",
                        Action: [
                            "ec2:AssignPrivateIpAddresses",
                            "ec2:CreateNetworkInterface",
                            "ec2:DeleteNetworkInterface",
                            "ec2:DescribeNetworkInterfaces",
                            "ec2:DescribeSubnets",
                            "ec2:UnassignPrivateIpAddresses",
                        ],
                        Resource: ["*"],
                    },
                ]),
            },
            awsOptions(ctx, this.role),
        );

        const projectRoot = path.join(__dirname, "..", "..");
        const modules = Object.fromEntries(
            [...runtimeClosure(projectRoot, "pg")].map((module) => [`node_modules/${module}`, new pulumi.asset.FileArchive(path.join(projectRoot, "node_modules", module))]),
        );
        const fn = new aws.lambda.Function(
            `${name}-fn`,
            {
                description: "Creates and updates the app's PostgreSQL roles (migrator owns the schema, app reads and writes)",
                runtime: "nodejs22.x",
                architectures: ["arm64"],
                handler: "index.handler",
                code: new pulumi.asset.AssetArchive({ "index.mjs": new pulumi.asset.FileAsset(path.join(__dirname, "lambda", "databaseRoles.mjs")), ...modules }),
                role: this.role.arn,
                timeout: 60,
                memorySize: 256,
                vpcConfig: { subnetIds: args.subnetIds, securityGroupIds: [args.securityGroupId] },
                // The runtime's Amazon CA bundle, RDS's CAs included, so the connection verifies the server:
                // https://docs.aws.amazon.com/lambda/latest/dg/lambda-nodejs.html (NODE_EXTRA_CA_CERTS=/var/runtime/ca-cert.pem).
                environment: { variables: { NODE_EXTRA_CA_CERTS: "/var/runtime/ca-cert.pem" } },
                loggingConfig: { logFormat: "Text", logGroup: logs.name },
            },
            options({ dependsOn: [policy] }),
        );

        this.invocation = new aws.lambda.Invocation(
            `${name}-run`,
            {
                functionName: fn.name,
                input: pulumi.jsonStringify({
                    dbInstanceIdentifier: args.instance.identifier,
                    host: args.instance.address,
                    port: args.instance.port,
                    database: args.instance.dbName,
                    schema: args.roles.schema,
                    appRole: args.roles.app,
                    appUrlSecretArn: args.appUrlSecret.arn,
                    migratorUrlSecretArn: args.migrationUrlSecret.arn,
                }),
                // A new password (a new secret version) runs the setup again.
                triggers: { appPassword: args.appUrlSecret.version.versionId, migratorPassword: args.migrationUrlSecret.version.versionId },
            },
            options({ dependsOn: [args.instance, args.appUrlSecret.version, args.migrationUrlSecret.version] }),
        );
        this.registerOutputs({ functionName: fn.name });
    }
}
