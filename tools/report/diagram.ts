/**
 * The architecture as a picture: a Graphviz graph laid out by Graphviz itself (through @viz-js/viz, its
 * WebAssembly build, which runs offline on Node 20), not hand-placed. The DOT text is a pure function of
 * the architecture, and Graphviz's layout is deterministic, so the committed SVG only changes when the
 * stack does.
 */
import type { Architecture, Box } from "./architecture";

const quote = (s: string) => `"${s.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;

function node(box: Box, style: string): string {
    const label = [box.label, ...box.detail.filter(Boolean)].join("\\n");
    return `    ${box.id} [label=${quote(label).replace(/\\\\n/g, "\\n")} ${style}];`;
}

export function architectureDot(stack: string, arch: Architecture): string {
    const out: string[] = [];
    out.push("digraph architecture {");
    out.push(`  graph [label=${quote(`${stack} (${arch.backend})`)} labelloc=t fontname="Helvetica" fontsize=14 rankdir=LR compound=true nodesep=0.3 ranksep=0.6];`);
    out.push('  node [shape=box style="rounded,filled" fillcolor="#ffffff" fontname="Helvetica" fontsize=10 color="#555555"];');
    out.push('  edge [fontname="Helvetica" fontsize=9 color="#555555"];');
    out.push('  clients [label="clients (internet)" shape=ellipse fillcolor="#f2f2f2"];');
    const cluster = (name: string, label: string, color: string, body: () => void) => {
        out.push(`  subgraph cluster_${name} {`);
        out.push(`    label=${quote(label)} style="rounded,filled" fillcolor=${quote(color)} color="#999999" fontname="Helvetica" fontsize=11;`);
        body();
        out.push("  }");
    };
    const edgeBoxes = () => arch.edge.forEach((b) => out.push(node(b, 'fillcolor="#fde9c9"')));
    const serviceBoxes = () => arch.services.forEach((b) => out.push(node(b, 'fillcolor="#dcebfa"')));
    const dataBoxes = () => arch.data.forEach((b) => out.push(node(b, `fillcolor=${b.kind === "storage" ? '"#eeeeee"' : '"#dff3df"'} shape=${b.kind === "storage" ? "folder" : "cylinder"}`)));
    const appInside = arch.backend !== "digitalocean";
    const networkLabel = arch.network ? [arch.network.label, ...arch.network.detail].join(" · ") : "network";
    cluster("network", networkLabel, "#fafafa", () => {
        if (arch.network && arch.network.zones.length) {
            const zones = { id: "zones", label: arch.backend === "docker" ? "networks" : "zones and subnets", detail: arch.network.zones.map((z) => `${z.label}: ${z.detail.join(", ")}`) };
            out.push(node(zones, 'shape=note fillcolor="#ffffff" fontsize=9'));
        }
        if (appInside) {
            cluster("edge", "edge", "#fff7ea", edgeBoxes);
            cluster("services", "services", "#f0f6fd", serviceBoxes);
        }
        cluster("data", "data tier", "#f1f9f1", dataBoxes);
    });
    if (!appInside) {
        cluster("app", "App Platform app", "#f0f6fd", () => {
            cluster("edge", "edge", "#fff7ea", edgeBoxes);
            cluster("services", "services", "#f0f6fd", serviceBoxes);
        });
    }
    if (arch.monitoring.length) cluster("monitoring", "monitoring", "#f7f0fb", () => arch.monitoring.forEach((b) => out.push(node(b, 'fillcolor="#efe3f7"'))));
    if (arch.destinations.length) cluster("destinations", "alert destinations", "#fbeeee", () => arch.destinations.forEach((b) => out.push(node(b, 'shape=ellipse fillcolor="#f9dede"'))));

    // A docker stack speaks HTTPS where its edge publishes 443 (the selfhosted stack's nginx), else plain HTTP on loopback.
    const protocol = arch.backend === "docker" && !arch.edge.some((e) => e.detail.some((d) => d.endsWith(":443"))) ? "HTTP" : "HTTPS";
    for (const e of arch.edge) out.push(`  clients -> ${e.id} [label="${protocol}"];`);
    const publicServices = arch.services.filter((s) => s.public);
    for (const e of arch.edge) for (const s of publicServices) if (s.id !== e.id) out.push(`  ${e.id} -> ${s.id};`);
    const api = arch.services.find((s) => s.id.startsWith("svc_") && /(^|_)api$/.test(s.id));
    const ml = arch.services.find((s) => s.id.startsWith("svc_") && /(^|_)ml$/.test(s.id));
    if (api && ml) out.push(`  ${api.id} -> ${ml.id} [label="scores"];`);
    const firstService = arch.services[0];
    const firstData = arch.data[0];
    if (firstService && firstData) out.push(`  ${firstService.id} -> ${firstData.id} [ltail=cluster_services lhead=cluster_data label="reads / writes"];`);
    const firstMonitor = arch.monitoring[0];
    if (firstMonitor && firstData) out.push(`  ${firstData.id} -> ${firstMonitor.id} [ltail=cluster_network lhead=cluster_monitoring style=dashed label="metrics"];`);
    const firstDestination = arch.destinations[0];
    if (firstMonitor && firstDestination) out.push(`  ${firstMonitor.id} -> ${firstDestination.id} [ltail=cluster_monitoring lhead=cluster_destinations label="alerts"];`);
    out.push("}");
    return `${out.join("\n")}\n`;
}

/** Renders DOT to SVG with Graphviz (WebAssembly); throws with Graphviz's message when the DOT is invalid. */
export async function renderSvg(dot: string): Promise<string> {
    const { instance } = await import("@viz-js/viz");
    const viz = await instance();
    const result = viz.render(dot, { format: "svg" });
    if (result.status !== "success") throw new Error(`Graphviz could not render the diagram: ${result.errors.map((e) => e.message).join("; ")}`);
    return result.output;
}

/**
 * The SVG as a PNG, where a renderer is installed (@resvg/resvg-js, a dev dependency with prebuilt binaries
 * per platform); undefined where it is not. The PNG is for people (chat, slides), not compared by tests:
 * its text rendering depends on the machine's fonts.
 */
export async function renderPng(svg: string): Promise<Buffer | undefined> {
    let resvg: typeof import("@resvg/resvg-js");
    try {
        resvg = await import("@resvg/resvg-js");
    } catch {
        return undefined;
    }
    const image = new resvg.Resvg(svg, { fitTo: { mode: "width", value: 1600 }, font: { loadSystemFonts: true }, background: "#ffffff" });
    return image.render().asPng();
}
