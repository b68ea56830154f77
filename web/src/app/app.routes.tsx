import { createBrowserRouter, Link, type RouteObject } from 'react-router';
import { LoginPage, RequireAuth, SignUpPage } from '../auth/auth.pages.js';
import { DiscoverPage } from '../discover/discover.page.js';
import { EventPage } from '../events/event.page.js';
import { MyRegistrationsPage } from '../registrations/my-registrations.page.js';
import { SearchResultsPage } from '../search/search-results.page.js';
import { Page } from '../ui/page.js';
import { ErrorState } from '../ui/states.js';
import { Layout } from './layout.js';

function NotFoundPage() {
  return (
    <Page title="Page not found">
      <p>
        There is nothing at this address. <Link to="/">Discover events</Link>.
      </p>
    </Page>
  );
}

function RouteError() {
  return (
    <Page title="Something went wrong">
      <ErrorState
        error={new Error('This page failed to load. Reload to try again.')}
        retry={() => location.reload()}
      />
    </Page>
  );
}

/** Organizer and admin pages (and the chart library) are separate chunks, loaded on first visit. */
export const routes: RouteObject[] = [
  {
    element: <Layout />,
    children: [
      {
        errorElement: <RouteError />,
        children: [
          { index: true, element: <DiscoverPage /> },
          { path: 'search', element: <SearchResultsPage /> },
          { path: 'events/:id', element: <EventPage /> },
          { path: 'login', element: <LoginPage /> },
          { path: 'signup', element: <SignUpPage /> },
          {
            path: 'me/registrations',
            element: (
              <RequireAuth>
                <MyRegistrationsPage />
              </RequireAuth>
            ),
          },
          {
            path: 'organizer',
            lazy: async () => ({
              Component: (await import('../organizer/organizer.pages.js')).OrganizerEventsRoute,
            }),
          },
          {
            path: 'organizer/new',
            lazy: async () => ({
              Component: (await import('../organizer/organizer.pages.js')).NewEventRoute,
            }),
          },
          {
            path: 'organizer/events/:id',
            lazy: async () => ({
              Component: (await import('../organizer/organizer.pages.js')).ManageEventRoute,
            }),
          },
          {
            path: 'admin',
            lazy: async () => ({ Component: (await import('../admin/admin.page.js')).AdminRoute }),
          },
          { path: '*', element: <NotFoundPage /> },
        ],
      },
    ],
  },
];

export const createRouter = () => createBrowserRouter(routes);
