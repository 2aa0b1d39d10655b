import type { BackendFactory } from "../backend";

// Placeholder until the aws backend lands: selecting it fails clearly instead of deploying nothing.
export const createAwsBackend: BackendFactory = () => {
    throw new Error("the aws backend is not implemented yet");
};
