#!/usr/bin/env node
// Writes Enclave's icons into public/ from one drawing: the SVG icon, PNG app icons, the
// Apple touch icon, a maskable icon for the web app manifest and favicon.ico.
//
//   node scripts/generate-icons.mjs
//
// The drawing (a ring, the enclave, around a dot, its person, on a dark tile) is three shapes
// with exact signed distance functions, so the PNGs are rasterized here with anti-aliasing and
// encoded with node:zlib: no image library, no network. The output is committed; run this again
// only after changing the drawing.
import { writeFileSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { deflateSync } from "node:zlib";

const OUT = join(dirname(fileURLToPath(import.meta.url)), "..", "public");

/** The drawing, on a 512 × 512 canvas. */
const TILE = { color: "#171717", radius: 112 };
const RING = { cx: 256, cy: 256, r: 148, width: 44, color: "#fafafa" };
const DOT = { cx: 256, cy: 256, r: 56, color: "#34d399" };

function svg() {
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 512 512">
  <rect width="512" height="512" rx="${TILE.radius}" fill="${TILE.color}"/>
  <circle cx="${RING.cx}" cy="${RING.cy}" r="${RING.r}" fill="none" stroke="${RING.color}" stroke-width="${RING.width}"/>
  <circle cx="${DOT.cx}" cy="${DOT.cy}" r="${DOT.r}" fill="${DOT.color}"/>
</svg>
`;
}

// Signed distances (negative inside), in canvas units.
function roundedSquare(x, y, radius) {
  const h = 256 - radius;
  const qx = Math.abs(x - 256) - h;
  const qy = Math.abs(y - 256) - h;
  return Math.hypot(Math.max(qx, 0), Math.max(qy, 0)) + Math.min(Math.max(qx, qy), 0) - radius;
}
const circle = (x, y, c) => Math.hypot(x - c.cx, y - c.cy) - c.r;
const ring = (x, y, c) => Math.abs(circle(x, y, c)) - c.width / 2;

const rgb = (hex) => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255);

/** RGBA pixels of the drawing at `size` px; `fullBleed` fills the square (maskable, Apple). */
function rasterize(size, { fullBleed = false } = {}) {
  const scale = 512 / size; // canvas units per pixel
  const layers = [
    { color: rgb(TILE.color), sd: (x, y) => (fullBleed ? -1e9 : roundedSquare(x, y, TILE.radius)) },
    { color: rgb(RING.color), sd: (x, y) => ring(x, y, RING) },
    { color: rgb(DOT.color), sd: (x, y) => circle(x, y, DOT) },
  ];
  const px = Buffer.alloc(size * size * 4);
  // 4 × 4 samples per pixel: accurate coverage even at 16 px, where a pixel spans 32 units.
  const N = 4;
  for (let j = 0; j < size; j++) {
    for (let i = 0; i < size; i++) {
      const sum = [0, 0, 0, 0]; // premultiplied r, g, b and alpha over the samples
      for (let sj = 0; sj < N; sj++) {
        for (let si = 0; si < N; si++) {
          const x = (i + (si + 0.5) / N) * scale;
          const y = (j + (sj + 0.5) / N) * scale;
          // Composite the layers bottom-up ("over"), premultiplied.
          const s = [0, 0, 0, 0];
          for (const l of layers) {
            const cov = Math.min(1, Math.max(0, 0.5 - l.sd(x, y) / (scale / N)));
            if (cov === 0) continue;
            for (let c = 0; c < 3; c++) s[c] = l.color[c] * cov + s[c] * (1 - cov);
            s[3] = cov + s[3] * (1 - cov);
          }
          for (let c = 0; c < 4; c++) sum[c] += s[c];
        }
      }
      const o = (j * size + i) * 4;
      const alpha = sum[3] / (N * N);
      // Back from premultiplied to straight alpha, which PNG stores.
      for (let c = 0; c < 3; c++) px[o + c] = alpha ? Math.round((sum[c] / (N * N) / alpha) * 255) : 0;
      px[o + 3] = Math.round(alpha * 255);
    }
  }
  return px;
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf) {
  let c = 0xffffffff;
  for (const byte of buf) c = CRC_TABLE[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, "ascii"), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}

/** A PNG file: 8-bit RGBA, no interlace, each row with filter type 0. */
function png(size, pixels) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // colour type RGBA
  const rows = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y++) pixels.copy(rows, y * (size * 4 + 1) + 1, y * size * 4, (y + 1) * size * 4);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", ihdr),
    chunk("IDAT", deflateSync(rows, { level: 9 })),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

/** An ICO file holding PNG images (read by every current browser). */
function ico(images) {
  const header = Buffer.alloc(6);
  header.writeUInt16LE(0, 0);
  header.writeUInt16LE(1, 2); // type: icon
  header.writeUInt16LE(images.length, 4);
  const entries = [];
  let offset = 6 + 16 * images.length;
  for (const { size, data } of images) {
    const e = Buffer.alloc(16);
    e[0] = size >= 256 ? 0 : size;
    e[1] = size >= 256 ? 0 : size;
    e.writeUInt16LE(1, 4); // colour planes
    e.writeUInt16LE(32, 6); // bits per pixel
    e.writeUInt32LE(data.length, 8);
    e.writeUInt32LE(offset, 12);
    offset += data.length;
    entries.push(e);
  }
  return Buffer.concat([header, ...entries, ...images.map((i) => i.data)]);
}

const files = {
  "icon.svg": svg(),
  "icon-192.png": png(192, rasterize(192)),
  "icon-512.png": png(512, rasterize(512)),
  "icon-maskable-512.png": png(512, rasterize(512, { fullBleed: true })),
  "apple-touch-icon.png": png(180, rasterize(180, { fullBleed: true })),
  "favicon.ico": ico([16, 32, 48].map((size) => ({ size, data: png(size, rasterize(size)) }))),
};

mkdirSync(OUT, { recursive: true });
for (const [name, content] of Object.entries(files)) {
  writeFileSync(join(OUT, name), content);
  console.log(`public/${name}  ${Buffer.byteLength(content)} bytes`);
}
