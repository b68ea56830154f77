/** The single-page app. Pages arrive with the web issue; the API is at /v1 and /docs. */
export function App() {
  return (
    <main>
      <h1>Events platform</h1>
      <p>
        The API runs at <a href="/docs">/docs</a>.
      </p>
    </main>
  );
}
