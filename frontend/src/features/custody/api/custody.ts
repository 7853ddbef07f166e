import { queryOptions, useQuery } from '@tanstack/react-query';
import { api } from '@/lib/api-client';
import { queryKeys } from '@/lib/react-query';
import type { CustodyItem, CustodyPerson, Page } from '@/lib/types';

export type CustodyFilters = Record<string, string | number | undefined>;

// Custody changes with requests and send-backs: their live updates refresh it
// (ENTITY_QUERY_KEYS maps both to the requests root).
const root = [...queryKeys.requests, 'custody'] as const;

export const custodyQuery = (filters: CustodyFilters) =>
  queryOptions({
    queryKey: [...root, 'items', filters],
    queryFn: ({ signal }) => api.get<Page<CustodyItem>>('custody/', filters, signal),
    placeholderData: (previous) => previous,
  });

export const custodyPeopleQuery = () =>
  queryOptions({
    queryKey: [...root, 'people'],
    queryFn: ({ signal }) => api.get<CustodyPerson[]>('custody/people/', undefined, signal),
  });

export const useCustody = (filters: CustodyFilters, enabled = true) =>
  useQuery({ ...custodyQuery(filters), enabled });
export const useCustodyPeople = (enabled = true) => useQuery({ ...custodyPeopleQuery(), enabled });
