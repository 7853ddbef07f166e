import type { CurrentUser } from '@/lib/types';

/** A complete signed-in user (the generated type has every field the server sends). */
export function makeUser(overrides: Partial<CurrentUser> = {}): CurrentUser {
  return {
    id: 1,
    username: 'docmanager',
    full_name: 'Doc Manager',
    email: '',
    employee_id: '',
    unit: 1,
    unit_code: 'GOA',
    roles: [],
    is_active: true,
    is_locked: false,
    locked_until: null,
    failed_login_count: 0,
    signature_certified_at: '2026-01-01T00:00:00Z',
    failed_signature_count: 0,
    last_login: null,
    date_joined: '2026-01-01T00:00:00Z',
    capabilities: [],
    allowed_actions: [],
    ...overrides,
  };
}
