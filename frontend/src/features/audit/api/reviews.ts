import { queryOptions, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '@/lib/api-client';
import { queryKeys } from '@/lib/react-query';
import type { AuditEvent, AuditReview, AuditReviewInput, Page } from '@/lib/types';

/** The latest audit-trail reviews the user may read (their unit's; a System Administrator all). */
export const auditReviewsQuery = (pageSize = 5) =>
  queryOptions({
    queryKey: [...queryKeys.auditReviews, 'list', pageSize],
    queryFn: ({ signal }) =>
      api.get<Page<AuditReview>>('audit/reviews/', { page_size: pageSize }, signal),
  });

export const useAuditReviews = (pageSize?: number) => useQuery(auditReviewsQuery(pageSize));

/** How many events a review of the dates would cover (what the reviewer is about to sign). */
export function useEventsInRange(from: string, to: string, enabled: boolean) {
  return useQuery({
    queryKey: [...queryKeys.audit, 'count', from, to],
    queryFn: ({ signal }) =>
      api.get<Page<AuditEvent>>('audit/', { date_from: from, date_to: to, page_size: 1 }, signal),
    enabled: enabled && Boolean(from && to),
    select: (page) => page.count,
  });
}

export function useRecordReview() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: AuditReviewInput) => api.post<AuditReview>('audit/reviews/', body),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: queryKeys.auditReviews });
      void queryClient.invalidateQueries({ queryKey: queryKeys.audit });
    },
  });
}
