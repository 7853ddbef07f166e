import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { act, render, screen } from '@testing-library/react';
import { MemoryRouter, Route, Routes } from 'react-router-dom';
import { describe, expect, it } from 'vitest';
import { AuthProvider } from '@/contexts/AuthContext';
import { SESSION_EXPIRED } from '@/lib/api-client';
import { authStorage } from '@/lib/auth-storage';
import { LoginPage } from './login-page';

describe('LoginPage', () => {
  it('says the session expired when it could not be renewed', async () => {
    authStorage.clear();
    render(
      <QueryClientProvider client={new QueryClient()}>
        <AuthProvider>
          <MemoryRouter initialEntries={['/login']}>
            <Routes>
              <Route path="/login" element={<LoginPage />} />
            </Routes>
          </MemoryRouter>
        </AuthProvider>
      </QueryClientProvider>,
    );
    expect(screen.queryByText(SESSION_EXPIRED)).toBeNull();
    // What the API client does when the refresh token is refused (lib/api-client.ts).
    act(() => authStorage.clear(SESSION_EXPIRED));
    expect((await screen.findByRole('status')).textContent).toBe(SESSION_EXPIRED);
  });
});
