import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { createHmac } from "node:crypto";
import * as random from "@pulumi/random";
import type { CacheSpec, DatabaseSpec, EnvironmentSpec, ServiceSpec } from "../../config";
import type {
    AppEndpoints,
    AppServiceArgs,
    CacheConnection,
    DatabaseConnection,
    EnvironmentBackend,
    MonitoringArgs,
    MonitoringEndpoints,
    Scope,
} from "../backend";
import { dailyAtBackupWindow, healthcheck, httpProbe, labels, logOptions, loopbackPort } from "./containers";
import type { DataServerArgs, DockerContext } from "./context";
import { edgeNetwork, loadBalancer, type EdgeNetwork } from "./loadBalancer";
import { internalPort } from "./nginxConfig";
import { redisWithSentinel, sentinelPort, type SentinelTopology } from "./redisSentinel";
import { tracing } from "./tracing";
import { volumeBackups } from "./volumeBackups";
import { alertCatalogue } from "../alerts/catalogue";
import { dashboardDirectory, grafanaDashboardProvider, grafanaDashboards } from "./dashboards";
import { alertRules, alertmanagerConfig, databaseVolumeMount, grafanaDatasource, prometheusConfig, type RuleInputs } from "./observability";

const postgresPort = 5432;
const redisPort = 6379;

/** What the app, the backups and tracing need of the cache, kept from createCache. */
interface RedisSetup {
    image: docker.RemoteImage;
    password: pulumi.Output<string>;
    /** Set when Redis runs with Sentinel (cache.nodeCount > 1). */
    sentinel?: SentinelTopology;
    /** The single node's alias, without Sentinel. */
    host: string;
}

/**
 * The environment seeds 000 and 002 run with Compose, on a local or remote Docker engine: PostgreSQL and Redis on
 * named volumes on an internal network, the app containers, Prometheus, Alertmanager and Grafana. Host ports bind
 * to loopback only. With cache.nodeCount > 1 Redis runs with Sentinel; in production (or where config turns them
 * on) nginx balances the api replicas with TLS and rate limits, Jaeger collects traces, and Redis and Grafana are
 * backed up. The self-hosted stack: docs/selfhosted.md.
 */
export class DockerBackend implements EnvironmentBackend, DockerContext {
    readonly kind = "docker" as const;
    /** Internal network: the data tier has no route out and no published ports. */
    readonly dataNetwork: docker.Network;
    /** The app and monitoring network. */
    readonly appNetwork: docker.Network;
    readonly labels: docker.types.input.ContainerLabel[];
    /** The engine's provider when `docker.engineHost` names one (an `ssh://` host); else the default provider. */
    private readonly provider?: docker.Provider;
    private redis?: RedisSetup;
    private edge?: { network: EdgeNetwork; balancer?: docker.Container };
    private readonly images = new Map<string, docker.RemoteImage>();
    private dataContainers: docker.Container[] = [];
    private appContainers = new Map<string, docker.Container[]>();
    private databaseVolume?: docker.Volume;
    private generatedSeed?: pulumi.Output<string>;

    constructor(
        readonly spec: EnvironmentSpec,
        private readonly scope: Scope,
    ) {
        this.labels = labels(spec.tags);
        if (spec.docker.engineHost !== undefined) {
            // Every docker resource goes through it: the stack's containers, volumes and networks live on that engine.
            this.provider = new docker.Provider(`${scope.name}-engine`, { host: spec.docker.engineHost }, { parent: scope.parent });
        }
        this.dataNetwork = new docker.Network(`${scope.name}-net-data`, {
            name: `${scope.name}-net-data`,
            driver: "bridge",
            internal: true,
            labels: this.labels,
        }, this.options(scope.parent));
        this.appNetwork = new docker.Network(`${scope.name}-net-app`, {
            name: `${scope.name}-net-app`,
            driver: "bridge",
            labels: this.labels,
        }, this.options(scope.parent));
    }

    options(parent: pulumi.Resource, extra: pulumi.CustomResourceOptions = {}): pulumi.CustomResourceOptions {
        return this.provider ? { parent, provider: this.provider, ...extra } : { parent, ...extra };
    }

