import { Suspense, lazy, type ReactNode } from 'react';
import { Navigate, Outlet, createBrowserRouter, useLocation } from 'react-router-dom';
import { Loading } from '@/components/ui/misc';
import { useAuth } from '@/contexts/AuthContext';
import { WebSocketProvider } from '@/contexts/WebSocketContext';
import { LoginPage } from '@/features/auth/components/login-page';
import { can, canAdminister } from '@/lib/capabilities';
import type { Capability, CurrentUser } from '@/lib/types';
import { AppShell } from './app-shell';

// Each screen is its own chunk (docs/decisions.md): the first load fetches the shell and the
// screen it opens, not every screen of every role.
const AdminPage = lazy(() =>
  import('@/features/admin/components/admin-page').then((m) => ({ default: m.AdminPage })),
);
const AuditPage = lazy(() =>
  import('@/features/audit/components/audit-page').then((m) => ({ default: m.AuditPage })),
);
const ChangePasswordPage = lazy(() =>
  import('@/features/auth/components/change-password-page').then((m) => ({
    default: m.ChangePasswordPage,
  })),
);
const SignatureCertificationPage = lazy(() =>
  import('@/features/auth/components/signature-certification-page').then((m) => ({
    default: m.SignatureCertificationPage,
  })),
);
const CrateCreatePage = lazy(() =>
  import('@/features/crates/components/crate-create-page').then((m) => ({
    default: m.CrateCreatePage,
  })),
);
const CrateDetailPage = lazy(() =>
  import('@/features/crates/components/crate-detail-page').then((m) => ({
    default: m.CrateDetailPage,
  })),
);
const CratesPage = lazy(() =>
  import('@/features/crates/components/crates-page').then((m) => ({ default: m.CratesPage })),
);
const CustodyPage = lazy(() =>
  import('@/features/custody/components/custody-page').then((m) => ({ default: m.CustodyPage })),
);
const DocumentsPage = lazy(() =>
  import('@/features/documents/components/documents-page').then((m) => ({
    default: m.DocumentsPage,
  })),
);
const DashboardPage = lazy(() =>
  import('@/features/dashboard/components/dashboard-page').then((m) => ({
    default: m.DashboardPage,
  })),
);
const ReportsPage = lazy(() =>
  import('@/features/reports/components/reports-page').then((m) => ({ default: m.ReportsPage })),
);
const RequestCreatePage = lazy(() =>
  import('@/features/requests/components/request-form-page').then((m) => ({
    default: m.RequestCreatePage,
  })),
);
const RequestEditPage = lazy(() =>
  import('@/features/requests/components/request-form-page').then((m) => ({
    default: m.RequestEditPage,
  })),
);
const RequestDetailPage = lazy(() =>
  import('@/features/requests/components/request-detail-page').then((m) => ({
    default: m.RequestDetailPage,
  })),
);
const RequestsPage = lazy(() =>
  import('@/features/requests/components/requests-page').then((m) => ({
    default: m.RequestsPage,
  })),
);
const SendbacksPage = lazy(() =>
  import('@/features/sendbacks/components/sendbacks-page').then((m) => ({
    default: m.SendbacksPage,
  })),
);
const CountsPage = lazy(() =>
  import('@/features/counts/components/counts-page').then((m) => ({ default: m.CountsPage })),
);
const CountPage = lazy(() =>
  import('@/features/counts/components/count-page').then((m) => ({ default: m.CountPage })),
);
const ImportsPage = lazy(() =>
  import('@/features/imports/components/imports-page').then((m) => ({ default: m.ImportsPage })),
);
const HoldsPage = lazy(() =>
  import('@/features/retention/components/holds-page').then((m) => ({ default: m.HoldsPage })),
);
const HoldPage = lazy(() =>
  import('@/features/retention/components/hold-page').then((m) => ({ default: m.HoldPage })),
);
const DispositionPage = lazy(() =>
  import('@/features/retention/components/disposition-page').then((m) => ({
    default: m.DispositionPage,
  })),
);
const SchedulesPage = lazy(() =>
  import('@/features/retention/components/schedules-page').then((m) => ({
    default: m.SchedulesPage,
  })),
);
const ScheduleChangePage = lazy(() =>
  import('@/features/retention/components/schedule-change-page').then((m) => ({
    default: m.ScheduleChangePage,
  })),
);
const RetentionEventsPage = lazy(() =>
  import('@/features/retention/components/retention-events-page').then((m) => ({
    default: m.RetentionEventsPage,
  })),
);
const StoragePage = lazy(() =>
  import('@/features/storage/components/storage-page').then((m) => ({ default: m.StoragePage })),
);

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

