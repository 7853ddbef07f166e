import { QueryClient } from '@tanstack/react-query';
import { ApiError } from './api-client';

export function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        staleTime: 30_000,
        refetchOnWindowFocus: false,
        retry: (failureCount, error) => {
          if (error instanceof ApiError && error.status >= 400 && error.status < 500) return false;
          return failureCount < 2;
        },
      },
      mutations: { retry: false },
    },
  });
}

/** Query keys per entity: the WebSocket map and the feature hooks share these roots. */
export const queryKeys = {
  dashboard: ['dashboard'] as const,
  crates: ['crates'] as const,
  documents: ['documents'] as const,
  requests: ['requests'] as const,
  sendbacks: ['sendbacks'] as const,
  locations: ['locations'] as const,
  notifications: ['notifications'] as const,
  audit: ['audit'] as const,
  auditReviews: ['audit-reviews'] as const,
  users: ['users'] as const,
  units: ['units'] as const,
  departments: ['departments'] as const,
  documentTypes: ['document-types'] as const,
  reports: ['reports'] as const,
  counts: ['counts'] as const,
  imports: ['imports'] as const,
  holds: ['holds'] as const,
  disposition: ['disposition'] as const,
  recomputes: ['retention-recomputes'] as const,
};