    createDatabase(scope: Scope, spec: DatabaseSpec): DatabaseConnection {
        const password = this.stableSecret("postgres-password");
        const volume = this.volume(`${scope.name}-data`, scope.parent);
        this.databaseVolume = volume;
        const image = this.image(`postgres:${spec.engineVersion}-alpine`, scope.parent);
        const host = "postgres";
        const container = this.dataServer(scope, "postgres", {
            image,
            volume,
            dataPath: postgresDataMount(spec.engineVersion),
            port: postgresPort,
            hostPort: this.spec.docker.postgresHostPort,
            // Logs in over TCP with the password the app uses: a data directory initialised with another
            // password fails here, so `up` fails instead of starting an app that cannot connect.
            probe: `PGPASSWORD="$POSTGRES_PASSWORD" psql -h 127.0.0.1 -U ${spec.user} -d ${spec.name} -tAc 'select 1' | grep -q 1`,
            container: {
                envs: [
                    `POSTGRES_DB=${spec.name}`,
                    `POSTGRES_USER=${spec.user}`,
                    pulumi.interpolate`POSTGRES_PASSWORD=${password}`,
                ],
            },
        });
        this.databaseBackups(scope, spec, image, password, host, container);
        const url = pulumi.secret(pulumi.interpolate`postgresql://${spec.user}:${password}@${host}:${postgresPort}/${spec.name}?sslmode=disable`);
        return {
            host: pulumi.output(host),
            port: pulumi.output(postgresPort),
            database: pulumi.output(spec.name),
            user: pulumi.output(spec.user),
            password: pulumi.secret(password),
            url,
        };
    }

    createCache(scope: Scope, spec: CacheSpec): CacheConnection {
        const password = this.stableSecret("redis-password");
        if (spec.nodeCount > 1) {
            const sentinel = redisWithSentinel(this, scope, spec, password);
            this.dataContainers.push(...sentinel.containers.filter((c) => !this.dataContainers.includes(c)));
            this.redis = { image: sentinel.image, password, sentinel, host: sentinel.nodes[0] };
            return {
                host: pulumi.output(sentinel.sentinels.map((s) => s.split(":")[0]).join(",")),
                port: pulumi.output(sentinelPort),
                // The redis+sentinel form names the Sentinels, the master and the database; Sentinel-aware clients
                // take REDIS_SENTINELS, REDIS_SENTINEL_MASTER and REDIS_PASSWORD instead.
                url: pulumi.secret(pulumi.interpolate`redis+sentinel://:${password}@${sentinel.sentinels.join(",")}/${sentinel.masterName}/0`),
            };
        }
        const volume = this.volume(`${scope.name}-data`, scope.parent);
        const image = this.image(`redis:${spec.engineVersion}-alpine`, scope.parent);
        const host = "redis";
        // The password reaches redis-server through the environment, not argv, so `ps` does not show it.
        const server = [
            "exec redis-server",
            "--appendonly yes --appendfsync everysec",
            "--save 900 1 --save 300 10 --save 60 10000",
            `--maxmemory-policy ${spec.evictionPolicy}`,
            '--requirepass "$REDIS_PASSWORD"',
        ].join(" ");
        this.redis = { image, password, host };
        this.dataServer(scope, host, {
            image,
            volume,
            dataPath: "/data",
            port: redisPort,
            hostPort: this.spec.docker.redisHostPort,
            probe: 'redis-cli -a "$REDIS_PASSWORD" --no-auth-warning ping | grep -q PONG',
            container: {
                entrypoints: ["sh", "-c"],
                command: [server],
                envs: [pulumi.interpolate`REDIS_PASSWORD=${password}`],
                // The image's unprivileged redis user (uid 999 in the alpine image), not root.
                user: "redis",
            },
        });
        return {
            host: pulumi.output(host),
            port: pulumi.output(redisPort),
            url: pulumi.secret(pulumi.interpolate`redis://:${password}@${host}:${redisPort}/0`),
        };
    }

