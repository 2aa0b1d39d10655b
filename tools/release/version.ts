import semver from "semver";

/**
 * Release-tag rules (seed 003: "validate the version"). Pure functions: the git facts they need
 * (existing tags, whether the commit is on main) are passed in, so the same rules run in
 * GitHub Actions, in a Deployments pre-run command and in tests.
 */

/** Which stacks a tag may release to. Production takes final releases only; staging also takes release candidates. */
export type ReleaseTarget = "staging" | "production";

export const releaseTargets: readonly ReleaseTarget[] = ["staging", "production"];

export function isReleaseTarget(value: string): value is ReleaseTarget {
    return (releaseTargets as readonly string[]).includes(value);
}

/** A validated release: the tag as pushed and the semantic version it names. */
export interface ReleaseVersion {
    tag: string;
    version: semver.SemVer;
    prerelease: boolean;
}

export class ReleaseTagError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "ReleaseTagError";
    }
}

const allowedForm: Record<ReleaseTarget, string> = {
    production: "v<major>.<minor>.<patch>, e.g. v1.4.2 (no pre-release such as -rc.1, no build metadata such as +build.7)",
    staging: "v<major>.<minor>.<patch>[-<pre-release>], e.g. v1.4.2 or v1.5.0-rc.1 (no build metadata)",
};

/** Parses a tag as `v<semver>`; refuses anything else with a message naming the tag and the allowed form. */
export function parseReleaseTag(tag: string, target: ReleaseTarget): ReleaseVersion {
    const allowed = allowedForm[target];
    if (tag.trim() === "") {
        throw new ReleaseTagError(`no release tag given: a ${target} release needs a tag of the form ${allowed}`);
    }
    if (!tag.startsWith("v")) {
        throw new ReleaseTagError(`release tag "${tag}" must start with "v"; allowed for ${target}: ${allowed}`);
    }
    // semver.parse is strict (no loose mode): "v1.2", "v01.2.3" and "v1.2.3.4" are refused.
    const version = semver.parse(tag.slice(1));
    if (version === null) {
        throw new ReleaseTagError(`release tag "${tag}" is not a semantic version; allowed for ${target}: ${allowed}`);
    }
    // Build metadata does not take part in semver precedence, so "newer than the last release" could not be decided.
    if (version.build.length > 0) {
        throw new ReleaseTagError(`release tag "${tag}" carries build metadata "+${version.build.join(".")}"; allowed for ${target}: ${allowed}`);
    }
    const prerelease = version.prerelease.length > 0;
    if (prerelease && target === "production") {
        throw new ReleaseTagError(
            `release tag "${tag}" is a pre-release (${version.prerelease.join(".")}); production takes final releases only: ${allowed}`,
        );
    }
    return { tag, version, prerelease };
}

/**
 * The release tags among `tags` (any `v<semver>` without build metadata), newest first.
 * Tags that are not releases (e.g. `deploy-2024`, `v1.2`) are ignored rather than refused:
 * a repository may carry other tags.
 */
export function releaseTagsNewestFirst(tags: readonly string[]): ReleaseVersion[] {
    const releases: ReleaseVersion[] = [];
    for (const tag of tags) {
        if (!tag.startsWith("v")) continue;
        const version = semver.parse(tag.slice(1));
        if (version === null || version.build.length > 0) continue;
        releases.push({ tag, version, prerelease: version.prerelease.length > 0 });
    }
    return releases.sort((a, b) => semver.rcompare(a.version, b.version));
}

/** The newest final release other than `tag` itself (a re-run of the same tag is not "older than itself"). */
export function lastReleaseBefore(tag: string, existingTags: readonly string[]): ReleaseVersion | undefined {
    return releaseTagsNewestFirst(existingTags).find((release) => release.tag !== tag && !release.prerelease);
}

export interface ReleaseCheckInput {
    tag: string;
    target: ReleaseTarget;
    /** Every tag in the repository (as `git tag --list` prints them); may include `tag` itself. */
    existingTags: readonly string[];
    /** Whether the tagged commit is reachable from main (`git merge-base --is-ancestor <commit> <main>`). */
    commitIsOnMain: boolean;
    /** The tagged commit, for messages. */
    commit: string;
    /** The ref main was read from, for messages (e.g. origin/main). */
    mainRef: string;
    /**
     * A deliberate redeploy of an older release (rollback runbook). Skips "newer than the last release";
     * the tag must still be a well-formed release on main.
     */
    rollback?: boolean;
}

export interface ReleaseCheck {
    release: ReleaseVersion;
    /** The release this one replaces: the newest final release other than the tag. */
    previous: ReleaseVersion | undefined;
}

/** Every rule for a tag to be released: form, order and provenance. Throws ReleaseTagError on the first broken rule. */
export function checkRelease(input: ReleaseCheckInput): ReleaseCheck {
    const release = parseReleaseTag(input.tag, input.target);
    const previous = lastReleaseBefore(input.tag, input.existingTags);

    if (!input.rollback && previous !== undefined && !semver.gt(release.version, previous.version)) {
        throw new ReleaseTagError(
            `release tag "${input.tag}" is not newer than the last release "${previous.tag}"; ` +
                `tag a version greater than ${previous.version.version} (to redeploy an older release, use the rollback runbook)`,
        );
    }
    if (!input.commitIsOnMain) {
        throw new ReleaseTagError(
            `release tag "${input.tag}" points at commit ${input.commit}, which is not on ${input.mainRef}; ` +
                `only commits merged to main are released`,
        );
    }
    return { release, previous };
}
