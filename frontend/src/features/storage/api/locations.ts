import { queryOptions, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '@/lib/api-client';
import { queryKeys } from '@/lib/react-query';
import type { Page, StorageLocation } from '@/lib/types';

type Params = Record<string, string | number | boolean | undefined>;

/** All locations matching the filters, following pages (a unit has at most a few hundred). */
async function fetchAll(params: Params, signal?: AbortSignal): Promise<StorageLocation[]> {
  const all: StorageLocation[] = [];
  for (let page = 1; page <= 20; page += 1) {
    const data = await api.get<Page<StorageLocation>>(
      'locations/',
      { ...params, page, page_size: 100 },
      signal,
    );
    all.push(...data.results);
    if (!data.next) break;
  }
  return all;
}

export const locationsQuery = (params: Params = {}) =>
  queryOptions({
    queryKey: [...queryKeys.locations, 'all', params],
    queryFn: ({ signal }) => fetchAll(params, signal),
  });

export function useLocations(params: Params = {}, enabled = true) {
  return useQuery({ ...locationsQuery(params), enabled });
}

export function useSaveLocation() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ id, body }: { id?: number; body: Partial<StorageLocation> }) =>
      id
        ? api.patch<StorageLocation>(`locations/${id}/`, body)
        : api.post<StorageLocation>('locations/', body),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: queryKeys.locations }),
  });
}

export interface LocationNode extends StorageLocation {
  children: LocationNode[];
  /** Occupied and capacity summed over the subtree (rooms and racks hold no crates themselves). */
  totalOccupied: number;
  totalCapacity: number;
}

export function buildTree(locations: StorageLocation[]): LocationNode[] {
  const nodes = new Map<number, LocationNode>();
  for (const location of locations) {
    nodes.set(location.id, { ...location, children: [], totalOccupied: 0, totalCapacity: 0 });
  }
  const roots: LocationNode[] = [];
  for (const node of nodes.values()) {
    const parent = node.parent != null ? nodes.get(node.parent) : undefined;
    if (parent) parent.children.push(node);
    else roots.push(node);
  }
  const sum = (node: LocationNode): void => {
    node.children.sort((a, b) => a.code.localeCompare(b.code, undefined, { numeric: true }));
    node.totalOccupied = node.occupied ?? 0;
    node.totalCapacity = node.capacity ?? 0;
    for (const child of node.children) {
      sum(child);
      node.totalOccupied += child.totalOccupied;
      node.totalCapacity += child.totalCapacity;
    }
  };
  roots.sort((a, b) => a.code.localeCompare(b.code, undefined, { numeric: true }));
  roots.forEach(sum);
  return roots;
}
