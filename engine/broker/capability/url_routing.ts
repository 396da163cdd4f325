/**
 * The order of a capability's providers for a call about a URL. The
 * owner's order comes first: a provider's standing (preferred; can work;
 * joined after the others) is never overtaken by a URL pattern (a new
 * `@provides(web_read, urls=["*.example/*"])` took every matching call
 * ahead of the owner's preference). Within one standing, providers whose
 * patterns match come before generic ones, the most specific pattern
 * first; a provider whose patterns do not match is left out.
 *
 * @module
 */
import { declaredUrls, urlSpecificity } from "./url_patterns.ts";

/** A provider in the owner's order, with its standing (lower goes first). */
export interface RankedProvider<T> {
  entry: T;
  /** The owner's standing of it: equal ranks are ordered by freshness. */
  rank: number;
  /** The tool's `provides_options`. */
  options: Record<string, unknown>;
  reason: string;
}

/**
 * Orders providers for one URL without lifting any across standings.
 *
 * @param ranked the providers in the owner's order (sorted by rank)
 * @param url the call's URL
 * @returns the providers that serve it, in the order they are tried
 */
export function routeByUrl<T>(
  ranked: RankedProvider<T>[],
  url: string,
): RankedProvider<T>[] {
  const serving: {
    provider: RankedProvider<T>;
    specificity: number;
    index: number;
  }[] = [];
  for (const [index, provider] of ranked.entries()) {
    const patterns = declaredUrls(provider.options);
    if (patterns.length === 0) {
      serving.push({
        provider: {
          ...provider,
          reason:
            `serves any URL, after providers of its standing whose patterns match; ${provider.reason}`,
        },
        specificity: -1,
        index,
      });
      continue;
    }
    const specificity = urlSpecificity(patterns, url);
    if (specificity === undefined) continue;
    serving.push({
      provider: {
        ...provider,
        reason: `its URL patterns match ${url}; ${provider.reason}`,
      },
      specificity,
      index,
    });
  }
  serving.sort((a, b) =>
    a.provider.rank - b.provider.rank || b.specificity - a.specificity ||
    a.index - b.index
  );
  return serving.map(({ provider }) => provider);
}
