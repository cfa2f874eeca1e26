import { describe, expect, it } from "vitest";
import { isAppError } from "@/lib/errors/app-error";
import type { Principal } from "@/lib/principal";
import { effectivePermissions } from "./authorize";
import { builtInPermissions, type Permission } from "./catalog";
import {
  assertMayGrant,
  assertMayGrantScopes,
  GUARDED_ROLE,
  mayGrant,
  mayGrantTeamRead,
  missingGrants,
  missingScopePermissions,
} from "./grants";

function principal(role: string, customRolePermissions: string[] = [], managedTeamIds: string[] = []): Principal {
  return {
    userId: "u",
    orgId: "o",
    role,
    teamId: null,
    sessionId: "s",
    email: "u@example.test",
    name: "U",
    permissions: effectivePermissions({ role, customRolePermissions }),
    managedTeamIds,
    via: "session",
  };
}

function thrown(fn: () => void) {
  try {
    fn();
  } catch (e) {
    if (isAppError(e)) return e;
    throw e;
  }
  return null;
}

describe("who may grant what (lib/authz grants)", () => {
  it("the guarded role is the built-in one holding everything a console needs", () => {
    expect(GUARDED_ROLE).toBe("admin");
    expect(missingGrants(principal("admin"), builtInPermissions("admin"))).toEqual([]);
  });

  it("what every member holds is no privilege; anything else must be held; org-wide covers team-wide", () => {
    const nobody = principal("custom", []);
    expect(mayGrant(nobody, builtInPermissions("member"))).toBe(true);
    expect(missingGrants(nobody, builtInPermissions("manager"))).toEqual(["conversation.read.team", "usage.read.team"]);
    const admin = principal("admin");
    expect(mayGrant(admin, builtInPermissions("manager"))).toBe(true);
    expect(missingGrants(admin, ["audit.read.content"])).toEqual(["audit.read.content"]);
    const teamReader = principal("custom", ["conversation.read.team"]);
    expect(missingGrants(teamReader, ["conversation.read.org"] as Permission[])).toEqual(["conversation.read.org"]);
  });

  it("assertMayGrant is a 403 naming the grant, the permissions and the field", () => {
    const e = thrown(() => assertMayGrant(principal("custom", ["user.manage"]), builtInPermissions("admin"), "the role “Admin”", { field: "role" }));
    expect(e?.code).toBe("forbidden");
    expect(e?.message).toMatch(/the role “Admin”.*role\.manage/);
    expect(e?.fields?.[0]?.field).toBe("role");
    expect(thrown(() => assertMayGrant(principal("admin"), builtInPermissions("admin"), "x"))).toBeNull();
  });

  it("a team's read is granted only by an org reader or a team reader who manages that team", () => {
    expect(mayGrantTeamRead(principal("admin"), "t1")).toBe(true);
    expect(mayGrantTeamRead(principal("custom", ["team.manage"]), "t1")).toBe(false);
    expect(mayGrantTeamRead(principal("custom", ["team.manage", "conversation.read.team"], ["t1"]), "t1")).toBe(true);
    expect(mayGrantTeamRead(principal("custom", ["team.manage", "conversation.read.team"], ["t1"]), "t2")).toBe(false);
  });

  it("an API key scope needs every one of its permissions held by the owner (no baseline)", () => {
    expect(missingScopePermissions(principal("member"), ["chat", "read"])).toEqual([]);
    const reader = principal("custom", ["conversation.read.own", "apikey.manage.own"]);
    expect(missingScopePermissions(reader, ["read"])).toEqual([]);
    expect(missingScopePermissions(reader, ["chat", "read"]).map((s) => [s.scope, s.missing])).toEqual([["chat", ["chat.send", "conversation.write.own"]]]);
    const e = thrown(() => assertMayGrantScopes(reader, ["chat"]));
    expect(e?.code).toBe("forbidden");
    expect(e?.fields?.[0]?.field).toBe("scopes");
  });
});
