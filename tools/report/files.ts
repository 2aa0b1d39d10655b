/** The files a stack's report consists of, as text: what the CLI writes and what the staleness test compares. */
import * as path from "node:path";
import { architectureDot, renderSvg } from "./diagram";
import { buildStackReport, type ProgramRuns, type StackReport } from "./report";
import { renderMarkdown } from "./render";

export interface ReportFiles {
    report: StackReport;
    /** File name (in the output directory) to content. */
    files: Record<string, string>;
}

export async function reportFiles(stack: string, runs: ProgramRuns, outDir: string): Promise<ReportFiles> {
    const { report, architecture } = buildStackReport(stack, runs, outDir);
    const dot = architectureDot(stack, architecture);
    const svg = await renderSvg(dot);
    return {
        report,
        files: {
            [`${stack}.json`]: `${JSON.stringify(report, null, 2)}\n`,
            [`${stack}.md`]: renderMarkdown(report, path.basename(report.diagram)),
            [`${stack}.dot`]: dot,
            [`${stack}.svg`]: svg,
        },
    };
}
