/** The secret roles of the Paperclip model as a target delivers them (test/paperclipRoles.test.ts). */
import { PAPERCLIP_SECRET_ROLES } from "../../components/paperclip/paperclipSettings";

/** role → the variables of that role a target delivers, given every secret variable it delivers. */
export function roleMap(delivered: Iterable<string>): Record<string, string[]> {
  const names = new Set(delivered);
  return Object.fromEntries(
    Object.entries(PAPERCLIP_SECRET_ROLES).map(([role, variables]) => [role, variables.filter((v) => names.has(v))]),
  );
}

/** The model's own map: what every target must deliver. */
export const MODEL_ROLE_MAP: Record<string, string[]> = Object.fromEntries(
  Object.entries(PAPERCLIP_SECRET_ROLES).map(([role, variables]) => [role, [...variables]]),
);
