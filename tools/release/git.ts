import { execFileSync, spawnSync } from "node:child_process";

/** The git facts the release check needs, read from a working copy. */

/** git could not answer (unknown ref, shallow history, no remote): the release cannot be checked. */
export class GitError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "GitError";
    }
}

function git(cwd: string, args: readonly string[]): string {
    return execFileSync("git", args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim();
}

/** Every tag in the repository. */
export function listTags(cwd: string): string[] {
    const out = git(cwd, ["tag", "--list"]);
    return out === "" ? [] : out.split("\n").map((line) => line.trim());
}

/** The commit a ref (tag, branch, sha) points at, peeling annotated tags. */
export function resolveCommit(cwd: string, ref: string): string {
    try {
        return git(cwd, ["rev-parse", "--verify", "--quiet", `${ref}^{commit}`]);
    } catch {
        throw new GitError(`git cannot resolve "${ref}" to a commit in ${cwd}; fetch it first (actions/checkout with fetch-depth: 0)`);
    }
}

/** `git merge-base --is-ancestor`: exit 0 = ancestor, 1 = not; anything else (unknown ref, shallow clone) is an error, not a "no". */
export function isAncestor(cwd: string, commit: string, ofRef: string): boolean {
    const result = spawnSync("git", ["merge-base", "--is-ancestor", commit, ofRef], { cwd, encoding: "utf8" });
    if (result.status === 0) return true;
    if (result.status === 1) return false;
    throw new GitError(
        `git merge-base --is-ancestor ${commit} ${ofRef} failed (${result.stderr.trim() || `exit ${String(result.status)}`}); ` +
            `is ${ofRef} fetched and the history complete?`,
    );
}

/**
 * Fetches main and the tags from origin, for checkouts that have neither (a Deployments executor clones one ref).
 * On GitHub sources Deployments provides GITHUB_TOKEN; it is passed as a header for this one command, never stored.
 */
export function fetchMainAndTags(cwd: string, mainBranch: string): void {
    const auth: string[] = [];
    const token = process.env.GITHUB_TOKEN;
    if (token !== undefined && token !== "") {
        const basic = Buffer.from(`x-access-token:${token}`).toString("base64");
        auth.push("-c", `http.extraheader=AUTHORIZATION: basic ${basic}`);
    }
    // A shallow clone cannot answer merge-base questions: deepen it to the full history.
    const shallow = git(cwd, ["rev-parse", "--is-shallow-repository"]) === "true" ? ["--unshallow"] : [];
    try {
        git(cwd, [...auth, "fetch", "--quiet", ...shallow, "--tags", "origin", `+refs/heads/${mainBranch}:refs/remotes/origin/${mainBranch}`]);
    } catch (error) {
        const detail = error instanceof Error && "stderr" in error ? String(error.stderr).trim() : String(error);
        throw new GitError(`git fetch of ${mainBranch} and tags from origin failed: ${detail}`);
    }
}
