import { Navigate, Outlet, createBrowserRouter, useLocation } from 'react-router-dom';
import { useAuth } from '@/contexts/AuthContext';
import { WebSocketProvider } from '@/contexts/WebSocketContext';
import { AdminPage } from '@/features/admin/components/admin-page';
import { AuditPage } from '@/features/audit/components/audit-page';
import { ChangePasswordPage } from '@/features/auth/components/change-password-page';
import { LoginPage } from '@/features/auth/components/login-page';
import { CrateCreatePage } from '@/features/crates/components/crate-create-page';
import { CrateDetailPage } from '@/features/crates/components/crate-detail-page';
import { CratesPage } from '@/features/crates/components/crates-page';
import { DocumentsPage } from '@/features/documents/components/documents-page';
import { DashboardPage } from '@/features/dashboard/components/dashboard-page';
import { ReportsPage } from '@/features/reports/components/reports-page';
import {
  RequestCreatePage,
  RequestEditPage,
} from '@/features/requests/components/request-form-page';
import { RequestDetailPage } from '@/features/requests/components/request-detail-page';
import { RequestsPage } from '@/features/requests/components/requests-page';
import { SendbacksPage } from '@/features/sendbacks/components/sendbacks-page';
import { StoragePage } from '@/features/storage/components/storage-page';
import { AppShell } from './app-shell';

function RequireAuth() {
  const { user } = useAuth();
  const location = useLocation();
  if (!user)
    return <Navigate to="/login" replace state={{ from: location.pathname + location.search }} />;
  return (
    <WebSocketProvider>
      <Outlet />
    </WebSocketProvider>
  );
}

function NotFound() {
  return (
    <div className="empty">
      <h1>Page not found</h1>
      <p>
        <a href="/">Back to the dashboard</a>
      </p>
    </div>
  );
}

export function createRouter() {
  return createBrowserRouter([
    { path: '/login', element: <LoginPage /> },
    {
      element: <RequireAuth />,
      children: [
        {
          element: <AppShell />,
          children: [
            { index: true, element: <DashboardPage /> },
            { path: 'crates', element: <CratesPage /> },
            { path: 'crates/new', element: <CrateCreatePage /> },
            { path: 'crates/:id', element: <CrateDetailPage /> },
            { path: 'documents', element: <DocumentsPage /> },
            { path: 'requests', element: <RequestsPage /> },
            { path: 'requests/new', element: <RequestCreatePage /> },
            { path: 'requests/:id', element: <RequestDetailPage /> },
            { path: 'requests/:id/edit', element: <RequestEditPage /> },
            { path: 'sendbacks', element: <SendbacksPage /> },
            { path: 'storage', element: <StoragePage /> },
            { path: 'audit', element: <AuditPage /> },
            { path: 'reports', element: <ReportsPage /> },
            { path: 'administration', element: <AdminPage /> },
            { path: 'administration/:tab', element: <AdminPage /> },
            { path: 'account/password', element: <ChangePasswordPage /> },
            { path: '*', element: <NotFound /> },
          ],
        },
      ],
    },
  ]);
}
