import { describe, expect, it } from "vitest";
import type { Principal } from "@/lib/principal";
import { mayUseAgent } from "./agents";
import { builtInPermissions, type BuiltInRole } from "./catalog";

const as = (role: BuiltInRole, permissions = builtInPermissions(role)): Principal => ({
  userId: "u",
  orgId: "o",
  role,
  teamId: null,
  sessionId: "s",
  email: "e",
  name: "n",
  permissions,
  managedTeamIds: [],
  via: "session",
});

describe("mayUseAgent", () => {
  it("an enabled agent with no role restriction is everyone's", () => {
    for (const r of ["member", "manager", "admin", "auditor"] as const) expect(mayUseAgent(as(r), { enabled: true, allowedRoles: [] })).toBe(true);
  });
  it("a disabled agent is nobody's", () => {
    expect(mayUseAgent(as("admin"), { enabled: false, allowedRoles: [] })).toBe(false);
  });
  it("a role restriction admits only those roles", () => {
    const a = { enabled: true, allowedRoles: ["admin", "manager"] };
    expect(mayUseAgent(as("admin"), a)).toBe(true);
    expect(mayUseAgent(as("manager"), a)).toBe(true);
    expect(mayUseAgent(as("member"), a)).toBe(false);
  });
  it("the agent's required permission must be held (e.g. an API key without conversation reading)", () => {
    const a = { enabled: true, allowedRoles: [] };
    expect(mayUseAgent(as("member"), a, "conversation.read.own")).toBe(true);
    expect(mayUseAgent(as("member", new Set(["chat.send"])), a, "conversation.read.own")).toBe(false);
  });
});
