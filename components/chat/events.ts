/** The sidebar listens for this to refresh after a conversation is created, renamed or deleted. */
export const CONVERSATIONS_CHANGED = "enclave:conversations-changed";

export function notifyConversationsChanged(): void {
  window.dispatchEvent(new CustomEvent(CONVERSATIONS_CHANGED));
}
