import { existsSync, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { startApp, type RunningApp } from './server.js';

/**
 * The product as a person meets it, in real headless Chromium: sign up, find an event through a
 * typo'd suggestion, register; others fill the last seat and join the waitlist; a cancellation
 * promotes the waiting person live; an organizer publishes an event that search then finds.
 * Every wait is for a condition on the page, bounded by a timeout.
 */
const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '../..');
const artifacts = path.join(here, 'artifacts');
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const WAIT = 15_000;

let app: RunningApp;
let browser: Browser;
const contexts: BrowserContext[] = [];
const run = Date.now().toString(36);

/** The seat this story is about: 2 seats, created over the API as test data. */
let eventId: string;
const eventTitle = 'Lantern Parade on the Quay';

/** A full-page screenshot once the page has settled (no loading state left on it). */
async function shot(page: Page, name: string) {
  await page.locator('.state-loading').first().waitFor({ state: 'detached' });
  await page.screenshot({ path: path.join(artifacts, `${name}.png`), fullPage: true });
}

async function newPage(viewport = { width: 1280, height: 900 }): Promise<Page> {
  const context = await browser.newContext({ baseURL: app.base, viewport });
  contexts.push(context);
  const page = await context.newPage();
  page.setDefaultTimeout(WAIT);
  page.on('pageerror', (error) => console.error(`[browser] ${error.message}`));
  return page;
}

async function signUp(page: Page, name: string, email: string) {
  await page.goto('/signup');
  await page.getByLabel('Name').fill(name);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel(/^Password/).fill('a long enough password');
  await page.getByRole('button', { name: 'Sign up' }).click();
  await page.getByRole('button', { name: /Log out/ }).waitFor();
}

