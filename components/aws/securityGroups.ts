import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { awsOptions, type AwsContext } from "./context";
import type { Network } from "./network";

export const postgresPort = 5432;
export const redisPort = 6379;
const httpsPort = 443;
const httpPort = 80;
const anywhere = "0.0.0.0/0";

/**
 * Who may talk to whom. The internet reaches only the load balancer (443, and 80 which redirects
 * or, without a certificate, serves); the load balancer reaches only the api port of the tasks;
 * PostgreSQL, Redis, the ml service and the VPC endpoints admit only the tasks' group (and PostgreSQL and
 * the endpoints the database role setup function's).
 */
export class SecurityGroups extends pulumi.ComponentResource {
    readonly loadBalancer: aws.ec2.SecurityGroup;
    /** Every task carries this group; it is the identity the database, cache, ml and endpoints admit. */
    readonly tasks: aws.ec2.SecurityGroup;
    /** Carried by ml tasks in addition to `tasks`: admits the other tasks on the ml port. */
    readonly ml: aws.ec2.SecurityGroup;
    readonly database: aws.ec2.SecurityGroup;
    readonly cache: aws.ec2.SecurityGroup;
    readonly endpoints: aws.ec2.SecurityGroup;
    /** The Bedrock runtime endpoint's own group: HTTPS from the tasks, nothing else. */
    readonly bedrock: aws.ec2.SecurityGroup;
    /** The function that creates the database roles: reaches PostgreSQL and AWS APIs only. */
    readonly databaseAdmin: aws.ec2.SecurityGroup;

    constructor(name: string, ctx: AwsContext, network: Network, opts: pulumi.ComponentResourceOptions) {
        super("fraud-platform:aws:SecurityGroups", name, {}, opts);
        const options = () => awsOptions(ctx, this);
        const apiPort = ctx.spec.services.api.port;
        const mlPort = ctx.spec.services.ml.port;
        const group = (role: string, description: string) =>
            new aws.ec2.SecurityGroup(`${name}-${role}`, { vpcId: network.vpcId, description, tags: { role } }, options());

        this.loadBalancer = group("alb", "Public load balancer: HTTPS (and HTTP) from the internet");
        this.tasks = group("tasks", "ECS tasks: the api port from the load balancer only");
        this.ml = group("ml", "ml tasks: the ml port from the other tasks only");
        this.database = group("db", "PostgreSQL: 5432 from the tasks only");
        this.cache = group("cache", "Redis: 6379 from the tasks only");
        this.endpoints = group("endpoints", "VPC interface endpoints: HTTPS from the tasks only");
        this.bedrock = group("bedrock", "Bedrock runtime endpoint: HTTPS from the tasks only");
        this.databaseAdmin = group("db-admin", "Database role setup function: PostgreSQL and AWS APIs");

        type Peer = { cidr: string } | { group: aws.ec2.SecurityGroup };
        // Ingress and egress rules take the same arguments; only the direction (the resource type) differs.
        const ruleArgs = (groupId: pulumi.Input<string>, port: number, peer: Peer, description: string) => ({
            securityGroupId: groupId,
            ipProtocol: "tcp",
            fromPort: port,
            toPort: port,
            description,
            ...("cidr" in peer ? { cidrIpv4: peer.cidr } : { referencedSecurityGroupId: peer.group.id }),
        });
        const ingress = (rule: string, groupId: pulumi.Input<string>, port: number, from: Peer, description: string) =>
            new aws.vpc.SecurityGroupIngressRule(`${name}-${rule}`, ruleArgs(groupId, port, from, description), options());
        const egress = (rule: string, groupId: pulumi.Input<string>, port: number, to: Peer, description: string) =>
            new aws.vpc.SecurityGroupEgressRule(`${name}-${rule}`, ruleArgs(groupId, port, to, description), options());

        // Internet → load balancer. Port 443 only exists with a certificate; port 80 redirects to it (or serves without one).
        if (ctx.spec.aws.certificateArn !== undefined) {
            ingress("alb-in-https", this.loadBalancer.id, httpsPort, { cidr: anywhere }, "HTTPS from the internet");
        }
        ingress("alb-in-http", this.loadBalancer.id, httpPort, { cidr: anywhere }, "HTTP from the internet (redirects to HTTPS when a certificate is set)");
        egress("alb-out-api", this.loadBalancer.id, apiPort, { group: this.tasks }, "To the api tasks");

        // Load balancer → api tasks.
        ingress("tasks-in-api", this.tasks.id, apiPort, { group: this.loadBalancer }, "The api port from the load balancer");
        // Tasks → the outside world over HTTPS only (image registries, Bedrock, AWS APIs through NAT or endpoints).
        egress("tasks-out-https", this.tasks.id, httpsPort, { cidr: anywhere }, "HTTPS to registries and AWS APIs");
        egress("tasks-out-postgres", this.tasks.id, postgresPort, { group: this.database }, "To PostgreSQL");
        egress("tasks-out-redis", this.tasks.id, redisPort, { group: this.cache }, "To Redis");
        egress("tasks-out-ml", this.tasks.id, mlPort, { group: this.ml }, "To the ml service");

        ingress("ml-in-tasks", this.ml.id, mlPort, { group: this.tasks }, "The ml port from the other tasks");
        ingress("db-in-tasks", this.database.id, postgresPort, { group: this.tasks }, "PostgreSQL from the tasks");
        ingress("cache-in-tasks", this.cache.id, redisPort, { group: this.tasks }, "Redis from the tasks");
        ingress("endpoints-in-tasks", this.endpoints.id, httpsPort, { group: this.tasks }, "AWS API endpoints from the tasks");
        ingress("bedrock-in-tasks", this.bedrock.id, httpsPort, { group: this.tasks }, "Bedrock runtime from the tasks");

        // The role setup function: PostgreSQL as the master user, Secrets Manager (endpoint) and RDS's API (NAT).
        egress("db-admin-out-postgres", this.databaseAdmin.id, postgresPort, { group: this.database }, "To PostgreSQL");
        egress("db-admin-out-https", this.databaseAdmin.id, httpsPort, { cidr: anywhere }, "HTTPS to Secrets Manager and RDS's API");
        ingress("db-in-db-admin", this.database.id, postgresPort, { group: this.databaseAdmin }, "PostgreSQL from the role setup function");
        ingress("endpoints-in-db-admin", this.endpoints.id, httpsPort, { group: this.databaseAdmin }, "AWS API endpoints from the role setup function");

        this.registerOutputs({});
    }
}
