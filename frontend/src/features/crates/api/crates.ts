import { queryOptions, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, openFile } from '@/lib/api-client';
import { queryKeys } from '@/lib/react-query';
import type { AuditEvent, Crate, CrateDetail, CrateDocument, Page } from '@/lib/types';

export type CrateFilters = Record<string, string | number | undefined>;

export const cratesQuery = (filters: CrateFilters) =>
  queryOptions({
    queryKey: [...queryKeys.crates, 'list', filters],
    queryFn: ({ signal }) => api.get<Page<Crate>>('crates/', filters, signal),
    placeholderData: (previous) => previous,
  });

export const crateQuery = (id: number) =>
  queryOptions({
    queryKey: [...queryKeys.crates, id],
    queryFn: ({ signal }) => api.get<CrateDetail>(`crates/${id}/`, undefined, signal),
  });

export const crateHistoryQuery = (id: number) =>
  queryOptions({
    queryKey: [...queryKeys.crates, id, 'history'],
    queryFn: async ({ signal }) => {
      const data = await api.get<Page<AuditEvent> | AuditEvent[]>(
        `crates/${id}/history/`,
        { page_size: 100 },
        signal,
      );
      return Array.isArray(data) ? data : data.results;
    },
  });

export function useCrates(filters: CrateFilters) {
  return useQuery(cratesQuery(filters));
}

export function useCrate(id: number) {
  return useQuery(crateQuery(id));
}

export function useCrateHistory(id: number) {
  return useQuery(crateHistoryQuery(id));
}

/** Finds a crate by its exact number (scan box). */
export async function findCrateByNumber(number: string): Promise<Crate | null> {
  const page = await api.get<Page<Crate>>('crates/', { search: number, page_size: 10 });
  const wanted = number.trim().toUpperCase();
  return page.results.find((crate) => crate.number.toUpperCase() === wanted) ?? null;
}

export interface NewDocument {
  number: string;
  title: string;
  document_type: number | '';
  record_date: string;
}

export interface NewCrate {
  department: number;
  description: string;
  unit?: number;
}

export function createCrate(body: NewCrate) {
  return api.post<Crate>('crates/', body);
}

export function createDocument(
  body: Omit<NewDocument, 'document_type'> & { crate: number; document_type: number },
) {
  return api.post<CrateDocument>('documents/', body);
}

export function deleteDocument(id: number) {
  return api.delete(`documents/${id}/`);
}

export function useSetLegalHold(id: number) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: { legal_hold: boolean; reason: string; password: string }) =>
      api.post<Crate>(`crates/${id}/legal-hold/`, body),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: queryKeys.crates }),
  });
}

export function useRelocateCrate(id: number) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (location: number) => api.post<Crate>(`crates/${id}/relocate/`, { location }),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: queryKeys.crates });
      void queryClient.invalidateQueries({ queryKey: queryKeys.locations });
    },
  });
}

export function useDeleteCrate() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: number) => api.delete(`crates/${id}/`),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: queryKeys.crates }),
  });
}

export function openCrateLabel(crate: Pick<Crate, 'id' | 'number'>) {
  return openFile(`crates/${crate.id}/label/`, `${crate.number}-label.pdf`);
}
