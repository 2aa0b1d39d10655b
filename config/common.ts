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
