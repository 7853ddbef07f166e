import type { Capability, CurrentUser } from './types';

/**
 * Whether the signed-in user holds a capability, as `GET /api/auth/me/` lists them. The SPA
 * never derives this from role names: the server's policy decides (docs/roles.md), and what
 * concerns one object comes from that object's `allowed_actions`.
 */
export function can(user: CurrentUser | null | undefined, capability: Capability): boolean {
  // A session stored by an older build may lack the list until /me/ refreshes it.
  return (user?.capabilities ?? []).includes(capability);
}

/** Any of the master-data capabilities: the Administration screen. */
export function canAdminister(user: CurrentUser | null | undefined): boolean {
  return (
    can(user, 'manage_users') ||
    can(user, 'manage_units') ||
    can(user, 'manage_departments') ||
    can(user, 'manage_document_types')
  );
}
