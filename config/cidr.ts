import { Netmask } from "netmask";
import { z } from "zod";

const privateRanges = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"].map((range) => new Netmask(range));

/** Whether the block lies inside one of the RFC 1918 private ranges. */
export function isPrivateBlock(block: string): boolean {
    return privateRanges.some((range) => range.contains(new Netmask(block)));
}

// netmask also takes inet_aton's short forms (`10.0/16`); config must spell all four octets.
const dottedQuadBlock = /^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/;

/** A private (RFC 1918) IPv4 block with a prefix in `[min, max]` and no host bits set. */
export function privateIpv4Block(prefixes: { min: number; max: number; why: string }) {
    return z.string().superRefine((text, ctx) => {
        let block: Netmask | undefined;
        try {
            block = dottedQuadBlock.test(text) ? new Netmask(text) : undefined;
        } catch {
            block = undefined;
        }
        if (!block) {
            ctx.addIssue({ code: "custom", message: "an IPv4 CIDR block a.b.c.d/n with octets 0-255 and a prefix up to /32, e.g. 10.0.0.0/16" });
            return;
        }
        const canonical = `${block.base}/${block.bitmask}`;
        if (canonical !== text) {
            ctx.addIssue({ code: "custom", message: `a CIDR block without host bits set (did you mean ${canonical}?)` });
        } else if (block.bitmask < prefixes.min || block.bitmask > prefixes.max) {
            ctx.addIssue({ code: "custom", message: `an IPv4 block from /${prefixes.min} to /${prefixes.max} (${prefixes.why})` });
        } else if (!isPrivateBlock(text)) {
            ctx.addIssue({ code: "custom", message: "a private (RFC 1918) range inside 10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16" });
        }
    });
}

/** The `index`-th subnet with `newBits` more prefix bits inside `block`, e.g. 10.0.0.0/16, 3, 5 → 10.0.160.0/19. */
export function subnetCidr(block: string, newBits: number, index: number): string {
    const parent = new Netmask(block);
    const prefix = parent.bitmask + newBits;
    if (!Number.isInteger(index) || index < 0 || index >= 2 ** newBits || prefix > 32) {
        throw new Error(`no subnet ${index} of /${prefix} in ${block}`);
    }
    return new Netmask(parent.base, prefix).next(index).toString();
}
