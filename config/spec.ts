import type * as pulumi from "@pulumi/pulumi";
import type { AwsSettings } from "./aws";
import type { DigitalOceanSettings } from "./digitalocean";
import type { DockerSettings } from "./docker";
import type { RolloutSettings } from "./rollout";
import type { BackendKind, EnvironmentName, ServiceName, StackConfig, ThresholdsSpec, MetricNamesSpec } from "./schema";

/** How a service is probed. All fields resolved; seconds unless named otherwise. */
export interface HealthCheckSpec {
    /** Readiness path probed by the load balancer or platform, e.g. `/health/ready`. */
    path: string;
    /** Liveness path probed by the container's own health check, e.g. `/health/live`. */
    livenessPath: string;
    intervalSeconds: number;
    timeoutSeconds: number;
    healthyThreshold: number;
    unhealthyThreshold: number;
    /** Grace period after start before failures count. */
    startPeriodSeconds: number;
}

export interface AutoscalingSpec {
    minCount: number;
    maxCount: number;
    /** Target average CPU utilisation, percent. */
    cpuTargetPercent: number;
}

/** One application service (api, worker or ml), with role defaults applied. */
export interface ServiceSpec {
    name: ServiceName;
    /** Image reference with a tag or digest. */
    image: string;
    /** Port the process listens on (HTTP; the worker serves only health and metrics there). */
    port: number;
    /** CPU units, 1024 = one vCPU. */
    cpu: number;
    /** Memory, MiB. */
    memory: number;
    /** Desired instance count (the autoscaler's starting point when autoscaling is set). */
    count: number;
    /** Whether the service takes traffic from outside the environment (only the api does). */
    public: boolean;
    healthCheck: HealthCheckSpec;
    command?: string[];
    /** Plain (non-secret) environment variables. */
    env: Record<string, string>;
    autoscaling?: AutoscalingSpec;
}

export interface DatabaseSpec {
    engineVersion: string;
    size?: string;
    storageGb: number;
    maxStorageGb: number;
    backupRetentionDays: number;
    /** Daily backup window, UTC `HH:MM-HH:MM`. */
    backupWindow: string;
    /** Weekly maintenance window, UTC `ddd:HH:MM-ddd:HH:MM`. */
    maintenanceWindow: string;
    /** Standby in another zone with automatic failover. */
    highAvailability: boolean;
    name: string;
    user: string;
}

export interface CacheSpec {
    engineVersion: string;
    /** Total nodes: one primary plus replicas. */
    nodeCount: number;
    size?: string;
    snapshotRetentionDays: number;
    /** Daily snapshot window, UTC `HH:MM-HH:MM`. */
    snapshotWindow: string;
    evictionPolicy: StackConfig["cache"]["evictionPolicy"];
}

export interface MonitoringSpec {
    alertEmails: string[];
    /** Secret output. */
    slackWebhookUrl?: pulumi.Output<string>;
    /** Secret output. */
    pagerDutyIntegrationKey?: pulumi.Output<string>;
    thresholds: ThresholdsSpec;
    /** The app's metric names the alerts and dashboards read. */
    metrics: MetricNamesSpec;
}

type Enabled<T> = Omit<T, "enabled"> & { enabled: boolean };

/** The docker backend's settings with the environment's defaults applied. */
export type DockerSpec = Omit<DockerSettings, "loadBalancer" | "tracing" | "volumeBackups" | "monitoringHostAddress"> & {
    loadBalancer: Enabled<DockerSettings["loadBalancer"]>;
    tracing: Enabled<DockerSettings["tracing"]>;
    volumeBackups: { enabled: boolean; retentionDays: number };
    /** Where the monitoring UIs bind: monitoringHostAddress, else hostAddress. */
    monitoringHostAddress: string;
    credentialSeed?: pulumi.Output<string>;
    /** Secret outputs: the load balancer's certificate and key from config; unset, a self-signed pair is generated. */
    tls?: { certificate: pulumi.Output<string>; privateKey: pulumi.Output<string> };
};

/** The whole stack, validated and resolved. Everything below the config edge reads only this. */
export interface EnvironmentSpec {
    project: string;
    stack: string;
    environment: EnvironmentName;
    backend: BackendKind;
    /** The release being deployed, normalised without the `v` (e.g. `1.4.2`), when config sets one. */
    releaseVersion?: string;
    /** Whether databases, caches, volumes and buckets carry `protect`. */
    protect: boolean;
    services: Record<ServiceName, ServiceSpec>;
    database: DatabaseSpec;
    cache: CacheSpec;
    monitoring: MonitoringSpec;
    aws: AwsSettings;
    digitalocean: DigitalOceanSettings & {
        /**
         * Pull credentials for private images, `<username>:<token>`, from the secret keys `ghcrCredentials`
         * and `dockerHubCredentials`; the app spec carries them as secrets.
         */
        registryCredentials?: { ghcr?: string; dockerHub?: string };
    };
    /** `credentialSeed` (secret) from the top-level key of that name; required on the docker backend. */
    docker: DockerSpec;
    /** Seed 003's rollout: stages, smoke tests and where the release stands (which slot serves what). */
    rollout: RolloutSettings;
    /** Tags every taggable resource carries. */
    tags: Record<string, string>;
}
