import { describe, expect, it } from 'vitest';
import { loginErrorMessage } from '@/features/auth/components/login-page';
import { crateUnusableReason } from '@/features/requests/components/request-form';
import { passwordProblems } from '@/features/auth/components/change-password-page';
import { validateCrateForm, type DocumentRow } from '@/features/crates/components/crate-form';
import {
  pickedFromRequest,
  toRequestBody,
  toRequestItems,
  validateRequestForm,
  valuesFromRequest,
} from '@/features/requests/components/request-form';
import { ApiError } from '@/lib/api-client';
import { can, canAdminister } from '@/lib/capabilities';
import type { Crate, DmsRequest, RequestItem } from '@/lib/types';
import { makeUser } from '@/test/factories';

const today = '2026-06-15';
const row = (over: Partial<DocumentRow> = {}): DocumentRow => ({
  key: 1,
  number: 'BMR-1',
  title: 'Batch record',
  document_type: 3,
  record_date: '2026-01-02',
  ...over,
});

describe('login messages', () => {
  it('tells bad password, lockout and throttling apart', () => {
    expect(loginErrorMessage(new ApiError(401, { detail: 'x' }))).toBe(
      'Wrong username or password.',
    );
    expect(loginErrorMessage(new ApiError(403, { detail: 'x', code: 'account_locked' }))).toMatch(
      /locked/,
    );
    // The fifth wrong password itself locks the account: the message says so at once.
    expect(loginErrorMessage(new ApiError(401, { detail: 'x', code: 'account_locked' }))).toMatch(
      /now locked/,
    );
    expect(loginErrorMessage(new ApiError(429, { detail: 'x' }))).toMatch(
      /Too many sign-in attempts/,
    );
  });
});

describe('password policy hints', () => {
  it('lists what a weak password lacks', () => {
    expect(passwordProblems('short', 'bob')).toEqual(
      expect.arrayContaining([
        'at least 12 characters',
        'an upper-case letter',
        'a digit',
        'a symbol',
      ]),
    );
    expect(passwordProblems('Demo@12345678', 'viewer')).toEqual([]);
    expect(passwordProblems('Viewer@123456', 'viewer')).toContain('not containing your username');
  });
});

describe('crate form', () => {
  const form = { department: '2', description: 'QA batch records 2025' };

  it('accepts a crate with valid documents', () => {
    expect(
      validateCrateForm(form, [row(), row({ key: 2, number: 'BMR-2' })], false, today).ok,
    ).toBe(true);
  });

  it('flags missing fields, future dates and duplicate numbers per row', () => {
    const result = validateCrateForm(
      { department: '', description: ' ' },
      [
        row(),
        row({ key: 2, title: '', record_date: '2027-01-01' }),
        row({ key: 3, number: 'bmr-1' }),
      ],
      false,
      today,
    );
    expect(result.ok).toBe(false);
    expect(result.crate).toEqual({
      department: 'Choose the department.',
      description: 'Describe what the crate holds.',
    });
    expect(result.rows[1]).toEqual({
      number: 'Same number as document 1.',
      title: 'Required.',
      record_date: 'Cannot be in the future.',
    });
    expect(result.rows[2].number).toBe('Same number as document 1.');
  });

  it('needs the unit for a System Administrator and at least one document', () => {
    const result = validateCrateForm({ ...form, unit: '' }, [], true, today);
    expect(result.crate.unit).toBe('Choose the unit.');
    expect(result.crate.documents).toBe('Add at least one document.');
  });
});

describe('request form', () => {
  const crate = (over: Partial<Crate> = {}): Crate =>
    ({
      id: 1,
      number: 'CRT-GOA-2026-000001',
      status: 'stored',
      legal_hold: false,
      unit: 1,
      ...over,
    }) as Crate;

  it('requires a return date not in the past for withdrawals', () => {
    const values = {
      request_type: 'withdrawal' as const,
      purpose: 'Audit',
      expected_return_date: '2026-06-01',
      target_unit: '',
    };
    expect(validateRequestForm(values, [{ crate: crate(), documents: null }], today, 1)).toEqual({
      expected_return_date: 'Cannot be in the past.',
    });
  });

  it('refuses crates in the wrong status and crates on legal hold for destruction', () => {
    const values = {
      request_type: 'destruction' as const,
      purpose: 'Retention over',
      expected_return_date: '',
      target_unit: '',
    };
    expect(
      validateRequestForm(
        values,
        [{ crate: crate({ legal_hold: true }), documents: null }],
        today,
        1,
      ).items,
    ).toMatch(/legal hold/);
    const storage = { ...values, request_type: 'storage' as const };
    expect(
      validateRequestForm(storage, [{ crate: crate(), documents: null }], today, 1).items,
    ).toMatch(/takes draft crates/);
  });

  it('needs another unit for a transfer', () => {
    const values = {
      request_type: 'transfer' as const,
      purpose: 'Move',
      expected_return_date: '',
      target_unit: '1',
    };
    expect(
      validateRequestForm(values, [{ crate: crate(), documents: null }], today, 1).target_unit,
    ).toMatch(/other than/);
  });

  it('sends whole crates and single documents as items', () => {
    expect(
      toRequestItems([
        { crate: crate(), documents: null },
        { crate: crate({ id: 2 }), documents: [5, 6] },
      ]),
    ).toEqual([{ crate: 1 }, { crate: 2, document: 5 }, { crate: 2, document: 6 }]);
  });
});

