// Offset pagination as GitLab answers it (lib/api/helpers/pagination.rb,
// lib/gitlab/pagination/offset_header_builder.rb, lib/api/pagination_params.rb):
// page default 1, per_page default 20 and at most 100 (Kaminari's max_per_page),
// X-Page/X-Per-Page/X-Next-Page/X-Prev-Page/X-Total/X-Total-Pages, and a Link header
// whose URLs carry every parameter of the request (route ones and defaults included).
import { badParam } from './errors.js';

export const DEFAULT_PER_PAGE = 20;
export const MAX_PER_PAGE = 100;

export interface Page<T> {
  items: T[];
  headers: Record<string, string>;
}

function integerParam(query: URLSearchParams, name: string, fallback: number): number {
  const raw = query.get(name);
  if (raw === null || raw === '') return fallback;
  if (!/^-?\d+$/.test(raw.trim())) throw badParam(`${name} is invalid`);
  return Number(raw);
}

/** Validates page/per_page the way the API does before any work. */
export function pageParams(query: URLSearchParams): { page: number; perPage: number; requestedPerPage: number } {
  const page = integerParam(query, 'page', 1);
  const requestedPerPage = integerParam(query, 'per_page', DEFAULT_PER_PAGE);
  if (requestedPerPage === 0) throw badParam('per_page has a value not allowed');
  if (page < 1) throw badParam('page does not have a valid value');
  if (requestedPerPage < 1) throw badParam('per_page does not have a valid value');
  return { page, perPage: Math.min(requestedPerPage, MAX_PER_PAGE), requestedPerPage };
}

/**
 * One page of `all`. `params` are the request's parameters as Grape sees them (route
 * params, declared defaults, the query): the Link URLs repeat them, sorted like Rails'
 * `to_query`.
 */
export function paginate<T>(all: T[], baseUrl: string, path: string, params: Record<string, string>, query: URLSearchParams): Page<T> {
  const { page, perPage, requestedPerPage } = pageParams(query);
  const total = all.length;
  const totalPages = Math.max(Math.ceil(total / perPage), 1);
  const next = page < totalPages ? page + 1 : undefined;
  const prev = page > 1 ? page - 1 : undefined;
  const href = (p: number) => {
    const merged: Record<string, string> = { ...params, page: String(p), per_page: String(requestedPerPage) };
    const search = new URLSearchParams(Object.keys(merged).sort().map((k): [string, string] => [k, merged[k]!]));
    return `${baseUrl}${path}?${search.toString()}`;
  };
  const links = [
    ...(prev ? [`<${href(prev)}>; rel="prev"`] : []),
    ...(next ? [`<${href(next)}>; rel="next"`] : []),
    `<${href(1)}>; rel="first"`,
    `<${href(totalPages)}>; rel="last"`,
  ];
  return {
    items: all.slice((page - 1) * perPage, page * perPage),
    headers: {
      'X-Per-Page': String(perPage),
      'X-Page': String(page),
      'X-Next-Page': next ? String(next) : '',
      'X-Prev-Page': prev ? String(prev) : '',
      Link: links.join(', '),
      'X-Total': String(total),
      'X-Total-Pages': String(totalPages),
    },
  };
}