async function api<T>(method: string, url: string, body?: unknown, token?: string): Promise<T> {
  const res = await fetch(app.base + url, {
    method,
    headers: {
      'content-type': 'application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${method} ${url}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

const day = 86_400_000;
const inDays = (n: number, hour: number) => {
  const d = new Date(Date.now() + n * day);
  d.setUTCHours(hour, 0, 0, 0);
  return d.toISOString();
};

beforeAll(async () => {
  rmSync(artifacts, { recursive: true, force: true });
  mkdirSync(artifacts, { recursive: true });
  if (!existsSync(chromiumPath)) {
    throw new Error(`${chromiumPath} is missing: run \`bash infra/local/tools.sh chromium\``);
  }
  app = await startApp({
    repoRoot,
    logFile: path.join(artifacts, 'server.log'),
    timeoutMs: 240_000,
  });
  browser = await chromium.launch({ executablePath: chromiumPath, args: ['--no-sandbox'] });

  const organizer = await api<{ accessToken: string }>('POST', '/v1/auth/register', {
    email: `fixture-organizer-${run}@example.com`,
    password: 'a long enough password',
    name: 'Fixture Organizer',
  });
  const created = await api<{ id: string }>(
    'POST',
    '/v1/events',
    {
      title: eventTitle,
      description: 'Paper lanterns along the river at dusk.',
      category: 'festival',
      tags: ['lanterns', 'outdoors'],
      startsAt: inDays(20, 18),
      endsAt: inDays(20, 21),
      venue: { name: 'The Quay', city: 'Lyon', lat: 45.76, lon: 4.83 },
      capacity: 2,
    },
    organizer.accessToken,
  );
  await api('POST', `/v1/events/${created.id}/publish`, undefined, organizer.accessToken);
  eventId = created.id;
}, 300_000);

afterAll(async () => {
  await Promise.allSettled(contexts.map((c) => c.close()));
  await browser?.close();
  await app?.stop();
});

/** On failure: a screenshot of every open page, named after the test. */
function screenshotsOnFailure(name: string) {
  onTestFailed(async () => {
    let i = 0;
    for (const context of contexts)
      for (const page of context.pages())
        await page
          .screenshot({ path: path.join(artifacts, `FAILED-${name}-${i++}.png`), fullPage: true })
          .catch(() => undefined);
  });
}

describe('web app in Chromium', () => {
  let first: Page;
  let second: Page;
  let third: Page;
  const interactionStatuses: number[] = [];

  it('a person signs up, finds the event through a typo in the search box and registers', async () => {
    screenshotsOnFailure('register');
    first = await newPage();
    first.on('response', (r) => {
      if (r.url().endsWith('/v1/interactions')) interactionStatuses.push(r.status());
    });
    await first.goto('/');
    await first.getByRole('heading', { name: 'Upcoming events' }).waitFor();
    await first
      .getByRole('list', { name: 'Upcoming events' })
      .getByRole('listitem')
      .first()
      .waitFor();
    await shot(first, '01-discover');

    await signUp(first, 'Ada First', `ada-${run}@example.com`);
    await shot(first, '02-signed-in');

    const search = first.getByRole('combobox', { name: 'Search events' });
    await search.pressSequentially('lanturn', { delay: 40 });
    const option = first.getByRole('option', { name: eventTitle });
    await option.waitFor();
    expect(await option.locator('mark').first().textContent()).toBe('Lantern');
    await shot(first, '03-suggestions');
    await search.press('ArrowDown');
    await expect.poll(() => option.getAttribute('aria-selected')).toBe('true');
    await search.press('Enter');

    await first.waitForURL(`**/events/${eventId}`);
    await first.getByRole('heading', { level: 1, name: eventTitle }).waitFor();
    await first.getByText('2 of 2 seats left').waitFor();
    await first.getByText('Live', { exact: true }).waitFor();
    await first.getByRole('button', { name: 'Register' }).click();
    await first.getByText("You're registered: your seat is confirmed.").waitFor();
    await first.getByText('1 of 2 seats left').waitFor();
    await shot(first, '04-registered');

    // The session survives a reload: the refresh cookie buys a new in-memory access token.
    await first.reload();
    await first.getByRole('button', { name: /Log out/ }).waitFor();
    await first.getByText("You're registered: your seat is confirmed.").waitFor();
  });

  it('a second person takes the last seat and a third joins the waitlist; counts move live', async () => {
    screenshotsOnFailure('fill');
    second = await newPage();
    await signUp(second, 'Ben Second', `ben-${run}@example.com`);
    await second.goto(`/events/${eventId}`);
    await second.getByRole('button', { name: 'Register' }).click();
    await second.getByText("You're registered: your seat is confirmed.").waitFor();
    await shot(second, '05-last-seat');

    // The first person's page follows without a reload.
    await first.getByText('Full · waitlist open').waitFor();

    third = await newPage();
    await signUp(third, 'Cleo Third', `cleo-${run}@example.com`);
    await third.goto(`/events/${eventId}`);
    await third.getByRole('button', { name: 'Join waitlist' }).click();
    await third.getByText("You're on the waitlist, position 1.").waitFor();
    await first.getByText('Full · 1 waiting').waitFor();
    await shot(third, '06-waitlisted');
  });

  it('when the first person cancels, the third sees the promotion live, without reloading', async () => {
    screenshotsOnFailure('promote');
    // A marker that a reload or navigation would wipe.
    await third.evaluate(() => ((globalThis as unknown as { stayed: boolean }).stayed = true));
    await first.getByRole('button', { name: 'Cancel registration' }).click();
    await first.getByRole('button', { name: 'Join waitlist' }).waitFor();

    await third.getByText("You're registered: your seat is confirmed.").waitFor();
    await third
      .getByText('A seat freed up: you are now registered.')
      .waitFor({ state: 'attached' });
    expect(await third.evaluate(() => (globalThis as unknown as { stayed?: boolean }).stayed)).toBe(
      true,
    );
    await third.getByText('0 on the waitlist', { exact: false }).waitFor();
    await shot(third, '07-promoted-live');

    await third.getByRole('link', { name: 'My registrations' }).click();
    await third.getByRole('link', { name: eventTitle }).waitFor();
    await third.getByText('Confirmed', { exact: true }).waitFor();
    await shot(third, '08-my-registrations');
  });

  it('an organizer creates and publishes an event, and search then finds it', async () => {
    screenshotsOnFailure('organizer');
    const organizer = await newPage();
    await signUp(organizer, 'Omar Organizer', `omar-${run}@example.com`);
    await organizer.getByRole('link', { name: 'Organize' }).click();
    await organizer.getByRole('heading', { name: 'My events' }).waitFor();
    await organizer.getByRole('link', { name: 'Create an event' }).click();
    await organizer.getByRole('heading', { name: 'New event' }).waitFor();

    // The API's validation messages show next to their fields.
    await organizer.getByRole('button', { name: 'Create draft' }).click();
    await expect
      .poll(() => organizer.getByLabel('Title').getAttribute('aria-invalid'))
      .toBe('true');
    await organizer
      .getByText('Too small: expected string to have >=3 characters')
      .first()
      .waitFor();
    await shot(organizer, '09-validation');

    const title = `Midnight Cartography Workshop ${run}`;
    await organizer.getByLabel('Title').fill(title);
    await organizer.getByLabel('Description').fill('Draw the city by night.');
    await organizer.getByLabel('Category').fill('workshop');
    await organizer.getByLabel(/^Tags/).fill('maps, drawing');
    const local = (iso: string) => iso.slice(0, 16);
    await organizer.getByLabel('Starts').fill(local(inDays(30, 20)));
    await organizer.getByLabel('Ends').fill(local(inDays(30, 23)));
    await organizer.getByLabel('Venue').fill('Atlas Hall');
    await organizer.getByLabel('City', { exact: true }).fill('Lisbon');
    await organizer.getByLabel('Latitude').fill('38.72');
    await organizer.getByLabel('Longitude').fill('-9.14');
    await organizer.getByLabel('Capacity').fill('25');
    await organizer.getByRole('button', { name: 'Create draft' }).click();

    await organizer.getByTestId('event-status').getByText('draft').waitFor();
    await organizer.getByRole('button', { name: 'Publish' }).click();
    await organizer.getByTestId('event-status').getByText('published').waitFor();
    await shot(organizer, '10-published');

    // The index catches up through the outbox and the message logs: reload the results until
    // the event is there (each reload asks the API again).
    const box = organizer.getByRole('combobox', { name: 'Search events' });
    await box.fill('cartography');
    await box.press('Enter');
    await organizer.waitForURL(/\/search\?q=cartography$/);
    let attempts = 0;
    await expect
      .poll(
        async () => {
          if (attempts++ > 0) await organizer.reload();
          await organizer
            .getByRole('status')
            .filter({ hasText: /^\d+ events?/ })
            .waitFor();
          return organizer.getByRole('link', { name: title }).count();
        },
        { timeout: 30_000, interval: 500 },
      )
      .toBe(1);
    await shot(organizer, '11-search-finds-it');
  });

  it('interactions reach the API, by fetch and by beacon', async () => {
    screenshotsOnFailure('beacon');
    // The periodic flush has run by now on the first person's page.
    await expect.poll(() => interactionStatuses.length, { timeout: WAIT }).toBeGreaterThan(0);
    expect(interactionStatuses.every((s) => s === 202)).toBe(true);

    const response = first.waitForResponse((r) => r.url().endsWith('/v1/interactions'));
    const queued = await first.evaluate(
      ([id]) =>
        (
          globalThis as unknown as { navigator: { sendBeacon(u: string, b: string): boolean } }
        ).navigator.sendBeacon(
          '/v1/interactions',
          JSON.stringify({
            interactions: [
              {
                type: 'view',
                eventId: id,
                surface: 'event',
                occurredAt: new Date().toISOString(),
                sessionId: 'e2e-beacon-1',
              },
            ],
          }),
        ),
      [eventId],
    );
    expect(queued).toBe(true);
    expect((await response).status()).toBe(202);
  });

  it('admins see the numbers; the app works on a 375 px wide phone', async () => {
    screenshotsOnFailure('admin-phone');
    const admin = await newPage();
    await admin.goto('/login');
    await admin.getByLabel('Email').fill('admin@example.com');
    await admin.getByLabel('Password').fill('admin-password');
    await admin.getByRole('button', { name: 'Log in' }).click();
    await admin.getByRole('link', { name: 'Admin' }).click();
    await admin.getByRole('heading', { name: 'Totals' }).waitFor();
    await admin.getByRole('heading', { name: 'Recommendation model' }).waitFor();
    await admin.getByRole('heading', { name: 'Searches without results' }).waitFor();
    await admin.locator('.state-loading').first().waitFor({ state: 'detached' });
    await shot(admin, '12-admin');
    await admin.getByRole('button', { name: /Log out/ }).click();
    await admin.getByRole('link', { name: 'Log in' }).waitFor();
    await admin.reload();
    await admin.getByRole('link', { name: 'Log in' }).waitFor();
    expect(await admin.getByRole('link', { name: 'Admin' }).count()).toBe(0);

    const phone = await newPage({ width: 375, height: 812 });
    for (const [name, url] of [
      ['13-phone-discover', '/'],
      ['14-phone-event', `/events/${eventId}`],
      ['15-phone-search', '/search?q=jazz'],
    ] as const) {
      await phone.goto(url);
      await phone.locator('h1').waitFor();
      await phone.locator('.state-loading').first().waitFor({ state: 'detached' });
      const overflow = await phone.evaluate(() => {
        const doc = (
          globalThis as unknown as {
            document: { documentElement: { scrollWidth: number; clientWidth: number } };
          }
        ).document.documentElement;
        return doc.scrollWidth - doc.clientWidth;
      });
      expect(overflow, `${url} scrolls sideways on a phone`).toBeLessThanOrEqual(0);
      await shot(phone, name);
    }
    await phone.getByRole('button', { name: 'Menu' }).click();
    await phone.getByRole('link', { name: 'Log in' }).waitFor();
  });
});
