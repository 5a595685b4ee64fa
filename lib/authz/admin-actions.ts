/**
 * Which actions are the admin tools: those the policy grants to administrators alone. The
 * second-factor policy for administrators (lib/auth/guards.ts) and the endpoint contracts
 * (lib/http/contract.ts) both read it, so a new admin action is covered by both at once.
 */
import { RULES, type Action } from "./policy";

export function isAdminOnly(action: Action): boolean {
  const rule = RULES[action];
  return "roles" in rule && rule.roles.length === 1 && rule.roles[0] === "admin";
}
