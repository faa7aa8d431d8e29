// `spyglass admin …`: organizations, users and tokens, directly against the server database (the data
// directory's SQLite, or --database), for the operator: nothing to authenticate with yet.
import type { Command } from 'commander';
import { SpyglassError } from '../core/errors.ts';
import type { Accounts } from '../server/accounts.ts';
import { readStdin } from './api-client.ts';
import { globalOptions, parseFormat, type CommandContext } from './context.ts';
import { addDatabaseOption, databaseUrl } from './server-options.ts';

/** The password on standard input (one trailing newline dropped), refused before anything is written when the server would refuse it. */
async function passwordFromStdin(): Promise<string> {
  const password = await readStdin();
  const { checkPassword } = await import('../server/auth/passwords.ts');
  checkPassword(password);
  return password;
}

export function registerAdmin(program: Command, context: CommandContext): void {
  const admin = program.command('admin').description('server administration against the data directory or --database: organizations, users, tokens, plans')
    .addHelpText('after', `
Examples:
  $ spyglass admin create-org acme --owner owner@acme.example
  $ spyglass admin token create --org acme --email ci@acme.example --name ci`);

  const withAccounts = async <T>(options: { database?: string }, work: (accounts: Accounts) => Promise<T>): Promise<T> => {
    const { openServerDatabase } = await import('../server/db/open.ts');
    const { Accounts } = await import('../server/accounts.ts');
    const url = databaseUrl(options.database);
    const sql = await openServerDatabase({ dataDir: globalOptions(program).dataDir, ...(url !== undefined ? { databaseUrl: url } : {}) });
    try {
      return await work(new Accounts(sql));
    } finally {
      await sql.close();
    }
  };

  addDatabaseOption(admin.command('create-org').argument('<org>', 'organization name (lower-case letters, digits, . _ -)'))
    .description('create an organization with its owner; prints an Owner API token (shown once)')
    .addHelpText('after', `
Examples:
  $ spyglass admin create-org acme --owner owner@acme.example
  $ spyglass admin create-org acme --owner owner@acme.example --plan team --format json`)
    .requiredOption('--owner <email>', "the owner's email")
    .option('--plan <plan>', 'free, team or business', 'free')
    .option('--format <format>', 'text or json', 'text')
    .action(async (name: string, options: { owner: string; plan: string; format: string; database?: string }) => {
      const format = parseFormat(options.format, ['text', 'json']);
      const { token, org } = await withAccounts(options, (accounts) => accounts.createOrg(name, options.owner, { plan: options.plan }));
      if (format === 'json') context.stdout.write(`${JSON.stringify({ token, org: org.name, plan: org.plan })}\n`);
      else context.stdout.write(`${token}\n`);
    });

  addDatabaseOption(admin.command('create-user').argument('<email>', "the user's email"))
    .description('add a user to an organization with a role (or change their role); with --password-stdin, also their dashboard password')
    .addHelpText('after', `
Examples:
  $ spyglass admin create-user dev@acme.example --org acme --role editor
  $ spyglass admin create-user dev@acme.example --org acme --role editor --password-stdin < password.txt`)
    .requiredOption('--org <org>', 'organization')
    .requiredOption('--role <role>', 'owner, editor or member')
    .option('--password-stdin', 'read the dashboard sign-in password from standard input (at least 8 characters)')
    .action(async (email: string, options: { org: string; role: string; passwordStdin?: boolean; database?: string }) => {
      // The password is checked before anything is written: a refused one leaves no half-made user.
      const password = options.passwordStdin === true ? await passwordFromStdin() : undefined;
      await withAccounts(options, async (accounts) => {
        await accounts.setMember(options.org, email, options.role);
        if (password !== undefined) {
          const { setPassword } = await import('../server/auth/passwords.ts');
          await setPassword(accounts.sql, email, password);
        }
      });
      context.stdout.write(`${email.toLowerCase()} is ${options.role} of ${options.org}\n`);
    });

  addDatabaseOption(admin.command('set-password').argument('<email>', "the user's email"))
    .description("set or change a user's dashboard sign-in password (their signed-in sessions end)")
    .addHelpText('after', `
Examples:
  $ spyglass admin set-password dev@acme.example --password-stdin < password.txt`)
    .requiredOption('--password-stdin', 'read the password from standard input (at least 8 characters)')
    .action(async (email: string, options: { database?: string }) => {
      const password = await passwordFromStdin();
      await withAccounts(options, async (accounts) => {
        const { setPassword } = await import('../server/auth/passwords.ts');
        await setPassword(accounts.sql, email, password);
      });
      context.stdout.write(`password set for ${email.toLowerCase()}\n`);
    });

  const token = admin.command('token').description('API tokens')
    .addHelpText('after', `
Examples:
  $ spyglass admin token create --org acme --email ci@acme.example --name ci
  $ spyglass admin token revoke TOKEN_ID`);
  addDatabaseOption(token.command('create'))
    .description('a new API token for a member (shown once)')
    .addHelpText('after', `
Examples:
  $ spyglass admin token create --org acme --email ci@acme.example --name ci
  $ spyglass admin token create --org acme --email ci@acme.example --format json`)
    .requiredOption('--org <org>', 'organization')
    .requiredOption('--email <email>', 'the member')
    .option('--name <name>', 'what the token is for', 'api')
    .option('--format <format>', 'text or json', 'text')
    .action(async (options: { org: string; email: string; name: string; format: string; database?: string }) => {
      const format = parseFormat(options.format, ['text', 'json']);
      const created = await withAccounts(options, (accounts) => accounts.createToken(options.org, options.email, options.name));
      if (format === 'json') context.stdout.write(`${JSON.stringify({ id: created.id, token: created.token, org: options.org })}\n`);
      else context.stdout.write(`${created.token}\n`);
    });
  addDatabaseOption(token.command('revoke').argument('<token>', 'token id or the token itself'))
    .description('revoke an API token')
    .addHelpText('after', `
Examples:
  $ spyglass admin token revoke TOKEN_ID`)
    .action(async (idOrToken: string, options: { database?: string }) => {
      const revoked = await withAccounts(options, (accounts) => accounts.revokeToken(idOrToken));
      if (!revoked) throw new SpyglassError(`no active token ${idOrToken.startsWith('spy_') ? '(the one given)' : idOrToken}`);
      context.stdout.write('revoked\n');
    });

  addDatabaseOption(admin.command('set-plan').argument('<org>', 'organization').argument('<plan>', 'free, team or business'))
    .description("change an organization's plan, and optionally its own limit of activated repositories")
    .addHelpText('after', `
Examples:
  $ spyglass admin set-plan acme team
  $ spyglass admin set-plan acme business --repository-limit 500`)
    .option('--repository-limit <n>', "the organization's own limit (overrides the plan's)")
    .action(async (org: string, plan: string, options: { repositoryLimit?: string; database?: string }) => {
      let limit: number | undefined;
      if (options.repositoryLimit !== undefined) {
        limit = Number(options.repositoryLimit);
        if (!Number.isSafeInteger(limit) || limit < 0) throw new SpyglassError(`--repository-limit ${options.repositoryLimit}: expected a whole number, 0 or more`);
      }
      await withAccounts(options, (accounts) => accounts.setPlan(org, plan, limit));
      context.stdout.write(`${org}: plan ${plan}${limit !== undefined ? `, at most ${limit} activated repositories` : ''}\n`);
    });
}
