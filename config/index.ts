export * from "./load";
export * from "./schema";
export * from "./spec";
export type { AwsSettings } from "./aws";
export type { DigitalOceanSettings } from "./digitalocean";
export type { DockerSettings } from "./docker";
export * from "./rollout";
