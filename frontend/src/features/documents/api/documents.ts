import { queryOptions, useQuery } from '@tanstack/react-query';
import { api } from '@/lib/api-client';
import { queryKeys } from '@/lib/react-query';
import type { CrateDocument, Page } from '@/lib/types';

export type DocumentFilters = Record<string, string | number | undefined>;

export const documentsQuery = (filters: DocumentFilters) =>
  queryOptions({
    queryKey: [...queryKeys.documents, 'list', filters],
    queryFn: ({ signal }) => api.get<Page<CrateDocument>>('documents/', filters, signal),
    placeholderData: (previous) => previous,
  });

export function useDocuments(filters: DocumentFilters) {
  return useQuery(documentsQuery(filters));
}
