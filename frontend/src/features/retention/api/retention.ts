import { queryOptions, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '@/lib/api-client';
import { queryKeys } from '@/lib/react-query';
import type {
  Crate,
  DispositionCrate,
  DocumentTypeChange,
  LegalHold,
  Page,
  RetentionEventResult,
  RetentionRecompute,
  RetentionTrigger,
  SchedulePreview,
} from '@/lib/types';

type Params = Record<string, string | number | undefined>;
const HOLDS = queryKeys.holds;
const DISPOSITION = queryKeys.disposition;

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

/**
 * Exactly what placing this hold would sign (null until the title, reason and a scope are
 * given, or while the server refuses them: the placement then says why).
 */
export const useHoldPlaceContent = (hold: Omit<NewHold, 'password'> | null) =>
  useQuery({
    queryKey: [...HOLDS, 'place-signature-content', hold],
    queryFn: () => api.post<{ content: Record<string, unknown> }>('holds/signature-content/', hold),
    enabled: hold !== null,
    staleTime: 0,
    retry: false,
  });

export function usePlaceHold() {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: (body: NewHold) => api.post<LegalHold>('holds/', body),
    onSuccess: invalidate,
  });
}

/** Exactly what releasing the hold would sign, fetched while the release dialog is open. */
export const useHoldReleaseContent = (id: number, enabled: boolean) =>
  useQuery({
    queryKey: [...HOLDS, id, 'release-signature-content'],
    queryFn: ({ signal }) =>
      api.get<{ content: Record<string, unknown> }>(
        `holds/${id}/release-signature-content/`,
        undefined,
        signal,
      ),
    enabled,
    staleTime: 0,
  });

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

// --- Schedules ----------------------------------------------------------------------------

export interface ScheduleChange {
  retention_years?: number;
  retention_trigger?: RetentionTrigger;
  event_name?: string;
  reason: string;
}

/** What a change would do and, when it shortens retention, exactly what its signature signs. */
export function useSchedulePreview(documentTypeId: number) {
  return useMutation({
    mutationFn: (change: ScheduleChange) =>
      api.post<SchedulePreview>(`document-types/${documentTypeId}/schedule-preview/`, change),
  });
}

/** Change a schedule (`password`: the e-signature when it shortens retention). */
export function useChangeSchedule(documentTypeId: number) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (change: ScheduleChange & { password?: string }) =>
      api.patch<DocumentTypeChange>(`document-types/${documentTypeId}/`, change),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: queryKeys.documentTypes });
      void queryClient.invalidateQueries({ queryKey: queryKeys.recomputes });
    },
  });
}

export const useRecomputes = (params: Params) =>
  useQuery({
    queryKey: [...queryKeys.recomputes, params],
    queryFn: ({ signal }) =>
      api.get<Page<RetentionRecompute>>('retention-recomputes/', params, signal),
    placeholderData: (previous) => previous,
  });

/** One recompute, first as the change's answer gave it; refetched when the socket says it ended. */
export const useRecompute = (recompute: RetentionRecompute | null) =>
  useQuery({
    queryKey: [...queryKeys.recomputes, recompute?.id],
    queryFn: ({ signal }) =>
      api.get<RetentionRecompute>(`retention-recomputes/${recompute?.id}/`, undefined, signal),
    enabled: recompute !== null,
    initialData: recompute ?? undefined,
    staleTime: 0,
  });

// --- Retention events ---------------------------------------------------------------------

export interface RetentionEvent {
  document_type: number;
  event_date: string;
  documents: number[];
  reason: string;
}

export function useRecordRetentionEvent() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (event: RetentionEvent) =>
      api.post<RetentionEventResult>('retention-events/', event),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: queryKeys.documents });
      void queryClient.invalidateQueries({ queryKey: queryKeys.crates });
      void queryClient.invalidateQueries({ queryKey: DISPOSITION });
    },
  });
}
