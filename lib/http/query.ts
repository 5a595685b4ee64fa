/**
 * Query strings, parsed as strictly as bodies, and the one shape of a paged list.
 *
 * Threats and defences:
 * - Type juggling: `Number()` reads `1e2`, `10.5`, `0x10`, `+5`, ` 5` and `05` as numbers, and
 *   two layers that read them differently disagree about what was asked. Only canonical
 *   decimal integers are accepted; everything else is a 400.
 * - Unbounded reads (OWASP API Security Top 10 2023, API4): `limit` is at most 100 and `page` is
 *   bounded, so one request cannot ask for the whole table.
 * - Injection through sorting: `sort` is an enum that the data layer maps to a column; a column
 *   name never comes from the request.
 * - Parameter pollution and mass assignment through the URL: `queryObject` refuses a repeated key,
 *   and the schemas are strict, so `limit[]=1`, `ownerId=…` or any other unknown key is a 400.
 *   Routes that take no query parameters call `assertNoQuery`, so nothing rides in on the URL
 *   (a client secret there would also end up in access logs).
 */
import { z } from "zod";
import { parseInput, queryObject } from "./validate";

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;
/** With 100 items a page, ten million rows deep: past any real list, short of an absurd OFFSET. */
export const MAX_PAGE = 100_000;

/** A canonical decimal integer from `min` to `max`: digits only, no sign, exponent, fraction or leading zero. */
export function integerParam(min: number, max: number) {
  const range = `Use a whole number from ${min} to ${max}.`;
  return z
    .string()
    .regex(/^(0|[1-9][0-9]{0,8})$/, { message: range })
    .transform(Number)
    .pipe(z.number().int().min(min, { message: range }).max(max, { message: range }));
}

export type SortOrder = "asc" | "desc";

export interface PagedQueryOptions<S extends string, F extends z.ZodRawShape> {
  /** Each accepted `sort` value, with the order it gets when the request names none. */
  sorts: Record<S, SortOrder>;
  defaultSort: NoInfer<S>;
  /** Extra, optional filter parameters. */
  filters?: F;
}

/** The `GetUsersSchema` shape: `page ≥ 1`, `1 ≤ limit ≤ 100` (default 20), an enum `sort`, and `order`. */
export function pagedQuery<S extends string, F extends z.ZodRawShape = Record<never, never>>(options: PagedQueryOptions<S, F>) {
  const sortNames = Object.keys(options.sorts) as [S, ...S[]];
  return z
    .strictObject({
      page: integerParam(1, MAX_PAGE).default(1),
      limit: integerParam(1, MAX_PAGE_SIZE).default(DEFAULT_PAGE_SIZE),
      sort: z.enum(sortNames).default(options.defaultSort),
      order: z.enum(["asc", "desc"]).optional(),
      ...((options.filters ?? {}) as F),
    })
    .transform((query) => {
      // The generic filter shape hides these two keys from the compiler; the object above defines them.
      const { sort, order } = query as unknown as { sort: S; order: SortOrder | undefined };
      return { ...query, sort, order: order ?? options.sorts[sort] };
    });
}

/** Parse a URL's query with a strict schema; a repeated key or a bad value is a 400. */
export function parseQuery<S extends z.ZodType>(schema: S, url: URL | string): z.output<S> {
  return parseInput(schema, queryObject(typeof url === "string" ? new URL(url) : url));
}

const NoQuery = z.strictObject({});

/** For routes that take no query parameters: any parameter at all is a 400. */
export function assertNoQuery(url: URL | string): void {
  parseQuery(NoQuery, url);
}

/** The offset window for a page. */
export function pageWindow(query: { page: number; limit: number }): { skip: number; take: number } {
  return { skip: (query.page - 1) * query.limit, take: query.limit };
}

export interface Page<T> {
  items: T[];
  page: number;
  limit: number;
  total: number;
}

/** The response schema of a paged list of `item`, exact: no field beyond these four. */
export function pageSchema<T extends z.ZodType>(item: T) {
  return z.strictObject({
    items: z.array(item),
    page: z.number().int().min(1),
    limit: z.number().int().min(1).max(MAX_PAGE_SIZE),
    total: z.number().int().min(0),
  });
}
