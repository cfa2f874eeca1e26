"use server";

import { redirect } from "next/navigation";
import { action } from "@/lib/http/action";
import { openWithJustification, OpenViewInput } from "@/lib/oversight/team-view";

// Managers open their teams' conversations, admins anyone's in the org; whose exactly is the
// view scope lib/authz derives, enforced in the query.
export const openConversationWithJustification = action(
  { permission: ["conversation.read.team", "conversation.read.org"], input: OpenViewInput },
  async (principal, input, { requestId }) => {
    const { viewId } = await openWithJustification(principal, input, { requestId });
    redirect(`/team/view/${viewId}`);
  },
);
