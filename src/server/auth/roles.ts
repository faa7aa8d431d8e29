// Roles and what each may do, as Docker Scout's organizations have them: Members read; Editors also
// activate repositories, manage exceptions, edit policies and record images in environments; Owners also manage integrations, notifications, members
// and tokens. Data, not code: one table of actions per role.

export const ROLES = ['member', 'editor', 'owner'] as const;
export type Role = (typeof ROLES)[number];

export type Action =
  | 'read'
  | 'repositories:write'
  | 'exceptions:write'
  | 'policies:write'
  | 'environments:write'
  | 'integrations:write'
  | 'notifications:write'
  | 'members:write'
  | 'tokens:write';

const ALLOWED: Readonly<Record<Role, readonly Action[]>> = {
  member: ['read'],
  editor: ['read', 'repositories:write', 'exceptions:write', 'policies:write', 'environments:write'],
  owner: ['read', 'repositories:write', 'exceptions:write', 'policies:write', 'environments:write', 'integrations:write', 'notifications:write', 'members:write', 'tokens:write'],
};

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

export function can(role: Role, action: Action): boolean {
  return ALLOWED[role].includes(action);
}
