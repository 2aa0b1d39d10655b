import { z } from "zod";

/** A container image reference that names a tag or a digest, never an implicit `latest`. */
export const imageReference = z
    .string()
    .regex(
        /^[a-z0-9]+(?:[._-][a-z0-9]+)*(?::[0-9]+)?(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*(?::[\w][\w.-]{0,127}|@sha256:[a-f0-9]{64}|:[\w][\w.-]{0,127}@sha256:[a-f0-9]{64})$/,
        "an image reference with a tag or digest, e.g. ghcr.io/acme/api:1.4.2 or ghcr.io/acme/api@sha256:<64 hex>",
    );

/** `HH:MM-HH:MM` in UTC, as RDS and ElastiCache take their daily windows. */
export const dailyWindow = z
    .string()
    .regex(/^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d$/, "a UTC window HH:MM-HH:MM, e.g. 03:00-04:00");

/** `ddd:HH:MM-ddd:HH:MM` in UTC, as RDS and ElastiCache take their weekly maintenance windows. */
export const weeklyWindow = z
    .string()
    .regex(
        /^(mon|tue|wed|thu|fri|sat|sun):([01]\d|2[0-3]):[0-5]\d-(mon|tue|wed|thu|fri|sat|sun):([01]\d|2[0-3]):[0-5]\d$/,
        "a UTC window ddd:HH:MM-ddd:HH:MM, e.g. sun:04:30-sun:05:30",
    );

export const percent = z.number().gt(0).max(100);
export const positiveInt = z.number().int().min(1);
export const port = z.number().int().min(1).max(65535);
export const urlPath = z.string().regex(/^\/[\w\-./]*$/, "a URL path starting with /, e.g. /health/ready");
export const envVarName = z.string().regex(/^[A-Z_][A-Z0-9_]*$/, "an environment variable name in UPPER_SNAKE_CASE");

/** Weekdays as RDS and ElastiCache spell them in weekly windows, Monday first. */
const weekdays = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"] as const;
const minutesPerDay = 24 * 60;
const minutesPerWeek = 7 * minutesPerDay;

/** A window as a start minute and a length in minutes, on a cycle of `period` minutes (a day or a week). */
export interface TimeWindow {
    start: number;
    minutes: number;
    period: number;
}

const clock = (hh: string, mm: string) => Number(hh) * 60 + Number(mm);

/** `HH:MM-HH:MM` as minutes of the day; a window may cross midnight (`23:30-00:30`). Undefined when malformed. */
export function parseDailyWindow(text: string): TimeWindow | undefined {
    const match = /^(\d\d):(\d\d)-(\d\d):(\d\d)$/.exec(text);
    if (!match) return undefined;
    const start = clock(match[1], match[2]);
    const end = clock(match[3], match[4]);
    return { start, minutes: (end - start + minutesPerDay) % minutesPerDay, period: minutesPerDay };
}

/** `ddd:HH:MM-ddd:HH:MM` as minutes of the week (Monday 00:00 = 0); may cross Sunday midnight. Undefined when malformed. */
export function parseWeeklyWindow(text: string): TimeWindow | undefined {
    const match = /^([a-z]{3}):(\d\d):(\d\d)-([a-z]{3}):(\d\d):(\d\d)$/.exec(text);
    if (!match) return undefined;
    const startDay = weekdays.indexOf(match[1] as (typeof weekdays)[number]);
    const endDay = weekdays.indexOf(match[4] as (typeof weekdays)[number]);
    if (startDay < 0 || endDay < 0) return undefined;
    const start = startDay * minutesPerDay + clock(match[2], match[3]);
    const end = endDay * minutesPerDay + clock(match[5], match[6]);
    return { start, minutes: (end - start + minutesPerWeek) % minutesPerWeek, period: minutesPerWeek };
}

/**
 * Whether a daily window and a weekly window share a minute: the daily window recurs on each of the
 * seven days, so it is laid onto the week seven times.
 */
export function dailyOverlapsWeekly(daily: TimeWindow, weekly: TimeWindow): boolean {
    const overlaps = (aStart: number, aLength: number, bStart: number, bLength: number) => {
        // Both on the week's cycle; compare with the weekly window shifted by a week either way.
        for (const shift of [-minutesPerWeek, 0, minutesPerWeek]) {
            const s = bStart + shift;
            if (aStart < s + bLength && s < aStart + aLength) return true;
        }
        return false;
    };
    for (let day = 0; day < 7; day += 1) {
        if (overlaps(day * minutesPerDay + daily.start, daily.minutes, weekly.start, weekly.minutes)) return true;
    }
    return false;
}
