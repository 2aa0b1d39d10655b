import * as http from "node:http";
import type { AddressInfo } from "node:net";

/** A request a stand-in server received, its JSON body parsed. */
export interface StandInRequest {
    method: string;
    path: string;
    headers: http.IncomingHttpHeaders;
    body: unknown;
}

/**
 * How a stand-in answers: a status with a JSON body (`{}` when none), "no answer" (the connection stays open
 * and silent, as a hung server's), or "drop" (the connection is cut, as a network error; not recorded).
 */
export type StandInReply = { status: number; body?: unknown } | "no answer" | "drop";

export interface StandIn {
    url: string;
    /** Every request answered or left unanswered, in order. */
    requests: StandInRequest[];
    close(): Promise<void>;
}

/** A stand-in HTTP server on 127.0.0.1 for an API the tools call (Pulumi Cloud, GitHub, DigitalOcean, the app). */
export async function startStandIn(answer: (request: StandInRequest) => StandInReply): Promise<StandIn> {
    const requests: StandInRequest[] = [];
    const server = http.createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on("data", (chunk: Buffer) => chunks.push(chunk));
        req.on("end", () => {
            const text = Buffer.concat(chunks).toString("utf8");
            const request = { method: req.method ?? "", path: req.url ?? "", headers: req.headers, body: text === "" ? undefined : (JSON.parse(text) as unknown) };
            const reply = answer(request);
            if (reply === "drop") {
                req.socket.destroy();
                return;
            }
            requests.push(request);
            if (reply === "no answer") return;
            res.writeHead(reply.status, { "Content-Type": "application/json" });
            res.end(JSON.stringify(reply.body ?? {}));
        });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return {
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        requests,
        close: () =>
            new Promise<void>((resolve) => {
                server.closeAllConnections();
                server.close(() => resolve());
            }),
    };
}
