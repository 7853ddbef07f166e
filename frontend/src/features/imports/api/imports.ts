import { queryOptions, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, openFile, request } from '@/lib/api-client';
import { queryKeys } from '@/lib/react-query';
import type { InventoryImport, Page } from '@/lib/types';

const BUSY = new Set(['validating', 'importing']);

export const importsQuery = () =>
  queryOptions({
    queryKey: [...queryKeys.imports, 'list'],
    queryFn: ({ signal }) => api.get<Page<InventoryImport>>('imports/', undefined, signal),
  });

export const importQuery = (id: number) =>
  queryOptions({
    queryKey: [...queryKeys.imports, 'detail', id],
    queryFn: ({ signal }) => api.get<InventoryImport>(`imports/${id}/`, undefined, signal),
    // Live updates refresh it over the socket; polling is the fallback while the work runs.
    refetchInterval: (query) => (BUSY.has(query.state.data?.status ?? '') ? 2000 : false),
  });

export const useImports = () => useQuery(importsQuery());
export const useImport = (id: number | null) =>
  useQuery({ ...importQuery(id ?? 0), enabled: id !== null });

export function useUpload() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (file: File) => {
      const body = new FormData();
      body.append('file', file);
      return request<InventoryImport>('imports/', { method: 'POST', body });
    },
    onSuccess: (created) => {
      client.setQueryData(importQuery(created.id).queryKey, created);
      void client.invalidateQueries({ queryKey: [...queryKeys.imports, 'list'] });
    },
  });
}

export function useCommitImport(id: number) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: () => api.post<InventoryImport>(`imports/${id}/commit/`),
    onSuccess: (updated) => {
      client.setQueryData(importQuery(id).queryKey, updated);
      void client.invalidateQueries({ queryKey: queryKeys.imports });
    },
  });
}

export function downloadImportReport(id: number) {
  return openFile(`imports/${id}/report/`, `import-${id}-report.csv`);
}
