import type { RoleName, User } from './types';

export const ROLES: RoleName[] = [
  'System Administrator',
  'Unit Admin',
  'Document Manager',
  'Approver',
  'Store Head',
  'Viewer',
];

export function hasRole(user: User | null | undefined, ...roles: RoleName[]): boolean {
  if (!user) return false;
  return user.roles.some((role) => (roles as string[]).includes(role));
}

/** What the UI offers per docs/roles.md; the API stays the authority. */
export const can = {
  manageMasterData: (u: User | null) => hasRole(u, 'System Administrator', 'Unit Admin'),
  manageCrates: (u: User | null) => hasRole(u, 'System Administrator', 'Document Manager'),
  approve: (u: User | null) => hasRole(u, 'System Administrator', 'Approver'),
  execute: (u: User | null) => hasRole(u, 'System Administrator', 'Store Head'),
  legalHold: (u: User | null) => hasRole(u, 'System Administrator', 'Approver'),
  readAudit: (u: User | null) => hasRole(u, 'System Administrator', 'Unit Admin', 'Approver'),
  allUnits: (u: User | null) => hasRole(u, 'System Administrator'),
};
