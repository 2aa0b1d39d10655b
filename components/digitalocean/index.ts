import type { BackendFactory } from "../backend";

// Placeholder until the digitalocean backend lands: selecting it fails clearly instead of deploying nothing.
export const createDigitalOceanBackend: BackendFactory = () => {
    throw new Error("the digitalocean backend is not implemented yet");
};