    createAppService(scope: Scope, args: AppServiceArgs): AppEndpoints {
        const { api, worker, ml } = args.services;
        const mlHost = "ml";
        const settings = this.spec.docker;
        const sentinel = this.redis?.sentinel;
        const shared: pulumi.Input<string>[] = [
            pulumi.interpolate`DATABASE_URL=${args.database.url}`,
            pulumi.interpolate`REDIS_URL=${args.cache.url}`,
            pulumi.interpolate`APP_SECRET_KEY=${args.appSecretKey}`,
            `ML_SERVICE_URL=http://${mlHost}:${ml.port}`,
            `ENVIRONMENT=${this.spec.environment}`,
            // Seed 002's clients find the master through Sentinel.
            ...(sentinel
                ? [`REDIS_SENTINELS=${sentinel.sentinels.join(",")}`, `REDIS_SENTINEL_MASTER=${sentinel.masterName}`, pulumi.interpolate`REDIS_PASSWORD=${sentinel.password}`]
                : []),
        ];
        const extra: docker.Container[] = [];
        if (settings.tracing.enabled) {
            const jaeger = tracing(this, scope, this.redis?.image ?? this.image("redis:7-alpine", scope.parent));
            shared.push(`OTEL_EXPORTER_OTLP_ENDPOINT=${jaeger.otlpEndpoint}`, "OTEL_EXPORTER_OTLP_PROTOCOL=grpc");
            extra.push(jaeger.container);
        }
        // ml first: the api and the worker call it.
        const mlContainers = this.serviceContainers(scope, ml, shared, extra);
        if (!settings.loadBalancer.enabled) {
            this.serviceContainers(scope, api, shared, [...extra, ...mlContainers]);
            this.serviceContainers(scope, worker, shared, [...extra, ...mlContainers]);
            const url = `http://${hostForUrl(settings.hostAddress)}:${settings.apiHostPort}`;
            return { url: pulumi.output(url), healthUrl: pulumi.output(`${url}${api.healthCheck.path}`) };
        }
        const edge = edgeNetwork(this, scope);
        const apiReplicas = this.serviceContainers(scope, api, shared, [...extra, ...mlContainers], edge);
        this.serviceContainers(scope, worker, shared, [...extra, ...mlContainers]);
        const balancer = loadBalancer(this, scope, { edge, apiReplicas, apiPort: api.port });
        this.edge = { network: edge, balancer };
        const lb = settings.loadBalancer;
        const url = `https://${lb.serverName}${lb.httpsPort === 443 ? "" : `:${lb.httpsPort}`}`;
        return { url: pulumi.output(url), healthUrl: pulumi.output(`${url}${api.healthCheck.path}`) };
    }

