import { z } from "zod";

/** Settings of the DigitalOcean backend (the `staging` stack). */
export const digitalOceanSettings = z.strictObject({
    region: z.string().regex(/^[a-z]{3}\d?$/, "a DigitalOcean region slug, e.g. nyc3 or fra1").default("nyc3"),
});

export type DigitalOceanSettings = z.infer<typeof digitalOceanSettings>;
