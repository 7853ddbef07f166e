import { queryOptions, useMutation, useQuery } from '@tanstack/react-query';
import { api, openFile } from '@/lib/api-client';
import { queryKeys } from '@/lib/react-query';
import type { AuditEvent, Page } from '@/lib/types';

type Params = Record<string, string | number | undefined>;

export const auditQuery = (params: Params) =>
  queryOptions({
    queryKey: [...queryKeys.audit, 'list', params],
    queryFn: ({ signal }) => api.get<Page<AuditEvent>>('audit/', params, signal),
    placeholderData: (previous) => previous,
  });

export const useAudit = (params: Params) => useQuery(auditQuery(params));

export interface VerifyResult {
  ok?: boolean;
  valid?: boolean;
  checked?: number;
  count?: number;
  first_broken?: unknown;
  broken_event?: unknown;
  detail?: string;
  [key: string]: unknown;
}

export function useVerifyChain() {
  return useMutation({ mutationFn: () => api.get<VerifyResult>('audit/verify/') });
}

export function exportAuditCsv(params: Params) {
  return openFile('audit/export/', 'audit-trail.csv', params);
}
