import { useState } from 'react';
import { NavLink, Outlet, useNavigate } from 'react-router-dom';
import { useAuth, useCurrentUser } from '@/contexts/AuthContext';
import { useWebSocket, type ConnectionState } from '@/contexts/WebSocketContext';
import { NotificationBell } from '@/features/notifications/components/notification-bell';
import { can, canAdminister } from '@/lib/capabilities';
import { useIdleLogout } from '@/lib/use-idle-logout';

const CONNECTION_LABEL: Record<ConnectionState, string> = {
  open: 'Live',
  connecting: 'Connecting…',
  reconnecting: 'Reconnecting…',
  offline: 'Offline',
};

function ConnectionIndicator() {
  const { state } = useWebSocket();
  return (
    <span
      className={`conn conn--${state}`}
      data-testid="connection-state"
      data-state={state}
      title={state === 'open' ? 'Live updates on' : 'Live updates paused; data may be stale'}
    >
      <span className="conn__dot" aria-hidden="true" />
      {CONNECTION_LABEL[state]}
    </span>
  );
}

export function AppShell() {
  const user = useCurrentUser();
  const { logout } = useAuth();
  const navigate = useNavigate();
  const [menuOpen, setMenuOpen] = useState(false);

  useIdleLogout(() => {
    void logout('You were signed out after a period of inactivity.').then(() => navigate('/login'));
  });

  const links: { to: string; label: string; show: boolean }[] = [
    { to: '/', label: 'Dashboard', show: true },
    { to: '/crates', label: 'Crates', show: true },
    { to: '/documents', label: 'Documents', show: true },
    { to: '/requests', label: 'Requests', show: true },
    { to: '/sendbacks', label: 'Send-backs', show: true },
    { to: '/custody', label: 'Custody', show: true },
    { to: '/holds', label: 'Legal holds', show: true },
    { to: '/disposition', label: 'Disposition', show: true },
    { to: '/schedules', label: 'Retention schedules', show: true },
    {
      to: '/retention-events',
      label: 'Retention events',
      show: can(user, 'record_retention_events'),
    },
    { to: '/storage', label: 'Storage', show: true },
    { to: '/counts', label: 'Counts', show: true },
    { to: '/imports', label: 'Import', show: can(user, 'import_inventory') },
    { to: '/reports', label: 'Reports', show: true },
    { to: '/audit', label: 'Audit trail', show: can(user, 'read_audit') },
    { to: '/administration', label: 'Administration', show: canAdminister(user) },
  ];

  return (
    <div className="shell">
      <a href="#main" className="skip-link">
        Skip to content
      </a>
      <header className="topbar">
        <button
          type="button"
          className="btn btn--ghost topbar__menu"
          aria-label="Menu"
          aria-expanded={menuOpen}
          onClick={() => setMenuOpen((v) => !v)}
        >
          ☰
        </button>
        <span className="topbar__brand">Cipla DMS</span>
        <span className="topbar__spacer" />
        <ConnectionIndicator />
        <NotificationBell />
        <span className="topbar__user" data-testid="current-user">
          {user.full_name || user.username}
          <small>{user.roles.join(', ') || 'No role'}</small>
        </span>
        <NavLink to="/account/signature" className="btn btn--ghost">
          Signature
        </NavLink>
        <NavLink to="/account/password" className="btn btn--ghost">
          Password
        </NavLink>
        <button
          type="button"
          className="btn btn--ghost"
          onClick={() => void logout().then(() => navigate('/login'))}
        >
          Sign out
        </button>
      </header>
      <div className="shell__body">
        <nav
          className={`sidenav ${menuOpen ? 'sidenav--open' : ''}`}
          aria-label="Main"
          onClick={() => setMenuOpen(false)}
        >
          {links
            .filter((link) => link.show)
            .map((link) => (
              <NavLink
                key={link.to}
                to={link.to}
                end={link.to === '/'}
                className={({ isActive }) => `sidenav__link ${isActive ? 'is-active' : ''}`}
              >
                {link.label}
              </NavLink>
            ))}
        </nav>
        <main id="main" className="content" tabIndex={-1}>
          <Outlet />
        </main>
      </div>
    </div>
  );
}
