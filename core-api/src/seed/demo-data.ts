import { newId, pick, seededRandom, type Logger } from '@platform/kit';
import type { AuthUser } from '../auth/auth.types.js';
import { hashPassword } from '../auth/password.js';
import type { Db } from '../db/db.js';
import { EventService } from '../events/event.service.js';
import { RegistrationService } from '../registrations/registration.service.js';
import { categories, cities, firstNames, lastNames, venues } from './catalogue.js';

export const DEMO_ACCOUNTS = {
  user: { email: 'demo@example.com', password: 'demo-password', name: 'Demo Person' },
  admin: { email: 'admin@example.com', password: 'admin-password', name: 'Admin' },
} as const;

export interface SeedOptions {
  logger: Logger;
  users?: number;
  events?: number;
  seed?: number;
}

/**
 * Demo data for embedded mode, written through the same services the API uses (so every change
 * also lands in the outbox). Idempotent: does nothing once the demo account exists. People have
 * favourite categories and cities, which gives the recommender something real to learn.
 */
export async function seedDemoData(db: Db, options: SeedOptions): Promise<boolean> {
  const { logger } = options;
  const exists = await db
    .selectFrom('users')
    .select('id')
    .where('email', '=', DEMO_ACCOUNTS.user.email)
    .executeTakeFirst();
  if (exists) return false;

  const random = seededRandom(options.seed ?? 42);
  const started = Date.now();
  logger.info('seeding demo data (first boot)');

  const [userHash, adminHash] = await Promise.all([
    hashPassword(DEMO_ACCOUNTS.user.password),
    hashPassword(DEMO_ACCOUNTS.admin.password),
  ]);
  const people: {
    id: string;
    email: string;
    name: string;
    password_hash: string;
    role: 'user' | 'admin';
  }[] = [
    { id: newId(), ...withoutPassword(DEMO_ACCOUNTS.user), password_hash: userHash, role: 'user' },
    {
      id: newId(),
      ...withoutPassword(DEMO_ACCOUNTS.admin),
      password_hash: adminHash,
      role: 'admin',
    },
  ];
  for (let i = 1; i <= (options.users ?? 80); i++) {
    const name = `${pick(random, firstNames)} ${pick(random, lastNames)}`;
    people.push({
      id: newId(),
      email: `person${i}@example.com`,
      name,
      password_hash: userHash,
      role: 'user',
    });
  }
  await db.insertInto('users').values(people).execute();
  logger.info({ users: people.length }, 'seed: users');

  const eventsService = new EventService({ db });
  const registrationService = new RegistrationService({ db });
  const organizers: AuthUser[] = people.slice(2, 14).map((p) => ({ id: p.id, role: 'user' }));
  const categoryNames = Object.keys(categories);
  const total = options.events ?? 300;
  const published: { id: string; category: string; city: string }[] = [];
  for (let i = 0; i < total; i++) {
    const category = pick(random, categoryNames);
    const spec = categories[category]!;
    const place = pick(random, cities);
    const venue = pick(random, venues);
    const start = new Date(Date.now() + (1 + random() * 60) * 86_400_000);
    start.setUTCHours(16 + Math.floor(random() * 5), random() < 0.5 ? 0 : 30, 0, 0);
    const tags = [...new Set([pick(random, spec.tags), pick(random, spec.tags)])];
    const event = await eventsService.create(pick(random, organizers), {
      title: `${pick(random, spec.titles)} in ${place.city}`,
      description: `${spec.blurb} At ${venue}, ${place.city}. Topics: ${tags.join(', ')}.`,
      category,
      tags,
      startsAt: start.toISOString(),
      endsAt: new Date(start.getTime() + (1 + Math.floor(random() * 4)) * 3_600_000).toISOString(),
      venue: {
        name: venue,
        city: place.city,
        lat: place.lat + (random() - 0.5) * 0.05,
        lon: place.lon + (random() - 0.5) * 0.05,
      },
      capacity: pick(random, [10, 20, 30, 50, 80, 120, 200]),
    });
    const roll = random();
    if (roll < 0.92) {
      await eventsService.publish({ id: event.organizerId, role: 'user' }, event.id);
      published.push({ id: event.id, category, city: place.city });
    } else if (roll < 0.96) {
      await eventsService.publish({ id: event.organizerId, role: 'user' }, event.id);
      await eventsService.cancel({ id: event.organizerId, role: 'user' }, event.id);
    }
    if ((i + 1) % 50 === 0) logger.info({ events: i + 1, of: total }, 'seed: events');
  }

  let registrations = 0;
  for (const person of people.slice(14)) {
    const favourites = new Set([pick(random, categoryNames), pick(random, categoryNames)]);
    const home = pick(random, cities).city;
    const wanted = published.filter(
      (e) =>
        (favourites.has(e.category) && random() < 0.35) ||
        (e.city === home && random() < 0.08) ||
        random() < 0.01,
    );
    for (const event of wanted) {
      await registrationService.register({ id: person.id, role: 'user' }, event.id);
      registrations++;
    }
  }
  // The demo account has a taste too (three events of one category), so its Discover page shows
  // personalised recommendations with their reasons once the first model is trained.
  const demo = people[0]!;
  const liked = pick(random, categoryNames);
  for (const event of published.filter((e) => e.category === liked).slice(0, 3)) {
    await registrationService.register({ id: demo.id, role: 'user' }, event.id);
    registrations++;
  }
  logger.info(
    {
      users: people.length,
      events: total,
      published: published.length,
      registrations,
      ms: Date.now() - started,
    },
    'seed: done',
  );
  return true;
}

function withoutPassword(account: { email: string; name: string }) {
  return { email: account.email, name: account.name };
}
