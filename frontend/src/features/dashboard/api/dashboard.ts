import { useQuery } from '@tanstack/react-query';
import { api } from '@/lib/api-client';
import { queryKeys } from '@/lib/react-query';

/** The dashboard payload; read defensively, as the server may add or rename figures. */
export type Dashboard = Record<string, unknown>;

export function useDashboard() {
  return useQuery({
    queryKey: queryKeys.dashboard,
    queryFn: ({ signal }) => api.get<Dashboard>('dashboard/', undefined, signal),
  });
}
