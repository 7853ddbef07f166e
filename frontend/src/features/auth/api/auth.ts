import { api, request } from '@/lib/api-client';
import type { User } from '@/lib/types';

export interface LoginResponse {
  access: string;
  refresh: string;
  user: User;
}

export function login(username: string, password: string): Promise<LoginResponse> {
  return request<LoginResponse>('auth/login/', {
    method: 'POST',
    body: { username, password },
    anonymous: true,
  });
}

export function logout(refresh: string): Promise<null> {
  return api.post<null>('auth/logout/', { refresh });
}

export function getMe(): Promise<User> {
  return api.get<User>('auth/me/');
}

export function changePassword(body: { old_password: string; new_password: string }) {
  return api.post<unknown>('auth/change-password/', body);
}

export function getWsTicket(): Promise<{ ticket: string; expires_in: number }> {
  return api.post<{ ticket: string; expires_in: number }>('auth/ws-ticket/', {});
}