    createMonitoring(scope: Scope, args: MonitoringArgs): MonitoringEndpoints {
        const settings = this.spec.docker;
        const services = Object.values(this.spec.services);
        const appContainers = [...this.appContainers.values()].flat();
        const rules = dockerRuleInputs(this.spec);
        const nodeExporterHost = "node-exporter";
        const balancer = this.edge?.balancer;
        const targets = [
            ...services.map((s) => ({ job: s.name, hosts: this.replicaAliases(s), port: s.port })),
            { job: "node", hosts: [nodeExporterHost], port: 9100 },
            // The path users take: `up{job="edge"}` is 0 when nginx or every replica behind it is down. The app's own
            // series come from the api job; the copies this scrape reads through nginx are dropped.
            ...(balancer ? [{ job: edgeJob, hosts: ["lb"], port: internalPort, upOnly: true }] : []),
        ];
        const nodeExporter = this.nodeExporter(scope, nodeExporterHost);

        const alertmanagerHost = "alertmanager";
        const destinations = pulumi
            .all([args.monitoring.slackWebhookUrl, args.monitoring.pagerDutyIntegrationKey])
            .apply(([slackWebhookUrl, pagerDutyIntegrationKey]) => alertmanagerConfig({ slackWebhookUrl, pagerDutyIntegrationKey }));
        const alertmanagerImage = this.image("prom/alertmanager:v0.27.0", scope.parent);
        const alertmanager = new docker.Container(`${scope.name}-alertmanager`, {
            name: `${scope.name}-alertmanager`,
            image: alertmanagerImage.imageId,
            restart: "unless-stopped",
            command: ["--config.file=/etc/alertmanager/alertmanager.yml", "--storage.path=/alertmanager"],
            uploads: [{ file: "/etc/alertmanager/alertmanager.yml", content: pulumi.secret(destinations) }],
            networksAdvanced: [{ name: this.appNetwork.name, aliases: [alertmanagerHost] }],
            ports: [loopbackPort(settings.monitoringHostAddress, 9093, settings.alertmanagerHostPort)],
            healthcheck: healthcheck(["CMD", "wget", "-q", "--spider", "http://127.0.0.1:9093/-/healthy"], monitoringTiming),
            labels: this.labels,
            ...logOptions,
        }, this.options(scope.parent));

        const prometheusHost = "prometheus";
        const prometheusData = this.volume(`${scope.name}-prometheus-data`, scope.parent);
        const prometheusImage = this.image(settings.prometheusImage, scope.parent);
        const prometheus = new docker.Container(`${scope.name}-prometheus`, {
            name: `${scope.name}-prometheus`,
            image: prometheusImage.imageId,
            restart: "unless-stopped",
            command: ["--config.file=/etc/prometheus/prometheus.yml", "--storage.tsdb.path=/prometheus", "--storage.tsdb.retention.time=15d"],
            uploads: [
                { file: "/etc/prometheus/prometheus.yml", content: prometheusConfig(targets, alertmanagerHost) },
                { file: "/etc/prometheus/rules/fraud-api.yml", content: alertRules(rules) },
            ],
            mounts: [{ type: "volume", source: prometheusData.name, target: "/prometheus" }],
            networksAdvanced: [{ name: this.appNetwork.name, aliases: [prometheusHost] }],
            ports: [loopbackPort(settings.monitoringHostAddress, 9090, settings.prometheusHostPort)],
            healthcheck: healthcheck(["CMD", "wget", "-q", "--spider", "http://127.0.0.1:9090/-/healthy"], monitoringTiming),
            labels: this.labels,
            ...logOptions,
        }, this.options(scope.parent, { dependsOn: [alertmanager, nodeExporter, ...appContainers, ...(balancer ? [balancer] : [])] }));

        const grafanaPassword = this.stableSecret("grafana-admin-password");
        const grafanaData = this.volume(`${scope.name}-grafana-data`, scope.parent);
        const grafanaImage = this.image(settings.grafanaImage, scope.parent);
        const grafana = new docker.Container(`${scope.name}-grafana`, {
            name: `${scope.name}-grafana`,
            image: grafanaImage.imageId,
            restart: "unless-stopped",
            envs: [
                "GF_SECURITY_ADMIN_USER=admin",
                pulumi.interpolate`GF_SECURITY_ADMIN_PASSWORD=${grafanaPassword}`,
                "GF_USERS_ALLOW_SIGN_UP=false",
            ],
            uploads: [
                { file: "/etc/grafana/provisioning/datasources/prometheus.yaml", content: grafanaDatasource(prometheusHost) },
                { file: "/etc/grafana/provisioning/dashboards/fraud-platform.yaml", content: grafanaDashboardProvider() },
                // Seed 000's four dashboards, at /d/main, /d/api, /d/ml and /d/infra.
                ...Object.entries(grafanaDashboards(this.spec.monitoring.metrics, rules.catalogue, rules.apiJob)).map(([uid, content]) => ({ file: `${dashboardDirectory}/${uid}.json`, content })),
            ],
            mounts: [{ type: "volume", source: grafanaData.name, target: "/var/lib/grafana" }],
            networksAdvanced: [{ name: this.appNetwork.name, aliases: ["grafana"] }],
            ports: [loopbackPort(settings.monitoringHostAddress, 3000, settings.grafanaHostPort)],
            healthcheck: healthcheck(["CMD", "wget", "-q", "--spider", "http://127.0.0.1:3000/api/health"], monitoringTiming),
            labels: this.labels,
            ...logOptions,
        }, this.options(scope.parent, { dependsOn: [prometheus] }));
        if (settings.volumeBackups.enabled && this.redis) {
            volumeBackups(this, scope, {
                image: this.redis.image,
                redisPassword: this.redis.password,
                sentinels: this.redis.sentinel?.sentinels ?? [],
                masterName: this.redis.sentinel?.masterName ?? "",
                redisHost: this.redis.host,
                grafanaVolume: grafanaData,
                windowStart: this.spec.cache.snapshotWindow.split("-")[0],
                retentionDays: settings.volumeBackups.retentionDays,
                dependsOn: [grafana, ...this.dataContainers],
            });
        }

        const routes = [
            `critical: ${args.monitoring.pagerDutyIntegrationKey ? "pagerduty + " : ""}${args.monitoring.slackWebhookUrl ? "slack" : "no slack"}`,
            `warning: ${args.monitoring.slackWebhookUrl ? "slack" : "no slack"}`,
        ].join("; ");
        const configured = args.monitoring.slackWebhookUrl || args.monitoring.pagerDutyIntegrationKey ? routes : "no receivers: alerts show in Alertmanager and Prometheus only";
        return {
            dashboardUrl: pulumi.output(`http://${hostForUrl(settings.monitoringHostAddress)}:${settings.grafanaHostPort}/d/main`),
            alertTarget: pulumi.output(`alertmanager at http://${hostForUrl(settings.monitoringHostAddress)}:${settings.alertmanagerHostPort} (${configured})`),
        };
    }

