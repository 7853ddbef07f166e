import { queryOptions, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '@/lib/api-client';
import { queryKeys } from '@/lib/react-query';
import type { Crate, DispositionCrate, LegalHold, Page } from '@/lib/types';

type Params = Record<string, string | number | undefined>;
const HOLDS = ['holds'] as const;
const DISPOSITION = ['disposition'] as const;

export const holdsQuery = (params: Params) =>
  queryOptions({
    queryKey: [...HOLDS, 'list', params],
    queryFn: ({ signal }) => api.get<Page<LegalHold>>('holds/', params, signal),
    placeholderData: (previous) => previous,
  });

export const useHolds = (params: Params) => useQuery(holdsQuery(params));

export const useHold = (id: number) =>
  useQuery({
    queryKey: [...HOLDS, id],
    queryFn: ({ signal }) => api.get<LegalHold>(`holds/${id}/`, undefined, signal),
  });

export const useHoldCrates = (id: number, page: number) =>
  useQuery({
    queryKey: [...HOLDS, id, 'crates', page],
    queryFn: ({ signal }) =>
      api.get<Page<Crate>>(`holds/${id}/crates/`, { page, page_size: 50 }, signal),
    placeholderData: (previous) => previous,
  });

export interface NewHold {
  title: string;
  reason: string;
  crates?: number[];
  unit?: number | null;
  department?: number | null;
  document_type?: number | null;
  record_date_from?: string | null;
  record_date_to?: string | null;
  password: string;
}

function useInvalidate() {
  const queryClient = useQueryClient();
  return () => {
    void queryClient.invalidateQueries({ queryKey: HOLDS });
    void queryClient.invalidateQueries({ queryKey: DISPOSITION });
    void queryClient.invalidateQueries({ queryKey: queryKeys.crates });
  };
}

export function usePlaceHold() {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: (body: NewHold) => api.post<LegalHold>('holds/', body),
    onSuccess: invalidate,
  });
}

export function useReleaseHold(id: number) {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: (body: { reason: string; password: string }) =>
      api.post<LegalHold>(`holds/${id}/release/`, body),
    onSuccess: invalidate,
  });
}

export const useDisposition = (params: Params) =>
  useQuery({
    queryKey: [...DISPOSITION, params],
    queryFn: ({ signal }) => api.get<Page<DispositionCrate>>('disposition/', params, signal),
    placeholderData: (previous) => previous,
  });

export function useExtendRetention() {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: (body: {
      crates: number[];
      retain_until: string;
      reason: string;
      password: string;
    }) => api.post<Crate[]>('disposition/extend/', body),
    onSuccess: invalidate,
  });
}
