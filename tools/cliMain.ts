/**
 * Runs a command-line tool's `main` and exits with its code once stdout and stderr have flushed: to a
 * pipe, writes are asynchronous, and exiting at once cuts a large JSON document short. An error nothing
 * handled (a bug, not a user's mistake: those are reported by `main` with exit 1) exits 2 with its stack.
 */
export function runCliMain(main: (argv: string[]) => Promise<number>): void {
    main(process.argv.slice(2)).then(exitAfterFlush, (error: unknown) => {
        process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
        exitAfterFlush(2);
    });
}

function exitAfterFlush(code: number): void {
    let pending = 2;
    const done = () => {
        pending -= 1;
        if (pending === 0) process.exit(code);
    };
    process.stdout.write("", done);
    process.stderr.write("", done);
}
