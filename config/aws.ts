import { z } from "zod";

/** Settings of the AWS backend (the `production` stack). */
export const awsSettings = z.strictObject({
    region: z.string().regex(/^[a-z]{2}(-gov)?-[a-z]+-\d$/, "an AWS region, e.g. us-east-1").default("us-east-1"),
});

export type AwsSettings = z.infer<typeof awsSettings>;
