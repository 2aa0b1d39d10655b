import { wire, type RecordedResource } from "./emulator";

/** A wire value as a person reads it: secrets as `[secret]`, unknowns as `[unknown]`, resource references as their URN. */
export function displayValue(value: unknown): unknown {
    if (value === wire.unknown) return "[unknown]";
    if (Array.isArray(value)) return value.map(displayValue);
    if (value !== null && typeof value === "object") {
        const record = value as Record<string, unknown>;
        switch (record[wire.sigKey]) {
            case wire.secretSig:
                return "[secret]";
            case wire.resourceSig:
                return record.urn;
            case wire.outputSig:
                return record.secret ? "[secret]" : "value" in record ? displayValue(record.value) : "[unknown]";
        }
        return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, displayValue(v)]));
    }
    return value;
}

/** The resource tree, children under their parent, as `type name` lines. */
export function renderTree(resources: RecordedResource[]): string {
    const children = new Map<string, RecordedResource[]>();
    for (const r of resources) {
        const siblings = children.get(r.parent) ?? [];
        siblings.push(r);
        children.set(r.parent, siblings);
    }
    const lines: string[] = [];
    const walk = (parent: string, depth: number) => {
        for (const r of children.get(parent) ?? []) {
            const flags = [r.protect ? "protected" : "", r.retainOnDelete ? "retained on delete" : ""].filter(Boolean);
            lines.push(`${"    ".repeat(depth)}${r.type}  ${r.name}${flags.length ? `  [${flags.join(", ")}]` : ""}`);
            walk(r.urn, depth + 1);
        }
    };
    walk("", 0);
    return lines.join("\n");
}

/** How many resources of each type, most frequent first. */
export function countByType(resources: RecordedResource[]): [string, number][] {
    const counts = new Map<string, number>();
    for (const r of resources) counts.set(r.type, (counts.get(r.type) ?? 0) + 1);
    return [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}
