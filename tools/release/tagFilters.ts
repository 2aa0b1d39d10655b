/**
 * Pulumi Deployments' tag trigger rules (docs: Deployments settings → Tag Filtering), so the release
 * tooling can tell before a release whether a tag push will start a deployment:
 * - `deployTags` off: no tag deploys.
 * - each filter is a glob matched against the whole tag name; a leading `!` makes it an exclude;
 * - no include filters: every tag is included; an exclude always wins, whatever the order.
 */

function globToRegExp(glob: string): RegExp {
    let pattern = "";
    for (let i = 0; i < glob.length; i++) {
        const char = glob[i];
        if (char === "*") {
            if (glob[i + 1] === "*") {
                pattern += ".*";
                i++;
            } else {
                pattern += "[^/]*";
            }
        } else if (char === "?") {
            pattern += "[^/]";
        } else {
            pattern += char.replace(/[.+^${}()|[\]\\]/g, "\\$&");
        }
    }
    return new RegExp(`^${pattern}$`);
}

export interface TagTrigger {
    deployTags: boolean;
    tagFilters: readonly string[];
}

/** Whether pushing `tag` starts a deployment under these settings. */
export function tagTriggersDeployment(trigger: TagTrigger, tag: string): boolean {
    if (!trigger.deployTags) return false;
    const includes = trigger.tagFilters.filter((filter) => !filter.startsWith("!"));
    const excludes = trigger.tagFilters.filter((filter) => filter.startsWith("!")).map((filter) => filter.slice(1));
    if (excludes.some((glob) => globToRegExp(glob).test(tag))) return false;
    return includes.length === 0 || includes.some((glob) => globToRegExp(glob).test(tag));
}