/** The screen a user without the capability sees instead of a form the API would refuse. */
export function Forbidden() {
  return (
    <div className="empty" data-testid="forbidden">
      <h1>Not available to your role</h1>
      <p>Your role does not allow this. Ask a Unit Admin if you need it.</p>
      <p>
        <a href="/">Back to the dashboard</a>
      </p>
    </div>
  );
}

/**
 * Shows `children` only to a user the server granted `allowed` (capabilities from
 * `/api/auth/me/`, docs/roles.md); everyone else gets the Forbidden screen.
 */
export function Guard({
  allowed,
  children,
}: {
  allowed: (user: CurrentUser | null) => boolean;
  children: ReactNode;
}) {
  const { user } = useAuth();
  return allowed(user) ? children : <Forbidden />;
}

const needs = (capability: Capability) => (user: CurrentUser | null) => can(user, capability);

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

/** The shell's content area: a lazily loaded screen shows "Loading…" while its chunk arrives. */
export function Screen() {
  return (
    <Suspense fallback={<Loading />}>
      <Outlet />
    </Suspense>
  );
}

/** Every route and who may open it; exported for the guard tests. */
export const ROUTES = [
  { index: true, element: <DashboardPage /> },
  { path: 'crates', element: <CratesPage /> },
  {
    path: 'crates/new',
    element: (
      <Guard allowed={needs('edit_crates')}>
        <CrateCreatePage />
      </Guard>
    ),
  },
  { path: 'crates/:id', element: <CrateDetailPage /> },
  { path: 'documents', element: <DocumentsPage /> },
  { path: 'requests', element: <RequestsPage /> },
  {
    path: 'requests/new',
    element: (
      <Guard allowed={needs('raise_requests')}>
        <RequestCreatePage />
      </Guard>
    ),
  },
  { path: 'requests/:id', element: <RequestDetailPage /> },
  {
    path: 'requests/:id/edit',
    element: (
      <Guard allowed={needs('raise_requests')}>
        <RequestEditPage />
      </Guard>
    ),
  },
  { path: 'sendbacks', element: <SendbacksPage /> },
  { path: 'custody', element: <CustodyPage /> },
  { path: 'holds', element: <HoldsPage /> },
  { path: 'holds/:id', element: <HoldPage /> },
  { path: 'disposition', element: <DispositionPage /> },
  { path: 'schedules', element: <SchedulesPage /> },
  {
    // Document types are company-wide: only System Administrators change their schedules.
    path: 'schedules/:id',
    element: (
      <Guard allowed={needs('manage_document_types')}>
        <ScheduleChangePage />
      </Guard>
    ),
  },
  {
    path: 'retention-events',
    element: (
      <Guard allowed={needs('record_retention_events')}>
        <RetentionEventsPage />
      </Guard>
    ),
  },
  { path: 'storage', element: <StoragePage /> },
  { path: 'counts', element: <CountsPage /> },
  { path: 'counts/:id', element: <CountPage /> },
  {
    path: 'imports',
    element: (
      <Guard allowed={needs('import_inventory')}>
        <ImportsPage />
      </Guard>
    ),
  },
  {
    path: 'audit',
    element: (
      <Guard allowed={needs('read_audit')}>
        <AuditPage />
      </Guard>
    ),
  },
  { path: 'reports', element: <ReportsPage /> },
  {
    path: 'administration',
    element: (
      <Guard allowed={canAdminister}>
        <AdminPage />
      </Guard>
    ),
  },
  {
    path: 'administration/:tab',
    element: (
      <Guard allowed={canAdminister}>
        <AdminPage />
      </Guard>
    ),
  },
  { path: 'account/password', element: <ChangePasswordPage /> },
  { path: 'account/signature', element: <SignatureCertificationPage /> },
  { path: '*', element: <NotFound /> },
];

export function createRouter() {
  return createBrowserRouter([
    { path: '/login', element: <LoginPage /> },
    {
      element: <RequireAuth />,
      children: [{ element: <AppShell />, children: [{ element: <Screen />, children: ROUTES }] }],
    },
  ]);
}
