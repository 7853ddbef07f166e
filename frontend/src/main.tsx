import { QueryClientProvider } from '@tanstack/react-query';
import { StrictMode, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { RouterProvider } from 'react-router-dom';
import { createRouter } from '@/app/router';
import { ToastProvider } from '@/components/ui/toast';
import { AuthProvider } from '@/contexts/AuthContext';
import { setAuthFailureHandler } from '@/lib/api-client';
import { createQueryClient } from '@/lib/react-query';
import '@/styles/app.css';

const queryClient = createQueryClient();
const router = createRouter();

// The session could not be renewed: back to the login screen, keeping the route.
setAuthFailureHandler(() => {
  const from = window.location.pathname + window.location.search;
  void router.navigate('/login', { replace: true, state: { from } });
});

function App() {
  const [client] = useState(queryClient);
  return (
    <QueryClientProvider client={client}>
      <ToastProvider>
        <AuthProvider>
          <RouterProvider router={router} />
        </AuthProvider>
      </ToastProvider>
    </QueryClientProvider>
  );
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
