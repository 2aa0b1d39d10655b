import type { BackendFactory } from "../backend";
import { DigitalOceanBackend } from "./backend";

/** The DigitalOcean backend: App Platform, managed PostgreSQL and Valkey, uptime checks and alerts. */
export const createDigitalOceanBackend: BackendFactory = (spec, scope) => new DigitalOceanBackend(spec, scope);
