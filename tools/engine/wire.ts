/** The wire markers of Pulumi's serialised property values. */
export const wire = {
    sigKey: "4dabf18193072939515e22adb298388d",
    secretSig: "1b47061264138c4ac30d75fd1eb44270",
    resourceSig: "5cf8f73096256a8f31e491e813e4eb8e",
    outputSig: "d0e6a833031e9bbcd3f4e8bde6ca49a4",
    unknown: "04da6b54-80e4-46f7-96ec-b56ff0331ba9",
} as const;