    /**
     * A data server (PostgreSQL, Redis): its data on a named volume, on the internal network under
     * `host`, published on loopback only when `docker.exposeDataPorts` is set, healthy before the app
     * starts. Replaced delete-first: the new container takes over the same volume and name.
     */
    dataServer(scope: Scope, host: string, server: DataServerArgs): docker.Container {
        const settings = this.spec.docker;
        const container = new docker.Container(`${scope.name}-${host}`, {
            ...server.container,
            name: `${scope.name}-${host}`,
            image: server.image.imageId,
            restart: "unless-stopped",
            mounts: [{ type: "volume", source: server.volume.name, target: server.dataPath }],
            networksAdvanced: [{ name: this.dataNetwork.name, aliases: [host] }],
            ports: settings.exposeDataPorts ? [loopbackPort(settings.hostAddress, server.port, server.hostPort)] : [],
            healthcheck: healthcheck(["CMD-SHELL", server.probe], dataTierTiming),
            wait: true,
            waitTimeout: 120,
            labels: this.labels,
            ...logOptions,
        }, this.options(scope.parent, { deleteBeforeReplace: true, ...(server.dependsOn?.length ? { dependsOn: server.dependsOn } : {}) }));
        this.dataContainers.push(container);
        return container;
    }

    /**
     * Daily logical backups (pg_dump, custom format) to their own named volume, kept
     * `database.backupRetentionDays` days, taken at the start of `database.backupWindow` and once at
     * start-up. Restore with `pg_restore` (see docs/operations.md).
     */
    private databaseBackups(scope: Scope, spec: DatabaseSpec, image: docker.RemoteImage, password: pulumi.Output<string>, host: string, database: docker.Container): docker.Container {
        const volume = this.volume(`${scope.name}-backups`, scope.parent);
        return new docker.Container(`${scope.name}-backup`, {
            name: `${scope.name}-backup`,
            image: image.imageId,
            restart: "unless-stopped",
            // Both set: an entrypoint override drops the image's CMD, and a known command keeps the job
            // recognisable as a client of the postgres image rather than the server.
            entrypoints: ["/bin/sh"],
            command: ["/usr/local/bin/backup.sh"],
            uploads: [{ file: "/usr/local/bin/backup.sh", content: backupScript, executable: true }],
            envs: [
                `PGHOST=${host}`,
                `PGUSER=${spec.user}`,
                `PGDATABASE=${spec.name}`,
                pulumi.interpolate`PGPASSWORD=${password}`,
                `BACKUP_RETENTION_DAYS=${spec.backupRetentionDays}`,
                `BACKUP_WINDOW_START=${spec.backupWindow.split("-")[0]}`,
            ],
            mounts: [{ type: "volume", source: volume.name, target: "/backups" }],
            networksAdvanced: [{ name: this.dataNetwork.name }],
            // Healthy while a dump from the last 25 hours exists.
            healthcheck: healthcheck(["CMD-SHELL", "find /backups -name '*.dump' -mmin -1500 | grep -q ."], { intervalSeconds: 30, timeoutSeconds: 10, unhealthyThreshold: 3, startPeriodSeconds: 120 }),
            labels: this.labels,
            ...logOptions,
        }, this.options(scope.parent, { dependsOn: [database] }));
    }

