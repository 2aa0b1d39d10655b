import { wire } from "./wire";

/** A wire value with secret markers removed (recursively); unknowns stay the `wire.unknown` string. */
export function plain(value: unknown): unknown {
    if (Array.isArray(value)) return value.map(plain);
    if (value !== null && typeof value === "object") {
        const record = value as Record<string, unknown>;
        switch (record[wire.sigKey]) {
            case wire.secretSig:
                return plain(record.value);
            case wire.resourceSig:
                // A resource reference compares as the resource it names.
                return { urn: record.urn, id: plain(record.id) };
            case wire.outputSig:
                return "value" in record ? plain(record.value) : wire.unknown;
        }
        const out: Record<string, unknown> = {};
        for (const [key, inner] of Object.entries(record)) out[key] = plain(inner);
        return out;
    }
    return value;
}

export function isUnknown(value: unknown): boolean {
    return value === wire.unknown;
}

/** True when the value, or anything inside it, is unknown. */
export function containsUnknown(value: unknown): boolean {
    if (value === wire.unknown) return true;
    if (Array.isArray(value)) return value.some(containsUnknown);
    if (value !== null && typeof value === "object") return Object.values(value).some(containsUnknown);
    return false;
}

/** Parses a JSON document the program passes as a string; undefined when unknown or not a string. */
export function knownJson(value: unknown): { parsed: unknown } | { error: string } | undefined {
    if (typeof value !== "string" || value === wire.unknown) return undefined;
    try {
        return { parsed: JSON.parse(value) as unknown };
    } catch (error) {
        return { error: error instanceof Error ? error.message : String(error) };
    }
}

export function isRecord(value: unknown): value is Record<string, unknown> {
    return value !== null && typeof value === "object" && !Array.isArray(value);
}
