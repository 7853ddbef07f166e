import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, openFile } from '@/lib/api-client';
import { queryKeys } from '@/lib/react-query';
import type { Page } from '@/lib/types';

export type ReportKind = 'inventory' | 'documents' | 'audit' | 'overdue' | 'destruction_due';
export type ReportFormat = 'csv' | 'xlsx';

export interface Report {
  id: number;
  report: ReportKind;
  format: ReportFormat;
  status: 'pending' | 'running' | 'done' | 'failed';
  filters?: Record<string, unknown>;
  unit?: number | null;
  done: number;
  total: number;
  error?: string;
  created_at: string;
  finished_at?: string | null;
  download_url?: string | null;
}

export const REPORT_KINDS: { value: ReportKind; label: string }[] = [
  { value: 'inventory', label: 'Inventory (crates)' },
  { value: 'documents', label: 'Documents' },
  { value: 'overdue', label: 'Overdue withdrawals' },
  { value: 'destruction_due', label: 'Due for destruction' },
  { value: 'audit', label: 'Audit trail' },
];

export const reportsKey = [...queryKeys.reports, 'list'] as const;

export function useReports() {
  return useQuery({
    queryKey: reportsKey,
    queryFn: ({ signal }) =>
      api.get<Page<Report>>('reports/', { page_size: 20, ordering: '-created_at' }, signal),
  });
}

export function useCreateReport() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: {
      report: ReportKind;
      format: ReportFormat;
      filters?: Record<string, string | number>;
    }) => api.post<Report>('reports/', body),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: queryKeys.reports }),
  });
}

export function downloadReport(report: Report) {
  return openFile(
    `reports/${report.id}/download/`,
    `${report.report}-${report.id}.${report.format}`,
  );
}