    /**
     * One container per replica; without a load balancer the api's replicas publish consecutive loopback ports from
     * apiHostPort, behind one they sit at fixed addresses on the edge network and publish nothing.
     *
     * Rolling updates: each replica depends on the one before it, and the Node SDK sends a registration only once
     * its dependencies' registrations have completed (@pulumi/pulumi runtime/dependsOn.ts,
     * getAllTransitivelyReferencedResourceURNs awaits each dependency's URN, which resolves when the engine answers
     * its RegisterResource, after the create or replacement is done). A new image therefore replaces replica 1 (delete, then create:
     * pulumi-docker's DeleteBeforeReplace), waits until it is healthy (`wait`: the provider polls the health status
     * each second until `waitTimeout`, then fails the create, kreuzwerker/terraform-provider-docker
     * internal/provider/resource_docker_container_funcs.go), and only then replaces replica 2, and so on. A release
     * that never gets healthy stops the update at its first replica; the others keep serving the old image.
     */
    private serviceContainers(scope: Scope, service: ServiceSpec, shared: pulumi.Input<string>[], dependsOn: docker.Container[], edge?: EdgeNetwork): docker.Container[] {
        const image = this.image(service.image, scope.parent);
        const aliases = this.replicaAliases(service);
        const tracingEnv = this.spec.docker.tracing.enabled ? [`OTEL_SERVICE_NAME=${service.name}`] : [];
        const containers: docker.Container[] = [];
        for (const [replica, alias] of aliases.entries()) {
            const name = service.count === 1 ? `${scope.name}-${service.name}` : `${scope.name}-${service.name}-${replica + 1}`;
            const env = Object.entries(service.env).sort(([a], [b]) => a.localeCompare(b)).map(([key, value]) => `${key}=${value}`);
            const previous = containers[replica - 1];
            const container = new docker.Container(name, {
                name,
                image: image.imageId,
                restart: "unless-stopped",
                command: service.command,
                envs: [...shared, `PORT=${service.port}`, `SERVICE_NAME=${service.name}`, ...tracingEnv, ...env],
                memory: service.memory,
                cpuShares: service.cpu,
                networksAdvanced: [
                    { name: this.appNetwork.name, aliases: [...new Set([alias, service.name])] },
                    { name: this.dataNetwork.name },
                    ...(edge ? [{ name: edge.network.name, aliases: [alias], ipv4Address: edge.addressOf(replica) }] : []),
                ],
                ports: service.public && !edge ? [loopbackPort(this.spec.docker.hostAddress, service.port, this.spec.docker.apiHostPort + replica)] : [],
                // The readiness path (the api's checks the database and the cache): with `wait`, an `up` whose
                // services cannot reach their dependencies (wrong credentials after a re-up, say) fails.
                healthcheck: healthcheck(httpProbe(service.port, service.healthCheck.path, service.healthCheck.timeoutSeconds), service.healthCheck),
                // Wait for healthy: an `up` that starts a broken release fails instead of reporting success.
                wait: true,
                waitTimeout: service.healthCheck.startPeriodSeconds + service.healthCheck.intervalSeconds * (service.healthCheck.unhealthyThreshold + 2) + 60,
                labels: [...this.labels, { label: "com.dygsom.service", value: service.name }],
                ...logOptions,
            }, this.options(scope.parent, { dependsOn: [...this.dataContainers, ...dependsOn, ...(previous ? [previous] : [])] }));
            containers.push(container);
        }
        this.appContainers.set(service.name, containers);
        return containers;
    }

    private replicaAliases(service: ServiceSpec): string[] {
        return Array.from({ length: service.count }, (_, i) => (service.count === 1 ? service.name : `${service.name}-${i + 1}`));
    }

    /** Images are pulled once per reference and kept on the host when the stack is destroyed. */
    image(reference: string, parent: pulumi.Resource): docker.RemoteImage {
        const existing = this.images.get(reference);
        if (existing) return existing;
        const name = `${this.scope.name}-image-${reference.replace(/[^A-Za-z0-9]+/g, "-").replace(/-+$/, "")}`;
        const image = new docker.RemoteImage(name, { name: reference, keepLocally: true }, this.options(parent));
        this.images.set(reference, image);
        return image;
    }

    /**
     * Named volumes hold the data. They outlive `pulumi destroy` (retainOnDelete), like
     * `docker compose down` without `-v`, and carry `protect` when the stack protects stateful resources.
     */
    volume(name: string, parent: pulumi.Resource): docker.Volume {
        return new docker.Volume(name, { name, labels: this.labels }, this.options(parent, { protect: this.spec.protect, retainOnDelete: true }));
    }

    /**
     * A credential derived from the stack secret `credentialSeed` (HMAC-SHA256 of the purpose): the same after
     * `pulumi destroy` and `pulumi up`, unlike a generated password, so it keeps matching what PostgreSQL and
     * Grafana stored on their kept volumes. Hex: safe inside connection URLs.
     */
    stableSecret(purpose: string): pulumi.Output<string> {
        return pulumi.secret(this.credentialSeed().apply((value) => createHmac("sha256", value).update(`${this.spec.project}/${this.spec.stack}/${purpose}`).digest("hex")));
    }

