import { queryOptions, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useWebSocket } from '@/contexts/WebSocketContext';
import { api, openFile } from '@/lib/api-client';
import { queryKeys } from '@/lib/react-query';
import type {
  Allocation,
  DmsRequest,
  NewRequest,
  Page,
  PickItem,
  RequestType,
  RequestUpdate,
  SendBack,
  SignaturePreview,
  User,
} from '@/lib/types';

type Params = Record<string, string | number | undefined>;

export const requestsQuery = (params: Params) =>
  queryOptions({
    queryKey: [...queryKeys.requests, 'list', params],
    queryFn: ({ signal }) => api.get<Page<DmsRequest>>('requests/', params, signal),
    placeholderData: (previous) => previous,
  });

export const requestQuery = (id: number) =>
  queryOptions({
    queryKey: [...queryKeys.requests, id],
    queryFn: ({ signal }) => api.get<DmsRequest>(`requests/${id}/`, undefined, signal),
  });

export const useRequests = (params: Params) => useQuery(requestsQuery(params));
export const useRequest = (id: number) => useQuery(requestQuery(id));

export function useCreateRequest() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: NewRequest) => api.post<DmsRequest>('requests/', body),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: queryKeys.requests }),
  });
}

/** Change a draft request: any header field, and `items` replaces the whole list. */
export function useUpdateRequest(id: number) {
  const queryClient = useQueryClient();
  const { markLocalChange } = useWebSocket();
  return useMutation({
    mutationFn: (body: RequestUpdate) => api.patch<DmsRequest>(`requests/${id}/`, body),
    onMutate: () => markLocalChange('request', id),
    onSuccess: (data) => {
      queryClient.setQueryData(requestQuery(id).queryKey, data);
      void queryClient.invalidateQueries({ queryKey: queryKeys.requests });
    },
  });
}

/** Exactly what the current user would sign on this request with this meaning (21 CFR 11.70). */
export const useSignatureContent = (id: number, meaning: string, enabled: boolean) =>
  useQuery({
    queryKey: [...queryKeys.requests, id, 'signature-content', meaning],
    queryFn: ({ signal }) =>
      api.get<SignaturePreview>(`requests/${id}/signature-content/`, { meaning }, signal),
    enabled,
  });

/** Who may witness a destruction: the active users of the request's unit. */
export const useWitnessCandidates = (unit: number, enabled: boolean) =>
  useQuery({
    queryKey: ['users', 'witnesses', unit],
    queryFn: ({ signal }) =>
      api.get<Page<User>>('users/', { unit, is_active: 'true', page_size: 100 }, signal),
    enabled,
  });

export interface DestructionRecord {
  password: string;
  method: string;
  vendor: string;
  witness: number | null;
  witness_password: string;
}

export type TransitionBody =
  | { password: string; comment: string }
  | { allocations: Allocation[] }
  | { password: string }
  | DestructionRecord
  | Record<string, never>;

/** One workflow action on a request (submit, approve, execute…); the server decides. */
export function useRequestAction(id: number) {
  const queryClient = useQueryClient();
  const { markLocalChange } = useWebSocket();
  return useMutation({
    mutationFn: ({ action, body }: { action: string; body?: TransitionBody }) =>
      api.post<DmsRequest>(`requests/${id}/${action}/`, body ?? {}),
    onMutate: () => markLocalChange('request', id),
    onSuccess: (data) => {
      if (data && typeof data === 'object' && 'id' in data) {
        queryClient.setQueryData(requestQuery(id).queryKey, data);
      }
      void queryClient.invalidateQueries({ queryKey: queryKeys.requests });
      void queryClient.invalidateQueries({ queryKey: queryKeys.crates });
      void queryClient.invalidateQueries({ queryKey: queryKeys.locations });
      void queryClient.invalidateQueries({ queryKey: queryKeys.dashboard });
    },
  });
}

export function downloadCertificate(request: Pick<DmsRequest, 'id' | 'number'>) {
  return openFile(`requests/${request.id}/certificate/`, `${request.number}-certificate.pdf`);
}

export const sendbacksQuery = (params: Params) =>
  queryOptions({
    queryKey: [...queryKeys.sendbacks, 'list', params],
    queryFn: ({ signal }) => api.get<Page<SendBack>>('sendbacks/', params, signal),
    placeholderData: (previous) => previous,
  });

export const useSendbacks = (params: Params) => useQuery(sendbacksQuery(params));

export function useCreateSendback() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: {
      request: number;
      items: { crate: number; document?: number }[];
      condition_notes: string;
    }) => api.post<SendBack>('sendbacks/', body),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: queryKeys.sendbacks });
      void queryClient.invalidateQueries({ queryKey: queryKeys.requests });
    },
  });
}

export function useReceiveSendback() {
  const queryClient = useQueryClient();
  const { markLocalChange } = useWebSocket();
  return useMutation({
    mutationFn: ({ id, allocations }: { id: number; allocations: Allocation[] }) =>
      api.post<SendBack>(`sendbacks/${id}/receive/`, allocations.length ? { allocations } : {}),
    onMutate: ({ id }) => markLocalChange('sendback', id),
    onSuccess: () => {
      for (const key of [
        queryKeys.sendbacks,
        queryKeys.requests,
        queryKeys.crates,
        queryKeys.locations,
      ]) {
        void queryClient.invalidateQueries({ queryKey: key });
      }
    },
  });
}

export const REQUEST_TYPES: { value: RequestType; label: string }[] = [
  { value: 'storage', label: 'Storage' },
  { value: 'withdrawal', label: 'Withdrawal' },
  { value: 'destruction', label: 'Destruction' },
  { value: 'transfer', label: 'Transfer' },
];

export const REQUEST_STATUSES = [
  'draft',
  'submitted',
  'approved',
  'rejected',
  'cancelled',
  'issued',
  'in_transit',
  'completed',
];

export const pickListQuery = (id: number) =>
  queryOptions({
    queryKey: [...queryKeys.requests, id, 'pick-list'],
    queryFn: ({ signal }) => api.get<PickItem[]>(`requests/${id}/pick-list/`, undefined, signal),
  });

export const usePickList = (id: number, enabled: boolean) =>
  useQuery({ ...pickListQuery(id), enabled });

/** The pick list as a PDF with each crate's barcode, in shelf order. */
export function openPickListPdf(request: DmsRequest) {
  return openFile(`requests/${request.id}/pick-list/`, `pick-list-${request.number}.pdf`, {
    format: 'pdf',
  });
}
