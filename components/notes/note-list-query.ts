/**
 * The dashboard's list query: what is in the URL (`?page=2&sort=title&order=asc`), so a reload
 * or a shared link shows the same page. Values are checked against the same enums the API
 * accepts (lib/notes/notes.ts); an unknown value falls back to the default instead of a 400.
 */
import { oneOf, positiveInt, type SearchParams } from "@/lib/client/search-params";

export const NOTE_SORTS = ["updated_at", "created_at", "title"] as const;
export type NoteSort = (typeof NOTE_SORTS)[number];
export type SortOrder = "asc" | "desc";

export const NOTES_PER_PAGE = 10;

export const SORT_LABELS: Record<NoteSort, string> = {
  updated_at: "Last edited",
  created_at: "Created",
  title: "Title",
};

/** Dates newest first, titles A to Z: what people expect before they choose. */
export const DEFAULT_ORDER: Record<NoteSort, SortOrder> = { updated_at: "desc", created_at: "desc", title: "asc" };

export interface NoteListQuery {
  page: number;
  sort: NoteSort;
  order: SortOrder;
}

export function noteListQuery(params: SearchParams): NoteListQuery {
  const sort = oneOf(params, "sort", NOTE_SORTS, "updated_at");
  return { page: positiveInt(params, "page", 1), sort, order: oneOf(params, "order", ["asc", "desc"] as const, DEFAULT_ORDER[sort]) };
}

export function noteListSearch(query: NoteListQuery): string {
  return new URLSearchParams({ page: String(query.page), sort: query.sort, order: query.order }).toString();
}

export function noteListApiPath(query: NoteListQuery): string {
  const params = new URLSearchParams(noteListSearch(query));
  params.set("limit", String(NOTES_PER_PAGE));
  return `/api/notes?${params.toString()}`;
}