    /**
     * The stack secret `credentialSeed`, or, on a stack that has not set it, one generated seed (with a
     * warning): that stack works until its first destroy, after which PostgreSQL and Grafana keep the old
     * passwords on their volumes.
     */
    private credentialSeed(): pulumi.Output<string> {
        if (this.spec.docker.credentialSeed !== undefined) return this.spec.docker.credentialSeed;
        if (this.generatedSeed === undefined) {
            pulumi.log.warn(
                'credentialSeed is not set: the passwords and APP_SECRET_KEY are generated and change after `pulumi destroy`, which the kept PostgreSQL and Grafana volumes do not follow. Set it once: pulumi config set --secret credentialSeed "$(openssl rand -hex 32)"',
            );
            this.generatedSeed = new random.RandomPassword(`${this.scope.name}-credential-seed`, { length: 64, special: false }, { parent: this.scope.parent }).result;
        }
        return this.generatedSeed;
    }

    /** node-exporter, for the database volume's disk usage: the volume mounted read-only, its filesystem reported. */
    private nodeExporter(scope: Scope, host: string): docker.Container {
        const image = this.image("prom/node-exporter:v1.8.2", scope.parent);
        const mounts = this.databaseVolume ? [{ type: "volume", source: this.databaseVolume.name, target: databaseVolumeMount, readOnly: true }] : [];
        return new docker.Container(`${scope.name}-node-exporter`, {
            name: `${scope.name}-node-exporter`,
            image: image.imageId,
            restart: "unless-stopped",
            user: "nobody",
            mounts,
            networksAdvanced: [{ name: this.appNetwork.name, aliases: [host] }],
            healthcheck: healthcheck(["CMD", "wget", "-q", "--spider", "http://127.0.0.1:9100/metrics"], monitoringTiming),
            labels: this.labels,
            ...logOptions,
        }, this.options(scope.parent));
    }
}

/** The Prometheus job that scrapes the api through nginx. */
export const edgeJob = "edge";

/** The rule inputs of the dev stack: the catalogue on its thresholds, the app's metric names, each service's memory limit. */
export function dockerRuleInputs(spec: EnvironmentSpec): RuleInputs {
    return {
        catalogue: alertCatalogue(spec.monitoring.thresholds, spec.monitoring.metrics),
        metrics: spec.monitoring.metrics,
        apiJob: spec.services.api.name,
        services: Object.values(spec.services).map((s) => ({ job: s.name, memoryMiB: s.memory })),
        ...(spec.docker.loadBalancer.enabled ? { extraHealthJobs: [edgeJob] } : {}),
        missingMetricMinutes: spec.monitoring.thresholds.missingMetricMinutes,
    };
}

// Runs in the postgres image (busybox sh and date); times are UTC.
const backupScript = `#!/bin/sh
set -u
backup() {
    file="/backups/\${PGDATABASE}-$(date -u +%Y%m%dT%H%M%SZ).dump"
    if pg_dump --format=custom --file="$file.partial"; then
        mv "$file.partial" "$file"
        find /backups -name '*.dump' -mtime +"$BACKUP_RETENTION_DAYS" -delete
    else
        rm -f "$file.partial"
        echo "pg_dump failed; the previous dumps are kept" >&2
    fi
}
until pg_isready -q; do sleep 2; done
${dailyAtBackupWindow}`;

/**
 * Where the postgres image wants its volume. Up to 17 the data directory (and the image's `VOLUME`) is
 * /var/lib/postgresql/data; from 18 it is /var/lib/postgresql/<major>/docker under `VOLUME /var/lib/postgresql`,
 * and the entrypoint refuses a mount at the old path (docker-library/postgres, 18/<variant>/Dockerfile and
 * docker-entrypoint.sh). Mounting the parent on 16 or 17 would not do: the image's own anonymous volume at
 * /var/lib/postgresql/data would hide it. A major upgrade changes the layout, so it is a dump and restore
 * (see docs/runbooks/restore-database.md), not a remount.
 */
function postgresDataMount(engineVersion: string): string {
    const major = Number.parseInt(engineVersion, 10);
    return major >= 18 ? "/var/lib/postgresql" : "/var/lib/postgresql/data";
}

const dataTierTiming = { intervalSeconds: 5, timeoutSeconds: 5, unhealthyThreshold: 10, startPeriodSeconds: 10 };
const monitoringTiming = { intervalSeconds: 15, timeoutSeconds: 5, unhealthyThreshold: 3, startPeriodSeconds: 20 };

function hostForUrl(address: string): string {
    return address.includes(":") ? `[${address}]` : address;
}
