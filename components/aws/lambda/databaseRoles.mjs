// Creates the app's PostgreSQL roles as the RDS master user, from inside the VPC. Invoked by the program
// (aws.lambda.Invocation) whenever a role's password or the role layout changes. The master password is
// read here from the secret RDS manages (manageMasterUserPassword) and reaches no container.
//
// Roles: `<migrator>` (LOGIN) owns the schema and everything the migrations create; `<app>` (NOLOGIN)
// holds read/write privileges on them; `<app>_1` and `<app>_2` (LOGIN, members of `<app>`) take turns
// as the app's login, so a password rotation never invalidates the login running tasks still use.
// The SDK clients come with the Lambda runtime and pg with the function's bundle: imported when the handler
// runs, so the statement builders below can be loaded (and tested) anywhere.

/** `"name"` as a PostgreSQL identifier. */
export function quoteIdentifier(name) {
    return `"${String(name).replace(/"/g, '""')}"`;
}

/** `'text'` as a PostgreSQL string literal (standard_conforming_strings is on from PostgreSQL 9.1). */
export function quoteLiteral(text) {
    return `'${String(text).replace(/'/g, "''")}'`;
}

/**
 * The statements that bring the database to the wanted roles and privileges, idempotent (safe to re-run).
 * @param {{ schema: string, migratorRole: string, migratorPassword: string, appRole: string, appLogin: string, appPassword: string }} input
 */
export function roleStatements(input) {
    const schema = quoteIdentifier(input.schema);
    const migrator = quoteIdentifier(input.migratorRole);
    const app = quoteIdentifier(input.appRole);
    const login = quoteIdentifier(input.appLogin);
    const ensure = (role, options) =>
        `DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = ${quoteLiteral(role)}) THEN CREATE ROLE ${quoteIdentifier(role)} ${options}; END IF; END $$`;
    return [
        ensure(input.migratorRole, "LOGIN"),
        ensure(input.appRole, "NOLOGIN"),
        ensure(input.appLogin, "LOGIN"),
        `ALTER ROLE ${migrator} WITH LOGIN PASSWORD ${quoteLiteral(input.migratorPassword)}`,
        `ALTER ROLE ${login} WITH LOGIN PASSWORD ${quoteLiteral(input.appPassword)}`,
        `GRANT ${app} TO ${login}`,
        // The master user may act for the migrator (needed to hand it the schema and existing objects).
        `GRANT ${migrator} TO CURRENT_USER`,
        `CREATE SCHEMA IF NOT EXISTS ${schema} AUTHORIZATION ${migrator}`,
        `ALTER SCHEMA ${schema} OWNER TO ${migrator}`,
        `REVOKE CREATE ON SCHEMA ${schema} FROM PUBLIC`,
        // Objects created earlier by the master user (before these roles existed) move to the migrator.
        `DO $$ DECLARE r record; BEGIN FOR r IN SELECT c.relname, c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace ` +
            `WHERE n.nspname = ${quoteLiteral(input.schema)} AND c.relkind IN ('r','p','v','m','S','f') AND pg_get_userbyid(c.relowner) = current_user LOOP ` +
            `EXECUTE format('ALTER %s %I.%I OWNER TO %I', CASE r.relkind WHEN 'S' THEN 'SEQUENCE' WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW' WHEN 'f' THEN 'FOREIGN TABLE' ELSE 'TABLE' END, ` +
            `${quoteLiteral(input.schema)}, r.relname, ${quoteLiteral(input.migratorRole)}); END LOOP; END $$`,
        `GRANT USAGE ON SCHEMA ${schema} TO ${app}`,
        `GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA ${schema} TO ${app}`,
        `GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA ${schema} TO ${app}`,
        `ALTER DEFAULT PRIVILEGES FOR ROLE ${migrator} IN SCHEMA ${schema} GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO ${app}`,
        `ALTER DEFAULT PRIVILEGES FOR ROLE ${migrator} IN SCHEMA ${schema} GRANT USAGE, SELECT ON SEQUENCES TO ${app}`,
    ];
}


/** `postgresql://user:password@…` → { user, password }. */
export function credentialsOf(url) {
    const parsed = new URL(url);
    return { user: decodeURIComponent(parsed.username), password: decodeURIComponent(parsed.password) };
}

/**
 * Event: { dbInstanceIdentifier, host, port, database, schema, migratorRole, migratorUrlSecretArn, appRole, appUrlSecretArn }.
 * The role passwords are read from the URLs the app and the migration step receive; the master password from
 * the secret RDS manages for the instance (its ARN asked of RDS, so it never passes through the program).
 */
export async function handler(event) {
    const { SecretsManagerClient, GetSecretValueCommand } = await import("@aws-sdk/client-secrets-manager");
    const { RDSClient, DescribeDBInstancesCommand } = await import("@aws-sdk/client-rds");
    const { default: pg } = await import("pg");
    const secrets = new SecretsManagerClient({});
    const secretValue = async (arn) => (await secrets.send(new GetSecretValueCommand({ SecretId: arn }))).SecretString ?? "";
    const described = await new RDSClient({}).send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: event.dbInstanceIdentifier }));
    const masterSecretArn = described.DBInstances?.[0]?.MasterUserSecret?.SecretArn;
    if (!masterSecretArn) throw new Error(`${event.dbInstanceIdentifier} has no RDS-managed master secret (manageMasterUserPassword)`);
    const master = JSON.parse(await secretValue(masterSecretArn));
    const migrator = credentialsOf(await secretValue(event.migratorUrlSecretArn));
    const app = credentialsOf(await secretValue(event.appUrlSecretArn));
    const client = new pg.Client({
        host: event.host,
        port: Number(event.port),
        database: event.database,
        user: master.username,
        password: master.password,
        // Verified TLS to RDS: the runtime's Amazon CA bundle (RDS CAs included) is trusted through
        // NODE_EXTRA_CA_CERTS=/var/runtime/ca-cert.pem, set on the function.
        ssl: { rejectUnauthorized: true, servername: event.host },
    });
    await client.connect();
    try {
        const statements = roleStatements({
            schema: event.schema,
            migratorRole: migrator.user,
            migratorPassword: migrator.password,
            appRole: event.appRole,
            appLogin: app.user,
            appPassword: app.password,
        });
        await client.query("BEGIN");
        for (const statement of statements) await client.query(statement);
        await client.query("COMMIT");
    } catch (error) {
        await client.query("ROLLBACK").catch(() => undefined);
        throw error;
    } finally {
        await client.end();
    }
    return { roles: [migrator.user, event.appRole, app.user] };
}
