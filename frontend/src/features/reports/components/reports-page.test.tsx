import { describe, expect, it } from 'vitest';
import { makeUser } from '@/test/factories';
import { reportKindsFor } from './reports-page';

describe('reportKindsFor', () => {
  it('offers the audit export only to a role that can read the audit trail', () => {
    const kinds = (caps: Parameters<typeof makeUser>[0]) =>
      reportKindsFor(makeUser(caps)).map((k) => k.value);
    expect(kinds({ capabilities: [] })).not.toContain('audit');
    expect(kinds({ capabilities: ['raise_requests'] })).toContain('inventory');
    expect(kinds({ capabilities: ['raise_requests'] })).not.toContain('audit');
    expect(kinds({ capabilities: ['read_audit'] })).toContain('audit');
  });
});
