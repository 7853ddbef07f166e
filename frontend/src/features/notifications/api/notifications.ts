import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '@/lib/api-client';
import { queryKeys } from '@/lib/react-query';
import type { Notification, Page } from '@/lib/types';

export function useNotifications(enabled: boolean) {
  return useQuery({
    queryKey: [...queryKeys.notifications, 'recent'],
    queryFn: ({ signal }) =>
      api.get<Page<Notification>>(
        'notifications/',
        { page_size: 20, ordering: '-created_at' },
        signal,
      ),
    enabled,
    staleTime: 60_000,
  });
}

/** The exact unread count (the recent list holds at most 20). */
export function useUnreadCount() {
  return useQuery({
    queryKey: [...queryKeys.notifications, 'unread-count'],
    queryFn: async ({ signal }) =>
      (
        await api.get<Page<Notification>>(
          'notifications/',
          { unread: 'true', page_size: 1 },
          signal,
        )
      ).count,
    staleTime: 60_000,
  });
}

export function useMarkNotificationRead() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: number) => api.post<Notification>(`notifications/${id}/read/`, {}),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: queryKeys.notifications }),
  });
}

export function useMarkAllNotificationsRead() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () => api.post<{ marked_read: number }>('notifications/read-all/', {}),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: queryKeys.notifications }),
  });
}
