import { queryOptions, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '@/lib/api-client';
import { queryKeys } from '@/lib/react-query';
import type { Department, DocumentType, Page, Unit, User } from '@/lib/types';

type Params = Record<string, string | number | undefined>;

function listOptions<T>(root: readonly string[], path: string, params: Params) {
  return queryOptions({
    queryKey: [...root, 'list', params],
    queryFn: ({ signal }) => api.get<Page<T>>(path, params, signal),
    placeholderData: (previous) => previous,
  });
}

export const unitsQuery = (params: Params = { page_size: 100 }) =>
  listOptions<Unit>(queryKeys.units, 'units/', params);
export const departmentsQuery = (params: Params = { page_size: 100 }) =>
  listOptions<Department>(queryKeys.departments, 'departments/', params);
export const documentTypesQuery = (params: Params = { page_size: 100 }) =>
  listOptions<DocumentType>(queryKeys.documentTypes, 'document-types/', params);
export const usersQuery = (params: Params) =>
  listOptions<AdminUser>(queryKeys.users, 'users/', params);

export const useUnits = (params?: Params) => useQuery(unitsQuery(params));
export const useDepartments = (params?: Params) => useQuery(departmentsQuery(params));
export const useDocumentTypes = (params?: Params) => useQuery(documentTypesQuery(params));
export const useUsers = (params: Params) => useQuery(usersQuery(params));

/** The user list and the signed-in user share one read shape. */
export type AdminUser = User;

/** Create/update/delete for one master-data collection; invalidates its lists. */
export function useSave<T>(root: readonly string[], path: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ id, body }: { id?: number; body: Partial<T> | Record<string, unknown> }) =>
      id ? api.patch<T>(`${path}${id}/`, body) : api.post<T>(path, body),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: root }),
  });
}

export function useUserAction() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ id, action, body }: { id: number; action: string; body?: unknown }) =>
      api.post<AdminUser>(`users/${id}/${action}/`, body ?? {}),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: queryKeys.users }),
  });
}

/** Departments as list-filter choices: the unit's code first, since names repeat across units. */
export function departmentOptions(departments: readonly Department[] | undefined) {
  return (departments ?? []).map((d) => ({
    value: String(d.id),
    label: `${d.unit_code ? `${d.unit_code} ` : ''}${d.name}`,
  }));
}
