import type { BackendFactory } from "../backend";
import { DockerBackend } from "./backend";

/** The local Docker backend: the `dev` stack, what seeds 000 and 002 run with Compose. */
export const createDockerBackend: BackendFactory = (spec, scope) => new DockerBackend(spec, scope);
