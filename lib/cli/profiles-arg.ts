// Profile and id arguments as typed on the command line: `19`, `1g.10gb`, `MIG 1g.10gb`, `9:4`;
// `-gi 1,7`. A profile name is checked with the one profile-name type (lib/profile-name.ts),
// the grammar of layout files too.

import { MigProfileName } from '../profile-name.js';
import { UsageError } from './errors.js';

/** A profile as typed: an id (`19`), a short name (`1g.10gb`) or a driver name (`MIG 1g.10gb`), optionally `:start`. */
export interface ProfileSpec {
  text: string;
  id: number | null;
  name: string | null;
  start: number | null;
}

/** Parses a comma-separated list of non-negative integers (`-gi 1,7`). */
export function parseIdList(text: string, what: string): number[] {
  const parts = text.split(',').map((s) => s.trim());
  if (parts.some((p) => !/^\d{1,10}$/.test(p) || Number(p) > 0xffffffff)) {
    throw new UsageError(`invalid ${what} list '${text}': expected comma-separated numbers such as 1,7`);
  }
  return parts.map(Number);
}

const PROFILE_HELP = "expected an id (19), a name (1g.10gb) or 'MIG 1g.10gb'";

/** Parses one profile spec: `19`, `19:4`, `3g.40gb`, `MIG 3g.40gb`, `3g.40gb:4`. */
export function parseProfileSpec(text: string): ProfileSpec {
  const t = text.trim();
  const m = /^(.*?)(?::(\d{1,10}))?$/.exec(t);
  const body = (m?.[1] ?? t).trim();
  const start = m?.[2] !== undefined ? Number(m[2]) : null;
  if (body === '' || (start !== null && start > 0xffffffff)) throw new UsageError(`invalid profile '${text}': ${PROFILE_HELP}`);
  if (/^\d+$/.test(body)) {
    if (body.length > 10 || Number(body) > 0xffffffff) throw new UsageError(`invalid profile '${text}': ${PROFILE_HELP}`);
    return { text: t, id: Number(body), name: null, start };
  }
  const name = MigProfileName.check(body);
  if (typeof name === 'string') throw new UsageError(`invalid profile '${text}': ${PROFILE_HELP}; ${name}`);
  return { text: t, id: null, name: body, start };
}

/**
 * Parses a comma- (and space-) separated list of profile specs; `MIG 1g.10gb` keeps its inner space,
 * and a name's own attribute list stays whole: `2g.48gb+gfx,me,19` is two profiles (a piece that is a
 * bare attribute word continues the name before it when that name has attributes).
 */
export function parseProfileList(texts: string[]): ProfileSpec[] {
  const specs: ProfileSpec[] = [];
  for (const text of texts) {
    const pieces: string[] = [];
    for (const piece of text.split(',')) {
      if (piece.trim() === '') throw new UsageError(`empty profile in '${text}'`);
      const prev = pieces.length > 0 ? pieces[pieces.length - 1] : '';
      if (/[+-][a-z][a-z0-9.]*$/i.test(prev.trim()) && /^[a-z][a-z0-9.]*(?::\d+)?$/i.test(piece.trim()) && !/^mig$/i.test(piece.trim())) {
        pieces[pieces.length - 1] = `${prev},${piece.trim()}`;
      } else {
        pieces.push(piece);
      }
    }
    for (const piece of pieces) specs.push(parseProfileSpec(piece));
  }
  return specs;
}
