import { queryOptions, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, openFile } from '@/lib/api-client';
import { queryKeys } from '@/lib/react-query';
import type {
  CountDetail,
  CountResolutionInput,
  CountScanResult,
  InventoryCount,
  Page,
} from '@/lib/types';

export type CountFilters = Record<string, string | number | undefined>;

export const countsQuery = (filters: CountFilters) =>
  queryOptions({
    queryKey: [...queryKeys.counts, 'list', filters],
    queryFn: ({ signal }) => api.get<Page<InventoryCount>>('counts/', filters, signal),
    placeholderData: (previous) => previous,
  });

export const countQuery = (id: number) =>
  queryOptions({
    queryKey: [...queryKeys.counts, 'detail', id],
    queryFn: ({ signal }) => api.get<CountDetail>(`counts/${id}/`, undefined, signal),
  });

export const useCounts = (filters: CountFilters) => useQuery(countsQuery(filters));
export const useCount = (id: number) => useQuery(countQuery(id));

/** Every count write answers with the fresh count: put it in the cache and refresh lists. */
function useCountWrite<TInput>(call: (input: TInput) => Promise<CountDetail>) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: call,
    onSuccess: (count) => {
      client.setQueryData(countQuery(count.id).queryKey, count);
      void client.invalidateQueries({ queryKey: [...queryKeys.counts, 'list'] });
    },
  });
}

export const useOpenCount = () =>
  useCountWrite((input: { location: number; comment: string }) =>
    api.post<CountDetail>('counts/', input),
  );

export function useScan(id: number) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (input: { location: number; code: string }) =>
      api.post<CountScanResult>(`counts/${id}/scans/`, input),
    onSuccess: (result) => {
      client.setQueryData(countQuery(id).queryKey, result.count);
    },
  });
}

export const useSubmitCount = (id: number) =>
  useCountWrite(() => api.post<CountDetail>(`counts/${id}/submit/`));
export const useCancelCount = (id: number) =>
  useCountWrite((comment: string) => api.post<CountDetail>(`counts/${id}/cancel/`, { comment }));
export const useReviewCount = (id: number) =>
  useCountWrite(
    (input: { password: string; comment: string; resolutions: CountResolutionInput[] }) =>
      api.post<CountDetail>(`counts/${id}/review/`, input),
  );

export function downloadCountReport(
  count: Pick<CountDetail, 'id' | 'number'>,
  format: 'pdf' | 'csv',
) {
  return openFile(
    `counts/${count.id}/report/`,
    `${count.number}.${format}`,
    format === 'csv' ? { format: 'csv' } : undefined,
  );
}
