import { execFileSync } from "node:child_process";
import { z } from "zod";
import { parseYamlText } from "../engine/stackFiles";

/**
 * "A release is a version": the images a release deploys are the ones tagged with its version. The stack
 * file committed at the tagged commit names each service's image; every one must carry the release's
 * version as its tag (`:1.4.3` or `:v1.4.3`, optionally pinned `@sha256:…`), or the release is refused
 * before anything deploys. A digest without a tag cannot be matched to a version and is refused too.
 */

export class ReleaseImageError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "ReleaseImageError";
    }
}

/** The tag of an image reference (`registry:5000/repo:tag@sha256:…` → `tag`), or undefined. */
export function imageTag(image: string): string | undefined {
    const withoutDigest = image.split("@")[0];
    const lastSlash = withoutDigest.lastIndexOf("/");
    const lastPart = withoutDigest.slice(lastSlash + 1);
    const colon = lastPart.lastIndexOf(":");
    return colon < 0 ? undefined : lastPart.slice(colon + 1);
}

/**
 * Every service's image must be tagged with the release's version. `images` maps the config key
 * (e.g. `fraud-platform:services.api.image`) to the image; throws naming each mismatch.
 */
export function checkImagesMatchRelease(tag: string, images: Record<string, string>, stackFile: string): void {
    const version = tag.replace(/^v/, "");
    const allowed = [version, `v${version}`];
    const wrong = Object.entries(images).filter(([, image]) => !allowed.includes(imageTag(image) ?? ""));
    if (Object.keys(images).length === 0) throw new ReleaseImageError(`${stackFile} names no service images; release ${tag} cannot tell what it deploys`);
    if (wrong.length > 0) {
        throw new ReleaseImageError(
            `release ${tag} refused: the images committed in ${stackFile} are not tagged ${version}: ` +
                wrong.map(([key, image]) => `${key} is ${image}`).join("; ") +
                `. Allowed: each image tagged ${allowed.join(" or ")} (optionally @sha256:<digest>); commit the release's images, then tag that commit.`,
        );
    }
}

/** `validate`'s image check: the stack file as committed at the tagged commit (git show), not the working tree. */
export function checkCommittedImages(repo: string, commit: string, stack: string, tag: string): void {
    const file = `Pulumi.${stack}.yaml`;
    let source: string;
    try {
        source = execFileSync("git", ["show", `${commit}:${file}`], { cwd: repo, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    } catch {
        throw new ReleaseImageError(`release ${tag} refused: ${file} does not exist at ${commit}, so the release's images are unknown`);
    }
    const parsed = z.object({ config: z.record(z.string(), z.unknown()).default({}) }).parse(parseYamlText(source, file) ?? {});
    const services = z.record(z.string(), z.object({ image: z.string() }).loose()).safeParse(parsed.config["fraud-platform:services"] ?? {});
    const images = services.success ? Object.fromEntries(Object.entries(services.data).map(([name, s]) => [`fraud-platform:services.${name}.image`, s.image])) : {};
    checkImagesMatchRelease(tag, images, `${file} at ${commit.slice(0, 12)}`);
}

