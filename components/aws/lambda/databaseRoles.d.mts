/** Types of databaseRoles.mjs, the function that creates the app's PostgreSQL roles (shipped as plain JavaScript). */

export interface RoleInput {
    schema: string;
    migratorRole: string;
    migratorPassword: string;
    appRole: string;
    appLogin: string;
    appPassword: string;
}

export function quoteIdentifier(name: string): string;
export function quoteLiteral(text: string): string;
export function roleStatements(input: RoleInput): string[];
export function credentialsOf(url: string): { user: string; password: string };
export function handler(event: Record<string, unknown>): Promise<{ roles: string[] }>;
