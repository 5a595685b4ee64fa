/**
 * Aggregate note statistics for a reporting job holding the `reports:read` scope.
 *
 * Counts only: no note's title or body and no user's identity leaves this module, so a leaked
 * reporting credential reveals how much the app is used and nothing about anyone in it
 * (docs/decisions/021-service-principals-client-credentials.md).
 */
import "server-only";
import { z } from "zod";
import type { Db } from "../db/client";

export const NoteReportSchema = z.strictObject({
  totalNotes: z.number().int().min(0),
  usersWithNotes: z.number().int().min(0),
  notesCreatedLast24Hours: z.number().int().min(0),
  generatedAt: z.iso.datetime(),
});

export type NoteReport = z.infer<typeof NoteReportSchema>;

export async function noteReport(db: Db, now = new Date()): Promise<NoteReport> {
  const dayAgo = new Date(now.getTime() - 24 * 60 * 60 * 1000);
  const [totalNotes, usersWithNotes, notesCreatedLast24Hours] = await Promise.all([
    db.note.count(),
    db.user.count({ where: { notes: { some: {} } } }),
    db.note.count({ where: { createdAt: { gte: dayAgo } } }),
  ]);
  return { totalNotes, usersWithNotes, notesCreatedLast24Hours, generatedAt: now.toISOString() };
}
