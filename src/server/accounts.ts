// Users, organizations, memberships and API tokens. A token belongs to one user in one organization:
// it acts with that user's role there and sees nothing of any other organization.
import { randomUUID } from 'node:crypto';
import { SpyglassError } from '../core/errors.ts';
import { hashSecret, newToken, TOKEN_PREFIX } from './auth/secrets.ts';
import { isRole, type Role } from './auth/roles.ts';
import plans from './data/plans.json' with { type: 'json' };
import { toNumber, type Sql } from './db/sql.ts';

export interface Principal {
  tokenId: string;
  orgId: string;
  org: string;
  userId: string;
  email: string;
  role: Role;
}

export interface Org {
  id: string;
  name: string;
  plan: string;
  repositoryLimit: number | null;
  createdAt: number;
}

export interface Member {
  userId: string;
  email: string;
  role: Role;
  createdAt: number;
}

export interface TokenInfo {
  id: string;
  name: string;
  email: string;
  createdAt: number;
  revokedAt?: number;
  lastUsedAt?: number;
}

const ORG_NAME = /^[a-z0-9][a-z0-9._-]{0,62}$/;
const EMAIL = /^[^\s@]+@[^\s@]+$/;

type PlanTable = Record<string, { repositories: number | null } | string>;

export function planLimit(plan: string): number | null | undefined {
  const entry = (plans as PlanTable)[plan];
  return typeof entry === 'object' ? entry.repositories : undefined;
}

export class Accounts {
  constructor(readonly sql: Sql) {}

  async ensureUser(email: string, tx: Sql = this.sql): Promise<string> {
    if (!EMAIL.test(email)) throw new SpyglassError(`${JSON.stringify(email)} is not an email address`);
    const normalised = email.toLowerCase();
    await tx.run('INSERT INTO users (id, email, created_at) VALUES (?, ?, ?) ON CONFLICT (email) DO NOTHING', [randomUUID(), normalised, Date.now()]);
    const row = await tx.get<{ id: string }>('SELECT id FROM users WHERE email = ?', [normalised]);
    return row!.id;
  }

  /** Creates an organization with `ownerEmail` as its Owner; returns the organization and an Owner token. */
  async createOrg(name: string, ownerEmail: string, options: { plan?: string } = {}): Promise<{ org: Org; token: string }> {
    if (!ORG_NAME.test(name)) throw new SpyglassError(`organization name ${JSON.stringify(name)}: use lower-case letters, digits, '.', '_' and '-' (at most 63)`);
    const plan = options.plan ?? 'free';
    if (planLimit(plan) === undefined) throw new SpyglassError(`unknown plan ${JSON.stringify(plan)} (known: ${Object.keys(plans).filter((key) => !key.startsWith('$')).join(', ')})`);
    return this.sql.transaction(async (tx) => {
      if (await tx.get('SELECT id FROM orgs WHERE name = ?', [name])) throw new SpyglassError(`organization ${name} already exists`);
      const id = randomUUID();
      const now = Date.now();
      await tx.run('INSERT INTO orgs (id, name, plan, repository_limit, created_at) VALUES (?, ?, ?, NULL, ?)', [id, name, plan, now]);
      const userId = await this.ensureUser(ownerEmail, tx);
      await tx.run('INSERT INTO memberships (org_id, user_id, role, created_at) VALUES (?, ?, ?, ?)', [id, userId, 'owner', now]);
      const token = await this.#insertToken(tx, id, userId, 'created with the organization');
      return { org: { id, name, plan, repositoryLimit: null, createdAt: now }, token };
    });
  }

  async org(name: string): Promise<Org | undefined> {
    const row = await this.sql.get('SELECT * FROM orgs WHERE name = ?', [name]);
    if (row === undefined) return undefined;
    return {
      id: String(row.id), name: String(row.name), plan: String(row.plan),
      repositoryLimit: row.repository_limit === null || row.repository_limit === undefined ? null : toNumber(row.repository_limit),
      createdAt: toNumber(row.created_at),
    };
  }

  async requireOrg(name: string): Promise<Org> {
    const org = await this.org(name);
    if (org === undefined) throw new SpyglassError(`no organization named ${name}`);
    return org;
  }

  /** The organization's limit of activated repositories: its own, else its plan's; null = none. */
  repositoryLimit(org: Org): number | null {
    return org.repositoryLimit ?? planLimit(org.plan) ?? null;
  }

  async setPlan(orgName: string, plan: string, repositoryLimit?: number | null): Promise<void> {
    if (planLimit(plan) === undefined) throw new SpyglassError(`unknown plan ${JSON.stringify(plan)}`);
    const org = await this.requireOrg(orgName);
    await this.sql.run('UPDATE orgs SET plan = ?, repository_limit = ? WHERE id = ?', [plan, repositoryLimit ?? null, org.id]);
  }