describe('editing a draft request', () => {
  const crate = (id: number, status: Crate['status'] = 'stored') =>
    ({ id, number: `CRT-GOA-2026-00000${id}`, status, legal_hold: false }) as Crate;
  const item = (crateId: number, document: number | null) =>
    ({ id: crateId * 100 + (document ?? 0), crate: crateId, document }) as RequestItem;
  const draft = {
    id: 7,
    number: 'REQ-2026-000007',
    request_type: 'withdrawal',
    status: 'draft',
    purpose: 'Audit',
    expected_return_date: '2026-07-01',
    target_unit: null,
    items: [item(1, null), item(2, 21), item(2, 22)],
    allowed_actions: ['edit', 'submit', 'delete', 'cancel'],
  } as unknown as DmsRequest;

  it('starts from the draft: header fields, whole crates and chosen documents', () => {
    const picked = pickedFromRequest(
      draft.items,
      new Map([
        [1, crate(1)],
        [2, crate(2)],
      ]),
    );
    expect(valuesFromRequest(draft)).toEqual({
      request_type: 'withdrawal',
      purpose: 'Audit',
      expected_return_date: '2026-07-01',
      target_unit: '',
    });
    expect(picked.map((p) => [p.crate.id, p.documents])).toEqual([
      [1, null],
      [2, [21, 22]],
    ]);
    expect(toRequestBody(valuesFromRequest(draft), picked)).toEqual({
      purpose: 'Audit',
      items: [{ crate: 1 }, { crate: 2, document: 21 }, { crate: 2, document: 22 }],
      expected_return_date: '2026-07-01',
    });
  });

  it('sends only the fields of the request type', () => {
    const values = {
      ...valuesFromRequest(draft),
      request_type: 'transfer' as const,
      target_unit: '2',
    };
    expect(toRequestBody(values, [{ crate: crate(1), documents: null }])).toEqual({
      purpose: 'Audit',
      items: [{ crate: 1 }],
      target_unit: 2,
    });
  });
});

describe('capabilities', () => {
  it('offers only what /api/auth/me/ lists, whatever the roles', () => {
    const approver = makeUser({ roles: ['Approver'], capabilities: ['approve_requests'] });
    expect(can(approver, 'approve_requests')).toBe(true);
    expect(can(approver, 'execute_requests')).toBe(false);
    expect(canAdminister(approver)).toBe(false);
    // Role names alone grant nothing in the SPA.
    expect(can(makeUser({ roles: ['System Administrator'] }), 'see_all_units')).toBe(false);
    expect(canAdminister(makeUser({ capabilities: ['manage_departments'] }))).toBe(true);
    expect(can(null, 'read_audit')).toBe(false);
  });
});

describe('crate picker', () => {
  const crate = (fields: Partial<Crate>) =>
    ({
      status: 'stored',
      document_count: 2,
      legal_hold: false,
      allowed_actions: [],
      ...fields,
    }) as Crate;

  it('offers only what the API would accept, and says why not', () => {
    expect(
      crateUnusableReason('withdrawal', crate({ allowed_actions: ['request_withdrawal'] })),
    ).toBeNull();
    expect(crateUnusableReason('withdrawal', crate({}))).toBe(
      'in an open request or documents out',
    );
    expect(
      crateUnusableReason('destruction', crate({ legal_hold: true, allowed_actions: [] })),
    ).toBe('under legal hold');
    expect(crateUnusableReason('transfer', crate({ status: 'withdrawn' }))).toBe(
      'withdrawn, not stored',
    );
    expect(crateUnusableReason('storage', crate({ status: 'draft', document_count: 0 }))).toBe(
      'no documents yet',
    );
    expect(crateUnusableReason('storage', crate({ status: 'draft' }))).toBeNull();
  });
});
