import { errors, type Client } from '@elastic/elasticsearch';
import { eventIndexMappings, eventIndexSettings } from './event-mapping.js';

/**
 * Index versions behind aliases. Search reads through `<alias>` (one index). Writers write to
 * every index behind `<alias>-write`: normally the same one, and during a reindex also the new
 * version being loaded, so no change is lost between the load and the swap.
 */
export const writeAliasOf = (alias: string) => `${alias}-write`;
const versionPrefix = (alias: string) => `${alias}-v`;

export interface VersionOptions {
  /** Replicas once loaded (0 on a single node). */
  replicas?: number;
}

function isStatus(error: unknown, status: number): boolean {
  return error instanceof errors.ResponseError && error.meta.statusCode === status;
}

/** Indices an alias points to; empty when the alias does not exist. */
export async function aliasTargets(client: Client, alias: string): Promise<string[]> {
  try {
    return Object.keys(await client.indices.getAlias({ name: alias }));
  } catch (error) {
    if (isStatus(error, 404)) return [];
    throw error;
  }
}

/**
 * Creates a new, empty version `<alias>-v<timestamp>` with the events mapping. While `loading`,
 * it has no replicas and no periodic refresh (`finishLoading` restores both).
 */
export async function createVersion(
  client: Client,
  alias: string,
  options: VersionOptions & { loading: boolean; aliases?: string[] },
): Promise<string> {
  for (let stamp = Date.now(); ; stamp++) {
    const index = `${versionPrefix(alias)}${stamp}`;
    try {
      await client.indices.create({
        index,
        settings: eventIndexSettings({ replicas: options.replicas ?? 0, loading: options.loading }),
        mappings: eventIndexMappings,
        aliases: Object.fromEntries((options.aliases ?? []).map((a) => [a, {}])),
      });
      return index;
    } catch (error) {
      // Another reindex took this millisecond: try the next one.
      if (isStatus(error, 400) && String(error).includes('resource_already_exists')) continue;
      throw error;
    }
  }
}

export async function finishLoading(client: Client, index: string, options: VersionOptions = {}) {
  await client.indices.putSettings({
    index,
    settings: { refresh_interval: '1s', number_of_replicas: options.replicas ?? 0 },
  });
  await client.indices.refresh({ index });
}

/**
 * Makes sure `<alias>` exists: creates the first version behind both aliases when there is none.
 * The first version has a fixed name so two processes booting at once cannot create two.
 */
export async function ensureIndex(
  client: Client,
  alias: string,
  options: VersionOptions = {},
): Promise<string[]> {
  const existing = await aliasTargets(client, alias);
  if (existing.length > 0) return existing;
  const index = `${versionPrefix(alias)}0`;
  try {
    await client.indices.create({
      index,
      settings: eventIndexSettings({ replicas: options.replicas ?? 0, loading: false }),
      mappings: eventIndexMappings,
      aliases: { [alias]: {}, [writeAliasOf(alias)]: {} },
    });
  } catch (error) {
    if (!(isStatus(error, 400) && String(error).includes('resource_already_exists'))) throw error;
    // It exists without the aliases only if a process died between two steps of a reindex.
    await client.indices.updateAliases({
      actions: [{ add: { index, alias } }, { add: { index, alias: writeAliasOf(alias) } }],
    });
  }
  return [index];
}

/**
 * One atomic alias update: `<alias>` moves to `index` and the old versions stop receiving
 * writes. Search sees the old version until this call and the new one after it, never neither.
 */
export async function swapAlias(client: Client, alias: string, index: string): Promise<void> {
  const [readers, writers] = await Promise.all([
    aliasTargets(client, alias),
    aliasTargets(client, writeAliasOf(alias)),
  ]);
  await client.indices.updateAliases({
    actions: [
      ...readers.filter((i) => i !== index).map((i) => ({ remove: { index: i, alias } })),
      { add: { index, alias } },
      ...writers
        .filter((i) => i !== index)
        .map((i) => ({ remove: { index: i, alias: writeAliasOf(alias) } })),
      { add: { index, alias: writeAliasOf(alias) } },
    ],
  });
}

/** Deletes every version of `alias` except `keep`; returns what it deleted. */
export async function deleteOtherVersions(
  client: Client,
  alias: string,
  keep: string | undefined,
): Promise<string[]> {
  const all = Object.keys(
    await client.indices.get({ index: `${versionPrefix(alias)}*`, features: ['aliases'] }),
  );
  const doomed = all.filter(
    (i) => i !== keep && /^\d+$/.test(i.slice(versionPrefix(alias).length)),
  );
  if (doomed.length > 0) await client.indices.delete({ index: doomed.join(',') });
  return doomed;
}
