/**
 * Checks the load balancer's nginx.conf with nginx itself:
 *   tsx tools/nginx/check.ts [--stack selfhosted] [--out out/nginx]
 * Runs the program for the stack (offline preview), takes /etc/nginx/nginx.conf exactly as the program uploads it,
 * writes it with a throwaway self-signed pair (openssl) where the config expects the certificate and key (relative
 * to nginx.conf's directory), and runs `nginx -t` on it with that directory as prefix: no root paths, no root.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { tlsCertificateFile, tlsKeyFile } from "../../components/docker/nginxConfig";
import { runCliMain } from "../cliMain";
import { runProgram, wire, type RecordedResource } from "../engine/emulator";
import { loadProgram } from "../engine/program";
import { readStackConfig } from "../engine/stackFiles";

export const uploadedConfPath = "/etc/nginx/nginx.conf";

/** The nginx.conf the stack's load balancer container uploads; throws when the stack has none. */
export function nginxConfOf(resources: readonly RecordedResource[], stack: string): string {
    for (const resource of resources.filter((r) => r.type === "docker:index/container:Container")) {
        const uploads = resource.inputs.uploads;
        if (!Array.isArray(uploads)) continue;
        for (const upload of uploads as Record<string, unknown>[]) {
            if (upload.file !== uploadedConfPath) continue;
            if (typeof upload.content !== "string" || upload.content === wire.unknown) throw new Error(`the ${stack} stack's ${uploadedConfPath} is not known in a preview`);
            return upload.content;
        }
    }
    throw new Error(`the ${stack} stack uploads no ${uploadedConfPath} (is docker.loadBalancer enabled?)`);
}

/** Whether a command is on PATH. */
export function onPath(command: string): boolean {
    return spawnSync("sh", ["-c", `command -v ${command}`], { stdio: "ignore" }).status === 0;
}

/** A self-signed ECDSA P-256 pair for `serverName`, valid a day, written where nginx.conf expects it under `dir`. */
export function writeThrowawayPair(dir: string, serverName: string): { certificate: string; privateKey: string } {
    const certificate = path.join(dir, tlsCertificateFile);
    const privateKey = path.join(dir, tlsKeyFile);
    fs.mkdirSync(path.dirname(certificate), { recursive: true });
    const result = spawnSync(
        "openssl",
        ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "1", "-subj", `/CN=${serverName}`, "-keyout", privateKey, "-out", certificate],
        { encoding: "utf8" },
    );
    if (result.status !== 0) throw new Error(`openssl could not make a certificate: ${result.error?.message ?? result.stderr}`);
    return { certificate: fs.readFileSync(certificate, "utf8"), privateKey: fs.readFileSync(privateKey, "utf8") };
}

/** Writes nginx.conf and a throwaway pair into `dir`; returns the conf's path. */
export function prepareCheckDir(conf: string, dir: string): string {
    fs.mkdirSync(dir, { recursive: true });
    const file = path.join(dir, "nginx.conf");
    fs.writeFileSync(file, conf);
    const serverName = /server_name\s+([^;\s]+);/.exec(conf)?.[1] ?? "localhost";
    writeThrowawayPair(dir, serverName);
    return file;
}

/**
 * `nginx -t` on the conf, with its directory as prefix; ok and nginx's own output. Its output goes to a file, not
 * a pipe: the conf logs to /dev/stdout (the container's log), which cannot be opened on the socket Node gives a child.
 */
export function nginxTest(confFile: string): { ok: boolean; output: string } {
    const dir = path.dirname(confFile);
    const logFile = path.join(dir, "nginx-t.log");
    const fd = fs.openSync(logFile, "w");
    try {
        const result = spawnSync("nginx", ["-t", "-p", `${dir}/`, "-c", confFile, "-e", "stderr"], { stdio: ["ignore", fd, fd] });
        return { ok: result.status === 0, output: `${fs.readFileSync(logFile, "utf8")}${result.error ? result.error.message : ""}`.trim() };
    } finally {
        fs.closeSync(fd);
    }
}

async function main(argv: string[]): Promise<number> {
    const option = (name: string, fallback: string) => {
        const index = argv.indexOf(name);
        return index >= 0 && argv[index + 1] !== undefined ? argv[index + 1] : fallback;
    };
    const stack = option("--stack", "selfhosted");
    const out = path.resolve(option("--out", path.join("out", "nginx")));
    const file = readStackConfig(stack);
    const { resources } = await runProgram({ project: file.project, stack, config: file.config, secretKeys: file.secretKeys, program: loadProgram(), preview: true });
    const confFile = prepareCheckDir(nginxConfOf(resources, stack), out);
    console.log(`wrote ${path.relative(process.cwd(), confFile)} and a throwaway certificate`);
    const { ok, output } = nginxTest(confFile);
    console.log(output);
    return ok ? 0 : 1;
}

if (require.main === module) runCliMain(main);
