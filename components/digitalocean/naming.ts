import type * as digitalocean from "@pulumi/digitalocean";

const weekdays: Record<string, string> = {
    mon: "monday",
    tue: "tuesday",
    wed: "wednesday",
    thu: "thursday",
    fri: "friday",
    sat: "saturday",
    sun: "sunday",
};

/**
 * A validated weekly window `ddd:HH:MM-ddd:HH:MM` as DigitalOcean's maintenance window: the day spelled
 * out (`sunday`) and the start time. DigitalOcean picks the window's length itself.
 */
export function maintenanceWindow(window: string): digitalocean.types.input.DatabaseClusterMaintenanceWindow {
    const [day, hours, minutes] = window.split("-")[0].split(":");
    return { day: weekdays[day], hour: `${hours}:${minutes}` };
}

/** DigitalOcean tags are plain strings (letters, digits, `:`, `-`, `_`): `key:value`. */
export function tagList(tags: Record<string, string>): string[] {
    return Object.entries(tags)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([key, value]) => `${key}:${value}`.replace(/[^A-Za-z0-9:_-]/g, "_"));
}

/** A command as one shell line, quoting the words that need it (App Platform takes `run_command` as a string). */
export function shellLine(words: readonly string[]): string {
    return words.map((word) => (/^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`)).join(" ");
}
