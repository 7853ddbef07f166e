import type { CurrentUser, DocumentType, RetentionRecompute } from '@/lib/types';

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

/** The Batch Manufacturing Record type (id 7): seven years from the record date. */
export function makeDocumentType(overrides: Partial<DocumentType> = {}): DocumentType {
  return {
    id: 7,
    code: 'BMR',
    name: 'Batch Manufacturing Record',
    retention_years: 7,
    retention_trigger: 'record_date',
    event_name: '',
    is_active: true,
    created_at: '2026-01-01T00:00:00Z',
    updated_at: '2026-01-01T00:00:00Z',
    ...overrides,
  };
}

/** A recompute (id 31) of BMR's schedule, 7 -> 5 years, over 1,200 documents, not started. */
export function makeRecompute(overrides: Partial<RetentionRecompute> = {}): RetentionRecompute {
  return {
    id: 31,
    document_type: 7,
    document_type_code: 'BMR',
    requested_by: 1,
    requested_by_name: 'Sanjay Sysadmin',
    reason: 'SOP-114 rev 4',
    changes: { retention_years: [7, 5] },
    status: 'pending',
    done: 0,
    total: 1200,
    documents_changed: 0,
    crates_changed: 0,
    created_at: '2026-12-03T10:00:00Z',
    finished_at: null,
    ...overrides,
  };
}
