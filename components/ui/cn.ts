/** Join class names, skipping the falsy ones: `cn("a", busy && "b")`. */
export function cn(...parts: (string | false | null | undefined)[]): string {
  return parts.filter(Boolean).join(" ");
}
