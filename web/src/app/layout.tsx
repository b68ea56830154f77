import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, NavLink, Outlet, useNavigate, useNavigation } from 'react-router';
import { useServices, useSession } from './services.js';
import { SearchBox } from '../search/search-box.js';

/** Header (brand, search, navigation, account) on every page, then the page. */
export function Layout() {
  const session = useSession();
  const { session: store } = useServices();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const navigation = useNavigation();
  const [menuOpen, setMenuOpen] = useState(false);
  const signedIn = session.status === 'signed-in';

  const logOut = async () => {
    await store.logOut().catch(() => undefined);
    queryClient.clear();
    navigate('/');
  };

  return (
    <>
      <a href="#main" className="skip-link">
        Skip to content
      </a>
      <header className="site-header">
        <div className="header-inner">
          <Link to="/" className="brand">
            Events
          </Link>
          <SearchBox />
          <button
            type="button"
            className="menu-toggle button secondary"
            aria-expanded={menuOpen}
            aria-controls="site-nav"
            onClick={() => setMenuOpen((o) => !o)}
          >
            Menu
          </button>
          <nav
            id="site-nav"
            aria-label="Main"
            className={menuOpen ? 'site-nav open' : 'site-nav'}
            onClick={() => setMenuOpen(false)}
          >
            <NavLink to="/" end>
              Discover
            </NavLink>
            {signedIn && <NavLink to="/me/registrations">My registrations</NavLink>}
            {signedIn && <NavLink to="/organizer">Organize</NavLink>}
            {signedIn && session.user.role === 'admin' && <NavLink to="/admin">Admin</NavLink>}
            {session.status === 'signed-out' && <NavLink to="/login">Log in</NavLink>}
            {session.status === 'signed-out' && (
              <NavLink to="/signup" className="button primary">
                Sign up
              </NavLink>
            )}
            {signedIn && (
              <button type="button" className="link-button" onClick={() => void logOut()}>
                Log out <span className="visually-hidden">{session.user.name}</span>
              </button>
            )}
          </nav>
        </div>
        {navigation.state === 'loading' && (
          <div className="progress" role="progressbar" aria-label="Loading page" />
        )}
      </header>
      <main id="main" tabIndex={-1}>
        <Outlet />
      </main>
      <footer className="site-footer">
        <p>
          Events platform · <a href="/docs">API</a>
        </p>
      </footer>
    </>
  );
}