  async setMember(orgName: string, email: string, role: string): Promise<void> {
    if (!isRole(role)) throw new SpyglassError(`unknown role ${JSON.stringify(role)} (owner, editor or member)`);
    const org = await this.requireOrg(orgName);
    await this.sql.transaction(async (tx) => {
      const userId = await this.ensureUser(email, tx);
      await tx.run(
        'INSERT INTO memberships (org_id, user_id, role, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (org_id, user_id) DO UPDATE SET role = excluded.role',
        [org.id, userId, role, Date.now()],
      );
    });
  }

  async removeMember(orgId: string, email: string): Promise<boolean> {
    return this.sql.transaction(async (tx) => {
      const user = await tx.get<{ id: string }>('SELECT id FROM users WHERE email = ?', [email.toLowerCase()]);
      if (user === undefined) return false;
      await tx.run('UPDATE tokens SET revoked_at = ? WHERE org_id = ? AND user_id = ? AND revoked_at IS NULL', [Date.now(), orgId, user.id]);
      return (await tx.run('DELETE FROM memberships WHERE org_id = ? AND user_id = ?', [orgId, user.id])) > 0;
    });
  }

  async members(orgId: string): Promise<Member[]> {
    const rows = await this.sql.all(
      'SELECT u.id, u.email, m.role, m.created_at FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.org_id = ? ORDER BY u.email',
      [orgId],
    );
    return rows.map((row) => ({ userId: String(row.id), email: String(row.email), role: row.role as Role, createdAt: toNumber(row.created_at) }));
  }

  async #insertToken(tx: Sql, orgId: string, userId: string, name: string): Promise<string> {
    const token = newToken();
    await tx.run('INSERT INTO tokens (id, org_id, user_id, hash, name, created_at) VALUES (?, ?, ?, ?, ?, ?)', [
      randomUUID(), orgId, userId, hashSecret(token), name, Date.now(),
    ]);
    return token;
  }

  /** A new token for a member of the organization (shown once: only its hash is kept). */
  async createToken(orgName: string, email: string, name = 'api'): Promise<{ id: string; token: string }> {
    const org = await this.requireOrg(orgName);
    return this.sql.transaction(async (tx) => {
      const user = await tx.get<{ id: string }>(
        'SELECT u.id FROM users u JOIN memberships m ON m.user_id = u.id WHERE u.email = ? AND m.org_id = ?',
        [email.toLowerCase(), org.id],
      );
      if (user === undefined) throw new SpyglassError(`${email} is not a member of ${orgName}`);
      const token = await this.#insertToken(tx, org.id, user.id, name);
      const row = await tx.get<{ id: string }>('SELECT id FROM tokens WHERE hash = ?', [hashSecret(token)]);
      return { id: row!.id, token };
    });
  }

  /** Revokes by token id or by the token itself; `orgId` limits it to one organization. */
  async revokeToken(idOrToken: string, orgId?: string): Promise<boolean> {
    const byToken = idOrToken.startsWith(TOKEN_PREFIX);
    const where = byToken ? 'hash = ?' : 'id = ?';
    const key = byToken ? hashSecret(idOrToken) : idOrToken;
    const params = orgId === undefined ? [Date.now(), key] : [Date.now(), key, orgId];
    return (await this.sql.run(`UPDATE tokens SET revoked_at = ? WHERE ${where} AND revoked_at IS NULL${orgId === undefined ? '' : ' AND org_id = ?'}`, params)) > 0;
  }

  async tokens(orgId: string): Promise<TokenInfo[]> {
    const rows = await this.sql.all(
      'SELECT t.id, t.name, u.email, t.created_at, t.revoked_at, t.last_used_at FROM tokens t JOIN users u ON u.id = t.user_id WHERE t.org_id = ? ORDER BY t.created_at',
      [orgId],
    );
    return rows.map((row) => ({
      id: String(row.id), name: String(row.name), email: String(row.email), createdAt: toNumber(row.created_at),
      ...(row.revoked_at !== null ? { revokedAt: toNumber(row.revoked_at) } : {}),
      ...(row.last_used_at !== null ? { lastUsedAt: toNumber(row.last_used_at) } : {}),
    }));
  }

  /** The principal a bearer token stands for, or undefined (unknown, revoked, or its user no longer a member). */
  async authenticate(token: string): Promise<Principal | undefined> {
    if (!token.startsWith(TOKEN_PREFIX) || token.length > 200) return undefined;
    const row = await this.sql.get(
      `SELECT t.id AS token_id, o.id AS org_id, o.name AS org, u.id AS user_id, u.email, m.role
       FROM tokens t JOIN orgs o ON o.id = t.org_id JOIN users u ON u.id = t.user_id
       JOIN memberships m ON m.org_id = t.org_id AND m.user_id = t.user_id
       WHERE t.hash = ? AND t.revoked_at IS NULL`,
      [hashSecret(token)],
    );
    if (row === undefined || !isRole(row.role)) return undefined;
    return { tokenId: String(row.token_id), orgId: String(row.org_id), org: String(row.org), userId: String(row.user_id), email: String(row.email), role: row.role };
  }
}
