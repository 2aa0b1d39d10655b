/** "Did you mean" helpers for config messages. No imports: cheap to load. */

/** Levenshtein distance, with a cut-off: returns `limit + 1` as soon as the distance must exceed `limit`. */
export function editDistance(a: string, b: string, limit = 8): number {
    if (Math.abs(a.length - b.length) > limit) return limit + 1;
    let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
    for (let i = 1; i <= a.length; i += 1) {
        const current = [i];
        let rowMin = i;
        for (let j = 1; j <= b.length; j += 1) {
            const cost = a[i - 1] === b[j - 1] ? 0 : 1;
            current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost);
            rowMin = Math.min(rowMin, current[j]);
        }
        if (rowMin > limit) return limit + 1;
        previous = current;
    }
    return previous[b.length];
}

/**
 * The candidate a mistyped word most probably meant: case-insensitively closest, and close enough that
 * the guess is useful (a third of the word's length, at least 2 edits, or a case-only difference).
 */
export function closest(word: string, candidates: readonly string[]): string | undefined {
    const lower = word.toLowerCase();
    const limit = Math.max(2, Math.floor(word.length / 3));
    let best: { candidate: string; distance: number } | undefined;
    for (const candidate of candidates) {
        if (candidate === word) continue;
        const distance = candidate.toLowerCase() === lower ? 0 : editDistance(lower, candidate.toLowerCase(), limit);
        if (distance <= limit && (best === undefined || distance < best.distance)) best = { candidate, distance };
    }
    return best?.candidate;
}
